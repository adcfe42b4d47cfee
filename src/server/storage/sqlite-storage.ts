// The embedded default storage: one SQLite file (WAL), parameterised statements only, each report applied in
// one transaction.
import { createHash, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { ConfigSource, ProbeResult, ServerEntry } from '../../shared/inventory.js';
import type { AgentEvent, DeviceFacts, InventoryReport } from '../../shared/protocol.js';
import type { Rule } from '../../shared/policy.js';
import { MIGRATIONS } from './migrations.js';
import type { DeviceRecord, DeviceServer, EventFilter, IngestResult, PolicySettings, Storage, StoredEvent } from './storage.js';

interface DeviceRow {
  id: string;
  hostname: string;
  platform: DeviceFacts['platform'];
  os_version: string;
  user: string;
  agent_version: string;
  enrolled_at: string;
  last_seen: string;
  last_ip: string | null;
  device_ips: string;
  revision: number;
}

function toDevice(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    hostname: row.hostname,
    platform: row.platform,
    osVersion: row.os_version,
    user: row.user,
    agentVersion: row.agent_version,
    enrolledAt: row.enrolled_at,
    lastSeen: row.last_seen,
    ...(row.last_ip ? { lastIp: row.last_ip } : {}),
    deviceIps: JSON.parse(row.device_ips) as string[],
    revision: row.revision,
  };
}

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    const db = this.db;
    this.statements = {
      insertDevice: db.prepare(
        `INSERT INTO devices (id, token_hash, hostname, platform, os_version, user, agent_version, enrolled_at, last_seen, last_ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      deviceByToken: db.prepare(`SELECT * FROM devices WHERE token_hash = ?`),
      deviceById: db.prepare(`SELECT * FROM devices WHERE id = ?`),
      touchDevice: db.prepare(`UPDATE devices SET last_seen = ?, last_ip = COALESCE(?, last_ip) WHERE id = ?`),
      allDevices: db.prepare(`SELECT * FROM devices ORDER BY hostname, id`),
      reportOutcome: db.prepare(`SELECT outcome FROM reports WHERE report_id = ?`),
      insertReport: db.prepare(
        `INSERT INTO reports (report_id, device_id, revision, kind, received_at, outcome) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      deviceServerRows: db.prepare(`SELECT server_id, first_seen, entry FROM device_servers WHERE device_id = ?`),
      touchDeviceServers: db.prepare(`UPDATE device_servers SET last_seen = ? WHERE device_id = ?`),
      upsertServer:
        db.prepare(`INSERT INTO device_servers (device_id, server_id, server_key, client, entry, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (device_id, server_id) DO UPDATE SET server_key = excluded.server_key, client = excluded.client, entry = excluded.entry, last_seen = excluded.last_seen`),
      deleteServer: db.prepare(`DELETE FROM device_servers WHERE device_id = ? AND server_id = ?`),
      upsertProbe:
        db.prepare(`INSERT INTO device_probes (device_id, server_id, server_key, status, probed_at, probe) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (device_id, server_id) DO UPDATE SET server_key = excluded.server_key, status = excluded.status, probed_at = excluded.probed_at, probe = excluded.probe`),
      deleteProbe: db.prepare(`DELETE FROM device_probes WHERE device_id = ? AND server_id = ?`),
      updateDeviceAfterReport: db.prepare(
        `UPDATE devices SET revision = ?, last_seen = ?, device_ips = COALESCE(?, device_ips), sources = COALESCE(?, sources) WHERE id = ?`,
      ),
      deviceSources: db.prepare(`SELECT sources FROM devices WHERE id = ?`),
      latestProbe: db.prepare(`SELECT probe FROM device_probes WHERE server_key = ? AND status = 'ok' ORDER BY probed_at DESC LIMIT 1`),
      allRules: db.prepare(`SELECT rule FROM rules ORDER BY updated_at, id`),
      insertRule: db.prepare(`INSERT INTO rules (id, rule, server_key, updated_at) VALUES (?, ?, ?, ?)`),
      deleteRule: db.prepare(`DELETE FROM rules WHERE id = ?`),
      getSetting: db.prepare(`SELECT value FROM settings WHERE key = ?`),
      setSetting: db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      insertEvent: db.prepare(
        `INSERT OR IGNORE INTO events (id, device_id, type, at, received_at, client, server_key, decision, user, capability, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  createDevice(facts: DeviceFacts, tokenHash: string, now: string, ip: string | undefined): DeviceRecord {
    const id = randomUUID();
    this.statements.insertDevice.run(
      id,
      tokenHash,
      facts.hostname,
      facts.platform,
      facts.osVersion,
      facts.user,
      facts.agentVersion,
      now,
      now,
      ip ?? null,
    );
    return toDevice(this.statements.deviceById.get(id) as DeviceRow);
  }

  deviceByTokenHash(tokenHash: string): DeviceRecord | undefined {
    const row = this.statements.deviceByToken.get(tokenHash) as DeviceRow | undefined;
    return row ? toDevice(row) : undefined;
  }

  touchDevice(id: string, now: string, ip: string | undefined): void {
    this.statements.touchDevice.run(now, ip ?? null, id);
  }

  devices(): DeviceRecord[] {
    return (this.statements.allDevices.all() as DeviceRow[]).map(toDevice);
  }

  ingest(deviceId: string, report: InventoryReport, now: string): IngestResult {
    return this.db.transaction((): IngestResult => {
      const seen = this.statements.reportOutcome.get(report.reportId) as { outcome: string } | undefined;
      if (seen) return JSON.parse(seen.outcome) as IngestResult;
      const device = toDevice(this.statements.deviceById.get(deviceId) as DeviceRow);
      let outcome: IngestResult;
      if (report.kind === 'delta' && report.baseRevision !== device.revision) {
        outcome = { kind: 'full-report-required', holding: device.revision };
      } else {
        const known = new Map(
          (this.statements.deviceServerRows.all(deviceId) as { server_id: string; first_seen: string; entry: string }[]).map((row) => [
            row.server_id,
            row,
          ]),
        );
        const upserted = report.kind === 'full' ? report.inventory.servers : report.upserted;
        const present = new Set(upserted.map((server) => server.id));
        const removed = report.kind === 'full' ? [...known.keys()].filter((id) => !present.has(id)) : report.removed;
        for (const id of removed) {
          this.statements.deleteServer.run(deviceId, id);
          this.statements.deleteProbe.run(deviceId, id);
        }
        // Every server reported is seen now; only entries whose content changed are written again.
        this.statements.touchDeviceServers.run(now, deviceId);
        for (const server of upserted) {
          const entry = JSON.stringify(server);
          const stored = known.get(server.id);
          if (stored?.entry !== entry)
            this.statements.upsertServer.run(deviceId, server.id, server.serverKey, server.client, entry, stored?.first_seen ?? now, now);
        }
        const probes = report.kind === 'full' ? report.inventory.probes : report.probes;
        const keys = new Map(upserted.map((server) => [server.id, server.serverKey]));
        for (const [serverId, probe] of Object.entries(probes ?? {})) this.upsertProbe(deviceId, serverId, keys.get(serverId), probe);
        const sources = report.kind === 'full' ? report.inventory.sources : report.sources;
        this.statements.updateDeviceAfterReport.run(
          report.revision,
          now,
          report.deviceIps ? JSON.stringify(report.deviceIps) : null,
          sources ? JSON.stringify(sources) : null,
          deviceId,
        );
        outcome = { kind: 'accepted', acceptedRevision: report.revision };
      }
      this.statements.insertReport.run(report.reportId, deviceId, report.revision, report.kind, now, JSON.stringify(outcome));
      return outcome;
    })();
  }

  private upsertProbe(deviceId: string, serverId: string, serverKey: string | undefined, probe: ProbeResult): void {
    const key =
      serverKey ??
      (
        this.db.prepare(`SELECT server_key FROM device_servers WHERE device_id = ? AND server_id = ?`).get(deviceId, serverId) as
          { server_key: string } | undefined
      )?.server_key;
    if (!key) return; // a probe of a server the device does not report
    this.statements.upsertProbe.run(deviceId, serverId, key, probe.status, probe.probedAt, JSON.stringify(probe));
  }

  deviceServers(filter: { serverKey?: string; deviceId?: string } = {}): DeviceServer[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.serverKey) {
      where.push('server_key = ?');
      params.push(filter.serverKey);
    }
    if (filter.deviceId) {
      where.push('device_id = ?');
      params.push(filter.deviceId);
    }
    const rows = this.db
      .prepare(
        `SELECT device_id, entry, first_seen, last_seen FROM device_servers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY server_key, client, device_id`,
      )
      .all(...params) as {
      device_id: string;
      entry: string;
      first_seen: string;
      last_seen: string;
    }[];
    return rows.map((row) => ({
      deviceId: row.device_id,
      server: JSON.parse(row.entry) as ServerEntry,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
    }));
  }

  deviceSources(deviceId: string): ConfigSource[] {
    const row = this.statements.deviceSources.get(deviceId) as { sources: string } | undefined;
    return row ? (JSON.parse(row.sources) as ConfigSource[]) : [];
  }

  latestProbe(serverKey: string): ProbeResult | undefined {
    const row = this.statements.latestProbe.get(serverKey) as { probe: string } | undefined;
    return row ? (JSON.parse(row.probe) as ProbeResult) : undefined;
  }

  rules(): Rule[] {
    return (this.statements.allRules.all() as { rule: string }[]).map((row) => JSON.parse(row.rule) as Rule);
  }

  addRule(rule: Rule): void {
    this.db.transaction(() => {
      this.statements.insertRule.run(rule.id, JSON.stringify(rule), rule.target.serverKey, rule.updatedAt);
      this.bumpPolicyVersion();
    })();
  }

  deleteRule(id: string): boolean {
    return this.db.transaction(() => {
      const deleted = this.statements.deleteRule.run(id).changes > 0;
      if (deleted) this.bumpPolicyVersion();
      return deleted;
    })();
  }

  policySettings(): PolicySettings {
    const row = this.statements.getSetting.get('policy') as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as PolicySettings) : { defaultVerdict: 'pending' };
  }

  setPolicySettings(settings: PolicySettings): void {
    this.db.transaction(() => {
      this.statements.setSetting.run('policy', JSON.stringify(settings));
      this.bumpPolicyVersion();
    })();
  }

  policyVersion(): string {
    const row = this.statements.getSetting.get('policy_version') as { value: string } | undefined;
    return row?.value ?? this.bumpPolicyVersion();
  }

  /** A digest of everything the policy is made of: the same content always gives the same version (ETag). */
  private bumpPolicyVersion(): string {
    const version = createHash('sha256')
      .update(JSON.stringify({ rules: this.rules(), settings: this.policySettings() }))
      .digest('hex')
      .slice(0, 32);
    this.statements.setSetting.run('policy_version', version);
    return version;
  }

  addEvents(deviceId: string, events: AgentEvent[], now: string): { accepted: number; duplicates: number } {
    return this.db.transaction(() => {
      let accepted = 0;
      for (const event of events) {
        const capability = event.capability ? `${event.capability.kind}:${event.capability.name}` : null;
        accepted += this.statements.insertEvent.run(
          event.id,
          deviceId,
          event.type,
          event.at,
          now,
          event.client ?? null,
          event.serverKey ?? null,
          event.decision?.status ?? null,
          event.user ?? null,
          capability,
          JSON.stringify(event),
        ).changes;
      }
      return { accepted, duplicates: events.length - accepted };
    })();
  }

  events(filter: EventFilter): StoredEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('device_id = ?', filter.deviceId);
    add('client = ?', filter.agent);
    add('server_key = ?', filter.serverKey);
    add('decision = ?', filter.decision);
    add('type = ?', filter.type);
    add('user = ?', filter.user);
    add('capability = ?', filter.capability);
    add('at >= ?', filter.from);
    add('at <= ?', filter.to);
    params.push(Math.min(filter.limit ?? 1000, 100_000));
    const rows = this.db
      .prepare(
        `SELECT device_id, received_at, event FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT ?`,
      )
      .all(...params) as {
      device_id: string;
      received_at: string;
      event: string;
    }[];
    return rows.map((row) => ({ ...(JSON.parse(row.event) as AgentEvent), deviceId: row.device_id, receivedAt: row.received_at }));
  }

  close(): void {
    this.db.close();
  }
}
