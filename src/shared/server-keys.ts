// How a package or a URL becomes a serverKey, the same on every machine: what the agent derives from a config
// and what the endpoint derives from a registry entry (following an upstream registry) must agree.
import type { PackageRef } from './inventory.js';

/** PyPI's normalised name: lower case, runs of `-`, `_` and `.` as one `-`. */
export const pypiName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** Scheme and host in lower case, default ports, query and fragment dropped, no trailing slash. */
export function canonicalUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^/?#@]*@)?([^/?#]*)([^?#]*)/i.exec(url.trim());
  if (!match) return url.trim();
  const scheme = match[1]!.toLowerCase();
  let host = match[2]!.toLowerCase();
  if ((scheme === 'https' && host.endsWith(':443')) || (scheme === 'http' && host.endsWith(':80'))) host = host.replace(/:\d+$/, '');
  const path = match[3]!.replace(/\/+$/, '');
  return `${scheme}://${host}${path}`;
}

/** An image reference as a package: the registry's host named (docker.io/library/… for Docker Hub's), the tag or digest as its version. */
export function parseImage(reference: string): PackageRef | undefined {
  if (!/^[a-z0-9][\w./:@-]*$/i.test(reference)) return undefined;
  const [withoutDigest, digest] = reference.split('@') as [string, string | undefined];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const path = colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
  const tag = colon === -1 ? undefined : withoutDigest.slice(colon + 1);
  const parts = path.toLowerCase().split('/');
  const hasRegistry = parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost');
  const name = hasRegistry ? parts.join('/') : parts.length === 1 ? `docker.io/library/${parts[0]}` : `docker.io/${parts.join('/')}`;
  const version = digest ?? tag;
  return {
    registry: 'oci',
    name,
    ...(version ? { version } : {}),
    pinned: digest !== undefined || (tag !== undefined && tag !== 'latest'),
  };
}

/** The serverKeys a registry entry's packages and remotes name: what the fleet would report running it as. */
export function registryServerKeys(entry: {
  packages?: readonly { registryType: string; identifier: string }[] | undefined;
  remotes?: readonly { url: string }[] | undefined;
}): string[] {
  const keys = (entry.packages ?? []).flatMap((item) => {
    if (item.registryType === 'npm') return [`npm:${item.identifier.toLowerCase()}`];
    if (item.registryType === 'pypi') return [`pypi:${pypiName(item.identifier)}`];
    const image = item.registryType === 'oci' ? parseImage(item.identifier) : undefined;
    return image ? [`oci:${image.name}`] : [];
  });
  for (const remote of entry.remotes ?? []) keys.push(`url:${canonicalUrl(remote.url)}`);
  return [...new Set(keys)].sort();
}
