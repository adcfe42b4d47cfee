import { useEffect } from 'react';
import type { ServerView } from '../../shared/ipc.js';
import { isBlocked } from '../../shared/policy.js';
import { badgeOf, groupRisks } from '../view-model.js';
import { DecisionBadge, RiskChip } from './Badge.js';
import { RequestApprovalForm } from './RequestApprovalForm.js';
import { useWarden } from './StoreContext.js';

export function ServerDetail() {
  const snapshot = useWarden((state) => state.snapshot);
  const selectedId = useWarden((state) => state.selectedId);
  const select = useWarden((state) => state.select);
  const server = snapshot?.servers.find((candidate) => candidate.id === selectedId);
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => event.key === 'Escape' && select(undefined);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [select]);
  if (!server || !snapshot)
    return (
      <aside className="detail empty">
        Select a server to see where it is configured, what it exposes and what your organisation decided.
      </aside>
    );
  return (
    <aside className="detail" aria-label={`Server ${server.name}`}>
      <div className="detail-head">
        <h2>{server.name}</h2>
        <button className="close" aria-label="Close" onClick={() => select(undefined)}>
          ×
        </button>
      </div>
      <DecisionBadge decision={server.decision} />
      <Decision server={server} moreInfoUrl={snapshot.policy.moreInfoUrl} blockMessage={snapshot.policy.blockMessage} />
      <dl className="facts">
        <dt>Agent</dt>
        <dd>{server.clientName}</dd>
        <dt>Configured in</dt>
        <dd className="mono">{server.configPath}</dd>
        <dt>Scope</dt>
        <dd>
          {server.scope}
          {server.projectPath ? ` — project ${server.projectPath}` : ''}
        </dd>
        <dt>{server.transport === 'stdio' ? 'Command' : 'URL'}</dt>
        <dd className="mono">{server.launch}</dd>
        <dt>Access</dt>
        <dd>{server.accessType}</dd>
        <dt>Server key</dt>
        <dd className="mono">{server.serverKey}</dd>
      </dl>
      {server.findings.length > 0 && (
        <section>
          <h3>Findings in the config</h3>
          <ul className="risks">
            {server.findings.map((finding, index) => (
              <li key={index}>
                <RiskChip id={finding.id} severity={finding.severity} /> {finding.evidence}
              </li>
            ))}
          </ul>
        </section>
      )}
      <Capabilities server={server} />
    </aside>
  );
}

function Decision({
  server,
  moreInfoUrl,
  blockMessage,
}: {
  server: ServerView;
  moreInfoUrl?: string | undefined;
  blockMessage?: string | undefined;
}) {
  const { decision } = server;
  const blocked = isBlocked(decision);
  return (
    <section className={blocked ? 'why blocked' : 'why'} aria-label="Decision">
      <h3>{blocked ? 'Why it is blocked' : 'Decision'}</h3>
      <p>{decision.reason}</p>
      {decision.markedBy && (
        <p className="subtle">
          Decided by {decision.markedBy}
          {decision.decidedAt ? ` on ${decision.decidedAt.slice(0, 10)}` : ''}
          {decision.expiresAt ? `; ${decision.status === 'expired' ? 'expired' : 'expires'} ${decision.expiresAt}` : ''}
        </p>
      )}
      {server.quarantined && (
        <p>
          MCP Warden took it out of {server.configPath} so {server.clientName} cannot start it. Once it is approved, it goes back exactly as
          it was.
        </p>
      )}
      {blocked && blockMessage && <p>{blockMessage}</p>}
      {blocked && moreInfoUrl && <MoreInfo url={moreInfoUrl} />}
      {(blocked || decision.status === 'pending') && <RequestApprovalForm server={server} />}
    </section>
  );
}

function MoreInfo({ url }: { url: string }) {
  const openLink = useWarden((state) => state.openLink);
  return (
    <p>
      <a
        href={url}
        onClick={(event) => {
          event.preventDefault();
          void openLink(url);
        }}
      >
        More information
      </a>
    </p>
  );
}

function Capabilities({ server }: { server: ServerView }) {
  const probe = server.probe;
  if (!probe) return <p className="subtle">Capabilities are listed once the server has been probed.</p>;
  if (probe.status !== 'ok')
    return (
      <p className="subtle">
        Capabilities unknown: probe {probe.status}
        {probe.reason ? ` — ${probe.reason}` : ''}.
      </p>
    );
  return (
    <section>
      <h3>Capabilities ({probe.capabilities.length})</h3>
      <table className="capabilities">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Risk analysis</th>
            <th scope="col">Name</th>
            <th scope="col">Access type</th>
            <th scope="col">Decision</th>
            <th scope="col">Marked by</th>
          </tr>
        </thead>
        <tbody>
          {probe.capabilities.map((capability) => (
            <tr key={`${capability.kind}:${capability.name}`}>
              <td>{capability.kind}</td>
              <td>
                {capability.risks.length ? (
                  groupRisks(capability.risks).map((group) => (
                    <RiskChip
                      key={group.id}
                      id={group.count > 1 ? `${group.id} ×${group.count}` : group.id}
                      severity={group.severity}
                      title={group.evidence.join('\n')}
                    />
                  ))
                ) : (
                  <span className="subtle">none</span>
                )}
              </td>
              <td title={capability.description}>{capability.name}</td>
              <td>{server.accessType}</td>
              <td>{badgeOf(capability.decision).text}</td>
              <td>{capability.decision.markedBy ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
