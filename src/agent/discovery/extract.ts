// Finds the server entries in a parsed file, following the catalogue's ServerPaths. Each entry keeps its
// name, position and (for Claude Code's per-project servers) its project; a wrong shape is a warning.
import type { Position, Scope, SourceWarning } from '../../shared/inventory.js';
import type { ServerPath } from './catalogue/types.js';
import type { KeyPath, ParsedDocument } from './parse/document.js';
import { isObject } from '../../shared/is-object.js';

export interface RawEntry {
  name: string;
  value: unknown;
  path: KeyPath;
  position?: Position | undefined;
  scope?: Scope | undefined;
  projectPath?: string | undefined;
}

const PROJECT = '{project}';

interface Container {
  value: unknown;
  path: KeyPath;
  projectPath?: string;
}

/** Values at a path whose `{project}` segments match every key. */
function resolve(root: unknown, segments: readonly string[]): Container[] {
  let frontier: Container[] = [{ value: root, path: [] }];
  for (const segment of segments) {
    const next: Container[] = [];
    for (const item of frontier) {
      if (!isObject(item.value)) continue;
      if (segment === PROJECT) {
        for (const [key, value] of Object.entries(item.value)) next.push({ value, path: [...item.path, key], projectPath: key });
      } else if (Object.hasOwn(item.value, segment)) {
        next.push({
          value: item.value[segment],
          path: [...item.path, segment],
          ...(item.projectPath ? { projectPath: item.projectPath } : {}),
        });
      }
    }
    frontier = next;
  }
  return frontier;
}

export function extractEntries(document: ParsedDocument, paths: readonly ServerPath[], warnings: SourceWarning[]): RawEntry[] {
  const entries: RawEntry[] = [];
  if (document.value !== null && !isObject(document.value) && paths.some((serverPath) => serverPath.path.length > 0)) {
    warnings.push({ message: 'the file should hold an object at the top level', ...document.locate([]) });
    return entries;
  }
  let found = false;
  for (const serverPath of paths) {
    if (serverPath.fallback && found) continue;
    const containers = resolve(document.value, serverPath.path).filter(
      (container) => container.value !== undefined && container.value !== null,
    );
    if (containers.length > 0) found = true;
    for (const container of containers) {
      entries.push(...entriesOf(document, container, serverPath, warnings));
    }
  }
  return entries;
}

function entriesOf(document: ParsedDocument, container: Container, serverPath: ServerPath, warnings: SourceWarning[]): RawEntry[] {
  const shape = serverPath.shape ?? 'map';
  const where = container.path.length ? `"${container.path.join('.')}"` : 'the file';
  const base = { scope: serverPath.scope, projectPath: container.projectPath };
  const at = (path: KeyPath) => document.locate(path);

  if (shape === 'single') {
    const name = singleName(document.value, container.path);
    return [{ name, value: container.value, path: container.path, position: at(container.path), ...base }];
  }

  if (shape === 'list') {
    if (!Array.isArray(container.value)) {
      warnings.push({ message: `${where} should be a list of servers`, ...at(container.path) });
      return [];
    }
    return container.value.map((value, index) => {
      const path = [...container.path, index];
      const named = isObject(value) && typeof value.name === 'string' && value.name.trim() !== '' ? value.name : undefined;
      if (!named && isObject(value)) warnings.push({ message: `server ${index + 1} in ${where} has no name`, ...at(path) });
      return { name: named ?? `#${index + 1}`, value, path, position: at(path), ...base };
    });
  }

  if (!isObject(container.value)) {
    warnings.push({ message: `${where} should be an object of servers keyed by name`, ...at(container.path) });
    return [];
  }
  for (const duplicate of document.duplicates) {
    if (sameKeyPath(duplicate.parent, container.path)) {
      warnings.push({
        server: duplicate.key,
        message: `server "${duplicate.key}" is defined twice in ${where}; the client uses the last one`,
        ...duplicate.position,
      });
    }
  }
  return Object.entries(container.value)
    .filter(([name]) => !name.startsWith('$')) // `$schema` and friends
    .map(([name, value]) => ({ name, value, path: [...container.path, name], position: at([...container.path, name]), ...base }));
}

/** A file holding one server (a Claude Desktop extension manifest) names it at its root. */
function singleName(root: unknown, path: KeyPath): string {
  if (isObject(root)) {
    for (const key of ['name', 'display_name']) if (typeof root[key] === 'string' && root[key]) return root[key] as string;
  }
  return String(path.at(-1) ?? 'server');
}

function sameKeyPath(a: KeyPath, b: KeyPath): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}
