// History: what changed in the organisation's decisions, settings and admins, and who changed it.
import { ADMIN_ACTIONS } from '../../shared/admins.js';
import { HistoryList } from '../components/HistoryList.js';
import { FilterBar } from '../components/FilterBar.js';
import { useAgents } from '../api/queries.js';
import { agentChoice, capitalise } from '../choices.js';
import { useSearchState } from '../router.js';

export function HistoryPage() {
  const [search, setSearch] = useSearchState();
  const agents = useAgents();
  const query = {
    action: search.get('action') ?? undefined,
    agent: search.get('agent') ?? undefined,
    admin: search.get('admin') ?? undefined,
  };
  return (
    <>
      <div className="page-head">
        <h1>History</h1>
      </div>
      <FilterBar
        label="Filter the history"
        search={{ name: 'admin', label: 'Admin', placeholder: 'alice@corp.example' }}
        choices={[
          { name: 'action', label: 'Change', options: ADMIN_ACTIONS.map((action) => ({ value: action, label: capitalise(action) })) },
          agentChoice((agents.data?.items ?? []).map((agent) => agent.agent)),
        ]}
        values={search}
        onChange={setSearch}
      />
      <HistoryList query={query} label="History" />
    </>
  );
}
