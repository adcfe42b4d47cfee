// Folder listings, read once per scan. Most candidate paths do not exist (40 project file names in every
// project, dozens of clients not installed); one readdir of their folder answers for all of them, where a
// stat each would cost a system call and an exception apiece.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface FolderCache {
  /** Names in a folder; empty when it cannot be listed. */
  list(folder: string): Promise<string[]>;
  /** Whether a path exists, by its parent's listing. */
  exists(file: string): Promise<boolean>;
}

export function createFolderCache(): FolderCache {
  const listings = new Map<string, Promise<Set<string>>>();
  const listing = (folder: string) => {
    let pending = listings.get(folder);
    if (!pending) {
      pending = fs.readdir(folder).then(
        (names) => new Set(names),
        () => new Set<string>(),
      );
      listings.set(folder, pending);
    }
    return pending;
  };
  const exists = async (file: string): Promise<boolean> => {
    const parent = path.dirname(file);
    if (parent === file) return true;
    if (!(await exists(parent))) return false;
    return (await listing(parent)).has(path.basename(file));
  };
  return { list: async (folder) => [...(await listing(folder))], exists };
}
