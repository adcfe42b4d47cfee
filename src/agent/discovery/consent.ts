// Whether the user consented, in the client itself, to start a project's servers. A project server comes from
// a folder anyone can fill (a `git clone`); its client asks the user before starting it, and records the answer.
// MCP Warden reads that record, never guesses it: no readable record, no consent (docs/security.md).
import path from 'node:path';
import type { ServerEntry } from '../../shared/inventory.js';
import type { ClientDefinition, ConsentRecord, SourceFormat } from './catalogue/types.js';
import type { DocumentLoader } from './load.js';
import { expandAll } from './paths.js';
import { isObject } from './util.js';
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

/** The consent of every project-scope server, by server id. */
export async function projectConsents(servers: readonly ServerEntry[], context: ConsentContext): Promise<Map<string, Consent>> {
  const consents = new Map<string, Consent>();
  await Promise.all(
    servers
      .filter((server) => server.scope === 'project' && server.projectPath !== undefined)
      .map(async (server) => consents.set(server.id, await consentOf(server, context))),
  );
  return consents;
}

async function consentOf(server: ServerEntry, context: ConsentContext): Promise<Consent> {
  const client = context.clients.find((candidate) => candidate.id === server.client);
  const clientName = client?.name ?? server.client;
  const project = path.resolve(server.projectPath!);
  const where = displayPath(project, context.world.home);
  // Claude Code's own `projects.<path>.mcpServers`: the user added these through the client.
  if (!context.projectFiles.has(server.configPath)) return { granted: true, reason: `added for ${where} through ${clientName} itself` };
  if (!context.remembered.has(project)) return { granted: false, reason: `${where} was found only under a scan root and no client remembers opening it` };
  if (!client?.consent) return { granted: false, reason: `${clientName} keeps no record MCP Warden can read of the user approving ${where}'s servers` };
  const verdict = await RECORD_READERS[client.consent.kind](client.consent as never, server, project, context);
  return { granted: verdict.granted, reason: `${verdict.why} in ${clientName} for ${where}` };
}

type RecordReader<K extends ConsentRecord['kind']> = (record: Extract<ConsentRecord, { kind: K }>, server: ServerEntry, project: string, context: ConsentContext) => Promise<Verdict>;

const RECORD_READERS: { [K in ConsentRecord['kind']]: RecordReader<K> } = {
  'claude-code': claudeCodeConsent,
  'trusted-folders': trustedFolderConsent,
  'trusted-folder-list': trustedFolderListConsent,
  'trusted-projects': trustedProjectConsent,
};

/** The value at `keyPath` of each readable file. */
async function valuesAt(files: readonly string[], format: SourceFormat, keyPath: readonly string[], context: ConsentContext): Promise<unknown[]> {
  const loaded = await Promise.all(files.map((file) => context.load(file, format)));
  return loaded.flatMap((item) => {
    if (item.status !== 'ok') return [];
    let value: unknown = item.document.value;
    for (const key of keyPath) value = isObject(value) ? value[key] : undefined;
    return value === undefined ? [] : [value];
  });
}

/** A table keyed by absolute paths as the machine wrote them, keyed by paths on this disk (keeping the written key). */
async function pathKeyedTable(files: readonly string[], format: SourceFormat, keyPath: readonly string[], context: ConsentContext): Promise<Map<string, { key: string; value: unknown }>> {
  const table = new Map<string, { key: string; value: unknown }>();
  for (const found of await valuesAt(files, format, keyPath, context)) {
    if (!isObject(found)) continue;
    for (const [key, value] of Object.entries(found)) table.set(path.resolve(hostPath(context.world, key)), { key, value });
  }
  return table;
}

const names = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/** The folder and every folder above it, nearest first. */
function selfAndAncestors(folder: string): string[] {
  const chain = [folder];
  for (let parent = path.dirname(folder); parent !== chain.at(-1); parent = path.dirname(parent)) chain.push(parent);
  return chain;
}

const within = (folder: string, base: string) => folder === base || folder.startsWith(base.endsWith(path.sep) ? base : base + path.sep);

/**
 * Claude Code starts a `.mcp.json` server that is enabled (by name, or all of the project's) and disabled
 * nowhere. Approvals in the user's and IT's settings count anywhere; the project's own (its checked-in
 * `.claude/settings.json`, the `.claude/settings.local.json` the dialog writes, the legacy keys in
 * `~/.claude.json`) only once the folder's trust dialog was accepted, so a cloned repository cannot approve
 * itself. Trust is read for the exact folder, as Claude Code requires before it honours a project's approvals.
 */
async function claudeCodeConsent(record: Extract<ConsentRecord, { kind: 'claude-code' }>, server: ServerEntry, project: string, context: ConsentContext): Promise<Verdict> {
  const projects = await pathKeyedTable(expandAll(record.state, context.world), 'json', ['projects'], context);
  const own = projects.get(project)?.value;
  const trusted = isObject(own) && own.hasTrustDialogAccepted === true;
  const userLayers = (await valuesAt(record.settings.flatMap((template) => expandAll(template, context.world)), 'jsonc', [], context)).filter(isObject);
  const projectLayers = [
    ...(await valuesAt(record.projectSettings.map((file) => path.join(project, ...file.split('/'))), 'jsonc', [], context)).filter(isObject),
    ...(isObject(own) ? [own] : []),
  ];
  if ([...userLayers, ...projectLayers].some((layer) => names(layer.disabledMcpjsonServers).includes(server.name))) return { granted: false, why: `"${server.name}" is disabled` };
  const enables = (layer: Record<string, unknown>) => layer.enableAllProjectMcpServers === true || names(layer.enabledMcpjsonServers).includes(server.name);
  if (userLayers.some(enables) || (trusted && projectLayers.some(enables))) return { granted: true, why: `"${server.name}" is approved` };
  return { granted: false, why: trusted ? `"${server.name}" was never approved` : 'the folder was never trusted' };
}

/**
 * Gemini CLI: a rule covers its folder and everything below it (TRUST_PARENT: the folder above the one
 * named); of the rules covering the project, the one with the longest path wins, as in Gemini CLI itself.
 */
async function trustedFolderConsent(record: Extract<ConsentRecord, { kind: 'trusted-folders' }>, _server: ServerEntry, project: string, context: ConsentContext): Promise<Verdict> {
  const rules = await pathKeyedTable(expandAll(record.path, context.world), 'jsonc', [], context);
  let winner: { length: number; level: unknown } | undefined;
  for (const [folder, { key, value }] of rules) {
    const covered = value === 'TRUST_PARENT' ? path.dirname(folder) : folder;
    if (within(project, covered) && (!winner || key.length > winner.length)) winner = { length: key.length, level: value };
  }
  if (winner?.level === 'TRUST_FOLDER' || winner?.level === 'TRUST_PARENT') return { granted: true, why: 'the folder is trusted' };
  return { granted: false, why: winner?.level === 'DO_NOT_TRUST' ? 'the folder is marked not trusted' : 'the folder is not trusted' };
}

/** Copilot CLI: folders the user trusted, each with everything below it. */
async function trustedFolderListConsent(record: Extract<ConsentRecord, { kind: 'trusted-folder-list' }>, _server: ServerEntry, project: string, context: ConsentContext): Promise<Verdict> {
  const lists = await valuesAt(expandAll(record.path, context.world), 'json', record.keyPath, context);
  const trusted = lists.flatMap(names).some((folder) => within(project, path.resolve(hostPath(context.world, folder))));
  return trusted ? { granted: true, why: 'the folder is trusted' } : { granted: false, why: 'the folder is not trusted' };
}

/**
 * Codex reads a project's `.codex/config.toml` only when `[projects]` says trusted: the folder's own entry
 * if it has a level, else that of the repository it is in (the nearest folder above holding `.git`).
 */
async function trustedProjectConsent(record: Extract<ConsentRecord, { kind: 'trusted-projects' }>, _server: ServerEntry, project: string, context: ConsentContext): Promise<Verdict> {
  const projects = await pathKeyedTable(expandAll(record.path, context.world), record.format, record.keyPath, context);
  let repository: string | undefined;
  for (const folder of selfAndAncestors(project)) {
    if (await context.exists(path.join(folder, '.git'))) {
      repository = folder;
      break;
    }
  }
  const levelOf = (folder: string | undefined) => {
    const entry = folder === undefined ? undefined : projects.get(folder)?.value;
    return isObject(entry) ? entry[record.field] : undefined;
  };
  const level = levelOf(project) ?? levelOf(repository);
  if (level === record.trusted) return { granted: true, why: 'the project is trusted' };
  return { granted: false, why: level === undefined ? 'the project is not trusted' : `the project is marked ${String(level)}` };
}
