// What every guard does around the relay, whatever carries the messages (stdio, or the loopback HTTP proxy):
// write each call to the hash-chained audit log and queue it for the central endpoint, and keep the passive
// inventory of what the server lists, reporting a changed description. The audit line is written just after the
// answer leaves; the copies for the central endpoint reach the spool in batches, off the path of the call (one
// spool write per call cost milliseconds once the spool held thousands of events).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { CapabilityKind } from '../../shared/inventory.js';
import { toCapability } from '../probe/capabilities.js';
import { readJsonState, writeFileAtomic } from '../state/state-dir.js';
import { osUserName } from '../platform/os-user.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { Spool, newEvent } from '../sync/spool.js';
import { AuditLog } from './audit-log.js';
import type { GuardSubject, RelayOptions } from './relay.js';

type AuditedCall = Parameters<RelayOptions['audit']>[0];

export interface GuardSession {
  audit: RelayOptions['audit'];
  onListed: NonNullable<RelayOptions['onListed']>;
  /** Waits for the audit events and inventory writes in flight. */
  flush(): Promise<void>;
}

/** How long queued events wait for company before they are written to the spool together. */
const SPOOL_BATCH_MS = 250;

export async function openGuardSession(
  stateDir: string,
  subject: GuardSubject,
  deviceId: string | undefined,
  warn: (line: string) => void,
): Promise<GuardSession> {
  const user = osUserName();
  // One chain per guard: a random part keeps a later process with the same pid off an earlier chain.
  const log = new AuditLog(
    path.join(stateDir, 'audit'),
    `${new Date().toISOString().slice(0, 10)}-${subject.serverId}-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  const spool = new Spool(path.join(stateDir, 'spool'));
  const inventoryFile = path.join(stateDir, 'guard-inventory', `${subject.serverId}.json`);
  const seen = await readJsonState<Record<string, string>>(
    inventoryFile,
    {},
    (value): value is Record<string, string> => typeof value === 'object' && value !== null,
  );
  let writes = Promise.resolve();
  const later = (work: () => Promise<unknown>) => {
    writes = writes.then(() =>
      work().then(
        () => undefined,
        () => undefined,
      ),
    );
  };
  let batch: AgentEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const spoolBatch = () => {
    clearTimeout(timer);
    timer = undefined;
    const events = batch;
    batch = [];
    if (events.length) later(() => spool.addEvents(events));
  };
  const queue = (event: AgentEvent) => {
    batch.push(event);
    // Unref'd: a guard whose client went away is not kept alive by it (flush() writes what is left).
    timer ??= setTimeout(spoolBatch, SPOOL_BATCH_MS).unref();
  };
  // The audit log and the events keep the clients as one field, as they always have: `cursor,claude-code`.
  const clients = subject.clients.join(',');
  const about = { client: clients, serverId: subject.serverId, serverKey: subject.serverKey, serverName: subject.serverName, user };

  const record = (entry: AuditedCall, at: Date) => {
    const chained = log.append({
      ...entry,
      at: at.toISOString(),
      deviceId,
      user,
      agent: clients,
      serverId: subject.serverId,
      serverKey: subject.serverKey,
      serverName: subject.serverName,
    });
    const event = newEvent({
      type: 'tool-call',
      ...about,
      capability: entry.capability,
      decision: { status: entry.decision === 'deny' ? 'rejected' : 'approved', reason: entry.reason },
      data: {
        durationMs: entry.durationMs,
        argumentsDigest: entry.argumentsDigest,
        outcome: entry.outcome,
        // The link of the audit chain, which the endpoint follows as events arrive.
        chain: log.chain,
        sequence: chained.sequence,
        auditHash: chained.hash,
        previousHash: chained.previousHash,
      },
    });
    queue(event);
  };
  // Calls are recorded in order, just after the turn that answered them: an answer written to a socket goes out
  // when the turn ends (Node corks it until then), so hashing and appending in that turn would hold it back.
  let unrecorded: { entry: AuditedCall; at: Date }[] = [];
  const recordAll = () => {
    const calls = unrecorded;
    unrecorded = [];
    for (const call of calls) record(call.entry, call.at);
  };

  return {
    audit: (entry) => {
      if (unrecorded.push({ entry, at: new Date() }) === 1) setImmediate(recordAll);
    },
    onListed: (kind: CapabilityKind, items) => {
      // Passive inventory: what the server exposes, seen in passing; a changed declaration is reported.
      const changed: string[] = [];
      for (const item of items) {
        const capability = toCapability(kind, item, { maxDescriptionChars: 16_384 });
        const key = `${kind}:${capability.name}`;
        if (seen[key] && seen[key] !== capability.hash) changed.push(key);
        seen[key] = capability.hash;
      }
      if (changed.length) {
        warn(`mcp-warden guard: ${subject.serverName} changed ${changed.join(', ')} since it was last seen`);
        queue(newEvent({ type: 'capability-changed', ...about, data: { changed } }));
      }
      later(() => writeFileAtomic(inventoryFile, JSON.stringify(seen)));
    },
    flush: () => {
      recordAll();
      spoolBatch();
      return writes;
    },
  };
}
