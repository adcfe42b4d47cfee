// YAML through the `yaml` package, with its protections on: unique keys, a cap on alias expansion
// (the "billion laughs" file), and no custom tags.
import { type Document, parseDocument } from 'yaml';
import { NESTED_TOO_DEEPLY, nestingError, positionFinder } from './positions.js';
import type { KeyPath, ParseResult } from './types.js';

export function parseYaml(text: string): ParseResult {
  const toPosition = positionFinder(text);
  let document: Document.Parsed;
  try {
    document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  } catch (error) {
    const nested = nestingError(error);
    if (nested) return { ok: false, error: nested };
    throw error;
  }
  const first = document.errors[0];
  if (first) {
    // The parser catches its own stack overflow and reports it as a document error of its own code.
    if (first.code === 'RESOURCE_EXHAUSTION') return { ok: false, error: NESTED_TOO_DEEPLY };
    const message = first.code === 'DUPLICATE_KEY' ? 'the same key appears twice in one mapping' : first.message.split('\n')[0];
    return { ok: false, error: { message: `invalid YAML: ${message}`, ...toPosition(first.pos[0]) } };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const nested = nestingError(error);
    if (nested) return { ok: false, error: nested };
    return { ok: false, error: { message: `invalid YAML: ${(error as Error).message.split('\n')[0]}` } };
  }
  return {
    ok: true,
    document: {
      value: value ?? null,
      duplicates: [],
      locate: (path: KeyPath) => {
        const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
        return node?.range ? toPosition(node.range[0]) : undefined;
      },
    },
  };
}
