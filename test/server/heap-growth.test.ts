// The server bounds how far JavaScript's heap grows before it is collected, unless the operator set heap flags.
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth } from '../../src/server/heap-growth.js';

describe('the heap bound', () => {
  it('leaves heap flags an operator gave node or NODE_OPTIONS alone, and bounds the growth otherwise', () => {
    expect(boundHeapGrowth(['--max-old-space-size=2048'], '')).toBe(false);
    expect(boundHeapGrowth([], '--require ./trace.js --heap-growing-percent=50')).toBe(false);
    expect(boundHeapGrowth([], '--max-heap-size=1024')).toBe(false);
    expect(boundHeapGrowth(['--max_old_space_size=4096'], '')).toBe(false);
    expect(boundHeapGrowth(['--enable-source-maps'], '--require ./trace.js')).toBe(true);
  });
});
