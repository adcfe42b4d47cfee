// The last policy the central endpoint sent, kept on disk and used as long as the endpoint is away.
import path from 'node:path';
import type { Policy } from '../../shared/policy.js';
import { readJsonState, writeFileAtomic } from '../state/state-dir.js';

export interface CachedPolicy {
  policy: Policy;
  etag?: string | undefined;
  /** When this policy was received. */
  fetchedAt: string;
  /** When the endpoint last confirmed it (200 or 304). */
  checkedAt: string;
}

const isCached = (value: unknown): value is CachedPolicy =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CachedPolicy).fetchedAt === 'string' &&
  Array.isArray((value as CachedPolicy).policy?.rules);

export const policyFile = (stateDir: string) => path.join(stateDir, 'policy.json');

export async function loadPolicy(stateDir: string): Promise<CachedPolicy | undefined> {
  return readJsonState<CachedPolicy | undefined>(policyFile(stateDir), undefined, (value): value is CachedPolicy | undefined =>
    isCached(value),
  );
}

export async function savePolicy(stateDir: string, cached: CachedPolicy): Promise<void> {
  await writeFileAtomic(policyFile(stateDir), JSON.stringify(cached, null, 2));
}
