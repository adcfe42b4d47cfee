// The policy every device receives: the organisation's settings and all rules, versioned for ETags. Read again
// only when the version (one small query, shared by every process through the database) has moved.
import type { Policy } from '../shared/policy.js';
import type { Storage } from './storage/storage.js';

const cache = new WeakMap<Storage, Policy>();

export async function currentPolicy(storage: Storage): Promise<Policy> {
  const version = await storage.policyVersion();
  const cached = cache.get(storage);
  if (cached?.version === version) return cached;
  const [settings, rules] = await Promise.all([storage.policySettings(), storage.rules()]);
  const policy: Policy = {
    version,
    defaultVerdict: settings.defaultVerdict,
    ...(settings.blockMessage ? { blockMessage: settings.blockMessage } : {}),
    ...(settings.moreInfoUrl ? { moreInfoUrl: settings.moreInfoUrl } : {}),
    rules,
  };
  cache.set(storage, policy);
  return policy;
}
