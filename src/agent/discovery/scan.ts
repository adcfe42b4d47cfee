// One scan of a machine: every catalogue location and remembered project, read and parsed once, every
// server normalised, redacted and identified. A broken file is a ConfigSource with a status, never a throw.
import path from 'node:path';
import type { ConfigSource, Scope, ScanResult, ServerEntry, SourceWarning } from '../../shared/inventory.js';
import { SCAN_SCHEMA_VERSION } from '../../shared/vocabulary.js';
import { CLIENTS } from './catalogue/clients.js';
import type { ClientDefinition, ServerPath, SourceFormat } from './catalogue/types.js';
import { type Consent, consentFiles, projectConsents } from './consent.js';
import { extractEntries } from './extract.js';
import type { KeyPath } from './parse/document.js';
import { type FolderCache, createFolderCache } from './folder-cache.js';
import { type DocumentLoader, createLoader } from './load.js';
import { type LaunchSpec, normaliseEntry } from './normalise.js';
import { expandAll, expandWildcards, hasWildcard, wildcardBase } from './paths.js';
import { DEFAULT_SCAN_DEPTH, projectsUnderRoots, rememberedProjects } from './projects.js';
import { toServerEntry } from './server-entry.js';
import { type World, hostPath, writtenHome } from './world.js';
import { globToRegExp } from '../../shared/glob.js';

export interface ScanOptions {
  world: World;
  /** Client ids to look at; all of the catalogue when empty. */
  clients?: readonly string[];
  /** Extra folders to search for projects. */
  scanRoots?: readonly string[];
  scanDepth?: number;
  /** Domains that count as inside the organisation for `accessType`. */
  orgDomains?: readonly string[];
  maxFileBytes?: number;
  catalogue?: readonly ClientDefinition[];
}

/** A path whose change can change the scan; `depth` > 0 for a folder whose descendants matter. */
export interface WatchTarget {
  path: string;
  depth: number;
}

export interface ScanOutcome {
  result: ScanResult;
  /** Unredacted launch specs by server id, for probing. Never print or send these. */
  launches: Map<string, LaunchSpec>;
  /** Where each server's entry sits in its file (keys from the root), for enforcement's edits. */
  entryPaths: Map<string, KeyPath>;
  /** Whether the user approved each project-scope server in its client, by server id (consent.ts). */
  consents: Map<string, Consent>;
  /** The scan read a copy of another machine (world.ts): its servers are not this machine's to start. */
  replayed: boolean;
  watchTargets: WatchTarget[];
}

interface Candidate {
  client: ClientDefinition;
  scope: Exclude<Scope, 'project'> | 'project';
  path: string;
  format: SourceFormat;
  servers: readonly ServerPath[];
  projectPath?: string;
  /** Report the file even when it does not exist (fixed locations, so IT sees what was checked). */
  reportMissing: boolean;
}

export function selectClients(ids: readonly string[] | undefined, catalogue: readonly ClientDefinition[] = CLIENTS): ClientDefinition[] {
  if (!ids || ids.length === 0) return [...catalogue];
  const unknown = ids.filter((id) => !catalogue.some((client) => client.id === id));
  if (unknown.length > 0)
    throw new Error(`unknown client ${unknown.join(', ')}; known clients: ${catalogue.map((client) => client.id).join(', ')}`);
  return catalogue.filter((client) => ids.includes(client.id));
}

export function formatOf(file: string): SourceFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.toml') return 'toml';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  if (extension === '.jsonc' || extension === '.code-workspace') return 'jsonc';
  return 'json';
}

export async function scan(options: ScanOptions): Promise<ScanOutcome> {
  const { world } = options;
  const clients = selectClients(options.clients, options.catalogue);
  const load = createLoader(options.maxFileBytes);
  const folders = createFolderCache();
  const watchTargets: WatchTarget[] = [];

  const fixed = await fixedCandidates(clients, world, folders, watchTargets);
  const { projects, remembered } = await projectFolders(clients, options, load);
  // A project's `.vscode/mcp.json` means something for the editors installed here, not for every fork.
  const explicit = (options.clients ?? []).length > 0;
  const present = explicit ? clients : await presentClients(clients, world, folders);
  const inProjects = await projectCandidates(present, projects, folders, watchTargets);
  watchTargets.push(...consentWatchTargets(present, projects, world));

  const seen = new Set<string>();
  const candidates = [...fixed, ...inProjects].filter((candidate) => {
    const key = `${candidate.client.id}\0${candidate.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  const launches = new Map<string, LaunchSpec>();
  const entryPaths = new Map<string, KeyPath>();
  const read = await Promise.all(
    candidates.map((candidate) => readCandidate(candidate, world, load, folders, options.orgDomains ?? [], launches, entryPaths)),
  );
  const sources = read.map((item) => item.source).filter((source): source is ConfigSource => source !== undefined);
  const servers = read.flatMap((item) => item.servers);
  const consents = await projectConsents(servers, {
    world,
    load,
    exists: (file) => folders.exists(file),
    clients,
    remembered,
    projectFiles: new Set(inProjects.map((candidate) => candidate.path)),
  });

  const order = new Map(clients.map((client, index) => [client.id, index]));
  sources.sort((a, b) => order.get(a.client)! - order.get(b.client)! || a.path.localeCompare(b.path));
  servers.sort(
    (a, b) =>
      order.get(a.client)! - order.get(b.client)! ||
      a.configPath.localeCompare(b.configPath) ||
      (a.projectPath ?? '').localeCompare(b.projectPath ?? '') ||
      a.name.localeCompare(b.name),
  );

  return {
    result: { schemaVersion: SCAN_SCHEMA_VERSION, sources, servers },
    launches,
    entryPaths,
    consents,
    replayed: world.replayed === true,
    watchTargets,
  };
}

async function fixedCandidates(
  clients: readonly ClientDefinition[],
  world: World,
  folders: FolderCache,
  watchTargets: WatchTarget[],
): Promise<Candidate[]> {
  const groups = await Promise.all(
    clients.flatMap((client) =>
      client.locations.flatMap((location) =>
        expandAll(location.path, world).map(async (pattern) => {
          const format = location.format ?? formatOf(pattern);
          const base = { client, scope: location.scope, format, servers: location.servers };
          if (!hasWildcard(pattern)) {
            watchTargets.push({ path: pattern, depth: 0 });
            return [{ ...base, path: pattern, reportMissing: true }];
          }
          watchTargets.push(wildcardBase(pattern));
          const files = await expandWildcards(pattern, folders);
          return files.map((file) => ({ ...base, path: file, reportMissing: false }));
        }),
      ),
    ),
  );
  for (const client of clients) {
    for (const index of client.workspaceIndexes ?? []) {
      for (const file of expandAll(index.path, world)) watchTargets.push({ path: file, depth: index.kind === 'vscode-storage' ? 2 : 0 });
    }
  }
  return groups.flat();
}

/** Every project folder to look in, and those a client remembers (only those may ever have consented). */
async function projectFolders(
  clients: readonly ClientDefinition[],
  options: ScanOptions,
  load: DocumentLoader,
): Promise<{ projects: string[]; remembered: Set<string> }> {
  const markers = projectMarkers(clients);
  const [remembered, underRoots] = await Promise.all([
    rememberedProjects(clients, options.world, load),
    options.scanRoots?.length
      ? projectsUnderRoots(options.scanRoots, markers, options.scanDepth ?? DEFAULT_SCAN_DEPTH)
      : Promise.resolve([]),
  ]);
  const rememberedSet = new Set(remembered.map((folder) => path.resolve(folder)));
  return { projects: [...new Set([...rememberedSet, ...underRoots.map((folder) => path.resolve(folder))])], remembered: rememberedSet };
}

/** The files where present clients record consent: approving a server there changes what may be probed. */
function consentWatchTargets(clients: readonly ClientDefinition[], projects: readonly string[], world: World): WatchTarget[] {
  const files = clients.flatMap((client) =>
    client.consent ? projects.flatMap((project) => consentFiles(client.consent!, world, project)) : [],
  );
  return [...new Set(files)].map((file) => ({ path: file, depth: 0 }));
}

/**
 * Clients that show signs of being used here: a config folder of theirs exists (for a file directly in the
 * home folder, the file itself), or a workspace index of theirs does.
 */
async function presentClients(clients: readonly ClientDefinition[], world: World, folders: FolderCache): Promise<ClientDefinition[]> {
  const checks = await Promise.all(
    clients.map(async (client) => {
      const evidence = [
        ...client.locations
          .flatMap((location) => expandAll(location.path, world))
          .map((pattern) => {
            const folder = wildcardBase(path.dirname(pattern)).path;
            return folder === world.home ? pattern : folder;
          }),
        ...(client.workspaceIndexes ?? []).flatMap((index) => expandAll(index.path, world)),
      ];
      const found = await Promise.all(evidence.map((file) => folders.exists(file)));
      return found.some(Boolean);
    }),
  );
  return clients.filter((_, index) => checks[index]);
}

/** What a folder's direct entries look like when it holds a project config (`.vscode`, `*.code-workspace`, …). */
export function projectMarkers(clients: readonly ClientDefinition[]): RegExp[] {
  const firstSegments = new Set(clients.flatMap((client) => (client.projectFiles ?? []).map((file) => file.path.split('/')[0]!)));
  return [...firstSegments].map((segment) => globToRegExp(segment));
}

async function projectCandidates(
  clients: readonly ClientDefinition[],
  projects: readonly string[],
  folders: FolderCache,
  watchTargets: WatchTarget[],
): Promise<Candidate[]> {
  const groups = await Promise.all(
    projects.flatMap((project) =>
      clients.flatMap((client) =>
        (client.projectFiles ?? []).map(async (file) => {
          const pattern = path.join(project, ...file.path.split('/'));
          watchTargets.push(wildcardBase(pattern));
          const files = hasWildcard(pattern) ? await expandWildcards(pattern, folders) : (await folders.exists(pattern)) ? [pattern] : [];
          return files.map((found) => ({
            client,
            scope: 'project' as const,
            path: found,
            format: file.format ?? formatOf(found),
            servers: file.servers,
            projectPath: project,
            reportMissing: false,
          }));
        }),
      ),
    ),
  );
  return groups.flat();
}

async function readCandidate(
  candidate: Candidate,
  world: World,
  load: DocumentLoader,
  folders: FolderCache,
  orgDomains: readonly string[],
  launches: Map<string, LaunchSpec>,
  entryPaths: Map<string, KeyPath>,
): Promise<{ source?: ConfigSource; servers: ServerEntry[] }> {
  // Absent files are known from their folder's listing, without a failing open each.
  const loaded = (await folders.exists(candidate.path))
    ? await load(candidate.path, candidate.format)
    : ({ status: 'missing', error: { message: 'file does not exist' } } as const);
  const source: ConfigSource = {
    path: candidate.path,
    client: candidate.client.id,
    scope: candidate.scope,
    ...(candidate.projectPath !== undefined ? { projectPath: candidate.projectPath } : {}),
    format: candidate.format,
    status: loaded.status,
    serverCount: 0,
  };
  if (loaded.status !== 'ok') {
    if (loaded.status === 'missing' && !candidate.reportMissing) return { servers: [] };
    return { source: { ...source, error: loaded.error }, servers: [] };
  }

  const warnings: SourceWarning[] = [];
  const servers: ServerEntry[] = [];
  for (const raw of extractEntries(loaded.document, candidate.servers, warnings)) {
    const { spec, warnings: entryWarnings } = normaliseEntry(raw.value, candidate.client.dialect);
    for (const message of entryWarnings) warnings.push({ server: raw.name, message: `server "${raw.name}": ${message}`, ...raw.position });
    if (!spec) continue;
    const projectPath = raw.projectPath !== undefined ? hostPath(world, raw.projectPath) : candidate.projectPath;
    const entry = toServerEntry(spec, {
      client: candidate.client.id,
      scope: raw.scope ?? candidate.scope,
      configPath: candidate.path,
      projectPath,
      name: raw.name,
      homes: [world.home, writtenHome(world)],
      orgDomains,
    });
    launches.set(entry.id, spec);
    entryPaths.set(entry.id, raw.path);
    servers.push(entry);
  }
  return { source: { ...source, serverCount: servers.length, ...(warnings.length ? { warnings } : {}) }, servers };
}
