// Wrapping one server entry of a JSON/JSONC config with the guard, finding entries in a file, and cutting one
// out and putting it back (quarantine). Only the
// entry's own text changes, and only its `command` and `args`: comments, key order and formatting elsewhere
// stay as they were.
import { type Node, type ParseError, applyEdits, findNodeAtLocation, getNodeValue, modify, parse, parseTree } from 'jsonc-parser';
import { URL_FIELDS } from '../discovery/normalise.js';
import type { KeyPath } from '../discovery/parse/document.js';
import { type GuardTarget, formatGuardArgs } from '../platform/guard-invocation.js';

export type { GuardTarget };

export interface GuardLaunch {
  /** The program that runs the guard, and its arguments up to and including `guard`. */
  command: string;
  args: string[];
}

const PARSE = { allowTrailingComma: true, disallowComments: false } as const;
const FORMATTING = { insertSpaces: true, tabSize: 2 };

export interface Range {
  offset: number;
  length: number;
}

export function entryRange(text: string, keyPath: KeyPath): Range | undefined {
  const root = parseTree(text, [], PARSE);
  const node: Node | undefined = root ? findNodeAtLocation(root, [...keyPath]) : undefined;
  return node?.type === 'object' ? { offset: node.offset, length: node.length } : undefined;
}

export function replaceRange(text: string, range: Range, replacement: string): string {
  return text.slice(0, range.offset) + replacement + text.slice(range.offset + range.length);
}

/** The launcher's arguments, then the guard's (guard-invocation.ts): who it guards, `--` and the original command line. */
export function guardArguments(guard: GuardLaunch, target: GuardTarget, command: string, args: readonly string[]): string[] {
  return [...guard.args, ...formatGuardArgs(target, command, args)];
}

const isStringList = (node: Node | undefined) => node?.type === 'array' && (node.children ?? []).every((child) => child.type === 'string');

/**
 * Where an entry's command line stands, in the dialects that write one: `command` + `args` (most clients),
 * `command: [program, ...args]` (opencode), `command: { path, args }` (Zed's early builds), and any of these
 * under `transport` (Cline's newer files, Continue's config.json).
 */
function commandLine(
  entry: Node,
  at: string[] = [],
): { command: string; args: string[]; rewrite: (text: string, guard: GuardLaunch, guardArgs: string[]) => string } | undefined {
  const command = findNodeAtLocation(entry, [...at, 'command']);
  const set = (text: string, key: string[], value: unknown) =>
    applyEdits(text, modify(text, [...at, ...key], value, { formattingOptions: FORMATTING }));
  const strings = (node: Node | undefined) => (node?.children ?? []).map((child) => child.value as string);
  if (command?.type === 'string') {
    const args = findNodeAtLocation(entry, [...at, 'args']);
    if (args && !isStringList(args)) return undefined;
    return {
      command: command.value as string,
      args: strings(args),
      rewrite: (text, guard, guardArgs) => set(set(text, ['command'], guard.command), ['args'], guardArgs),
    };
  }
  if (isStringList(command) && command!.children!.length) {
    const [program, ...args] = strings(command);
    return { command: program!, args, rewrite: (text, guard, guardArgs) => set(text, ['command'], [guard.command, ...guardArgs]) };
  }
  const nestedPath = command?.type === 'object' ? findNodeAtLocation(command, ['path']) : undefined;
  const nestedArgs = command?.type === 'object' ? findNodeAtLocation(command, ['args']) : undefined;
  if (nestedPath?.type === 'string' && (!nestedArgs || isStringList(nestedArgs))) {
    return {
      command: nestedPath.value as string,
      args: strings(nestedArgs),
      rewrite: (text, guard, guardArgs) => set(set(text, ['command', 'path'], guard.command), ['command', 'args'], guardArgs),
    };
  }
  return !at.length && findNodeAtLocation(entry, ['transport'])?.type === 'object' ? commandLine(entry, ['transport']) : undefined;
}

/** Why an entry cannot be wrapped, or undefined when it can. */
export function unwrappableReason(entryText: string): string | undefined {
  const entry = parseTree(entryText, [], PARSE);
  if (entry && commandLine(entry)) return undefined;
  const args = entry && findNodeAtLocation(entry, ['args']);
  if (args && !isStringList(args)) return 'its `args` is not a list of strings';
  return 'its command is not a plain `command` string or list (this dialect is not wrapped yet)';
}

/** The entry's text with its command replaced by the guard, the original command following `--`. */
export function wrapEntryText(entryText: string, guard: GuardLaunch, target: GuardTarget): string {
  const line = commandLine(parseTree(entryText, [], PARSE)!)!;
  return line.rewrite(entryText, guard, guardArguments(guard, target, line.command, line.args));
}

/** What to cut to take an entry out: the property and one adjacent comma, with the whitespace up to its neighbour. */
export function cutRange(text: string, keyPath: KeyPath): Range | undefined {
  const root = parseTree(text, [], PARSE);
  const containerPath = keyPath.slice(0, -1);
  const container = root && (containerPath.length ? findNodeAtLocation(root, [...containerPath]) : root);
  const properties = container?.type === 'object' ? container.children! : [];
  const index = properties.findIndex((property) => property.children?.[0]?.value === keyPath.at(-1));
  if (index === -1) return undefined;
  const property = properties[index]!;
  const next = properties[index + 1];
  if (next) return { offset: property.offset, length: next.offset - property.offset };
  const previous = properties[index - 1];
  if (previous) {
    const start = previous.offset + previous.length;
    return { offset: start, length: property.offset + property.length - start };
  }
  // The only property: take a trailing comma too (JSONC allows one), or `{ , }` would be left.
  const trailing = /^\s*,/.exec(text.slice(property.offset + property.length))?.[0].length ?? 0;
  return { offset: property.offset, length: property.length + trailing };
}

/** Puts a cut entry back under its key in `containerPath`, by value, when its old place is gone. */
export function insertByKey(text: string, containerPath: readonly (string | number)[], removed: string): string {
  const property = parseTree(`{${removed.replace(/^\s*,|,\s*$/g, '')}}`, [], PARSE)?.children?.[0];
  const [key, value] = property?.children ?? [];
  if (!key || !value) return text;
  return applyEdits(text, modify(text, [...containerPath, key.value as string], getNodeValue(value), { formattingOptions: FORMATTING }));
}

/** The entry with its URL pointed at the guard's loopback proxy; headers and everything else unchanged. */
export function wrapEntryUrl(entryText: string, url: string): string {
  const entry = parseTree(entryText, [], PARSE)!;
  const key = URL_FIELDS.find((name) => findNodeAtLocation(entry, [name])?.type === 'string')!;
  return applyEdits(entryText, modify(entryText, [key], url, { formattingOptions: FORMATTING }));
}

export function validJson(text: string): boolean {
  const errors: ParseError[] = [];
  parse(text, errors, PARSE);
  return errors.length === 0;
}
