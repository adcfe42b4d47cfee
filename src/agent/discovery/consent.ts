// Whether the user consented, in the client itself, to start a project's servers. A project server comes from
// a folder anyone can fill (a `git clone`); its client asks the user before starting it, and records the answer.
// MCP Warden reads that record, never guesses it: no readable record, no consent (docs/security.md).
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ServerEntry } from '../../shared/inventory.js';
import type { ClientDefinition, ConsentRecord, SourceFormat } from './catalogue/types.js';
import type { DocumentLoader } from './load.js';
import { expandAll } from './paths.js';
import { isObject } from '../../shared/is-object.js';
import { type World, displayPath, hostPath } from './world.js';

export interface Consent {
  granted: boolean;
  /** Who consented, or what is missing: `"db" is approved in Claude Code for ~/code/app`. */
  reason: string;
}

export interface ConsentContext {
  world: World;
  load: DocumentLoader;
  exists: (file: string) => Promise<boolean>;
  clients: readonly ClientDefinition[];
  /** Project folders some client remembers opening (its own list of projects or workspaces). */
  remembered: ReadonlySet<string>;
  /** Files that are a project's own config (not a project entry in a client's user file). */
  projectFiles: ReadonlySet<string>;
}

type Verdict = { granted: boolean; why: string };

/** The files a client's consent record is read from, for one project (watched too, so a new approval counts at once). */
export function consentFiles(record: ConsentRecord, world: World, project: string): string[] {
  if (record.kind !== 'claude-code') return expandAll(record.path, world);
  return [
    ...expandAll(record.state, world),
    ...record.settings.flatMap((template) => expandAll(template, world)),
    ...record.projectSettings.map((file) => path.join(project, ...file.split('/'))),
  ];
}

/**
 * A path as one place on this disk: links resolved (a trusted `~/link/x` is not a distrusted `~/real/x` in
 * disguise) and, where the file system ignores case (macOS, Windows), case folded, as the clients compare.
 */
function realPath(file: string, context: Memo): Promise<string> {
  const resolved = path.resolve(file);
  return context.once(`real\0${resolved}`, () => realpath(resolved).catch(() => resolved));
}

const folded = (real: string, world: World) => (world.platform === 'linux' ? real : real.toLowerCase());

async function place(file: string, context: Memo & Pick<ConsentContext, 'world'>): Promise<string> {
  return folded(await realPath(file, context), context.world);
}

/** Work done once per scan, however many project servers ask (every server of a project reads the same records). */
interface Memo {
  once<T>(key: string, work: () => Promise<T>): Promise<T>;
}

type Context = ConsentContext & Memo;

/** A project folder: its real path on disk, and the place it is compared as. */
interface Project {
  real: string;
  place: string;
}

/** The consent of every project-scope server, by server id. */
export async function projectConsents(servers: readonly ServerEntry[], shared: ConsentContext): Promise<Map<string, Consent>> {
  const consents = new Map<string, Consent>();
  const done = new Map<string, Promise<unknown>>();
  const context: Context = {
    ...shared,
    once: <T>(key: string, work: () => Promise<T>) => {
      if (!done.has(key)) done.set(key, work());
      return done.get(key) as Promise<T>;
    },
  };
  await Promise.all(
    servers
      .filter((server) => server.scope === 'project' && server.projectPath !== undefined)
      .map(async (server) => consents.set(server.id, await consentOf(server, context))),
  );
  return consents;
}

async function consentOf(server: ServerEntry, context: Context): Promise<Consent> {
  const client = context.clients.find((candidate) => candidate.id === server.client);
  const clientName = client?.name ?? server.client;
  const where = displayPath(path.resolve(server.projectPath!), context.world.home);
  // Claude Code's own `projects.<path>.mcpServers`: the user added these through the client.
  if (!context.projectFiles.has(server.configPath)) return { granted: true, reason: `added for ${where} through ${clientName} itself` };
  if (!context.remembered.has(path.resolve(server.projectPath!)))
    return { granted: false, reason: `${where} was found only under a scan root and no client remembers opening it` };
  if (!client?.consent)
    return { granted: false, reason: `${clientName} keeps no record MCP Warden can read of the user approving ${where}'s servers` };
  const real = await realPath(server.projectPath!, context);
  const project: Project = { real, place: folded(real, context.world) };
  const verdict = await readRecord(client.consent, server, project, context);
  return { granted: verdict.granted, reason: `${verdict.why} in ${clientName} for ${where}` };
}

function readRecord(record: ConsentRecord, server: ServerEntry, project: Project, context: Context): Promise<Verdict> {
  switch (record.kind) {
    case 'claude-code':
      return claudeCodeConsent(record, server, project, context);
    case 'trusted-folders':
      return trustedFolderConsent(record, project, context);
    case 'trusted-folder-list':
      return trustedFolderListConsent(record, project, context);
    case 'trusted-projects':
      return trustedProjectConsent(record, project, context);
  }
}

/** The value at `keyPath` of each readable file. */
async function valuesAt(files: readonly string[], format: SourceFormat, keyPath: readonly string[], context: Context): Promise<unknown[]> {
  const loaded = await Promise.all(files.map((file) => context.load(file, format)));
  return loaded.flatMap((item) => {
    if (item.status !== 'ok') return [];
    let value: unknown = item.document.value;
    for (const key of keyPath) value = isObject(value) ? value[key] : undefined;
    return value === undefined ? [] : [value];
  });
}

/** A table keyed by absolute paths as the machine wrote them, keyed by places on this disk (keeping the written key). */
async function pathKeyedTable(
  files: readonly string[],
  format: SourceFormat,
  keyPath: readonly string[],
  context: Context,
): Promise<Map<string, { key: string; value: unknown }>> {
  return context.once(`table\0${format}\0${keyPath.join('\0')}\0${files.join('\0')}`, async () => {
    const table = new Map<string, { key: string; value: unknown }>();
    for (const found of await valuesAt(files, format, keyPath, context)) {
      if (!isObject(found)) continue;
      for (const [key, value] of Object.entries(found)) table.set(await place(hostPath(context.world, key), context), { key, value });
    }
    return table;
  });
}

const names = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/** The folder and every folder above it, nearest first. */
function selfAndAncestors(folder: string): string[] {
  const chain = [folder];
  for (let parent = path.dirname(folder); parent !== chain.at(-1); parent = path.dirname(parent)) chain.push(parent);
  return chain;
}

/** Whether a folder is the base or inside it (both places, see `place`). */
function within(folder: string, base: string): boolean {
  const relative = path.relative(base, folder);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Claude Code starts a `.mcp.json` server only in a folder whose trust dialog the user accepted, once it is
 * enabled (by name, or all of the project's) and disabled nowhere. The keys live in the user's and IT's
 * settings, the project's own settings (the checked-in `.claude/settings.json`, the `.claude/settings.local.json`
 * the approval dialog writes) and the legacy `projects.<path>` keys of `~/.claude.json`. Trust is read for the
 * exact folder: a cloned repository cannot approve itself, and a folder Claude Code never opened (another
 * client's workspace) has no trust to lean on, even where the user's settings enable every project server.
 */
async function claudeCodeConsent(
  record: Extract<ConsentRecord, { kind: 'claude-code' }>,
  server: ServerEntry,
  project: Project,
  context: Context,
): Promise<Verdict> {
  const projects = await pathKeyedTable(expandAll(record.state, context.world), 'json', ['projects'], context);
  const own = projects.get(project.place)?.value;
  const trusted = isObject(own) && own.hasTrustDialogAccepted === true;
  const files = [
    ...record.settings.flatMap((template) => expandAll(template, context.world)),
    ...record.projectSettings.map((file) => path.join(project.real, ...file.split('/'))),
  ];
  const layers = [...(await valuesAt(files, 'jsonc', [], context)).filter(isObject), ...(isObject(own) ? [own] : [])];
  if (layers.some((layer) => names(layer.disabledMcpjsonServers).includes(server.name)))
    return { granted: false, why: `"${server.name}" is disabled` };
  if (!trusted) return { granted: false, why: 'the folder was never trusted' };
  const enabled = layers.some(
    (layer) => layer.enableAllProjectMcpServers === true || names(layer.enabledMcpjsonServers).includes(server.name),
  );
  return enabled ? { granted: true, why: `"${server.name}" is approved` } : { granted: false, why: `"${server.name}" was never approved` };
}

/**
 * Gemini CLI: a rule covers its folder and everything below it (TRUST_PARENT: the folder above the one
 * named); of the rules covering the project, the one with the longest path wins, as in Gemini CLI itself.
 */
async function trustedFolderConsent(
  record: Extract<ConsentRecord, { kind: 'trusted-folders' }>,
  project: Project,
  context: Context,
): Promise<Verdict> {
  const rules = await pathKeyedTable(expandAll(record.path, context.world), 'jsonc', [], context);
  let winner: { length: number; level: unknown } | undefined;
  for (const [folder, { key, value }] of rules) {
    const covered = value === 'TRUST_PARENT' ? path.dirname(folder) : folder;
    if (within(project.place, covered) && (!winner || key.length > winner.length)) winner = { length: key.length, level: value };
  }
  if (winner?.level === 'TRUST_FOLDER' || winner?.level === 'TRUST_PARENT') return { granted: true, why: 'the folder is trusted' };
  return { granted: false, why: winner?.level === 'DO_NOT_TRUST' ? 'the folder is marked not trusted' : 'the folder is not trusted' };
}

/** Copilot CLI: folders the user trusted, each with everything below it. */
async function trustedFolderListConsent(
  record: Extract<ConsentRecord, { kind: 'trusted-folder-list' }>,
  project: Project,
  context: Context,
): Promise<Verdict> {
  const lists = await valuesAt(expandAll(record.path, context.world), 'json', record.keyPath, context);
  const folders = await Promise.all(lists.flatMap(names).map((folder) => place(hostPath(context.world, folder), context)));
  const trusted = folders.some((folder) => within(project.place, folder));
  return trusted ? { granted: true, why: 'the folder is trusted' } : { granted: false, why: 'the folder is not trusted' };
}

/**
 * Codex reads a project's `.codex/config.toml` only when `[projects]` says trusted: the folder's own entry
 * if it has a level, else that of the repository it is in (the nearest folder above holding `.git`).
 */
async function trustedProjectConsent(
  record: Extract<ConsentRecord, { kind: 'trusted-projects' }>,
  project: Project,
  context: Context,
): Promise<Verdict> {
  const projects = await pathKeyedTable(expandAll(record.path, context.world), record.format, record.keyPath, context);
  let repository: string | undefined;
  for (const folder of selfAndAncestors(project.real)) {
    if (await context.exists(path.join(folder, '.git'))) {
      repository = folded(folder, context.world);
      break;
    }
  }
  const levelOf = (folder: string | undefined) => {
    const entry = folder === undefined ? undefined : projects.get(folder)?.value;
    return isObject(entry) ? entry[record.field] : undefined;
  };
  const level = levelOf(project.place) ?? levelOf(repository);
  if (level === record.trusted) return { granted: true, why: 'the project is trusted' };
  return { granted: false, why: level === undefined ? 'the project is not trusted' : `the project is marked ${String(level)}` };
}
