// The one Storage implementation, over Kysely, for SQLite and PostgreSQL alike: parameterised queries only,
// each report applied in one transaction that holds its device's row (so retries of one report sent to two
// server processes apply once), counts kept as reports arrive, every list a keyset page.
import { hash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction, sql } from 'kysely';
import type { ConfigSource, ProbeResult, RiskSignal, ServerEntry } from '../../shared/inventory.js';
import type { AgentEvent, DeviceFacts, InventoryReport } from '../../shared/protocol.js';
import { type Rule, sameScope } from '../../shared/policy.js';
import { SEVERITIES } from '../../shared/vocabulary.js';
import { ensureEventDays, dropEventDaysBefore } from './event-partitions.js';
import type { OpenDatabase } from './database.js';
import type { ServerIndex } from './server-index.js';
import type { FleetChange } from './fleet-fold.js';
import {
  CountFolder,
  type CountSettler,
  FleetCounts,
  appendChanges,
  fleetChange,
  isEmptyChange,
  pairsIn,
  worstRank,
} from './fleet-counts.js';
import { severityRank } from '../../shared/present.js';
import { agentKey, humanKey } from '../../shared/people.js';
import { SqlAdminStore, recordAction } from './admin-store.js';
import { SqlRegistryStore, activeServerKeys, deprecateForBlock, insertAlert, restoreAfterBlock } from './registry-store.js';
import { SqlWebhookOutbox, enqueueForWebhook, storedEventOf } from './webhook-outbox.js';
import { complianceByDecision, complianceTop, countForCompliance } from './compliance-counts.js';
import { contains, containsLowered } from './text-search.js';
import { followChains, linksOf } from './audit-chains.js';
import { GroupCommit } from './group-commit.js';
import { byCodeUnits, keysetPage } from './keyset-page.js';
import { capabilityChanges, recordCapabilityVersions } from './capability-versions.js';
import { type HotQueries, type KnownServer, hotQueries, knownServersOf } from './hot-queries.js';
import { type StatementPieces, statementPieces } from './statement-pieces.js';
import type { DevicesTable, EventsTable, FleetServersTable, WardenDatabase } from './schema.js';
import {
  type Actor,
  type AgentStats,
  type DEVICE_SORTS,
  type DeviceFilter,
  type DeviceRecord,
  type DeviceServer,
  type Dialect,
  type EVENT_SORTS,
  type EventCount,
  type EventFilter,
  type FleetServer,
  type IngestResult,
  type MaintenanceResult,
  type Page,
  type PageRequest,
  type PolicySettings,
  type RateHits,
  type RegistryAlert,
  type SERVER_DEVICE_SORTS,
  type SERVER_SORTS,
  type CapabilityChange,
  type ComplianceDimension,
  type ComplianceTop,
  type ServerFilter,
  type ServerImpact,
  type Storage,
  type StoredEvent,
  UnknownDeviceError,
} from './storage.js';

type Db = Kysely<WardenDatabase>;
type Trx = Transaction<WardenDatabase>;

export interface SqlStorageOptions {
  /** Events older than this many days are dropped (by day). */
  eventRetentionDays: number;
  /** Report receipts (for answering retries) are kept this many days. */
  reportRetentionDays?: number;
  /** Keep every new event for the SIEM webhook too (webhook-outbox.ts). */
  webhook?: boolean | undefined;
}

const DAY_MS = 86_400_000;
/**
 * PostgreSQL's deadlock_detected and serialization_failure, and a prepared statement whose result changed shape
 * (run again, it is sent unnamed: prepared-statements.ts): the transaction may simply run again.
 */
const RETRYABLE = new Set(['40P01', '40001', '0A000']);
/** A delta that changes no server and no probe: only the device's own row moves. */
const isUnchanged = (report: Extract<InventoryReport, { kind: 'delta' }>) =>
  report.upserted.length === 0 && report.removed.length === 0 && Object.keys(report.probes ?? {}).length === 0;

const riskName = (rank: number): FleetServer['risk'] => (rank === 0 ? 'none' : SEVERITIES[rank - 1]!);

// One call, no Hash object: this runs for every server of every report.
const digest = (text: string) => hash('sha256', text, 'base64url').slice(0, 22);

function toDevice(row: DevicesTable): DeviceRecord {
  return {
    id: row.id,
    hostname: row.hostname,
    platform: row.platform as DeviceFacts['platform'],
    osVersion: row.os_version,
    user: row.user_name,
    agentVersion: row.agent_version,
    enrolledAt: row.enrolled_at,
    lastSeen: row.last_seen,
    ...(row.last_ip ? { lastIp: row.last_ip } : {}),
    deviceIps: JSON.parse(row.device_ips) as string[],
    revision: row.revision,
    serverCount: row.server_count,
    ...(row.user_email ? { userEmail: row.user_email } : {}),
    human: humanKey({ userEmail: row.user_email ?? undefined, user: row.user_name, hostname: row.hostname }),
  };
}

function toFleetServer(row: FleetServersTable): FleetServer {
  return {
    serverKey: row.server_key,
    agent: row.client,
    name: row.name,
    accessType: row.access_type as FleetServer['accessType'],
    transport: row.transport as FleetServer['transport'],
    ...(row.url ? { url: row.url } : {}),
    risk: riskName(row.risk),
    findings: JSON.parse(row.findings) as RiskSignal[],
    deviceCount: row.device_count,
    firstDetected: row.first_detected,
    lastUpdated: row.last_updated,
  };
}

/** Sort name → the columns it orders by, unique together (the keyset). */
const SERVER_ORDER: Record<(typeof SERVER_SORTS)[number], readonly (keyof FleetServersTable)[]> = {
  name: ['name', 'server_key', 'client'],
  agent: ['client', 'server_key'],
  deviceCount: ['device_count', 'server_key', 'client'],
  risk: ['risk', 'server_key', 'client'],
  firstDetected: ['first_detected', 'server_key', 'client'],
  lastUpdated: ['last_updated', 'server_key', 'client'],
  accessType: ['access_type', 'server_key', 'client'],
};
const DEVICE_ORDER: Record<(typeof DEVICE_SORTS)[number], readonly (keyof DevicesTable)[]> = {
  hostname: ['hostname', 'id'],
  user: ['user_name', 'id'],
  lastSeen: ['last_seen', 'id'],
  enrolledAt: ['enrolled_at', 'id'],
  serverCount: ['server_count', 'id'],
};
const SERVER_DEVICE_ORDER: Record<(typeof SERVER_DEVICE_SORTS)[number], readonly string[]> = {
  firstSeen: ['sd.first_seen', 'sd.device_id', 'sd.server_id'],
  hostname: ['d.hostname', 'sd.device_id', 'sd.server_id'],
};
const EVENT_ORDER: Record<(typeof EVENT_SORTS)[number], readonly string[]> = { at: ['at', 'id'] };

/** The devices acting for a human key: by their user's email, or (without one) their OS user at their hostname. */
function humanIs(eb: ExpressionBuilder<WardenDatabase, 'devices'>, key: string): Expression<SqlBool> {
  const who = key.startsWith('human|') ? key.slice('human|'.length) : key;
  return eb.or([eb('user_email', '=', who), eb.and([eb('user_email', 'is', null), eb(sql`user_name || '@' || hostname`, '=', who)])]);
}

/** An event row's identity: its primary key. */
const rowKey = (row: Pick<EventsTable, 'at' | 'id'>) => `${row.at}\n${row.id}`;

/** An event as stored: its columns for filters and sorts, and the whole event as the agent sent it. */
function eventRow(device: DeviceRecord, event: AgentEvent, now: string): EventsTable {
  const capability = event.capability ? `${event.capability.kind}:${event.capability.name}` : null;
  return {
    id: event.id,
    device_id: device.id,
    type: event.type,
    at: new Date(event.at).toISOString(),
    received_at: now,
    client: event.client ?? null,
    server_key: event.serverKey ?? null,
    decision: event.decision?.status ?? null,
    user_name: event.user ?? null,
    capability,
    search_text: [event.serverKey, capability, event.reason, event.decision?.reason].filter(Boolean).join('\n').toLowerCase(),
    event: JSON.stringify(event),
    // Whom it happened for: the person it names, else the device's (as it is now).
    human: humanKey({ userEmail: event.userEmail ?? device.userEmail, user: event.user ?? device.user, hostname: device.hostname }),
    agent: event.client ? agentKey(event.client, device.hostname) : null,
  };
}

/** What a rule change is about, as the history files it: its server, agents and capability. */
const ruleSubject = (rule: Rule) => ({
  subject: rule.id,
  serverKey: rule.target.serverKey,
  agents: rule.agents,
  capability: rule.target.capability ? `${rule.target.capability.kind}:${rule.target.capability.name}` : undefined,
});

export class SqlStorage implements Storage {
  private readonly secrets = new Map<string, Buffer>();
  /** SQLite only: one writer, so writes that arrive together share a commit. */
  private readonly groupCommit: GroupCommit<FleetChange> | undefined;
  /** Folds the count changes reports append (fleet-counts.ts, SQLite: the server index); reads of the counts settle it first. */
  private readonly folder: CountSettler;
  /** SQLite: server_devices and the counts, kept off the writer; reads of them settle it first. */
  private readonly serverIndex: ServerIndex | undefined;

  private readonly db: Db;
  readonly dialect: Dialect;
  private readonly hot: HotQueries;
  private readonly pieces: StatementPieces;
  readonly admins: SqlAdminStore;
  readonly registry: SqlRegistryStore;
  readonly webhookOutbox: SqlWebhookOutbox;

  constructor(
    private readonly open: OpenDatabase,
    private readonly options: SqlStorageOptions,
  ) {
    this.db = open.db;
    this.dialect = open.dialect;
    this.pieces = statementPieces(open.dialect);
    this.serverIndex = open.serverIndex?.();
    if (this.serverIndex) {
      const serverIndex = this.serverIndex;
      // A batch's last step appends what its reports changed in the counts, for the index to fold.
      this.groupCommit = new GroupCommit(open.db, (trx, changes) => appendChanges(trx, this.pieces, changes), open.betweenWrites);
      this.folder = { settle: () => serverIndex.settle(), stop: async () => {} };
    } else {
      this.groupCommit = undefined;
      this.folder = new CountFolder(open.db, new FleetCounts(open.db, this.pieces));
    }
    this.hot = hotQueries(open.db, open.dialect);
    this.admins = new SqlAdminStore(open.db, (work) => this.transaction((trx) => work(trx)));
    this.registry = new SqlRegistryStore(open.db, open.dialect, (work) => this.changePolicy(work));
    this.webhookOutbox = new SqlWebhookOutbox(open.db, open.dialect);
  }

  /** SQLite has one writer and no row locks; PostgreSQL locks the rows a transaction decides on. */
  private forUpdate<T extends { forUpdate(): T }>(query: T): T {
    return this.dialect === 'postgres' ? query.forUpdate() : query;
  }

  async createDevice(facts: DeviceFacts, tokenHash: string, now: string, ip: string | undefined): Promise<DeviceRecord> {
    const row: DevicesTable = {
      // Time-ordered: a device's rows (keyed by its id first) are written at the end of their tables' indexes.
      id: uuidv7(),
      token_hash: tokenHash,
      hostname: facts.hostname,
      platform: facts.platform,
      os_version: facts.osVersion,
      user_name: facts.user,
      agent_version: facts.agentVersion,
      enrolled_at: now,
      last_seen: now,
      last_ip: ip ?? null,
      device_ips: '[]',
      revision: 0,
      sources: '[]',
      server_count: 0,
      user_email: facts.userEmail ?? null,
    };
    await this.transaction((trx) => this.hot.insertDevice(trx, row));
    return toDevice(row);
  }

  async deviceByTokenHash(tokenHash: string): Promise<DeviceRecord | undefined> {
    const [row] = await this.hot.deviceByTokenHash(this.db, tokenHash);
    return row ? toDevice(row) : undefined;
  }

  async device(id: string): Promise<DeviceRecord | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDevice(row) : undefined;
  }

  async touchDevice(id: string, now: string, ip: string | undefined): Promise<void> {
    await this.transaction((trx) => this.hot.touchDevice(trx, { id, now, ip: ip ?? null }));
  }

  async devices(filter: DeviceFilter, page: PageRequest<(typeof DEVICE_SORTS)[number]>): Promise<Page<DeviceRecord>> {
    const where = (eb: ExpressionBuilder<WardenDatabase, 'devices'>) => {
      const clauses: Expression<SqlBool>[] = [];
      if (filter.platform) clauses.push(eb('platform', '=', filter.platform));
      if (filter.human) clauses.push(humanIs(eb, filter.human));
      if (filter.user) clauses.push(eb('user_name', '=', filter.user));
      if (filter.seenAfter) clauses.push(eb('last_seen', '>=', filter.seenAfter));
      if (filter.search)
        clauses.push(eb.or([contains(this.dialect, 'hostname', filter.search), contains(this.dialect, 'user_name', filter.search)]));
      // A device's own rows, looked up as the page is read in its order: most devices run the common agents and
      // servers, and collecting every matching id first (IN) meant sorting 100,000 of them for a page of 50.
      const hasRow = (table: 'device_agents' | 'device_servers', column: 'client' | 'server_key', value: string) =>
        eb.exists(
          eb
            .selectFrom(table)
            .select(sql.lit(1).as('one'))
            .where(sql.ref(column), '=', value)
            .where(sql.ref(`${table}.device_id`), '=', sql.ref('devices.id')),
        );
      if (filter.agent) clauses.push(hasRow('device_agents', 'client', filter.agent));
      if (filter.serverKey) clauses.push(hasRow('device_servers', 'server_key', filter.serverKey));
      return eb.and(clauses);
    };
    // Devices of one agent, and nothing else asked: their count is kept as reports arrive (agent_stats).
    const onlyAgent = filter.agent !== undefined && Object.entries(filter).every(([key, value]) => key === 'agent' || value === undefined);
    const kept = onlyAgent ? ((await this.agentStats()).find((stats) => stats.agent === filter.agent)?.deviceCount ?? 0) : undefined;
    return keysetPage(
      this.db,
      this.db.selectFrom('devices').selectAll().where(where),
      kept ?? this.db.selectFrom('devices').where(where),
      page,
      DEVICE_ORDER[page.sort],
      toDevice,
    );
  }

  /**
   * A write in a transaction; what it changes in the fleet's counts it adds to `counts`, written with it.
   * SQLite: shared with the writes arriving with it (group-commit.ts), the batch's counts appended at its end.
   * PostgreSQL: its own, its counts appended with it; run again when PostgreSQL chose
   * it as a deadlock's victim or could not serialise it (rows are locked in key order to make that rare).
   */
  private async transaction<T>(work: (trx: Trx, counts: FleetChange[]) => Promise<T>): Promise<T> {
    if (this.groupCommit) return this.groupCommit.run(work);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          const counts: FleetChange[] = [];
          const result = await work(trx, counts);
          await appendChanges(trx, this.pieces, counts);
          return result;
        });
      } catch (error) {
        if (attempt >= 5 || !RETRYABLE.has(String((error as { code?: unknown }).code))) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  async ingest(deviceId: string, report: InventoryReport, now: string, ip?: string): Promise<IngestResult> {
    // PostgreSQL: nearly every report of an enrolled fleet is an unchanged delta; one statement instead of a
    // transaction's six round trips (SQLite's group commit already shares its transaction with its neighbours).
    if (this.dialect === 'postgres' && report.kind === 'delta' && isUnchanged(report)) {
      const accepted: IngestResult = { kind: 'accepted', acceptedRevision: report.revision };
      const applied = await this.hot.applyUnchangedDelta(this.db, {
        id: deviceId,
        reportId: report.reportId,
        baseRevision: report.baseRevision,
        revision: report.revision,
        now,
        ip: ip ?? null,
        deviceIps: report.deviceIps ? JSON.stringify(report.deviceIps) : null,
        sources: report.sources ? JSON.stringify(report.sources) : null,
        userEmail: report.userEmail ?? null,
        outcome: JSON.stringify(accepted),
      });
      if (applied.length) return accepted;
    }
    return this.transaction(async (trx, counts) => {
      if (this.dialect === 'postgres') await this.hot.lockDevice(trx, deviceId);
      // An unchanged delta (the common case) needs none of the device's server rows.
      const unchanged = report.kind === 'delta' && isUnchanged(report);
      const context = unchanged ? this.hot.reportContext : this.hot.reportContextWithServers;
      const [device] = await context(trx, { id: deviceId, reportId: report.reportId });
      if (!device) throw new UnknownDeviceError(`device ${deviceId} is not enrolled`);
      const touch = () => this.hot.touchDevice(trx, { id: deviceId, now, ip: ip ?? null });
      if (device.seen) {
        await touch();
        return JSON.parse(device.seen) as IngestResult;
      }
      let outcome: IngestResult;
      if (report.kind === 'delta' && report.baseRevision !== device.revision) {
        await touch();
        outcome = { kind: 'full-report-required', holding: device.revision };
      } else {
        const serverCount = unchanged
          ? device.server_count
          : await this.applyInventory(trx, counts, deviceId, report, now, knownServersOf(device.servers));
        const sources = report.kind === 'full' ? report.inventory.sources : report.sources;
        await this.hot.recordReport(trx, {
          id: deviceId,
          now,
          ip: ip ?? null,
          revision: report.revision,
          serverCount,
          deviceIps: report.deviceIps ? JSON.stringify(report.deviceIps) : null,
          sources: sources ? JSON.stringify(sources) : null,
          userEmail: report.userEmail ?? null,
        });
        outcome = { kind: 'accepted', acceptedRevision: report.revision };
      }
      await this.hot.insertReceipt(trx, {
        report_id: report.reportId,
        device_id: deviceId,
        revision: report.revision,
        kind: report.kind,
        received_at: now,
        outcome: JSON.stringify(outcome),
      });
      return outcome;
    });
  }

  /** Writes what changed on the device and the fleet's counts with it; answers the device's server count. */
  private async applyInventory(
    trx: Trx,
    counts: FleetChange[],
    deviceId: string,
    report: InventoryReport,
    now: string,
    known: readonly KnownServer[],
  ): Promise<number> {
    const upserted = report.kind === 'full' ? report.inventory.servers : report.upserted;
    const probes = Object.entries((report.kind === 'full' ? report.inventory.probes : report.probes) ?? {});
    const before = new Map(known.map((row) => [row.server_id, row]));
    const present = new Set(upserted.map((server) => server.id));
    const removed =
      report.kind === 'full' ? known.filter((row) => !present.has(row.server_id)).map((row) => row.server_id) : report.removed;
    const afterIds = new Map<string, { server_key: string; client: string }>(before);
    for (const id of removed) afterIds.delete(id);
    const changed: { server: ServerEntry; json: string; hash: string }[] = [];
    for (const server of upserted) {
      afterIds.set(server.id, { server_key: server.serverKey, client: server.client });
      const json = JSON.stringify(server);
      const hash = digest(json);
      if (before.get(server.id)?.entry_hash !== hash) changed.push({ server, json, hash });
    }

    for (const part of this.pieces(removed.filter((id) => before.has(id)))) {
      await trx.deleteFrom('device_servers').where('device_id', '=', deviceId).where('server_id', 'in', part).execute();
      await trx.deleteFrom('device_probes').where('device_id', '=', deviceId).where('server_id', 'in', part).execute();
    }
    // In key order, so two transactions writing the same rows take their locks in the same order.
    for (const part of this.pieces(changed.sort((a, b) => (a.server.id < b.server.id ? -1 : a.server.id > b.server.id ? 1 : 0))))
      await this.hot.upsertDeviceServers(
        trx,
        part.map(({ server, json, hash }) => ({
          device_id: deviceId,
          server_id: server.id,
          server_key: server.serverKey,
          client: server.client,
          entry_hash: hash,
          entry: json,
          first_seen: now,
        })),
      );
    if (this.serverIndex) await this.appendServerChanges(trx, deviceId, before, removed, changed, now);
    const probeRisks = await this.storeProbes(trx, deviceId, probes, afterIds);
    const change = fleetChange(
      [...before.values()],
      [...afterIds.values()],
      changed.map(({ server }) => server),
      probeRisks,
      now,
    );
    const gained = change.agents.filter(([, devices]) => devices > 0).map(([client]) => ({ client, device_id: deviceId }));
    const lost = change.agents.filter(([, devices]) => devices < 0).map(([client]) => client);
    if (gained.length) await trx.insertInto('device_agents').values(gained).execute();
    if (lost.length) await trx.deleteFrom('device_agents').where('device_id', '=', deviceId).where('client', 'in', lost).execute();
    if (!isEmptyChange(change)) counts.push(change);
    return afterIds.size;
  }

  /** SQLite: what the report changed in server_devices, for the server index to apply (server-index.ts). */
  private async appendServerChanges(
    trx: Trx,
    deviceId: string,
    before: ReadonlyMap<string, KnownServer>,
    removed: readonly string[],
    changed: readonly { server: ServerEntry }[],
    now: string,
  ): Promise<void> {
    const added: string[][] = [];
    const gone: string[][] = [];
    for (const id of removed) {
      const row = before.get(id);
      if (row) gone.push([row.server_key, row.first_seen, id]);
    }
    for (const { server } of changed) {
      const row = before.get(server.id);
      if (row?.server_key === server.serverKey && row.client === server.client) continue;
      // A row keeps when it was first seen, whatever it says now.
      if (row && row.server_key !== server.serverKey) gone.push([row.server_key, row.first_seen, server.id]);
      added.push([server.serverKey, row?.first_seen ?? now, server.id, server.client]);
    }
    if (added.length || gone.length) await this.hot.appendServerChange(trx, JSON.stringify([deviceId, added, gone]));
  }

  /** Probe results are kept once per serverKey and content; each device keeps which one it saw. */
  private async storeProbes(
    trx: Trx,
    deviceId: string,
    probes: readonly [string, ProbeResult][],
    servers: ReadonlyMap<string, { server_key: string }>,
  ): Promise<[string, number][]> {
    const risks: [string, number][] = [];
    const definitions: [string, ProbeResult][] = [];
    for (const [serverId, probe] of [...probes].sort(([a], [b]) => a.localeCompare(b))) {
      const serverKey = servers.get(serverId)?.server_key;
      if (!serverKey) continue; // a probe of a server the device does not report
      const json = JSON.stringify(probe);
      const fingerprint = digest(json);
      await trx
        .insertInto('probe_results')
        .values({ server_key: serverKey, fingerprint, probe: json })
        .onConflict((conflict) => conflict.columns(['server_key', 'fingerprint']).doNothing())
        .execute();
      await trx
        .insertInto('device_probes')
        .values({
          device_id: deviceId,
          server_id: serverId,
          server_key: serverKey,
          status: probe.status,
          probed_at: probe.probedAt,
          fingerprint,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['device_id', 'server_id'])
            .doUpdateSet((eb) => ({
              server_key: eb.ref('excluded.server_key'),
              status: eb.ref('excluded.status'),
              probed_at: eb.ref('excluded.probed_at'),
              fingerprint: eb.ref('excluded.fingerprint'),
            }))
            // A server not started on purpose (blocked, probing off) keeps what it last listed: admins can
            // still read a blocked server's tools and decide them one by one.
            .where(
              sql<SqlBool>`excluded.status <> 'skipped' or device_probes.status <> 'ok' or device_probes.server_key <> excluded.server_key`,
            ),
        )
        .execute();
      if (probe.status === 'ok') {
        risks.push([serverKey, worstRank(probe.risks)]);
        definitions.push([serverKey, probe]);
      }
    }
    await recordCapabilityVersions(trx, this.pieces, definitions);
    return risks;
  }

  async fleetServers(filter: ServerFilter, page: PageRequest<(typeof SERVER_SORTS)[number]>): Promise<Page<FleetServer>> {
    await this.folder.settle();
    const where = (eb: ExpressionBuilder<WardenDatabase, 'fleet_servers'>) => {
      const clauses: Expression<SqlBool>[] = [];
      // SQLite would read the agent off an index (each one ends with the row's key, agent included) and then fetch
      // every row it kept from the table: six times slower than one pass over the table at 100,000 laptops. The
      // unary plus keeps this term off the indexes.
      if (filter.agent) clauses.push(this.dialect === 'sqlite' ? sql<SqlBool>`+client = ${filter.agent}` : eb('client', '=', filter.agent));
      if (filter.accessType) clauses.push(eb('access_type', '=', filter.accessType));
      if (filter.transport) clauses.push(eb('transport', '=', filter.transport));
      if (filter.risk) clauses.push(eb('risk', '>=', severityRank(filter.risk)));
      if (filter.search) clauses.push(containsLowered('search_text', filter.search));
      if (filter.serverKeys) clauses.push(filter.serverKeys.length ? eb('server_key', 'in', filter.serverKeys) : sql<SqlBool>`1 = 0`);
      if (filter.notServerKeys?.length) clauses.push(eb('server_key', 'not in', filter.notServerKeys));
      if (filter.pairsIn || filter.orKeyNotIn) {
        const either: Expression<SqlBool>[] = [pairsIn(filter.pairsIn ?? [])];
        if (filter.orKeyNotIn) either.push(filter.orKeyNotIn.length ? eb('server_key', 'not in', filter.orKeyNotIn) : sql<SqlBool>`1 = 1`);
        clauses.push(eb.or(either));
      }
      if (filter.deviceId)
        clauses.push(
          sql<SqlBool>`(server_key, client) in (select server_key, client from device_servers where device_id = ${filter.deviceId})`,
        );
      return eb.and(clauses);
    };
    return keysetPage(
      this.db,
      this.db.selectFrom('fleet_servers').selectAll().where(where),
      this.db.selectFrom('fleet_servers').where(where),
      page,
      SERVER_ORDER[page.sort],
      toFleetServer,
    );
  }

  async fleetServer(serverKey: string): Promise<FleetServer[]> {
    await this.folder.settle();
    const rows = await this.db.selectFrom('fleet_servers').selectAll().where('server_key', '=', serverKey).orderBy('client').execute();
    return rows.map(toFleetServer);
  }

  async serverDevices(
    serverKey: string,
    agent: string | undefined,
    page: PageRequest<(typeof SERVER_DEVICE_SORTS)[number]>,
  ): Promise<Page<DeviceServer>> {
    await this.serverIndex?.settle();
    const base = this.db
      .selectFrom('server_devices as sd')
      .innerJoin('devices as d', 'd.id', 'sd.device_id')
      .where('sd.server_key', '=', serverKey)
      .$if(agent !== undefined, (query) => query.where('sd.client', '=', agent!));
    return keysetPage(
      this.db,
      // Read for the rows shown only, not for every row counted; as a subquery, not a join: on PostgreSQL
      // server_devices is a view of device_servers, and joined to itself it was planned as one row, sorting all
      // 100,000 devices of a server on every laptop (1.2 s rather than 2 ms).
      base.select((eb) => [
        'sd.device_id',
        'sd.server_id',
        'sd.first_seen',
        'd.hostname',
        'd.user_name',
        'd.last_seen',
        eb
          .selectFrom('device_servers as ds')
          .select('ds.entry')
          .whereRef('ds.device_id', '=', 'sd.device_id')
          .whereRef('ds.server_id', '=', 'sd.server_id')
          .as('entry'),
      ]),
      base,
      page,
      SERVER_DEVICE_ORDER[page.sort],
      (row) => ({
        deviceId: row.device_id,
        hostname: row.hostname,
        user: row.user_name,
        // Always there: server_devices is device_servers itself, or (SQLite) an index settled before this read.
        server: JSON.parse(row.entry!) as ServerEntry,
        firstSeen: row.first_seen,
        lastSeen: row.last_seen,
      }),
    );
  }

  async serverImpact(serverKey: string, agent: string | undefined): Promise<ServerImpact> {
    await this.serverIndex?.settle();
    const reach = await this.db
      .selectFrom('server_devices as sd')
      .innerJoin('devices as d', 'd.id', 'sd.device_id')
      .where('sd.server_key', '=', serverKey)
      .$if(agent !== undefined, (query) => query.where('sd.client', '=', agent!))
      .select([
        sql<number | string>`count(distinct sd.device_id)`.as('devices'),
        sql<number | string>`count(distinct coalesce(d.user_email, d.user_name || '@' || d.hostname))`.as('people'),
      ])
      .executeTakeFirstOrThrow();
    const last = await this.db
      .selectFrom('events')
      .select('at')
      .where('server_key', '=', serverKey)
      .where('type', '=', 'tool-call')
      // A guard shared by several clients names them all, comma-joined (`cursor,claude-code`).
      .$if(agent !== undefined, (query) =>
        query.where(
          sql<SqlBool>`(client = ${agent!} or ',' || client || ',' like ${`%,${agent!.replace(/[\\%_]/g, (character) => `\\${character}`)},%`} escape '\\')`,
        ),
      )
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return { devices: Number(reach.devices), people: Number(reach.people), ...(last ? { lastCalledAt: last.at } : {}) };
  }

  async capabilityChanges(serverKey: string | undefined, page: PageRequest<'changedAt'>): Promise<Page<CapabilityChange>> {
    return capabilityChanges(this.db, serverKey, page);
  }

  async deviceSources(deviceId: string): Promise<ConfigSource[]> {
    const row = await this.db.selectFrom('devices').select('sources').where('id', '=', deviceId).executeTakeFirst();
    return row ? (JSON.parse(row.sources) as ConfigSource[]) : [];
  }

  async latestProbe(serverKey: string): Promise<ProbeResult | undefined> {
    const row = await this.db
      .selectFrom('device_probes as dp')
      .innerJoin('probe_results as pr', (join) =>
        join.onRef('pr.server_key', '=', 'dp.server_key').onRef('pr.fingerprint', '=', 'dp.fingerprint'),
      )
      .select('pr.probe')
      .where('dp.server_key', '=', serverKey)
      .where('dp.status', '=', 'ok')
      .orderBy('dp.probed_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? (JSON.parse(row.probe) as ProbeResult) : undefined;
  }

  async agentStats(): Promise<AgentStats[]> {
    await this.folder.settle();
    const rows = await this.db.selectFrom('agent_stats').selectAll().where('server_count', '>', 0).orderBy('client').execute();
    return rows.map((row) => ({ agent: row.client, deviceCount: row.device_count, serverCount: row.server_count }));
  }

  async deviceAgents(deviceIds: readonly string[]): Promise<Map<string, string[]>> {
    const agents = new Map<string, string[]>(deviceIds.map((id) => [id, []]));
    for (const part of this.pieces(deviceIds)) {
      const rows = await this.db.selectFrom('device_agents').selectAll().where('device_id', 'in', part).orderBy('client').execute();
      for (const row of rows) agents.get(row.device_id)!.push(row.client);
    }
    return agents;
  }

  async rules(): Promise<Rule[]> {
    const rows = await this.db.selectFrom('rules').select('rule').orderBy('updated_at').orderBy('id').execute();
    return rows.map((row) => JSON.parse(row.rule) as Rule);
  }

  async addRule(rule: Rule, by: Actor, now: string): Promise<void> {
    await this.changePolicy(async (trx) => {
      await this.insertRule(trx, rule, by, now);
      return true;
    });
  }

  async raiseRegistryAlert(alert: RegistryAlert, block: Rule | undefined): Promise<boolean> {
    // The alert and its block in one change: a finding is never recorded without the block it called for.
    return this.changePolicy(async (trx) => {
      if (!(await insertAlert(trx, alert))) return false;
      if (block) await this.insertRule(trx, block, block.markedBy, alert.at);
      return true;
    });
  }

  private async insertRule(trx: Trx, rule: Rule, by: Actor, now: string): Promise<void> {
    // A rule for the same target and agents replaces the one before it: the policy says one thing once.
    const earlier = await trx.selectFrom('rules').select(['id', 'rule']).where('server_key', '=', rule.target.serverKey).execute();
    for (const row of earlier) {
      const before = JSON.parse(row.rule) as Rule;
      if (!sameScope(before, rule)) continue;
      await trx.deleteFrom('rules').where('id', '=', row.id).execute();
      await recordAction(trx, { admin: by, action: 'rule-removed', at: now, before, ...ruleSubject(before) });
      await restoreAfterBlock(trx, before.id, by, now);
    }
    await trx
      .insertInto('rules')
      .values({ id: rule.id, rule: JSON.stringify(rule), server_key: rule.target.serverKey, updated_at: rule.updatedAt })
      .execute();
    await recordAction(trx, { admin: by, action: 'rule-added', at: now, after: rule, ...ruleSubject(rule) });
    // A published server blocked for every agent stays listed, deprecated with the block's justification.
    await deprecateForBlock(trx, rule, by, now);
  }

  async deleteRule(id: string, by: Actor, now: string): Promise<boolean> {
    return this.changePolicy(async (trx) => {
      const row = await trx.deleteFrom('rules').where('id', '=', id).returning('rule').executeTakeFirst();
      if (!row) return false;
      const rule = JSON.parse(row.rule) as Rule;
      await recordAction(trx, { admin: by, action: 'rule-removed', at: now, before: rule, ...ruleSubject(rule) });
      await restoreAfterBlock(trx, rule.id, by, now);
      return true;
    });
  }

  async policySettings(): Promise<PolicySettings> {
    return this.readPolicySettings(this.db);
  }

  private async readPolicySettings(db: Db | Trx): Promise<PolicySettings> {
    const row = await db.selectFrom('settings').select('value').where('key', '=', 'policy').executeTakeFirst();
    return row ? (JSON.parse(row.value) as PolicySettings) : { defaultVerdict: 'pending' };
  }

  async setPolicySettings(change: PolicySettings | ((current: PolicySettings) => PolicySettings), by: Actor, now: string): Promise<void> {
    await this.changePolicy(async (trx) => {
      const before = await this.readPolicySettings(trx);
      const settings = typeof change === 'function' ? change(before) : change;
      await this.setSetting(trx, 'policy', JSON.stringify(settings));
      await recordAction(trx, { admin: by, action: 'settings-changed', at: now, subject: 'policy', before, after: settings });
      return true;
    });
  }

  async policyVersion(): Promise<string> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', 'policy_version').executeTakeFirst();
    if (!row) return this.changePolicy(async () => true).then(() => this.policyVersion());
    // A definition changing moves the policy too (review holds changed tools): its latest change, read from an index.
    const change = await this.db
      .selectFrom('capability_changes')
      .select('changed_at')
      .orderBy('changed_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return change ? hash('sha256', `${row.value}\n${change.changed_at}`, 'hex').slice(0, 32) : row.value;
  }

  async capabilityChangeTimes(): Promise<{ serverKey: string; kind: string; name: string; changedAt: string }[]> {
    const rows = await this.db.selectFrom('capability_changes').select(['server_key', 'kind', 'name', 'changed_at']).execute();
    return rows.map((row) => ({ serverKey: row.server_key, kind: row.kind, name: row.name, changedAt: row.changed_at }));
  }

  /**
   * A policy change and its new version in one transaction, one change at a time across every process (the
   * version row is held), so the version always digests exactly what the rules and settings hold.
   */
  private async changePolicy<T>(change: (trx: Trx) => Promise<T>): Promise<T> {
    return this.transaction(async (trx) => {
      await trx
        .insertInto('settings')
        .values({ key: 'policy_version', value: '' })
        .onConflict((conflict) => conflict.column('key').doNothing())
        .execute();
      await this.forUpdate(trx.selectFrom('settings').select('value').where('key', '=', 'policy_version')).execute();
      const changed = await change(trx);
      const rules = (await trx.selectFrom('rules').select('rule').orderBy('updated_at').orderBy('id').execute()).map(
        (row) => JSON.parse(row.rule) as unknown,
      );
      const registry = await activeServerKeys(trx);
      const version = hash('sha256', JSON.stringify({ rules, settings: await this.readPolicySettings(trx), registry }), 'hex').slice(0, 32);
      await this.setSetting(trx, 'policy_version', version);
      return changed;
    });
  }

  private async setSetting(db: Db | Trx, key: string, value: string): Promise<void> {
    await db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
      .execute();
  }

  async addEvents(
    device: DeviceRecord,
    events: AgentEvent[],
    now: string,
  ): Promise<{ accepted: number; duplicates: number; expired?: number }> {
    const cutoff = new Date(Date.parse(now) - this.options.eventRetentionDays * DAY_MS).toISOString();
    const fresh = events.filter((event) => new Date(event.at).toISOString() >= cutoff);
    const rows = fresh.map((event) => eventRow(device, event, now));
    const expired = events.length - rows.length;
    if (this.dialect === 'postgres') await ensureEventDays(this.db, [...rows.map((row) => row.at), now]);
    const accepted = await this.transaction(async (trx) => {
      const inserted: { id: string; at: string; client: string | null; type: string; decision: string | null }[] = [];
      for (const part of this.pieces(rows)) inserted.push(...(await this.hot.insertEvents(trx, part)));
      // What was stored just now (a repeated event was followed, counted and sent the first time).
      const storedKeys = new Set(inserted.map(rowKey));
      const stored = rows.filter((row) => storedKeys.has(rowKey(row)));
      // Each row is its fresh event's: the chains follow the events just stored.
      const broken = await this.followAuditChains(
        trx,
        device,
        fresh.filter((_, index) => storedKeys.has(rowKey(rows[index]!))),
        now,
      );
      const counted = [...inserted];
      const brokenRows = broken.map((event) => eventRow(device, event, now));
      for (const part of this.pieces(brokenRows)) counted.push(...(await this.hot.insertEvents(trx, part)));
      if (this.options.webhook) {
        const brokenKeys = new Set(counted.slice(inserted.length).map(rowKey));
        await enqueueForWebhook(trx, this.pieces, [...stored, ...brokenRows.filter((row) => brokenKeys.has(rowKey(row)))]);
      }
      const counts = new Map<string, { day: string; client: string; type: string; decision: string; count: number }>();
      for (const row of counted) {
        const entry = { day: row.at.slice(0, 10), client: row.client ?? '', type: row.type, decision: row.decision ?? '', count: 0 };
        const key = `${entry.day}\0${entry.client}\0${entry.type}\0${entry.decision}`;
        (counts.get(key) ?? counts.set(key, entry).get(key)!).count++;
      }
      const sorted = [...counts.entries()].sort(([a], [b]) => byCodeUnits(a, b)).map(([, value]) => value);
      for (const part of this.pieces(sorted))
        await trx
          .insertInto('event_counts')
          .values(part)
          .onConflict((conflict) =>
            conflict
              .columns(['day', 'client', 'type', 'decision'])
              .doUpdateSet({ count: sql<number>`event_counts.count + excluded.count` }),
          )
          .execute();
      await countForCompliance(
        trx,
        this.pieces,
        stored.filter((row) => row.type === 'tool-call'),
      );
      return inserted.length;
    });
    return { accepted, duplicates: rows.length - accepted, ...(expired ? { expired } : {}) };
  }

  /** Follows the device's audit chains through new links; answers an `audit-chain-broken` event per problem. */
  private async followAuditChains(trx: Trx, device: DeviceRecord, events: readonly AgentEvent[], now: string): Promise<AgentEvent[]> {
    const links = linksOf(events);
    if (links.length === 0) return [];
    const chains = [...new Set(links.map((link) => link.chain))];
    const rows = await this.forUpdate(
      trx.selectFrom('audit_chains').selectAll().where('device_id', '=', device.id).where('chain', 'in', chains),
    ).execute();
    const { heads, problems } = followChains(new Map(rows.map((row) => [row.chain, { sequence: row.sequence, hash: row.hash }])), links);
    const changed = chains.map((chain) => ({ device_id: device.id, chain, ...heads.get(chain)! }));
    await trx
      .insertInto('audit_chains')
      .values(changed)
      .onConflict((conflict) =>
        conflict
          .columns(['device_id', 'chain'])
          .doUpdateSet((eb) => ({ sequence: eb.ref('excluded.sequence'), hash: eb.ref('excluded.hash') })),
      )
      .execute();
    return problems.map((problem) => ({
      id: uuidv7(),
      type: 'audit-chain-broken',
      at: now,
      reason: `audit chain broken on ${device.hostname}: ${problem.problem}`,
      data: { chain: problem.chain, sequence: problem.sequence },
    }));
  }

  async events(filter: EventFilter, page: PageRequest<(typeof EVENT_SORTS)[number]>): Promise<Page<StoredEvent>> {
    const where = (eb: ExpressionBuilder<WardenDatabase, 'events'>) => {
      const clauses: Expression<SqlBool>[] = [];
      const equal = (
        column: 'device_id' | 'client' | 'server_key' | 'decision' | 'type' | 'user_name' | 'capability' | 'human' | 'agent',
        value?: string,
      ) => {
        if (value !== undefined) clauses.push(eb(column, '=', value));
      };
      equal('device_id', filter.deviceId);
      equal('human', filter.human);
      equal('agent', filter.agentKey);
      equal('client', filter.agent);
      equal('server_key', filter.serverKey);
      equal('decision', filter.decision);
      equal('type', filter.type);
      equal('user_name', filter.user);
      equal('capability', filter.capability);
      if (filter.from) clauses.push(eb('at', '>=', new Date(filter.from).toISOString()));
      if (filter.to) clauses.push(eb('at', '<=', new Date(filter.to).toISOString()));
      if (filter.search) clauses.push(containsLowered('search_text', filter.search));
      return eb.and(clauses);
    };
    return keysetPage(
      this.db,
      this.db.selectFrom('events').select(['id', 'at', 'device_id', 'received_at', 'event', 'human', 'agent']).where(where),
      this.db.selectFrom('events').where(where),
      page,
      EVENT_ORDER[page.sort],
      storedEventOf,
    );
  }

  complianceTop(dimension: ComplianceDimension, from: string, to: string, limit: number): Promise<ComplianceTop> {
    return complianceTop(this.db, dimension, from, to, limit);
  }

  complianceByDecision(from: string, to: string): Promise<{ decision: string; calls: number }[]> {
    return complianceByDecision(this.db, from, to);
  }

  async eventCounts(filter: { from?: string | undefined; to?: string | undefined; agent?: string | undefined }): Promise<EventCount[]> {
    const rows = await this.db
      .selectFrom('event_counts')
      .selectAll()
      .$if(filter.from !== undefined, (query) => query.where('day', '>=', filter.from!.slice(0, 10)))
      .$if(filter.to !== undefined, (query) => query.where('day', '<=', filter.to!.slice(0, 10)))
      .$if(filter.agent !== undefined, (query) => query.where('client', '=', filter.agent!))
      .orderBy('day')
      .orderBy('client')
      .orderBy('type')
      .orderBy('decision')
      .execute();
    return rows.map((row) => ({ day: row.day, agent: row.client, type: row.type, decision: row.decision, count: row.count }));
  }

  async sharedSecret(name: string): Promise<Buffer> {
    const cached = this.secrets.get(name);
    if (cached) return cached;
    const key = `secret:${name}`;
    await this.db
      .insertInto('settings')
      .values({ key, value: randomBytes(32).toString('base64') })
      .onConflict((conflict) => conflict.column('key').doNothing())
      .execute();
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
    const secret = Buffer.from(row.value, 'base64');
    this.secrets.set(name, secret);
    return secret;
  }

  async addHits(hits: readonly RateHits[]): Promise<RateHits[]> {
    const counted: RateHits[] = [];
    // In key order: two processes adding to the same keys lock their rows in the same order.
    const sorted = [...hits].sort((a, b) => byCodeUnits(a.key, b.key));
    for (const part of this.pieces(sorted)) {
      const rows = await this.db
        .insertInto('rate_windows')
        .values(part.map((hit) => ({ key: hit.key, window_start: hit.window, count: hit.count })))
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            // Hits of a window the key has left (a process behind the others) add nothing.
            count: sql<number>`case when rate_windows.window_start = excluded.window_start then rate_windows.count + excluded.count
              when rate_windows.window_start > excluded.window_start then rate_windows.count else excluded.count end`,
            window_start: sql<number>`case when rate_windows.window_start > excluded.window_start then rate_windows.window_start else excluded.window_start end`,
          }),
        )
        .returning(['key', 'window_start', 'count'])
        .execute();
      counted.push(...rows.map((row) => ({ key: row.key, window: row.window_start, count: row.count })));
    }
    return counted;
  }

  async maintain(now: Date): Promise<MaintenanceResult> {
    const eventsBefore = new Date(now.getTime() - this.options.eventRetentionDays * DAY_MS).toISOString().slice(0, 10);
    const reportsBefore = new Date(now.getTime() - (this.options.reportRetentionDays ?? 30) * DAY_MS).toISOString();
    if (this.dialect === 'postgres') await dropEventDaysBefore(this.db, eventsBefore);
    else await this.db.deleteFrom('events').where('at', '<', eventsBefore).execute();
    await this.db.deleteFrom('event_counts').where('day', '<', eventsBefore).execute();
    await this.db.deleteFrom('compliance_counts').where('day', '<', eventsBefore).execute();
    await this.db.deleteFrom('reports').where('received_at', '<', reportsBefore).execute();
    await this.admins.pruneSessions(now.toISOString());
    await this.db
      .deleteFrom('rate_windows')
      .where('window_start', '<', Math.floor(now.getTime() / 60_000) - 60)
      .execute();
    return { eventsDroppedBefore: eventsBefore, reportsPrunedBefore: reportsBefore };
  }

  async close(): Promise<void> {
    await this.folder.stop();
    await this.open.close();
  }
}
