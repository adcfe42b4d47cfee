import type { KeyboardEvent } from 'react';
import { ago, groupByAgent, riskChips } from '../view-model.js';
import { DecisionBadge, RiskChip } from './Badge.js';
import { useWarden } from './StoreContext.js';

export function ServerList() {
  const snapshot = useWarden((state) => state.snapshot);
  const filters = useWarden((state) => state.filters);
  const selectedId = useWarden((state) => state.selectedId);
  const select = useWarden((state) => state.select);
  if (!snapshot) return null;
  const groups = groupByAgent(snapshot, filters);
  const order = groups.flatMap((group) => group.servers.map((server) => server.id));
  // Up and down move through the list; Enter opens (the rows are buttons).
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const index = order.indexOf(selectedId ?? '');
    const next = order[Math.min(order.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (next) {
      select(next);
      document.getElementById(`row-${next}`)?.focus();
    }
  };
  if (groups.length === 0)
    return (
      <p className="empty">
        {snapshot.servers.length ? 'No server matches these filters.' : 'No MCP server is configured on this machine.'}
      </p>
    );
  return (
    <div className="list" onKeyDown={onKeyDown}>
      {groups.map((group) => (
        <section key={group.client} aria-labelledby={`agent-${group.client}`}>
          <h2 id={`agent-${group.client}`}>
            {group.clientName} <span className="count">{group.servers.length}</span>
          </h2>
          <ul>
            {group.servers.map((server) => (
              <li key={server.id}>
                <button
                  id={`row-${server.id}`}
                  className={server.id === selectedId ? 'row selected' : 'row'}
                  onClick={() => select(server.id)}
                  aria-pressed={server.id === selectedId}
                >
                  <span className="name">
                    {server.name}
                    {server.disabled && <span className="subtle"> (disabled)</span>}
                  </span>
                  <span className="transport">{server.transport}</span>
                  <DecisionBadge decision={server.decision} />
                  <span className="access">{server.accessType}</span>
                  <span className="chips">
                    {riskChips(server).map((chip) => (
                      <RiskChip key={chip.id} {...chip} />
                    ))}
                  </span>
                  <span className="subtle detected">detected {ago(server.lastDetected, new Date())}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
