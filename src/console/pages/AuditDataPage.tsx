// Audit Data: every MCP server by the AI agent that loads it, with its decision, risk and reach; searched,
// filtered and sorted by the endpoint, paged by its cursors, exported as exactly the filtered view.
import { FleetServerRow } from '../../shared/admin-api.js';
import { withQuery } from '../api/client.js';
import { tableOf, useAgents, useEnrollment, useMe, usePaged } from '../api/queries.js';
import { ACCESS_CHOICE, DECISION_CHOICE, RISK_CHOICE, agentChoice, capitalise } from '../choices.js';
import { DecisionBadge, RiskBadge } from '../components/Badges.js';
import { type Column, DataTable } from '../components/DataTable.js';
import { FilterBar } from '../components/FilterBar.js';
import { Empty, ListState, Loading } from '../components/States.js';
import { agentName, ago, dateTime } from '../format.js';
import { Link, pathTo, useSearchState } from '../router.js';

// `device` comes from a device's page: its servers.
const FILTERS = ['q', 'agent', 'decision', 'accessType', 'risk', 'device'] as const;

const COLUMNS: Column<FleetServerRow>[] = [
  {
    header: 'MCP Server',
    sort: 'name',
    cell: (row) => (
      <>
        <Link href={pathTo('server', { serverKey: row.serverKey }, { agent: row.agent })} className="strong">
          {row.name}
        </Link>
        <div className="sub mono key" title={row.serverKey}>
          {row.serverKey}
        </div>
      </>
    ),
  },
  { header: 'AI Agent', sort: 'agent', cell: (row) => agentName(row.agent) },
  { header: 'Devices', sort: 'deviceCount', className: 'number', cell: (row) => row.deviceCount.toLocaleString('en') },
  { header: 'Risk', sort: 'risk', cell: (row) => <RiskBadge risk={row.risk} /> },
  {
    header: 'Last Detected',
    sort: 'lastUpdated',
    cell: (row) => (
      <time dateTime={row.lastUpdated} title={dateTime(row.lastUpdated)}>
        {ago(row.lastUpdated)}
      </time>
    ),
  },
  {
    header: 'Updated',
    sort: 'decidedAt',
    cell: (row) =>
      row.decision.decidedAt ? (
        <time dateTime={row.decision.decidedAt} title={dateTime(row.decision.decidedAt)}>
          {ago(row.decision.decidedAt)}
        </time>
      ) : (
        <span className="sub">Default</span>
      ),
  },
  { header: 'Access Type', sort: 'accessType', cell: (row) => capitalise(row.accessType) },
  { header: 'Remarks', sort: 'decision', cell: (row) => <DecisionBadge decision={row.decision} /> },
  { header: 'Marked By', sort: 'markedBy', cell: (row) => row.decision.markedBy ?? <span className="sub">Organisation default</span> },
];

export function AuditDataPage() {
  const [search, setSearch] = useSearchState();
  const query = Object.fromEntries(FILTERS.map((name) => [name, search.get(name) ?? undefined]));
  const sort = search.get('sort') ?? 'name';
  const servers = usePaged('/v1/admin/servers', FleetServerRow, { ...query, sort });
  const agents = useAgents();
  const filtered = FILTERS.some((name) => search.get(name));
  const table = tableOf(servers);

  return (
    <>
      <div className="page-head">
        <h1>Audit Data</h1>
        <div className="head-actions">
          <a className="button" href={withQuery('/v1/admin/servers.csv', { ...query, sort })} download>
            Export CSV
          </a>
          <a className="button" href="/v1/admin/inventory.cdx.json" download title="The whole fleet as a CycloneDX 1.6 bill of materials">
            AI-BOM (CycloneDX)
          </a>
        </div>
      </div>
      <FilterBar
        label="Filter servers"
        search={{ name: 'q', label: 'Search', placeholder: 'Server name or key' }}
        choices={[agentChoice((agents.data?.items ?? []).map((agent) => agent.agent)), DECISION_CHOICE, ACCESS_CHOICE, RISK_CHOICE]}
        values={search}
        onChange={setSearch}
        others={['device']}
      >
        {search.get('device') && (
          <span className="chip">
            Servers of one device{' '}
            <button type="button" className="link" onClick={() => setSearch({ device: undefined })}>
              Show every device&apos;s
            </button>
          </span>
        )}
      </FilterBar>
      <ListState
        read={servers}
        rows={table.rows}
        what="servers"
        empty={
          filtered ? (
            <Empty title="No server matches these filters.">
              <p>Clear a filter to see more.</p>
            </Empty>
          ) : (
            <FirstLaptop />
          )
        }
      >
        <DataTable
          label="Servers"
          columns={COLUMNS}
          rowKey={(row) => `${row.serverKey}\n${row.agent}`}
          sort={sort}
          onSort={(next) => setSearch({ sort: next === 'name' ? undefined : next })}
          {...table}
        />
      </ListState>
    </>
  );
}

/** The empty fleet: what to do next, with the command that does it. */
function FirstLaptop() {
  const me = useMe();
  const owner = me.data?.role === 'owner';
  const enrollment = useEnrollment(owner);
  // An owner is shown the real command (with the secret), never a placeholder that changes under them.
  const command =
    owner && !enrollment.isError
      ? enrollment.data?.command
      : `mcp-warden enroll --server ${window.location.origin} --secret <the enroll secret>`;
  return (
    <Empty title="No laptop has reported yet.">
      <p>Install MCP Warden on a laptop and enroll it with this endpoint; its MCP servers appear here within a minute.</p>
      {command ? (
        <pre className="command">
          <code>{command}</code>
        </pre>
      ) : (
        <Loading what="the enroll command" />
      )}
      <p className="sub">
        IT can roll it out to every laptop with their MDM: see <code>docs/deploy-mdm.md</code>.
      </p>
    </Empty>
  );
}
