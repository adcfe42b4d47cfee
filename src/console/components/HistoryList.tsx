// What changed, who changed it and when: the admin history, for the whole organisation or one server.
import { AdminAction } from '../../shared/admins.js';
import { Rule } from '../../shared/policy.js';
import { type Query } from '../api/client.js';
import { tableOf, usePaged } from '../api/queries.js';
import { type Column, DataTable } from './DataTable.js';
import { Empty, ErrorState, Loading } from './States.js';
import { agentsPhrase, dateTime } from '../format.js';
import { Link, pathTo } from '../router.js';

const ACTION_LABELS: Record<AdminAction['action'], string> = {
  'rule-added': 'Decided',
  'rule-removed': 'Removed a decision',
  'settings-changed': 'Changed settings',
  'admin-added': 'Added an admin',
  'admin-removed': 'Removed an admin',
  'token-issued': 'Made a token',
  'token-revoked': 'Revoked a token',
  'registry-published': 'Published to the registry',
  'registry-unpublished': 'Took out of the registry',
  'registry-deprecated': 'Registry entry deprecated',
  'registry-restored': 'Registry entry active again',
};

const VERDICT_WORDS = { allow: 'Allow', block: 'Block', conditional: 'Conditionally allow' } as const;

/** A rule in a sentence: "Block tool write_file for Cursor: reason". */
function ruleSentence(value: unknown): string | undefined {
  const rule = Rule.safeParse(value);
  if (!rule.success) return undefined;
  const { verdict, target, agents, justification, conditions } = rule.data;
  const what = target.capability ? `${target.capability.kind} ${target.capability.name}` : 'the server';
  const who = agentsPhrase(agents);
  const until = conditions?.expiresAt ? ` until ${dateTime(conditions.expiresAt)}` : '';
  const where = conditions?.ipRanges ? ` from ${conditions.ipRanges.join(', ')}` : '';
  return `${VERDICT_WORDS[verdict]} ${what} for ${who}${until}${where}: ${justification}`;
}

function describe(action: AdminAction): string {
  if (action.action === 'rule-added') return ruleSentence(action.after) ?? action.subject;
  if (action.action === 'rule-removed') return `was: ${ruleSentence(action.before) ?? action.subject}`;
  return action.subject;
}

const COLUMNS: Column<AdminAction>[] = [
  { header: 'When', cell: (action) => <time dateTime={action.at}>{dateTime(action.at)}</time> },
  { header: 'Who', cell: (action) => action.admin },
  { header: 'What', cell: (action) => ACTION_LABELS[action.action] },
  {
    header: 'Server',
    cell: (action) =>
      action.serverKey ? (
        <Link href={pathTo('server', { serverKey: action.serverKey })} className="mono">
          {action.serverKey}
        </Link>
      ) : (
        '—'
      ),
  },
  { header: 'Detail', className: 'reason', cell: describe },
];

export function HistoryList({ query, label }: { query: Query; label: string }) {
  const history = usePaged('/v1/admin/history', AdminAction, query);
  const table = tableOf(history);
  if (history.isPending) return <Loading what="the history" />;
  if (history.isError) return <ErrorState error={history.error} retry={() => void history.refetch()} />;
  if (table.rows.length === 0)
    return (
      <Empty title="Nothing has been changed yet.">
        <p>Every decision, setting and admin change is listed here with who made it.</p>
      </Empty>
    );
  return <DataTable label={label} columns={COLUMNS} rowKey={(action) => action.id} {...table} />;
}
