// Work on many items with a bound on how many are in flight: probes (each a process), spool files (each a
// handle; an unbounded burst runs out of file descriptors, and on macOS the limit is low).

/** Runs `run` over the items, at most `limit` at once, in their order of starting. */
export async function inPool<T>(items: readonly T[], limit: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await run(items[index]!, index);
    }
  });
  await Promise.all(workers);
}
