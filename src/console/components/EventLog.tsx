// Audit logs: every tool call allowed or denied (and the other events laptops send), newest first, filtered by
// user, resource, action, decision and time, exported as exactly the filtered set. The whole fleet's on the
// Audit logs page; one agent's, one human's, one device's or one server's on theirs (`fixed`).
import { EVENT_TYPES } from '../../shared/protocol.js';
import { EventRow } from '../../shared/admin-api.js';
import { type Query, withQuery } from '../api/client.js';
import { tableOf, usePaged } from '../api/queries.js';
import { type Column, DataTable } from './DataTable.js';
import { FilterBar } from './FilterBar.js';
import { Empty, ListState } from './States.js';
import { agentKeyName, exactTime, personOf } from '../format.js';
import { Link, pathTo, useSearchState } from '../router.js';

const TYPE_LABELS: Record<(typeof EVENT_TYPES)[number], string> = {
  'tool-call': 'Tool calls',
  'approval-request': 'Approval requests',
  'block-notice': 'Block notices',
  'capability-changed': 'Changed capabilities',
  'audit-chain-broken': 'Broken audit chains',
};

/** Allow or Deny, as the guard decided the call. */
export function callDecision(event: EventRow): { label: string; tone: string } | undefined {
  const status = event.decision?.status;
  if (!status) return undefined;
  return status === 'approved' || status === 'conditional' ? { label: 'Allow', tone: 'ok' } : { label: 'Deny', tone: 'blocked' };
}

const COLUMNS: Column<EventRow>[] = [
  { header: 'Timestamp', cell: (event) => <time dateTime={event.at}>{exactTime(event.at)}</time> },
  {
    header: 'User key',
    cell: (event) => (
      <Link href={pathTo('human', { humanKey: event.human })} className="mono">
        {personOf(event.human)}
      </Link>
    ),
  },
  {
    header: 'Agent',
    cell: (event) =>
      event.agent ? <Link href={pathTo('agent', { agentKey: event.agent })}>{agentKeyName(event.agent)}</Link> : (event.client ?? '—'),
  },
  {
    header: 'Action',
    cell: (event) =>
      event.capability ? <span className="mono">{event.capability.name}</span> : <span className="sub">{TYPE_LABELS[event.type]}</span>,
  },
  {
    header: 'Resource',
    cell: (event) =>
      event.serverKey ? <Link href={pathTo('server', { serverKey: event.serverKey })}>{event.serverName ?? event.serverKey}</Link> : '—',
  },
  {
    header: 'Decision',
    cell: (event) => {
      const decision = callDecision(event);
      return decision ? <span className={`badge ${decision.tone}`}>{decision.label}</span> : '—';
    },
  },
  { header: 'Reason', className: 'reason', cell: (event) => event.reason ?? event.decision?.reason ?? '' },
];

/** The filters an admin sets, as the API takes them. */
const OWN_FILTERS = ['q', 'type', 'human', 'server', 'capability', 'decision', 'from', 'to'] as const;

function apiQuery(search: URLSearchParams, fixed: Query): Query {
  const value = (name: string) => search.get(name) || undefined;
  const person = value('human');
  const capability = value('capability');
  const day = (name: 'from' | 'to') => {
    const date = value(name);
    return date ? new Date(`${date}T${name === 'from' ? '00:00:00' : '23:59:59.999'}`).toISOString() : undefined;
  };
  return {
    q: value('q'),
    // Tool calls unless the admin chose other events, or all of them.
    type: value('type') === 'all' ? undefined : (value('type') ?? 'tool-call'),
    human: person ? (person.startsWith('human|') ? person : `human|${person}`) : undefined,
    server: value('server'),
    // A bare name is a tool's.
    capability: capability ? (capability.includes(':') ? capability : `tool:${capability}`) : undefined,
    decision: value('decision'),
    from: day('from'),
    to: day('to'),
    ...fixed,
  };
}

export function EventLog({ fixed = {}, label = 'Audit logs' }: { fixed?: Query; label?: string }) {
  const [search, setSearch] = useSearchState();
  const query = apiQuery(search, fixed);
  const events = usePaged('/v1/admin/events', EventRow, query, 100);
  const table = tableOf(events);
  const exportQuery = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
  const filtered = OWN_FILTERS.some((name) => search.get(name));
  const onlyDenied = search.get('decision') === 'rejected';

  return (
    <section className="event-log">
      <FilterBar
        label={`Filter ${label.toLowerCase()}`}
        search={{ name: 'q', label: 'Search', placeholder: 'Server, tool or reason' }}
        choices={[
          {
            name: 'type',
            label: 'Events',
            none: TYPE_LABELS['tool-call'],
            options: [
              ...EVENT_TYPES.filter((type) => type !== 'tool-call').map((type) => ({ value: type, label: TYPE_LABELS[type] })),
              { value: 'all', label: 'All events' },
            ],
          },
          {
            name: 'decision',
            label: 'Decision',
            options: [
              { value: 'approved', label: 'Allow' },
              { value: 'rejected', label: 'Deny' },
            ],
          },
        ]}
        values={search}
        onChange={setSearch}
        others={['human', 'server', 'capability', 'from', 'to']}
      >
        {!fixed.human && <TextFilter name="human" label="User" placeholder="alice@corp.example" values={search} onChange={setSearch} />}
        {!fixed.server && (
          <TextFilter name="server" label="Resource (server key)" placeholder="npm:@scope/server" values={search} onChange={setSearch} />
        )}
        <TextFilter name="capability" label="Action (tool)" placeholder="read_file" values={search} onChange={setSearch} />
        <label className="field">
          <span>From</span>
          <input type="date" value={search.get('from') ?? ''} onChange={(event) => setSearch({ from: event.target.value })} />
        </label>
        <label className="field">
          <span>To</span>
          <input type="date" value={search.get('to') ?? ''} onChange={(event) => setSearch({ to: event.target.value })} />
        </label>
        <label className="field check">
          <input
            type="checkbox"
            checked={onlyDenied}
            onChange={(event) => setSearch({ decision: event.target.checked ? 'rejected' : undefined })}
          />
          <span>Only denied</span>
        </label>
      </FilterBar>
      <div className="exports">
        <span className="sub">Export exactly this view:</span>
        <a className="button" href={withQuery('/v1/admin/events.csv', exportQuery)} download>
          CSV
        </a>
        <a className="button" href={withQuery('/v1/admin/events.jsonl', exportQuery)} download>
          JSON lines
        </a>
      </div>
      <ListState
        read={events}
        rows={table.rows}
        what="the audit log"
        empty={
          <Empty title={filtered ? 'No event matches these filters.' : 'No tool call recorded yet.'}>
            <p>
              {filtered
                ? 'Widen the dates or clear a filter.'
                : 'Calls appear here once laptops run their MCP servers through the guard (mcp-warden enforce), within a minute of each call.'}
            </p>
          </Empty>
        }
      >
        <DataTable label={label} columns={COLUMNS} rowKey={(event) => event.id} {...table} />
      </ListState>
    </section>
  );
}

/** A text filter that applies when the admin presses Enter or leaves the field. */
function TextFilter({
  name,
  label,
  placeholder,
  values,
  onChange,
}: {
  name: string;
  label: string;
  placeholder: string;
  values: URLSearchParams;
  onChange: (changes: Record<string, string | undefined>) => void;
}) {
  const apply = (value: string) => onChange({ [name]: value.trim() || undefined });
  return (
    <label className="field">
      <span>{label}</span>
      <input
        key={values.get(name) ?? ''}
        defaultValue={values.get(name) ?? ''}
        placeholder={placeholder}
        onBlur={(event) => apply(event.target.value)}
        onKeyDown={(event) => event.key === 'Enter' && apply(event.currentTarget.value)}
      />
    </label>
  );
}
