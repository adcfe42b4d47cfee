// One server: its decision under each agent, the Action menu, where it is configured and how, every
// capability with its own decision and controls, and its audit logs and history.
import { useState } from 'react';
import type { CapabilityRow, ServerDeviceRow } from '../../shared/admin-api.js';
import { tableOf, useCapabilities, useMe, useServerDetail, useServerDevices } from '../api/queries.js';
import { capitalise } from '../choices.js';
import { ActionMenu } from '../components/ActionMenu.js';
import { DecisionBadge, RiskBadge } from '../components/Badges.js';
import { type Column, DataTable } from '../components/DataTable.js';
import { DecisionDialog, type DecisionRequest } from '../components/DecisionDialog.js';
import { PublishDialog } from '../components/PublishDialog.js';
import { EventLog } from '../components/EventLog.js';
import { HistoryList } from '../components/HistoryList.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { Tabs } from '../components/Tabs.js';
import { agentName, ago, dateTime, plural, refusalFor, signalName } from '../format.js';
import { Link, pathTo, useSearchState } from '../router.js';

const TABS = [
  { id: 'capabilities', label: 'Capabilities' },
  { id: 'configured', label: 'Where configured' },
  { id: 'logs', label: 'Audit Logs' },
  { id: 'history', label: 'History' },
] as const;

export function ServerPage({ serverKey }: { serverKey: string }) {
  const detail = useServerDetail(serverKey);
  const me = useMe();
  const [search, setSearch] = useSearchState();
  const [deciding, setDeciding] = useState<DecisionRequest>();
  const [publishing, setPublishing] = useState(false);
  if (detail.isPending) return <Loading what="the server" />;
  if (detail.isError) return <ErrorState error={detail.error} retry={() => void detail.refetch()} />;
  const server = detail.data;
  const agents = server.byAgent.map((row) => row.agent);
  const agent = agents.includes(search.get('agent') ?? '') ? search.get('agent')! : agents[0];
  const tab = TABS.find((candidate) => candidate.id === search.get('tab'))?.id ?? 'capabilities';
  const refusal = refusalFor(me.data, 'approver', 'Deciding');

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href={pathTo('audit-data')}>Audit Data</Link> / <span aria-current="page">{server.name}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>{server.name}</h1>
          <p className="sub mono">{server.serverKey}</p>
        </div>
        <ActionMenu
          serverName={server.name}
          serverKey={server.serverKey}
          agent={agent}
          refusal={refusal}
          onDecide={setDeciding}
          publishRefusal={
            // Registry-only's own refusal is what publishing lifts; every other block stands.
            server.byAgent.every((row) => ['rejected', 'expired'].includes(row.decision.status) && row.decision.code !== 'not-in-registry')
              ? 'Blocked for every agent that loads it: a blocked server cannot be published.'
              : undefined
          }
          onPublish={() => setPublishing(true)}
        />
      </div>

      <section className="cards" aria-label="Decisions by agent">
        {server.byAgent.map((row) => (
          <article key={row.agent} className={row.agent === agent ? 'card selected' : 'card'}>
            <h2>
              <button type="button" className="link" aria-pressed={row.agent === agent} onClick={() => setSearch({ agent: row.agent })}>
                {agentName(row.agent)}
              </button>
            </h2>
            <p>
              <DecisionBadge decision={row.decision} /> <RiskBadge risk={row.risk} />
            </p>
            <p className="sub">{row.decision.reason}</p>
            <dl className="facts compact">
              <dt>Devices</dt>
              <dd>{row.deviceCount.toLocaleString('en')}</dd>
              <dt>Marked By</dt>
              <dd>{row.decision.markedBy ?? 'Organisation default'}</dd>
              {row.decision.expiresAt && (
                <>
                  <dt>Allowed until</dt>
                  <dd>{dateTime(row.decision.expiresAt)}</dd>
                </>
              )}
              <dt>Last Detected</dt>
              <dd>{ago(row.lastUpdated)}</dd>
            </dl>
          </article>
        ))}
      </section>

      {server.findings.length > 0 && (
        <section aria-labelledby="findings-heading" className="panel">
          <h2 id="findings-heading">Risk signals</h2>
          <ul className="signals">
            {server.findings.map((finding) => (
              <li key={`${finding.id}\n${finding.evidence}`}>
                <RiskBadge risk={finding.severity} /> <strong>{signalName(finding.id)}</strong>{' '}
                <span className="sub">{finding.evidence}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <Tabs tabs={TABS} current={tab} onChange={(id) => setSearch({ tab: id === 'capabilities' ? undefined : id })} label="Server">
        {tab === 'capabilities' && (
          <Capabilities serverKey={serverKey} agent={agent} refusal={refusal} probedAt={server.probe?.probedAt} onDecide={setDeciding} />
        )}
        {tab === 'configured' && <Configured serverKey={serverKey} />}
        {tab === 'logs' && <EventLog fixed={{ server: serverKey }} label="Audit logs of this server" />}
        {tab === 'history' && <HistoryList query={{ server: serverKey }} label="History of this server" />}
      </Tabs>

      {deciding && <DecisionDialog request={deciding} agents={agents} onClose={() => setDeciding(undefined)} />}
      {publishing && <PublishDialog serverKey={server.serverKey} serverName={server.name} onClose={() => setPublishing(false)} />}
    </>
  );
}

function Capabilities(props: {
  serverKey: string;
  agent: string | undefined;
  refusal: string | undefined;
  probedAt: string | undefined;
  onDecide: (request: DecisionRequest) => void;
}) {
  const capabilities = useCapabilities(props.serverKey, {});
  const table = tableOf(capabilities);
  const decisionFor = (row: CapabilityRow) => row.decisions.find((decision) => decision.agent === props.agent) ?? row.decision;
  const decide = (row: CapabilityRow, verdict: DecisionRequest['verdict']) =>
    props.onDecide({
      verdict,
      target: { serverKey: props.serverKey, capability: { kind: row.type, name: row.name } },
      subject: `${row.type} ${row.name}`,
      agent: props.agent,
    });
  const columns: Column<CapabilityRow>[] = [
    { header: 'Type', cell: (row) => capitalise(row.type) },
    {
      header: 'Risk Analysis',
      cell: (row) =>
        row.risks.length ? (
          <ul className="signals inline">
            {row.risks.map((risk) => (
              <li key={`${risk.id}\n${risk.evidence}`} title={risk.evidence}>
                <RiskBadge risk={risk.severity} /> {signalName(risk.id)}
              </li>
            ))}
          </ul>
        ) : (
          <span className="sub">No signals</span>
        ),
    },
    {
      header: 'Name',
      cell: (row) => (
        <>
          <span className="mono strong">{row.name}</span>
          {row.description && <div className="sub clamp">{row.description}</div>}
        </>
      ),
    },
    { header: 'Access Types', cell: (row) => capitalise(row.accessType) },
    { header: 'Remarks', cell: (row) => <DecisionBadge decision={decisionFor(row)} /> },
    { header: 'Marked By', cell: (row) => decisionFor(row).markedBy ?? <span className="sub">Server&apos;s decision</span> },
    {
      header: 'Decide',
      cell: (row) => (
        <div className="row-actions" role="group" aria-label={`Decide ${row.name}`}>
          {(['allow', 'block', 'conditional'] as const).map((verdict) => (
            <button
              key={verdict}
              type="button"
              className="small"
              disabled={Boolean(props.refusal)}
              title={props.refusal}
              onClick={() => decide(row, verdict)}
            >
              {verdict === 'allow' ? 'Allow' : verdict === 'block' ? 'Block' : 'Conditional'}
              <span className="visually-hidden"> {row.name}</span>
            </button>
          ))}
        </div>
      ),
    },
  ];
  if (capabilities.isPending) return <Loading what="capabilities" />;
  if (capabilities.isError) return <ErrorState error={capabilities.error} retry={() => void capabilities.refetch()} />;
  if (table.rows.length === 0)
    return (
      <Empty title="No capability is known yet.">
        <p>A laptop lists a server&apos;s tools, resources and prompts when it probes the server, or when the guard sees them in use.</p>
      </Empty>
    );
  return (
    <>
      {props.probedAt && <p className="sub">As the server listed them {ago(props.probedAt)}.</p>}
      <DataTable label="Capabilities" columns={columns} rowKey={(row) => `${row.type}:${row.name}`} {...table} />
    </>
  );
}

function Configured({ serverKey }: { serverKey: string }) {
  const devices = useServerDevices(serverKey, {});
  const table = tableOf(devices);
  const distinct = (values: (string | undefined)[]) => [...new Set(values.filter((value): value is string => Boolean(value)))];
  const rows = table.rows;
  const versions = distinct(
    rows.map((row) =>
      row.package ? `${row.package.registry}:${row.package.name}${row.package.version ? `@${row.package.version}` : ''}` : undefined,
    ),
  );
  const columns: Column<ServerDeviceRow>[] = [
    { header: 'Device', cell: (row) => <Link href={pathTo('device', { deviceId: row.deviceId })}>{row.hostname}</Link> },
    { header: 'User', cell: (row) => row.user },
    { header: 'Agent', cell: (row) => agentName(row.agent) },
    { header: 'Name there', cell: (row) => row.name },
    { header: 'Scope', cell: (row) => capitalise(row.scope) },
    { header: 'Config file', className: 'mono', cell: (row) => row.configPath },
    { header: 'Version', cell: (row) => row.package?.version ?? '—' },
    { header: 'First seen', cell: (row) => <time dateTime={row.firstSeen}>{ago(row.firstSeen)}</time> },
  ];
  if (devices.isPending) return <Loading what="where it is configured" />;
  if (devices.isError) return <ErrorState error={devices.error} retry={() => void devices.refetch()} />;
  return (
    <>
      <dl className="facts panel">
        <dt>Transport</dt>
        <dd>{distinct(rows.map((row) => row.transport)).join(', ') || '—'}</dd>
        <dt>Package and versions seen</dt>
        <dd className="mono">{versions.join(', ') || 'No package (a command or a remote server)'}</dd>
        <dt>URL</dt>
        <dd className="mono">{distinct(rows.map((row) => row.url)).join(', ') || '—'}</dd>
        <dt>Agents</dt>
        <dd>{distinct(rows.map((row) => agentName(row.agent))).join(', ')}</dd>
        <dt>Scopes</dt>
        <dd>{distinct(rows.map((row) => capitalise(row.scope))).join(', ')}</dd>
        <dt>Devices</dt>
        <dd>
          {table.total ? plural(table.total.count, 'device') : '—'}
          {table.hasMore && (
            <span className="sub">
              {' '}
              (the facts above are of the {rows.length.toLocaleString('en')} listed below; load more to widen them)
            </span>
          )}
        </dd>
      </dl>
      <DataTable
        label="Where it is configured"
        columns={columns}
        rowKey={(row) => `${row.deviceId}\n${row.agent}\n${row.configPath}\n${row.name}`}
        {...table}
      />
    </>
  );
}
