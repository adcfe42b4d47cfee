// The audit by who acted: a human (every agent acting for them, combined), one device, one agent on a device.
import { agentKey, agentOfKey } from '../../shared/people.js';
import { DeviceRow } from '../../shared/admin-api.js';
import { useDevice, useHuman, usePaged } from '../api/queries.js';
import { EventLog } from '../components/EventLog.js';
import { IdentityChain } from '../components/IdentityChain.js';
import { ErrorState, Loading } from '../components/States.js';
import { agentKeyName, agentName, ago, dateTime, personOf } from '../format.js';
import { Link, pathTo } from '../router.js';
import { isStale } from './DevicesPage.js';

export function HumanPage({ humanKey }: { humanKey: string }) {
  const human = useHuman(humanKey);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="sub">Human</p>
          <h1>{personOf(humanKey)}</h1>
        </div>
      </div>
      {human.isPending ? (
        <Loading what="this person's devices" />
      ) : human.isError ? (
        <ErrorState error={human.error} retry={() => void human.refetch()} />
      ) : (
        <section className="panel" aria-labelledby="acting-heading">
          <h2 id="acting-heading">Acting for {personOf(humanKey)}</h2>
          {human.data.devices.length === 0 ? (
            <p className="sub">No enrolled device acts for this person now; their past calls are below.</p>
          ) : (
            <ul className="tree">
              {human.data.devices.map((device) => (
                <li key={device.id}>
                  <Link href={pathTo('device', { deviceId: device.id })} className="strong">
                    {device.hostname}
                  </Link>{' '}
                  <span className="sub">last seen {ago(device.lastSeen)}</span>
                  <ul>
                    {device.agents.map((agent) => (
                      <li key={agent}>
                        <Link href={pathTo('agent', { agentKey: agent })}>{agentKeyName(agent)}</Link>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <h2>Calls by every agent acting for {personOf(humanKey)}</h2>
      <EventLog fixed={{ human: humanKey }} label="Audit logs of this person" />
    </>
  );
}

export function DevicePage({ deviceId }: { deviceId: string }) {
  const device = useDevice(deviceId);
  if (device.isPending) return <Loading what="the device" />;
  if (device.isError) return <ErrorState error={device.error} retry={() => void device.refetch()} />;
  const facts = device.data;
  const clients = [...new Set(facts.sources.filter((source) => source.serverCount > 0).map((source) => source.client))];
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href={pathTo('devices')}>Devices</Link> / <span aria-current="page">{facts.hostname}</span>
      </nav>
      <div className="page-head">
        <div>
          <p className="sub">Device</p>
          <h1>{facts.hostname}</h1>
        </div>
        {isStale(facts) && <span className="badge blocked">Stale: not seen for over a week</span>}
      </div>
      <IdentityChain human={facts.human} device={{ id: facts.id, hostname: facts.hostname }} />
      <dl className="facts panel">
        <dt>Person</dt>
        <dd>{personOf(facts.human)}</dd>
        <dt>OS user</dt>
        <dd>{facts.user}</dd>
        <dt>Platform</dt>
        <dd>
          {facts.platform} {facts.osVersion}
        </dd>
        <dt>Agent version</dt>
        <dd>{facts.agentVersion}</dd>
        <dt>Enrolled</dt>
        <dd>{dateTime(facts.enrolledAt)}</dd>
        <dt>Last seen</dt>
        <dd>
          {ago(facts.lastSeen)} {facts.lastIp ? `from ${facts.lastIp}` : ''}
        </dd>
        <dt>Addresses</dt>
        <dd className="mono">{facts.deviceIps.join(', ') || '—'}</dd>
        <dt>Servers</dt>
        <dd>
          <Link href={pathTo('audit-data', {}, { device: facts.id })}>{facts.serverCount}</Link>
        </dd>
        <dt>Agents</dt>
        <dd>
          {clients.length
            ? clients.map((client, index) => (
                <span key={client}>
                  {index > 0 && ', '}
                  <Link href={pathTo('agent', { agentKey: agentKey(client, facts.hostname) })}>{agentName(client)}</Link>
                </span>
              ))
            : '—'}
        </dd>
      </dl>
      <h2>Calls from {facts.hostname}</h2>
      <EventLog fixed={{ device: deviceId }} label="Audit logs of this device" />
    </>
  );
}

export function AgentPage({ agentKey: key }: { agentKey: string }) {
  const { client, hostname } = agentOfKey(key);
  const devices = usePaged('/v1/admin/devices', DeviceRow, { q: hostname }, 20);
  const device = devices.data?.pages[0]?.items.find((candidate) => candidate.hostname === hostname);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="sub">Agent</p>
          <h1>
            {agentName(client)} <span className="sub">on {hostname}</span>
          </h1>
        </div>
      </div>
      <IdentityChain human={device?.human} device={device ? { id: device.id, hostname: device.hostname } : undefined} agent={key} />
      <h2>Every call of this agent</h2>
      <EventLog fixed={{ agentKey: key }} label="Audit logs of this agent" />
    </>
  );
}
