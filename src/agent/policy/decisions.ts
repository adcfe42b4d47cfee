// The decision for each server on this machine, and for each of its capabilities, from the cached policy: what
// `status` and the window show, what the probe must never start, what enforcement quarantines.
import type { CapabilityKind, ServerEntry } from '../../shared/inventory.js';
import { type Decision, type Policy, evaluate } from '../../shared/policy.js';

export const NO_POLICY: Decision = {
  status: 'pending',
  reason: 'no policy yet: this device has not synced with a central endpoint',
  code: 'not-reviewed',
};

export function decideServer(
  policy: Policy | undefined,
  server: ServerEntry,
  deviceIps: readonly string[],
  now: Date,
  capability?: { kind: CapabilityKind; name: string },
): Decision {
  if (!policy) return NO_POLICY;
  return evaluate(policy, { serverKey: server.serverKey, agent: server.client, url: server.url, capability }, { now, deviceIps });
}
