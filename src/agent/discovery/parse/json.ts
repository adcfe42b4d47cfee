// JSON and JSONC through jsonc-parser's syntax tree. Building values from the tree ourselves gives
// null-prototype objects (a `__proto__` key is just a key), positions for every value, and duplicate keys.
import { type Node, type ParseError, findNodeAtLocation, parseTree, printParseErrorCode } from 'jsonc-parser';
import { nestingError, positionFinder } from './positions.js';
import type { DuplicateKey, KeyPath, ParseResult } from './types.js';

const FRIENDLY: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'property name expected',
  ValueExpected: 'value expected',
  ColonExpected: 'colon expected',
  CommaExpected: 'comma expected',
  CloseBraceExpected: 'closing brace } expected',
  CloseBracketExpected: 'closing bracket ] expected',
  EndOfFileExpected: 'end of file expected',
  InvalidCommentToken: 'comments are not allowed in strict JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

export function parseJson(text: string, lenient: boolean): ParseResult {
  const toPosition = positionFinder(text);
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(text, errors, { allowTrailingComma: lenient, disallowComments: !lenient, allowEmptyContent: false });
  } catch (error) {
    const nested = nestingError(error);
    if (nested) return { ok: false, error: nested };
    throw error;
  }
  const first = errors[0];
  if (first) {
    const name = printParseErrorCode(first.error);
    const message = strictOnlyMessage(text, first, lenient) ?? FRIENDLY[name] ?? name;
    return { ok: false, error: { message: `invalid ${lenient ? 'JSONC' : 'JSON'}: ${message}`, ...toPosition(first.offset) } };
  }
  if (!root) return { ok: false, error: { message: 'file is empty' } };

  const duplicates: DuplicateKey[] = [];
  let value: unknown;
  try {
    value = toValue(root, [], duplicates, toPosition);
  } catch (error) {
    const nested = nestingError(error);
    if (nested) return { ok: false, error: nested };
    throw error;
  }
  return {
    ok: true,
    document: {
      value,
      duplicates,
      locate: (path: KeyPath) => {
        const node = findNodeAtLocation(root, [...path]);
        return node ? toPosition(node.offset) : undefined;
      },
    },
  };
}

/** A trailing comma in strict JSON is reported by the parser as a missing value; say what it is. */
function strictOnlyMessage(text: string, error: ParseError, lenient: boolean): string | undefined {
  if (lenient) return undefined;
  const name = printParseErrorCode(error.error);
  if ((name === 'PropertyNameExpected' || name === 'ValueExpected') && /,\s*$/.test(text.slice(0, error.offset))) {
    return 'trailing commas are not allowed in strict JSON';
  }
  return undefined;
}

function toValue(
  node: Node,
  path: (string | number)[],
  duplicates: DuplicateKey[],
  toPosition: (offset: number) => { line: number; column: number },
): unknown {
  switch (node.type) {
    case 'object': {
      const result: Record<string, unknown> = Object.create(null);
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode || typeof keyNode.value !== 'string') continue;
        const key = keyNode.value;
        if (Object.hasOwn(result, key)) duplicates.push({ parent: [...path], key, position: toPosition(keyNode.offset) });
        result[key] = valueNode ? toValue(valueNode, [...path, key], duplicates, toPosition) : undefined;
      }
      return result;
    }
    case 'array':
      return (node.children ?? []).map((child, index) => toValue(child, [...path, index], duplicates, toPosition));
    default:
      return node.value;
  }
}
