// Devices: every enrolled laptop, whom it acts for, its platform and agent version, and when it was last
// seen; laptops silent for a week are flagged.
import { DeviceRow } from '../../shared/admin-api.js';
import { tableOf, useAgents, usePaged } from '../api/queries.js';
import { agentChoice } from '../choices.js';
import { type Column, DataTable } from '../components/DataTable.js';
import { FilterBar } from '../components/FilterBar.js';
import { Empty, ListState } from '../components/States.js';
import { ago, dateTime, personOf } from '../format.js';
import { Link, pathTo, useSearchState } from '../router.js';

/** A laptop that has not reported for this long is probably off the fleet, or its agent stopped. */
export const STALE_AFTER_MS = 7 * 86_400_000;

const PLATFORMS = { darwin: 'macOS', win32: 'Windows', linux: 'Linux' } as const;

export const isStale = (device: Pick<DeviceRow, 'lastSeen'>) => Date.now() - Date.parse(device.lastSeen) > STALE_AFTER_MS;

const COLUMNS: Column<DeviceRow>[] = [
  {
    header: 'Hostname',
    sort: 'hostname',
    cell: (device) => (
      <Link href={pathTo('device', { deviceId: device.id })} className="strong">
        {device.hostname}
      </Link>
    ),
  },
  {
    header: 'Person',
    sort: 'user',
    cell: (device) => <Link href={pathTo('human', { humanKey: device.human })}>{personOf(device.human)}</Link>,
  },
  { header: 'Platform', cell: (device) => `${PLATFORMS[device.platform]} ${device.osVersion}` },
  { header: 'Agent version', cell: (device) => device.agentVersion },
  { header: 'Servers', sort: 'serverCount', className: 'number', cell: (device) => device.serverCount },
  {
    header: 'Last seen',
    sort: 'lastSeen',
    cell: (device) => (
      <>
        <time dateTime={device.lastSeen} title={dateTime(device.lastSeen)}>
          {ago(device.lastSeen)}
        </time>
        {isStale(device) && <span className="badge blocked stale">Stale</span>}
      </>
    ),
  },
];

export function DevicesPage() {
  const [search, setSearch] = useSearchState();
  const agents = useAgents();
  const sort = search.get('sort') ?? 'hostname';
  const query = {
    q: search.get('q') ?? undefined,
    platform: search.get('platform') ?? undefined,
    agent: search.get('agent') ?? undefined,
    sort,
  };
  const devices = usePaged('/v1/admin/devices', DeviceRow, query);
  const table = tableOf(devices);
  return (
    <>
      <div className="page-head">
        <h1>Devices</h1>
      </div>
      <FilterBar
        label="Filter devices"
        search={{ name: 'q', label: 'Search', placeholder: 'Hostname or user' }}
        choices={[
          { name: 'platform', label: 'Platform', options: Object.entries(PLATFORMS).map(([value, label]) => ({ value, label })) },
          agentChoice((agents.data?.items ?? []).map((agent) => agent.agent)),
        ]}
        values={search}
        onChange={setSearch}
      />
      <ListState
        read={devices}
        rows={table.rows}
        what="devices"
        empty={
          <Empty title={query.q || query.platform || query.agent ? 'No device matches these filters.' : 'No laptop has enrolled yet.'}>
            <p>Laptops appear here when they enroll: see Audit Data for the command.</p>
          </Empty>
        }
      >
        <DataTable
          label="Devices"
          columns={COLUMNS}
          rowKey={(device) => device.id}
          sort={sort}
          onSort={(next) => setSearch({ sort: next === 'hostname' ? undefined : next })}
          {...table}
        />
      </ListState>
    </>
  );
}
