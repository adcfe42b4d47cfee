// The audit log's rotation: a chain continues across its parts, each part under the cap, and the check
// follows it through them.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditFolder } from '../../../src/agent/guard/audit-log.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-audit-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const call = (index: number) => ({
  at: '2026-12-01T10:00:00.000Z',
  user: 'alice',
  agent: 'cursor',
  serverId: 'srv',
  serverKey: 'npm:server',
  serverName: 'server',
  capability: { kind: 'tool', name: `tool-${index}` },
  decision: 'allow' as const,
  reason: 'approved — for everyone',
  durationMs: 1.5,
  argumentsDigest: '0'.repeat(64),
  outcome: 'ok' as const,
});

describe('the audit log', () => {
  it('rotates past its size into parts that continue one chain', () => {
    const cap = 4096;
    const log = new AuditLog(folder, '2026-12-01-srv-1-abc');
    const small = new AuditLog(path.join(folder, 'small'), '2026-12-01-srv-2-def', cap);
    for (let index = 0; index < 40; index++) {
      log.append(call(index));
      small.append(call(index));
    }
    const parts = readdirSync(path.join(folder, 'small'));
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.sort()).toEqual(
      [
        '2026-12-01-srv-2-def.jsonl',
        ...Array.from({ length: parts.length - 1 }, (_, index) => `2026-12-01-srv-2-def.${index + 1}.jsonl`),
      ].sort(),
    );
    for (const part of parts) expect(statSync(path.join(folder, 'small', part)).size).toBeLessThanOrEqual(cap);
    expect(verifyAuditFolder(path.join(folder, 'small'))).toEqual([
      { chain: '2026-12-01-srv-2-def', files: expect.any(Array), entries: 40 },
    ]);
    rmSync(path.join(folder, 'small', '2026-12-01-srv-2-def.1.jsonl'));
    expect(verifyAuditFolder(path.join(folder, 'small'))[0]!.broken).toMatchObject({ problem: 'part 1 of the chain is missing' });
    expect(readdirSync(folder).filter((name) => name.endsWith('.jsonl'))).toEqual(['2026-12-01-srv-1-abc.jsonl']);
  });
});
