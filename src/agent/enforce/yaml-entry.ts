// Server entries of a YAML config (Goose's `extensions` map, Continue's `mcpServers` list), edited as text: the
// `yaml` package says where each node stands and checks every result, but its writer would lay the whole file
// out again, so the edits touch only the entry's own characters. An entry is read on its own by indenting its
// first line as the file does, so that the check sees exactly what the client will.
import { isDeepStrictEqual } from 'node:util';
import { type Document, type Node, type Pair, type YAMLMap, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { COMMAND_FIELDS, URL_FIELDS } from '../discovery/normalise.js';
import type { KeyPath } from '../discovery/parse/document.js';
import type { GuardLaunch, GuardTarget, Range } from './wrap-entry.js';
import { guardArguments } from './wrap-entry.js';

const OPTIONS = { prettyErrors: false, uniqueKeys: true, strict: true } as const;

function read(text: string): Document.Parsed | undefined {
  try {
    const document = parseDocument(text, OPTIONS);
    return document.errors.length ? undefined : document;
  } catch {
    return undefined;
  }
}

const isBlank = (char: string | undefined) => char !== undefined && /\s/.test(char);
function trimEnd(text: string, end: number): number {
  while (end > 0 && isBlank(text[end - 1])) end--;
  return end;
}
const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}
const eolOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');
const valueEnd = (text: string, node: Node) => trimEnd(text, node.range![1]);

export function yamlEntryRange(text: string, keyPath: KeyPath): Range | undefined {
  const node = read(text)?.getIn(keyPath, true);
  if (!isMap(node) || !node.range) return undefined;
  return { offset: node.range[0], length: valueEnd(text, node) - node.range[0] };
}

interface Fragment {
  /** The entry's text with its first line indented as its others are. */
  padded: string;
  pad: number;
  map: YAMLMap;
}

/** The entry read on its own: its first line (which starts mid-line in the file) indented like its keys. */
function fragment(entryText: string): Fragment | undefined {
  const rest = entryText
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  const pad = rest.length ? Math.min(...rest.map((line) => line.length - line.trimStart().length)) : 0;
  const padded = ' '.repeat(pad) + entryText;
  const contents = read(padded)?.contents;
  return isMap(contents) ? { padded, pad, map: contents } : undefined;
}

function pairOf(map: YAMLMap, keys: readonly string[]): Pair<Node, Node> | undefined {
  for (const key of keys) {
    const pair = (map.items as Pair<Node, Node>[]).find((item) => isScalar(item.key) && item.key.value === key);
    if (pair) return pair;
  }
  return undefined;
}

function usesAnchors(map: YAMLMap): boolean {
  let found = false;
  visit(map, {
    Alias: () => {
      found = true;
      return visit.BREAK;
    },
    Node: (_, node) => {
      if ((node as { anchor?: string }).anchor) found = true;
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

export function yamlUnwrappableReason(entryText: string): string | undefined {
  const entry = fragment(entryText);
  if (!entry) return 'its YAML could not be read on its own';
  if (usesAnchors(entry.map)) return 'it uses YAML anchors or aliases, which an edit could change elsewhere';
  const command = pairOf(entry.map, COMMAND_FIELDS);
  if (!command || !isScalar(command.value) || typeof command.value.value !== 'string')
    return 'its command is not a plain `command` string (this dialect is not wrapped yet)';
  const args = pairOf(entry.map, ['args']);
  if (args && !(isSeq(args.value) && args.value.items.every((item) => isScalar(item) && typeof item.value === 'string')))
    return 'its `args` is not a list of strings';
  return undefined;
}

interface Edit {
  offset: number;
  length: number;
  text: string;
}

const yamlString = (value: string) => JSON.stringify(value); // a JSON string is a valid YAML double-quoted scalar
const yamlList = (values: readonly string[]) => `[${values.map(yamlString).join(', ')}]`;

/** Replaces a pair's value; a value on the lines below its key (a block list) moves up beside it. */
function replaceValue(text: string, pair: Pair<Node, Node>, replacement: string): Edit {
  const value = pair.value!;
  const end = valueEnd(text, value);
  const between = /^\s*:[ \t]*(#[^\r\n]*)?\s*$/.exec(text.slice(pair.key.range![1], value.range![0]));
  // A comment after the key stays, after the value now beside it.
  if (between && between[0].includes('\n'))
    return { offset: pair.key.range![1], length: end - pair.key.range![1], text: `: ${replacement}${between[1] ? ` ${between[1]}` : ''}` };
  return { offset: value.range![0], length: end - value.range![0], text: replacement };
}

/** A new `key: value` right after a pair: on its own line in a block mapping, after a comma in a flow one. */
function insertAfter(text: string, map: YAMLMap, pair: Pair<Node, Node>, key: string, value: string): Edit {
  const end = valueEnd(text, pair.value!);
  if (map.flow) return { offset: end, length: 0, text: `, ${key}: ${value}` };
  const indent = ' '.repeat(pair.key.range![0] - lineStart(text, pair.key.range![0]));
  const at = lineEnd(text, end);
  const eol = eolOf(text);
  return at === text.length && !text.endsWith('\n')
    ? { offset: at, length: 0, text: `${eol}${indent}${key}: ${value}` }
    : { offset: at, length: 0, text: `${indent}${key}: ${value}${eol}` };
}

/** Applies the edits to the entry and checks that it now reads as `expected`, nothing else changed. */
function edited(entry: Fragment, edits: Edit[], expected: Record<string, unknown>): string {
  let text = entry.padded;
  for (const edit of [...edits].sort((a, b) => b.offset - a.offset))
    text = text.slice(0, edit.offset) + edit.text + text.slice(edit.offset + edit.length);
  const check = fragment(text.slice(entry.pad));
  if (!check || !isDeepStrictEqual(check.map.toJSON(), expected)) throw new Error('the edited entry would not read back as intended');
  return text.slice(entry.pad);
}

/** The entry with its command replaced by the guard, the original command following `--`; every other line as it was. */
export function wrapYamlEntryText(entryText: string, guard: GuardLaunch, target: GuardTarget): string {
  const entry = fragment(entryText)!;
  const command = pairOf(entry.map, COMMAND_FIELDS)!;
  const args = pairOf(entry.map, ['args']);
  const values = entry.map.toJSON() as Record<string, unknown>;
  const commandKey = (command.key as { value: string }).value;
  const guardArgs = guardArguments(guard, target, values[commandKey] as string, (values.args as string[] | undefined) ?? []);
  const edits = [
    replaceValue(entry.padded, command, yamlString(guard.command)),
    args
      ? replaceValue(entry.padded, args, yamlList(guardArgs))
      : insertAfter(entry.padded, entry.map, command, 'args', yamlList(guardArgs)),
  ];
  return edited(entry, edits, { ...values, [commandKey]: guard.command, args: guardArgs });
}

/** The entry with its URL pointed at the guard's loopback proxy; headers and every other line as they were. */
export function wrapYamlEntryUrl(entryText: string, url: string): string {
  const entry = fragment(entryText)!;
  const pair = pairOf(entry.map, URL_FIELDS)!;
  return edited(entry, [replaceValue(entry.padded, pair, yamlString(url))], {
    ...(entry.map.toJSON() as Record<string, unknown>),
    [(pair.key as { value: string }).value]: url,
  });
}

/**
 * What to cut to take an entry out: its whole lines (a map's key and value, or a list's `- ` item). The last
 * entry of a block leaves an empty `{}` or `[]` in its place, so the client still reads a map or a list.
 */
export function yamlCutRange(text: string, keyPath: KeyPath): (Range & { placeholder?: string }) | undefined {
  const document = read(text);
  const containerPath = keyPath.slice(0, -1);
  const container = containerPath.length ? document?.getIn(containerPath, true) : document?.contents;
  if (!(isMap(container) || isSeq(container)) || container.flow || !containerPath.length) return undefined;
  const last = keyPath.at(-1);
  let start: number;
  let end: number;
  if (isMap(container)) {
    const pair = (container.items as Pair<Node, Node>[]).find((item) => isScalar(item.key) && item.key.value === last);
    if (!pair?.value?.range) return undefined;
    start = pair.key.range![0];
    end = valueEnd(text, pair.value);
  } else {
    const item = typeof last === 'number' ? (container.items[last] as Node | undefined) : undefined;
    if (!item?.range) return undefined;
    // The item's own `-` stands before it, on its line or the one above.
    start = item.range[0];
    while (start > 0 && isBlank(text[start - 1])) start--;
    if (text[--start] !== '-') return undefined;
    end = valueEnd(text, item);
  }
  const from = lineStart(text, start);
  if (text.slice(from, start).trim() !== '') return undefined;
  const to = lineEnd(text, end);
  const indent = text.slice(from, start);
  const only = container.items.length === 1;
  return { offset: from, length: to - from, ...(only ? { placeholder: `${indent}${isMap(container) ? '{}' : ' []'}${eolOf(text)}` } : {}) };
}

/** Puts a cut entry back at the end of its map or list when its old place is gone (not if it is there already). */
export function yamlInsertByKey(text: string, containerPath: readonly (string | number)[], removed: string): string {
  const document = read(text);
  const piece = read(removed)?.toJS() as unknown;
  if (!document || piece === undefined || piece === null) return text;
  const container = document.getIn(containerPath, true);
  if (Array.isArray(piece)) {
    const [item] = piece as Record<string, unknown>[];
    const items = isSeq(container) ? (container.toJSON() as Record<string, unknown>[]) : [];
    if (items.some((other) => other?.name !== undefined && other.name === item?.name)) return text;
    if (isSeq(container) || container === undefined || (isScalar(container) && container.value === null)) {
      if (isSeq(container)) container.add(document.createNode(item));
      else document.setIn(containerPath, document.createNode([item]));
    }
  } else {
    const [key, value] = Object.entries(piece as Record<string, unknown>)[0] ?? [];
    if (key === undefined || document.hasIn([...containerPath, key])) return text;
    document.setIn([...containerPath, key], document.createNode(value));
  }
  return document.toString({ lineWidth: 0 });
}

export const validYaml = (text: string) => read(text) !== undefined;
