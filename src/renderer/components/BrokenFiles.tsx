import type { ConfigSource } from '../../shared/inventory.js';
import { useWarden } from './StoreContext.js';

/** One empty list for every render without a snapshot: a selector must return the same value while nothing changed. */
const NONE: readonly ConfigSource[] = [];

export function BrokenFiles() {
  const sources = useWarden((state) => state.snapshot?.brokenSources ?? NONE);
  if (sources.length === 0) return null;
  return (
    <section className="broken" aria-labelledby="broken-title">
      <h2 id="broken-title">Files that could not be read</h2>
      <ul>
        {sources.map((source) => (
          <li key={`${source.client}:${source.path}`}>
            <span className="mono">
              {source.path}
              {source.error?.line ? `:${source.error.line}${source.error.column ? `:${source.error.column}` : ''}` : ''}
            </span>{' '}
            — {source.status}: {source.error?.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
