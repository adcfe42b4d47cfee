// Changed tools: capabilities whose definition changed since the fleet first saw them (a description that now
// carries an instruction, a schema that asks for more), each with the difference and a decision.
import { useState } from 'react';
import { CapabilityChangeRow } from '../../shared/admin-api.js';
import { evaluate } from '../../shared/policy.js';
import { DECISION_LABELS } from '../../shared/present.js';
import { tableOf, useMe, usePaged, usePolicy } from '../api/queries.js';
import { DefinitionDiff } from '../components/DefinitionDiff.js';
import { DecisionDialog, type DecisionRequest } from '../components/DecisionDialog.js';
import { Empty, ListState } from '../components/States.js';
import { ago, dateTime, decisionTone, refusalFor } from '../format.js';
import { capitalise } from '../choices.js';
import { Link, pathTo } from '../router.js';

export function ChangesPage() {
  const me = useMe();
  const policy = usePolicy();
  const changes = usePaged('/v1/admin/changes', CapabilityChangeRow, {});
  const table = tableOf(changes);
  const [deciding, setDeciding] = useState<DecisionRequest>();
  const refusal = refusalFor(me.data, 'approver', 'Deciding');

  return (
    <>
      <div className="page-head">
        <h1>Changed tools</h1>
      </div>
      <p className="sub">
        Tools, resources and prompts whose definition changed after the fleet first saw them. A changed description can carry new
        instructions for the agent; review the difference, then allow or block it.
      </p>
      <ListState
        read={changes}
        rows={table.rows}
        what="changes"
        empty={
          <Empty title="No definition has changed.">
            <p>When a server changes what one of its tools says or takes, it appears here with the difference.</p>
          </Empty>
        }
      >
        <ul className="changes">
          {table.rows.map((change) => {
            const { after } = change;
            const decision = policy.data
              ? evaluate(
                  policy.data,
                  { serverKey: change.serverKey, agent: '*', capability: { kind: after.kind, name: after.name } },
                  { now: new Date() },
                )
              : undefined;
            const target = { serverKey: change.serverKey, capability: { kind: after.kind, name: after.name } };
            return (
              <li key={`${change.serverKey}\n${after.kind}\n${after.name}`} className="panel">
                <div className="page-head">
                  <div>
                    <h2>
                      {capitalise(after.kind)} <span className="mono">{after.name}</span>
                    </h2>
                    <p className="sub">
                      of{' '}
                      <Link href={pathTo('server', { serverKey: change.serverKey })} className="mono">
                        {change.serverKey}
                      </Link>{' '}
                      · changed{' '}
                      <time dateTime={change.changedAt} title={dateTime(change.changedAt)}>
                        {ago(change.changedAt)}
                      </time>
                      , first seen {dateTime(change.beforeSeen)}
                    </p>
                  </div>
                  <div className="row-actions">
                    {decision && (
                      <span className={`badge ${decisionTone(decision)}`} title={decision.reason}>
                        {DECISION_LABELS[decision.status]}
                      </span>
                    )}
                    {(['allow', 'block'] as const).map((verdict) => (
                      <button
                        key={verdict}
                        type="button"
                        className="small"
                        disabled={Boolean(refusal)}
                        title={refusal}
                        onClick={() => setDeciding({ verdict, target, subject: `${after.kind} ${after.name}` })}
                      >
                        {verdict === 'allow' ? 'Allow' : 'Block'}
                        <span className="visually-hidden"> {after.name}</span>
                      </button>
                    ))}
                  </div>
                </div>
                <DefinitionDiff before={change.before} after={after} />
              </li>
            );
          })}
        </ul>
      </ListState>
      {table.hasMore && (
        <button type="button" onClick={table.loadMore} disabled={table.loadingMore}>
          {table.loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
      {deciding && <DecisionDialog request={deciding} agents={[]} onClose={() => setDeciding(undefined)} />}
    </>
  );
}
