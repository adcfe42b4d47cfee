// Approval requests: what employees asked for from their tray, and why; approve, approve with conditions, or
// reject with a message (the laptop shows the answer with its next policy). Above them, approvals that end
// soon, each renewed with one click.
import { useState } from 'react';
import { EventRow } from '../../shared/admin-api.js';
import { type Rule, evaluate } from '../../shared/policy.js';
import { DECISION_LABELS } from '../../shared/present.js';
import { tableOf, useChange, useMe, usePaged, usePolicy } from '../api/queries.js';
import { type Column, DataTable } from '../components/DataTable.js';
import { DecisionDialog, type DecisionRequest } from '../components/DecisionDialog.js';
import { ChangeError, Empty, ListState } from '../components/States.js';
import { agentName, agentsPhrase, ago, dateTime, decisionTone, fromNow, personOf, refusalFor } from '../format.js';
import { Link, pathTo } from '../router.js';

/** Conditional approvals ending within this are listed for renewal. */
const ENDING_SOON_MS = 7 * 86_400_000;
const RENEW_DAYS = 30;

export function RequestsPage() {
  const me = useMe();
  const policy = usePolicy();
  const requests = usePaged('/v1/admin/requests', EventRow, {});
  const table = tableOf(requests);
  const [deciding, setDeciding] = useState<DecisionRequest & { agents: string[] }>();
  const refusal = refusalFor(me.data, 'approver', 'Answering requests');

  const answer = (event: EventRow, verdict: DecisionRequest['verdict']) => {
    const agents = (event.client ?? '').split(',').filter(Boolean);
    const words = event.reason ? `: “${event.reason}”` : '';
    setDeciding({
      verdict,
      target: { serverKey: event.serverKey! },
      subject: event.serverName ?? event.serverKey!,
      agent: agents[0],
      forAgents: agents,
      agents,
      justification: verdict === 'block' ? '' : `Requested by ${personOf(event.human)}${words}`,
    });
  };

  const columns: Column<EventRow>[] = [
    {
      header: 'Asked',
      cell: (event) => (
        <time dateTime={event.at} title={dateTime(event.at)}>
          {ago(event.at)}
        </time>
      ),
    },
    { header: 'Who', cell: (event) => <Link href={pathTo('human', { humanKey: event.human })}>{personOf(event.human)}</Link> },
    { header: 'Agent', cell: (event) => (event.client ?? '').split(',').map(agentName).join(', ') || '—' },
    {
      header: 'Server',
      cell: (event) =>
        event.serverKey ? <Link href={pathTo('server', { serverKey: event.serverKey })}>{event.serverName ?? event.serverKey}</Link> : '—',
    },
    { header: 'Their reason', className: 'reason', cell: (event) => event.reason ?? <span className="sub">No reason given</span> },
    {
      header: 'Now',
      cell: (event) => {
        if (!policy.data || !event.serverKey) return '—';
        const decision = evaluate(
          policy.data,
          { serverKey: event.serverKey, agent: (event.client ?? '').split(',')[0] ?? '' },
          { now: new Date() },
        );
        return (
          <span className={`badge ${decisionTone(decision)}`} title={decision.reason}>
            {DECISION_LABELS[decision.status]}
            {decision.markedBy ? ` by ${decision.markedBy}` : ''}
          </span>
        );
      },
    },
    {
      header: 'Answer',
      cell: (event) =>
        event.serverKey ? (
          <div
            className="row-actions"
            role="group"
            aria-label={`Answer ${personOf(event.human)} about ${event.serverName ?? event.serverKey}`}
          >
            <button type="button" className="small" disabled={Boolean(refusal)} title={refusal} onClick={() => answer(event, 'allow')}>
              Approve
            </button>
            <button
              type="button"
              className="small"
              disabled={Boolean(refusal)}
              title={refusal}
              onClick={() => answer(event, 'conditional')}
            >
              Approve with conditions
            </button>
            <button type="button" className="small" disabled={Boolean(refusal)} title={refusal} onClick={() => answer(event, 'block')}>
              Reject
            </button>
          </div>
        ) : null,
    },
  ];

  return (
    <>
      <div className="page-head">
        <h1>Approval requests</h1>
      </div>
      {policy.data && <EndingSoon rules={policy.data.rules} refusal={refusal} />}
      <ListState
        read={requests}
        rows={table.rows}
        what="requests"
        empty={
          <Empty title="No employee has asked for a server yet.">
            <p>When someone asks from their tray (Request approval), their request and their reason appear here.</p>
          </Empty>
        }
      >
        <DataTable label="Approval requests" columns={columns} rowKey={(event) => event.id} {...table} />
      </ListState>
      {deciding && (
        <DecisionDialog
          request={{ ...deciding, subject: deciding.verdict === 'block' ? `${deciding.subject} (reject the request)` : deciding.subject }}
          agents={deciding.agents}
          onClose={() => setDeciding(undefined)}
        />
      )}
    </>
  );
}

function EndingSoon({ rules, refusal }: { rules: Rule[]; refusal: string | undefined }) {
  const renew = useChange((api, rule: Rule) => {
    const from = Math.max(Date.now(), Date.parse(rule.conditions!.expiresAt!));
    return api.send('POST', '/v1/admin/rules', {
      target: rule.target,
      agents: rule.agents,
      verdict: rule.verdict,
      justification: rule.justification,
      conditions: { ...rule.conditions, expiresAt: new Date(from + RENEW_DAYS * 86_400_000).toISOString() },
    });
  });
  // Ending within a week, or ended within the last one (renewing brings it back).
  const soon = rules.filter((rule) => {
    const ends =
      rule.verdict === 'conditional' && rule.conditions?.expiresAt ? Date.parse(rule.conditions.expiresAt) - Date.now() : undefined;
    return ends !== undefined && Math.abs(ends) < ENDING_SOON_MS;
  });
  if (soon.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="ending-heading">
      <h2 id="ending-heading">Approvals ending soon</h2>
      <ul className="ending">
        {soon.map((rule) => {
          const ended = Date.parse(rule.conditions!.expiresAt!) <= Date.now();
          return (
            <li key={rule.id}>
              <Link href={pathTo('server', { serverKey: rule.target.serverKey })} className="mono">
                {rule.target.capability ? `${rule.target.serverKey} · ${rule.target.capability.name}` : rule.target.serverKey}
              </Link>{' '}
              for {agentsPhrase(rule.agents)}: {ended ? 'ended' : 'ends'} {fromNow(rule.conditions!.expiresAt!)}{' '}
              <span className="sub">({dateTime(rule.conditions!.expiresAt!)})</span>{' '}
              <button
                type="button"
                className="small"
                disabled={Boolean(refusal) || renew.isPending}
                title={refusal}
                onClick={() => renew.mutate(rule)}
              >
                Renew for {RENEW_DAYS} days
              </button>
            </li>
          );
        })}
      </ul>
      <ChangeError error={renew.error} />
    </section>
  );
}
