// Full or delta: a delta carries only what changed since the revision the server acknowledged, which it must
// still hold; anything else gets a full report.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { DeltaReport, FullReport, Inventory, InventoryReport } from '../../shared/protocol.js';
import { canonicalJson, sha256 } from '../probe/capabilities.js';
import { readJsonState, writeFileAtomic } from '../state/state-dir.js';
import type { PendingReport } from './spool.js';

export interface Snapshot {
  servers: Record<string, string>;
  probes: Record<string, string>;
  sources: string;
}

export interface ReportState {
  /** The next revision to give a report. */
  nextRevision: number;
  /** What the server last accepted; `target` is `<server URL>#<device id>`, so a new endpoint or enrollment starts over. */
  acknowledged?: { revision: number; target: string; snapshot: Snapshot };
}

const isState = (value: unknown): value is ReportState =>
  typeof value === 'object' && value !== null && typeof (value as ReportState).nextRevision === 'number';

export const reportStateFile = (stateDir: string) => path.join(stateDir, 'report-state.json');

export async function loadReportState(stateDir: string): Promise<ReportState> {
  return readJsonState(reportStateFile(stateDir), { nextRevision: 1 }, isState);
}

export async function saveReportState(stateDir: string, state: ReportState): Promise<void> {
  await writeFileAtomic(reportStateFile(stateDir), JSON.stringify(state));
}

const hash = (value: unknown) => sha256(canonicalJson(value));

export function snapshotOf(inventory: Inventory): Snapshot {
  return {
    servers: Object.fromEntries(inventory.servers.map((server) => [server.id, hash(server)])),
    probes: Object.fromEntries(
      Object.entries(inventory.probes ?? {}).map(([id, probe]) => [id, hash({ ...probe, durationMs: 0, probedAt: '', cached: false })]),
    ),
    sources: hash(inventory.sources),
  };
}

export function newPendingReport(state: ReportState, inventory: Inventory, deviceIps: string[], now: Date): PendingReport {
  return { reportId: randomUUID(), revision: state.nextRevision, createdAt: now.toISOString(), inventory, deviceIps };
}

/** The body to send for a pending report: a delta against what `target` acknowledged, else full. */
export function prepareReport(pending: PendingReport, state: ReportState, target: string): InventoryReport {
  const base = { reportId: pending.reportId, revision: pending.revision, generatedAt: pending.createdAt, deviceIps: pending.deviceIps };
  const acknowledged = state.acknowledged?.target === target ? state.acknowledged : undefined;
  if (!acknowledged) return { ...base, kind: 'full', inventory: pending.inventory } satisfies FullReport;
  const now = snapshotOf(pending.inventory);
  const before = acknowledged.snapshot;
  const probes = Object.fromEntries(Object.entries(pending.inventory.probes ?? {}).filter(([id]) => now.probes[id] !== before.probes[id]));
  return {
    ...base,
    kind: 'delta',
    baseRevision: acknowledged.revision,
    upserted: pending.inventory.servers.filter((server) => now.servers[server.id] !== before.servers[server.id]),
    removed: Object.keys(before.servers).filter((id) => !(id in now.servers)),
    ...(now.sources !== before.sources ? { sources: pending.inventory.sources } : {}),
    ...(Object.keys(probes).length ? { probes } : {}),
  } satisfies DeltaReport;
}
