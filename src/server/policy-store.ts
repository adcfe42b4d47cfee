// The policy every device receives: the organisation's settings, all rules and (when laptops use it) the
// registry's serverKeys, versioned for ETags. Read again
// only when the version (one small query, shared by every process through the database) has moved.
import type { Policy } from '../shared/policy.js';
import type { Storage } from './storage/storage.js';

const cache = new WeakMap<Storage, Policy>();

export async function currentPolicy(storage: Storage): Promise<Policy> {
  const version = await storage.policyVersion();
  const cached = cache.get(storage);
  if (cached?.version === version) return cached;
  const [settings, rules, serverKeys] = await Promise.all([storage.policySettings(), storage.rules(), storage.registry.activeServerKeys()]);
  const mode = settings.registryMode ?? 'off';
  const policy: Policy = {
    version,
    defaultVerdict: settings.defaultVerdict,
    ...(settings.blockMessage ? { blockMessage: settings.blockMessage } : {}),
    ...(settings.moreInfoUrl ? { moreInfoUrl: settings.moreInfoUrl } : {}),
    rules,
    ...(mode !== 'off' ? { registry: { mode, serverKeys } } : {}),
  };
  cache.set(storage, policy);
  return policy;
}
