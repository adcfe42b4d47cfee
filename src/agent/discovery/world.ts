// The machine a scan looks at. Every path the catalogue names is resolved against a World, never against
// the process's own globals, so `--home DIR --platform darwin` can replay a Mac on a Linux box.
import os from 'node:os';
import path from 'node:path';
import type { Platform } from '../../shared/inventory.js';
import { PLATFORMS } from '../../shared/vocabulary.js';

export interface World {
  platform: Platform;
  /** The user's home folder. */
  home: string;
  /** Where machine-wide paths (`/etc`, `/Library`, `C:\ProgramData`) live; `/` on a real machine. */
  root: string;
  /** Environment variables that move config folders (APPDATA, XDG_CONFIG_HOME, CODEX_HOME, …). */
  env: Readonly<Record<string, string | undefined>>;
  /** Another machine's copy (`--home`, `--root`, `--platform`): read its files, never start its servers. */
  replayed?: boolean;
}

/**
 * The home folder as the machine itself writes it in its files: the same as `home` on a real machine,
 * `/Users/alice` (or `\Users\bob`) for a copied machine replayed from `<root>/Users/alice`.
 */
export function writtenHome(world: World): string {
  const isRealRoot = path.parse(world.root).root === world.root;
  if (isRealRoot) return world.home;
  const relative = path.relative(world.root, world.home);
  return relative.startsWith('..') ? world.home : `/${relative.split(path.sep).join('/')}`;
}

export interface WorldOverrides {
  home?: string | undefined;
  platform?: Platform | undefined;
  root?: string | undefined;
}

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

/**
 * The world of this process, or a replayed one. When another home folder, root or platform is given, the
 * process's environment is ignored: it describes this machine, not the one being replayed.
 */
export function worldFromProcess(overrides: WorldOverrides = {}): World {
  const hostPlatform = isPlatform(process.platform) ? process.platform : 'linux';
  const ownHome = path.resolve(os.homedir());
  const ownRoot = path.parse(process.cwd()).root;
  const home = path.resolve(overrides.home ?? ownHome);
  const root = path.resolve(overrides.root ?? ownRoot);
  const platform = overrides.platform ?? hostPlatform;
  const replayed = home !== ownHome || root !== ownRoot || platform !== hostPlatform;
  return { platform, home, root, env: replayed ? {} : { ...process.env }, ...(replayed ? { replayed } : {}) };
}

/** The well-known folders of a platform, each overridable by the variable the OS itself uses. */
export function baseFolders(world: World): Record<string, string> {
  const { home, root, env } = world;
  const appData = env.APPDATA || path.join(home, 'AppData', 'Roaming');
  const appSupport = path.join(home, 'Library', 'Application Support');
  const xdgConfig = env.XDG_CONFIG_HOME || path.join(home, '.config');
  return {
    home,
    root,
    appData,
    localAppData: env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'),
    programData: env.PROGRAMDATA || env.ProgramData || path.join(root, 'ProgramData'),
    programFiles: env.PROGRAMFILES || env.ProgramFiles || path.join(root, 'Program Files'),
    appSupport,
    xdgConfig,
    xdgData: env.XDG_DATA_HOME || path.join(home, '.local', 'share'),
    // Where Electron apps (VS Code and its forks, Claude Desktop, …) keep their user data.
    userConfig: world.platform === 'darwin' ? appSupport : world.platform === 'win32' ? appData : xdgConfig,
  };
}

/**
 * Expands a catalogue path template: `~` is the home folder, `{name}` a base folder, and
 * `{env:VAR|fallback}` the variable if set, else the fallback (itself a template, so fallbacks nest).
 * Segments are separated by `/` in the catalogue and joined with the host's separator.
 */
export function expandTemplate(template: string, world: World, folders = baseFolders(world)): string {
  const text = expandTokens(template, world, folders);
  const segments = text.split(/[\\/]/).map((segment, index) => {
    if (index !== 0) return segment;
    // An absolute start: `/` on POSIX, `C:` + separator on Windows.
    return segment === '' || /^[A-Za-z]:$/.test(segment) ? segment + path.sep : segment;
  });
  return path.join(...segments);
}

function expandTokens(template: string, world: World, folders: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const char = template[i]!;
    if (char === '~' && i === 0) {
      out += folders.home;
      continue;
    }
    if (char !== '{') {
      out += char;
      continue;
    }
    const end = matchingBrace(template, i);
    const token = template.slice(i + 1, end);
    i = end;
    if (token.startsWith('env:')) {
      const bar = token.indexOf('|');
      const name = token.slice(4, bar === -1 ? undefined : bar);
      const value = world.env[name];
      out += value ? value : bar === -1 ? '' : expandTokens(token.slice(bar + 1), world, folders);
      continue;
    }
    const folder = folders[token];
    if (folder === undefined) throw new Error(`unknown folder {${token}} in catalogue path ${template}`);
    out += folder;
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unbalanced braces in catalogue path ${text}`);
}

/**
 * An absolute path as the replayed machine wrote it (`C:\Users\alice\proj`, `/Users/alice/proj`), as a path
 * on this disk: unchanged on a real machine, re-rooted under `root` when replaying a copied machine.
 */
export function hostPath(world: World, written: string): string {
  const isRealRoot = path.parse(world.root).root === world.root;
  if (isRealRoot) return path.resolve(written);
  const withoutDrive = written.replace(/^(?:\\\\\?\\)?[A-Za-z]:(?=[\\/])/, '');
  return path.join(world.root, ...withoutDrive.split(/[\\/]/).filter(Boolean));
}

/** `~/…` for paths in the home folder: shorter, and the same on every machine. */
export function displayPath(file: string, home: string): string {
  const relative = path.relative(home, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? `~${path.sep}${relative}` : file;
}
