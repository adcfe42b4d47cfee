// What every format's parser returns: the value, where things are in the text (for messages with line numbers),
// and keys written twice. Its own module, so the parsers and their dispatcher (document.ts) share it without a cycle.
import type { Position, SourceError } from '../../../shared/inventory.js';

export type KeyPath = readonly (string | number)[];

export interface DuplicateKey {
  /** The object holding the key twice. */
  parent: KeyPath;
  key: string;
  position: Position;
}

export interface ParsedDocument {
  value: unknown;
  /** Where the value at `path` starts, when the format keeps positions. */
  locate(path: KeyPath): Position | undefined;
  duplicates: DuplicateKey[];
}

export type ParseResult = { ok: true; document: ParsedDocument } | { ok: false; error: SourceError };
