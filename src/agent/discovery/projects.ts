// Finds the project folders whose MCP config files matter: the workspaces the clients themselves remember,
// and folders under the scan roots a user or IT names. Bounded: depth, folder count, and a skip list.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientDefinition, WorkspaceIndex } from './catalogue/types.js';
import type { DocumentLoader } from './load.js';
import { expandAll } from './paths.js';
import { type World, hostPath } from './world.js';
import { isObject } from '../../shared/is-object.js';

/** Folders never worth descending into when looking for projects. */
export const SKIPPED_FOLDERS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  'dist',
  'build',
  'out',
  'target',
  '.next',
  '.nuxt',
  '.cache',
  '.npm',
  '.pnpm-store',
  '.yarn',
  'bower_components',
  'vendor',
  'Pods',
  'DerivedData',
  '.gradle',
  '.m2',
  '.cargo',
  '.rustup',
  'Library',
  'AppData',
  '.Trash',
  '$RECYCLE.BIN',
  'coverage',
  '.terraform',
  '.idea',
]);

export const DEFAULT_SCAN_DEPTH = 5;
export const MAX_SCANNED_FOLDERS = 50_000;

/** Project folders remembered by every client's workspace indexes, as paths on this disk. */
export async function rememberedProjects(clients: readonly ClientDefinition[], world: World, load: DocumentLoader): Promise<string[]> {
  const indexes = clients.flatMap((client) => client.workspaceIndexes ?? []);
  const found = await Promise.all(indexes.map((index) => projectsFromIndex(index, world, load)));
  return found.flat();
}

async function projectsFromIndex(index: WorkspaceIndex, world: World, load: DocumentLoader): Promise<string[]> {
  const files = expandAll(index.path, world);
  const results = await Promise.all(
    files.map(async (file) => {
      if (index.kind === 'vscode-storage') return workspaceStorageProjects(file, world, load);
      const loaded = await load(file, index.format ?? 'json');
      if (loaded.status !== 'ok') return [];
      let value: unknown = loaded.document.value;
      for (const key of index.keyPath) value = isObject(value) ? value[key] : undefined;
      return isObject(value)
        ? Object.keys(value)
            .filter(isAbsoluteAnywhere)
            .map((key) => hostPath(world, key))
        : [];
    }),
  );
  return results.flat();
}

/** `workspaceStorage/<hash>/workspace.json` → `{ "folder": "file:///…" }` or `{ "workspace": "file:///….code-workspace" }`. */
async function workspaceStorageProjects(storage: string, world: World, load: DocumentLoader): Promise<string[]> {
  const entries = await fs.readdir(storage, { withFileTypes: true }).catch(() => []);
  const projects = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map(async (entry) => {
        const loaded = await load(path.join(storage, entry.name, 'workspace.json'), 'jsonc');
        if (loaded.status !== 'ok' || !isObject(loaded.document.value)) return undefined;
        const { folder, workspace } = loaded.document.value;
        const uri = typeof folder === 'string' ? folder : typeof workspace === 'string' ? workspace : undefined;
        const file = uri ? localPathOfUri(uri) : undefined;
        if (!file) return undefined;
        const local = hostPath(world, file);
        return typeof folder === 'string' ? local : path.dirname(local);
      }),
  );
  return projects.filter((project): project is string => project !== undefined);
}

/** Local `file://` URIs only; remote ones (`vscode-remote://`, `vscode-vfs://`) live on other machines. */
function localPathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file://')) return undefined;
  try {
    const decoded = decodeURIComponent(uri.slice('file://'.length));
    // file:///c%3A/Users/… is a Windows path whatever platform reads it.
    const windows = /^\/([A-Za-z]:\/.*)$/.exec(decoded);
    return windows ? windows[1]!.replace(/\//g, '\\') : fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function isAbsoluteAnywhere(candidate: string): boolean {
  return candidate.startsWith('/') || /^[A-Za-z]:[\\/]/.test(candidate) || candidate.startsWith('\\\\');
}

/**
 * Folders under the scan roots that hold a project config file (any first segment a catalogue project file
 * starts with). Breadth-first, to `depth` levels, never following links (no loops), skipping SKIPPED_FOLDERS.
 */
export async function projectsUnderRoots(
  roots: readonly string[],
  markers: readonly RegExp[],
  depth = DEFAULT_SCAN_DEPTH,
): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  let frontier = roots.map((root) => path.resolve(root));
  for (let level = 0; level <= depth && frontier.length > 0; level++) {
    const next: string[] = [];
    await Promise.all(
      frontier.map(async (folder) => {
        if (seen.has(folder) || seen.size >= MAX_SCANNED_FOLDERS) return;
        seen.add(folder);
        const entries = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
        if (entries.some((entry) => markers.some((marker) => marker.test(entry.name)))) found.push(folder);
        for (const entry of entries) {
          if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) next.push(path.join(folder, entry.name));
        }
      }),
    );
    frontier = next;
  }
  return found.sort();
}
