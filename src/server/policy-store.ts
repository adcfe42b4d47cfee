// The policy every device receives: the organisation's settings, all rules, and (when the organisation uses
// them) the registry's serverKeys and the changed capabilities held for review, versioned for ETags. Read again
// only when the version (one small query, shared by every process through the database) has moved.
import type { Policy, Rule } from '../shared/policy.js';
import type { Capability } from '../shared/inventory.js';
import type { Storage } from './storage/storage.js';

const cache = new WeakMap<Storage, Policy>();

/** The changed capabilities no admin has decided since their change: a rule for that capability, set after it. */
async function pendingReviews(storage: Storage, rules: readonly Rule[]): Promise<NonNullable<Policy['review']>['pending']> {
  const changes = await storage.capabilityChangeTimes();
  return changes
    .filter(
      (change) =>
        !rules.some(
          (rule) =>
            rule.target.serverKey === change.serverKey &&
            rule.target.capability?.kind === change.kind &&
            rule.target.capability.name === change.name &&
            rule.updatedAt >= change.changedAt,
        ),
    )
    .map((change) => ({ ...change, kind: change.kind as Capability['kind'] }))
    .sort((a, b) => (a.changedAt < b.changedAt ? -1 : 1));
}

export async function currentPolicy(storage: Storage): Promise<Policy> {
  const version = await storage.policyVersion();
  const cached = cache.get(storage);
  if (cached?.version === version) return cached;
  const [settings, rules, serverKeys] = await Promise.all([storage.policySettings(), storage.rules(), storage.registry.activeServerKeys()]);
  const mode = settings.registryMode ?? 'off';
  const review = settings.reviewChangedCapabilities ? { pending: await pendingReviews(storage, rules) } : undefined;
  const policy: Policy = {
    version,
    defaultVerdict: settings.defaultVerdict,
    ...(settings.blockMessage ? { blockMessage: settings.blockMessage } : {}),
    ...(settings.moreInfoUrl ? { moreInfoUrl: settings.moreInfoUrl } : {}),
    rules,
    ...(mode !== 'off' ? { registry: { mode, serverKeys } } : {}),
    ...(review ? { review } : {}),
  };
  cache.set(storage, policy);
  return policy;
}
