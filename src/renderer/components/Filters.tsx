import type { RiskFilter, StatusFilter } from '../view-model.js';
import { agentsOf } from '../view-model.js';
import { useWarden } from './StoreContext.js';
import { DECISION_LABELS } from '../../shared/present.js';

export function FiltersBar() {
  const filters = useWarden((state) => state.filters);
  const setFilters = useWarden((state) => state.setFilters);
  const snapshot = useWarden((state) => state.snapshot);
  if (!snapshot) return null;
  return (
    <div className="filters" role="search">
      <input
        type="search"
        placeholder="Search servers"
        aria-label="Search servers"
        value={filters.query}
        onChange={(event) => setFilters({ query: event.target.value })}
      />
      <select aria-label="Status" value={filters.status} onChange={(event) => setFilters({ status: event.target.value as StatusFilter })}>
        <option value="all">Every status</option>
        <option value="approved">{DECISION_LABELS.approved}</option>
        <option value="blocked">{DECISION_LABELS.rejected}</option>
        <option value="conditional">{DECISION_LABELS.conditional}</option>
        <option value="pending">{DECISION_LABELS.pending}</option>
      </select>
      <select aria-label="Agent" value={filters.agent} onChange={(event) => setFilters({ agent: event.target.value })}>
        <option value="all">Every agent</option>
        {agentsOf(snapshot).map((agent) => (
          <option key={agent.client} value={agent.client}>
            {agent.clientName}
          </option>
        ))}
      </select>
      <select aria-label="Risk" value={filters.risk} onChange={(event) => setFilters({ risk: event.target.value as RiskFilter })}>
        <option value="all">Any risk</option>
        <option value="any">With risks</option>
        <option value="high">High or critical</option>
      </select>
    </div>
  );
}
