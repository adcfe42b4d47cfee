// Turning catalogue templates into paths on this disk, and expanding `*` wildcards against it.
import path from 'node:path';
import type { PathTemplate, PlatformPaths } from './catalogue/types.js';
import type { FolderCache } from './folder-cache.js';
import { type World, baseFolders, expandTemplate } from './world.js';
import { globToRegExp } from '../../shared/glob.js';

/** The templates that apply on the world's platform. */
export function templatesFor(paths: PlatformPaths, world: World): PathTemplate[] {
  if (typeof paths === 'string') return [paths];
  if (Array.isArray(paths)) return paths;
  const forPlatform = paths[world.platform];
  if (forPlatform === undefined) return [];
  return Array.isArray(forPlatform) ? forPlatform : [forPlatform];
}

export function expandAll(paths: PlatformPaths, world: World): string[] {
  const folders = baseFolders(world);
  return templatesFor(paths, world).map((template) => expandTemplate(template, world, folders));
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*');
}

function segmentMatcher(segment: string): RegExp {
  return globToRegExp(segment, { segment: true });
}

/**
 * Existing paths matching a pattern whose segments may hold `*`. Folders that cannot be listed (missing,
 * permission denied, a link loop) simply match nothing. Hidden entries match only a pattern that starts with
 * a dot, as in a shell.
 */
export async function expandWildcards(pattern: string, folders: FolderCache, limit = 1000): Promise<string[]> {
  const { root } = path.parse(pattern);
  const segments = pattern.slice(root.length).split(path.sep).filter(Boolean);
  let current = [root];
  for (const segment of segments) {
    if (!hasWildcard(segment)) {
      current = current.map((base) => path.join(base, segment));
      continue;
    }
    const matcher = segmentMatcher(segment);
    const next: string[] = [];
    for (const base of current) {
      const names = await folders.list(base);
      for (const name of names.sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (matcher.test(name)) next.push(path.join(base, name));
        if (next.length >= limit) break;
      }
    }
    current = next;
  }
  return current;
}

/** The longest leading part of a pattern without wildcards, and how many segments follow it. */
export function wildcardBase(pattern: string): { path: string; depth: number } {
  const segments = pattern.split(path.sep);
  const first = segments.findIndex(hasWildcard);
  if (first === -1) return { path: pattern, depth: 0 };
  return { path: segments.slice(0, first).join(path.sep) || path.sep, depth: segments.length - first };
}
