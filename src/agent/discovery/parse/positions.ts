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

/** Stack overflows from pathological nesting become a plain message instead of a crash. */
export function nestingError(error: unknown): SourceError | undefined {
  if (error instanceof RangeError) return { message: 'nested too deeply to read (maximum call stack exceeded)' };
  return undefined;
}
