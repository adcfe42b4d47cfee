// Server entries of a TOML config (Codex's `[mcp_servers.<name>]` tables), edited as text: smol-toml parses but
// cannot write a file back with its comments and layout, so the edits touch only the entry's own lines and
// smol-toml checks the result. An entry is its table header up to the next table that is not one of its own
// sub-tables (`[mcp_servers.<name>.env]`).
import { parse } from 'smol-toml';
import type { KeyPath } from '../discovery/parse/document.js';
import { type GuardLaunch, type GuardTarget, type Range, guardArguments } from './wrap-entry.js';

/** The dotted key of a `[table]` header line, segments unquoted; undefined for other lines. */
function headerPath(line: string): string[] | undefined {
  const match = /^\s*\[\[?\s*(.+?)\s*\]\]?\s*(?:#.*)?$/.exec(line.replace(/\r?\n$/, ''));
  if (!match) return undefined;
  const segments: string[] = [];
  const key = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/gy;
  let rest: RegExpExecArray | null;
  let end = 0;
  while (end < match[1]!.length && (rest = key.exec(match[1]!))) {
    let segment: string;
    try {
      // Basic-string escapes JSON shares; TOML's own (\U0001F600, \e) make the header unreadable here.
      segment = rest[1] !== undefined ? (JSON.parse(`"${rest[1]}"`) as string) : (rest[2] ?? rest[3]!);
    } catch {
      return undefined;
    }
    segments.push(segment);
    end = key.lastIndex;
  }
  return end === match[1]!.length ? segments : undefined;
}

interface Line {
  offset: number;
  text: string;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let offset = 0;
  for (const text_ of text.split(/(?<=\n)/)) {
    out.push({ offset, text: text_ });
    offset += text_.length;
  }
  return out;
}

const startsWith = (path: readonly string[], prefix: readonly (string | number)[]) =>
  prefix.every((segment, index) => path[index] === segment);

// Header-looking lines inside multi-line strings would mislead the search; an entry in such a file is not edited.
const hasMultilineStrings = (text: string) => text.includes('"""') || text.includes("'''");

export function tomlEntryRange(text: string, keyPath: KeyPath): Range | undefined {
  if (hasMultilineStrings(text)) return undefined;
  const all = lines(text);
  const start = all.findIndex((line) => {
    const path = headerPath(line.text);
    return path !== undefined && path.length === keyPath.length && startsWith(path, keyPath);
  });
  if (start === -1) return undefined;
  let end = start + 1;
  while (end < all.length) {
    const path = headerPath(all[end]!.text);
    if (path && !(path.length > keyPath.length && startsWith(path, keyPath))) break;
    end++;
  }
  // A sub-table of this entry further down, after other tables, would be left behind by an edit: not edited.
  if (
    all
      .slice(end)
      .some((line) => startsWith(headerPath(line.text) ?? [], keyPath) && (headerPath(line.text)?.length ?? 0) >= keyPath.length)
  )
    return undefined;
  // Blank and comment lines at the end belong to what follows (the user's next table, its comment).
  while (end - 1 > start && /^\s*(?:#.*)?$/.test(all[end - 1]!.text.replace(/\r?\n$/, ''))) end--;
  const offset = all[start]!.offset;
  const stop = end < all.length ? all[end]!.offset : text.length;
  return { offset, length: stop - offset };
}

/** The entry's own keys (before any sub-table), parsed. */
function entryValues(entryText: string): Record<string, unknown> | undefined {
  try {
    const table = parse(entryText);
    // Descend the header's dotted path to the entry's own table.
    const path = headerPath(entryText.split('\n', 1)[0]!) ?? [];
    const node = path.reduce<unknown>((value, segment) => (value as Record<string, unknown> | undefined)?.[segment], table);
    return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function tomlUnwrappableReason(entryText: string): string | undefined {
  const values = entryValues(entryText);
  if (!values) return 'its table could not be read on its own';
  if (typeof values.command !== 'string') return 'its command is not a plain `command` string (this dialect is not wrapped yet)';
  if (values.args !== undefined && !(Array.isArray(values.args) && values.args.every((arg) => typeof arg === 'string')))
    return 'its `args` is not a list of strings';
  if (!/^\s*command\s*=\s*("(?:[^"\\\n]|\\.)*"|'[^'\n]*')\s*(?:#.*)?$/m.test(ownPart(entryText)))
    return 'its `command` is not written on one line of its own';
  if (values.args !== undefined && !assignment(ownPart(entryText), 'args')) return 'its `args` are not written as a plain list';
  return undefined;
}

/** The entry's text before its first sub-table. */
function ownPart(entryText: string): string {
  const all = lines(entryText);
  const sub = all.findIndex((line, index) => index > 0 && headerPath(line.text) !== undefined);
  return sub === -1 ? entryText : entryText.slice(0, all[sub]!.offset);
}

/** Where `key = [ … ]` stands (from the key to the closing bracket), skipping strings and comments. */
function assignment(text: string, key: string): Range | undefined {
  const start = new RegExp(`^[ \\t]*${key}[ \\t]*=[ \\t]*\\[`, 'm').exec(text);
  if (!start) return undefined;
  let depth = 0;
  for (let i = start.index + start[0].length - 1; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"' || char === "'") {
      const close = char === '"' ? /"(?:[^"\\\n]|\\.)*"/y : /'[^'\n]*'/y;
      close.lastIndex = i;
      const string = close.exec(text);
      if (!string) return undefined;
      i += string[0].length - 1;
    } else if (char === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === '[') depth++;
    else if (char === ']' && --depth === 0) {
      const offset = start.index + (start[0].length - start[0].trimStart().length);
      return { offset, length: i + 1 - offset };
    }
  }
  return undefined;
}

const tomlString = (value: string) => JSON.stringify(value); // a JSON string is a valid TOML basic string
const tomlList = (values: string[]) => `[${values.map(tomlString).join(', ')}]`;

/** The entry with its `command` and `args` replaced by the guard's; every other line as it was. */
export function wrapTomlEntryText(entryText: string, guard: GuardLaunch, target: GuardTarget): string {
  const values = entryValues(entryText)!;
  const args = (values.args as string[] | undefined) ?? [];
  const guardArgs = guardArguments(guard, target, values.command as string, args);
  const own = ownPart(entryText);
  let next = own.replace(
    /^(\s*command\s*=\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*')/m,
    (_, lead: string) => `${lead}${tomlString(guard.command)}`,
  );
  const existing = assignment(next, 'args');
  if (existing) next = `${next.slice(0, existing.offset)}args = ${tomlList(guardArgs)}${next.slice(existing.offset + existing.length)}`;
  else next = next.replace(/^(\s*command\s*=.*)$/m, (line) => `${line}\nargs = ${tomlList(guardArgs)}`);
  const wrapped = next + entryText.slice(own.length);
  parse(wrapped); // never write a file the client could not read
  return wrapped;
}

/** What to cut to take an entry out: its whole table, sub-tables included. */
export const tomlCutRange = tomlEntryRange;

/** Puts a cut table back at the end of the file, when its old place is gone: TOML tables may stand anywhere. */
export function tomlInsertByKey(text: string, _containerPath: readonly (string | number)[], removed: string): string {
  const separator = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${separator}${removed.endsWith('\n') ? removed : `${removed}\n`}`;
}

/** The entry with its `url` pointed at the guard's loopback proxy; every other line as it was. */
export function wrapTomlEntryUrl(entryText: string, url: string): string {
  const own = ownPart(entryText);
  const wrapped =
    own.replace(/^(\s*url\s*=\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*')/m, (_, lead: string) => `${lead}${tomlString(url)}`) +
    entryText.slice(own.length);
  parse(wrapped);
  return wrapped;
}

export function validToml(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}
