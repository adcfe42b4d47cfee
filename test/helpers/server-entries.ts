// Server entries, reports and events as an agent sends them, for the server's tests.
import { randomUUID } from 'node:crypto';
import type { ServerEntry } from '../../src/shared/inventory.js';
import type { AgentEvent, DeltaReport, FullReport, InventoryReport } from '../../src/shared/protocol.js';

export function serverEntry(name: string, options: Partial<ServerEntry> = {}): ServerEntry {
  const client = options.client ?? 'cursor';
  return {
    id: `${client}-${name}`.padEnd(16, '0').slice(0, 16),
    serverKey: `npm:${name}`,
    name,
    client,
    scope: 'user',
    configPath: '/Users/alice/.cursor/mcp.json',
    transport: 'stdio',
    command: 'npx',
    args: ['-y', name],
    envKeys: [],
    headerKeys: [],
    disabled: false,
    autoApprove: [],
    inputs: [],
    accessType: 'public',
    findings: [],
    ...options,
  };
}

export function fullReport(revision: number, servers: ServerEntry[], extra: Partial<FullReport> = {}): InventoryReport {
  return {
    reportId: randomUUID(),
    revision,
    generatedAt: new Date().toISOString(),
    kind: 'full',
    inventory: { sources: [], servers },
    ...extra,
  };
}

export function deltaReport(
  revision: number,
  change: Partial<Pick<DeltaReport, 'upserted' | 'removed' | 'probes' | 'sources'>>,
): InventoryReport {
  return {
    reportId: randomUUID(),
    revision,
    generatedAt: new Date().toISOString(),
    kind: 'delta',
    baseRevision: revision - 1,
    upserted: change.upserted ?? [],
    removed: change.removed ?? [],
    ...(change.probes ? { probes: change.probes } : {}),
    ...(change.sources ? { sources: change.sources } : {}),
  };
}

/** A tool call as a guard reports it, through Cursor, with the fields a test names. */
export function toolCallEvent(fields: Partial<AgentEvent> & Pick<AgentEvent, 'at'>): AgentEvent {
  return {
    id: randomUUID(),
    type: 'tool-call',
    client: 'cursor',
    serverKey: 'npm:fs',
    capability: { kind: 'tool', name: 'run' },
    decision: { status: 'approved' },
    ...fields,
  };
}
