// Helpers every format's parser uses: line and column from an offset, and deep nesting as a message.
import type { Position, SourceError } from '../../../shared/inventory.js';

/** Lines and columns from character offsets, computed once per text. */
export function positionFinder(text: string): (offset: number) => Position {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
}

// V8 gives a stack overflow no code of its own: a RangeError with this message is the only mark it leaves. Any
// other RangeError (a string too long to build) is not nesting, and is not reported as such.
const STACK_OVERFLOW = /^Maximum call stack size exceeded/;

export const NESTED_TOO_DEEPLY: SourceError = { message: 'nested too deeply to read (maximum call stack exceeded)' };

/** Stack overflows from pathological nesting become a plain message instead of a crash. */
export function nestingError(error: unknown): SourceError | undefined {
  return error instanceof RangeError && STACK_OVERFLOW.test(error.message) ? NESTED_TOO_DEEPLY : undefined;
}
