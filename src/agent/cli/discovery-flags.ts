// The flags every discovery-based command shares, and the ScanOptions they mean.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { CLIENTS } from '../discovery/catalogue/clients.js';
import type { ScanOptions } from '../discovery/scan.js';
import { isPlatform, worldFromProcess } from '../discovery/world.js';
import { UsageError } from './usage-error.js';

export const DISCOVERY_FLAGS = {
  json: { type: 'boolean', default: false },
  client: { type: 'string', multiple: true, default: [] },
  home: { type: 'string' },
  platform: { type: 'string' },
  root: { type: 'string' },
  'scan-root': { type: 'string', multiple: true, default: [] },
  'scan-depth': { type: 'string' },
  'org-domain': { type: 'string', multiple: true, default: [] },
} as const satisfies ParseArgsConfig['options'];

export const DISCOVERY_HELP = `  --json                 machine-readable output (docs/scan-json.md)
  --client ID            only this client (repeatable); see docs/clients.md for ids
  --home DIR             scan this folder as the home folder (replays another machine's layout)
  --platform P           darwin, win32 or linux: which platform's paths to look at
  --root DIR             where machine-wide paths (/etc, /Library, C:\\ProgramData) and the
                         absolute paths clients remember live, when replaying a copied machine
  --scan-root DIR        also look for projects under DIR (repeatable)
  --scan-depth N         how deep to look under scan roots (default 5)
  --org-domain DOMAIN    a domain inside the organisation, for access types (repeatable)`;

export interface DiscoveryValues {
  json?: boolean | undefined;
  client?: string[] | undefined;
  home?: string | undefined;
  platform?: string | undefined;
  root?: string | undefined;
  'scan-root'?: string[] | undefined;
  'scan-depth'?: string | undefined;
  'org-domain'?: string[] | undefined;
}

function requireFolder(flag: string, folder: string): string {
  const resolved = path.resolve(folder);
  let isFolder = false;
  try {
    isFolder = statSync(resolved).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) throw new UsageError(`${flag} ${folder}: no such folder`);
  return resolved;
}

export function scanOptionsFrom(values: DiscoveryValues): ScanOptions {
  const platform = values.platform;
  if (platform !== undefined && !isPlatform(platform)) throw new UsageError(`--platform ${platform}: expected darwin, win32 or linux`);
  const depth = values['scan-depth'] === undefined ? undefined : Number(values['scan-depth']);
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 0 || depth > 20))
    throw new UsageError('--scan-depth: expected a whole number from 0 to 20');
  const unknownClients = (values.client ?? []).filter((id) => !CLIENTS.some((client) => client.id === id));
  if (unknownClients.length)
    throw new UsageError(`--client ${unknownClients.join(', ')}: unknown; known clients: ${CLIENTS.map((client) => client.id).join(', ')}`);
  const world = worldFromProcess({
    home: values.home === undefined ? undefined : requireFolder('--home', values.home),
    root: values.root === undefined ? undefined : requireFolder('--root', values.root),
    platform,
  });
  return {
    world,
    clients: values.client ?? [],
    scanRoots: (values['scan-root'] ?? []).map((root) => requireFolder('--scan-root', root)),
    ...(depth !== undefined ? { scanDepth: depth } : {}),
    orgDomains: values['org-domain'] ?? [],
  };
}
