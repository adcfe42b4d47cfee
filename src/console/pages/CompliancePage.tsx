// Compliance: every tool call of a period, as an auditor asks for it — in total, by decision, per server and per
// person — with the exports (CSV, JSON lines) that list each call of exactly that period. The period is in the
// page's address, so a report can be shared.
import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ComplianceReport } from '../../shared/admin-api.js';
import { DECISION_LABELS } from '../../shared/present.js';
import { useApi } from '../api/queries.js';
import { ErrorState, Loading } from '../components/States.js';
import { personOf } from '../format.js';
import { Link, pathTo, useSearchState } from '../router.js';

const DAY_MS = 86_400_000;
const day = (time: number) => new Date(time).toISOString().slice(0, 10);

export function CompliancePage() {
  const api = useApi();
  const [search, setSearch] = useSearchState();
  const from = search.get('from') ?? day(Date.now() - 29 * DAY_MS);
  const to = search.get('to') ?? day(Date.now());
  const report = useQuery({
    queryKey: ['compliance', from, to],
    queryFn: () => api.get('/v1/admin/compliance', ComplianceReport, { from: `${from}T00:00:00Z`, to: `${to}T23:59:59.999Z` }),
  });
  return (
    <>
      <div className="page-head">
        <h1>Compliance</h1>
        {report.data && (
          <div className="head-actions">
            <a className="button" href={report.data.exports.csv} download>
              Every call (CSV)
            </a>
            <a className="button" href={report.data.exports.jsonl} download>
              Every call (JSON lines)
            </a>
          </div>
        )}
      </div>
      <form className="filters" aria-label="Period" onSubmit={(event) => event.preventDefault()}>
        <label>
          From <input type="date" value={from} max={to} onChange={(event) => setSearch({ from: event.target.value || undefined })} />
        </label>
        <label>
          To <input type="date" value={to} min={from} onChange={(event) => setSearch({ to: event.target.value || undefined })} />
        </label>
        <p className="help">Whole days, in UTC. Every tool call an agent made through the guard, allowed or denied.</p>
      </form>
      {report.isPending ? (
        <Loading what="the report" />
      ) : report.isError ? (
        <ErrorState error={report.error} retry={() => void report.refetch()} />
      ) : (
        <Report report={report.data} />
      )}
    </>
  );
}

const TOTALS = [
  ['Tool calls', 'calls'],
  ['Allowed', 'allowed'],
  ['Denied', 'denied'],
] as const;

/** The totals, then the same table three ways: by decision, per server, per person. */
function Report({ report }: { report: ComplianceReport }) {
  const tables: { id: string; title: string; head: string; of?: number; rows: CountRow[] }[] = [
    {
      id: 'by-decision',
      title: 'By decision',
      head: 'Decision',
      rows: report.byDecision.map((row) => ({
        key: row.decision,
        name: DECISION_LABELS[row.decision as keyof typeof DECISION_LABELS] ?? (row.decision || 'No decision'),
        calls: row.calls,
      })),
    },
    {
      id: 'by-server',
      title: 'Per server',
      head: 'Server',
      of: report.servers,
      rows: report.byServer.map((row) => ({
        key: row.serverKey,
        name: row.serverKey ? <Link href={pathTo('server', { serverKey: row.serverKey })}>{row.serverKey}</Link> : 'No server',
        ...row,
      })),
    },
    {
      id: 'by-human',
      title: 'Per person',
      head: 'Person',
      of: report.humans,
      rows: report.byHuman.map((row) => ({
        key: row.human,
        name: <Link href={pathTo('human', { humanKey: row.human })}>{personOf(row.human)}</Link>,
        ...row,
      })),
    },
  ];
  return (
    <>
      <section className="cards" aria-label="Totals">
        {TOTALS.map(([title, field]) => (
          <article className="card" key={field}>
            <h2>{title}</h2>
            <p className="figure">{report.totals[field].toLocaleString('en')}</p>
          </article>
        ))}
      </section>
      {tables.map((table) => (
        <section className="panel" aria-labelledby={table.id} key={table.id}>
          <h2 id={table.id}>{table.title}</h2>
          {table.of !== undefined && table.of > table.rows.length && (
            <p className="sub">
              The {table.rows.length} busiest of {table.of.toLocaleString('en')}; the exports list every call.
            </p>
          )}
          <Counts label={`Tool calls ${table.title.toLowerCase()}`} head={table.head} rows={table.rows} />
        </section>
      ))}
    </>
  );
}

interface CountRow {
  key: string;
  name: ReactNode;
  calls: number;
  allowed?: number;
  denied?: number;
}

function Counts(props: { label: string; head: string; rows: CountRow[] }) {
  if (props.rows.length === 0) return <p className="sub">No tool call in this period.</p>;
  const split = props.rows[0]!.allowed !== undefined;
  return (
    <div className="table-scroll" role="region" aria-label={props.label} tabIndex={0}>
      <table>
        <thead>
          <tr>
            <th scope="col">{props.head}</th>
            <th scope="col" className="number">
              Calls
            </th>
            {split && (
              <>
                <th scope="col" className="number">
                  Allowed
                </th>
                <th scope="col" className="number">
                  Denied
                </th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.key}>
              <td>{row.name}</td>
              <td className="number">{row.calls.toLocaleString('en')}</td>
              {split && (
                <>
                  <td className="number">{row.allowed!.toLocaleString('en')}</td>
                  <td className="number">{row.denied!.toLocaleString('en')}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
