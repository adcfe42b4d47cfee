// TOML through smol-toml (null-prototype tables; duplicate keys are a parse error, as TOML says).
import { parse } from 'smol-toml';
import { nestingError } from './positions.js';
import type { ParseResult } from './types.js';

export function parseToml(text: string): ParseResult {
  try {
    const value: unknown = parse(text, { maxDepth: 200 });
    return { ok: true, document: { value, duplicates: [], locate: () => undefined } };
  } catch (error) {
    const nested = nestingError(error);
    if (nested) return { ok: false, error: nested };
    const { message, line, column } = error as { message?: string; line?: number; column?: number };
    // smol-toml appends a code frame of the offending lines; keep only the first line of its message.
    const reason = (message ?? 'parse error').split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
    if (/excessively nested/i.test(reason)) return { ok: false, error: { message: 'nested too deeply to read (more than 200 levels)' } };
    return { ok: false, error: { message: `invalid TOML: ${reason}`, ...(line ? { line } : {}), ...(column ? { column } : {}) } };
  }
}
