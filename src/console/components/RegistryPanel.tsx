// The organisation's MCP registry in Settings: what laptops do with it (owners choose), where VS Code and GitHub
// Copilot read it, the entries published (approvers take one out), and what following an upstream raised.
import { type FormEvent, useEffect, useState } from 'react';
import { RegistryAlertRow, RegistryEntryRow, type RegistrySettingsView } from '../../shared/admin-api.js';
import type { RegistryMode } from '../../shared/registry.js';
import { tableOf, useChange, useMe, usePaged, useRegistrySettings } from '../api/queries.js';
import { dateTime, refusalFor } from '../format.js';
import { Link, pathTo } from '../router.js';
import { type Column, DataTable } from './DataTable.js';
import { ChangeError, Empty, ErrorState, ListState, Loading, SaveFooter } from './States.js';

const MODE_LABELS: Record<RegistryMode, string> = {
  off: 'Off: laptops are not pointed at it',
  gallery: 'Gallery: VS Code lists the registry’s servers to install; everything runs as the policy says',
  only: 'Registry only: servers not in the registry are blocked on every laptop',
};

export function RegistryPanel() {
  const settings = useRegistrySettings();
  const me = useMe();
  return (
    <section className="panel" aria-labelledby="registry-heading">
      <h2 id="registry-heading">MCP registry</h2>
      <p className="sub">
        Servers published from a server’s Action menu (Add to MCP registry) are listed here, in the official registry format that VS Code
        and GitHub Copilot read.
      </p>
      {settings.isPending ? (
        <Loading what="the registry’s settings" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} retry={() => void settings.refetch()} />
      ) : (
        <>
          <RegistryMode settings={settings.data} refusal={refusalFor(me.data, 'owner', 'Changing what laptops do with the registry')} />
          <ClientValues settings={settings.data} />
        </>
      )}
      <Entries refusal={refusalFor(me.data, 'approver', 'Taking an entry out')} />
      <Alerts upstream={settings.data?.upstream} />
    </section>
  );
}

function RegistryMode({ settings, refusal }: { settings: RegistrySettingsView; refusal: string | undefined }) {
  const [form, setForm] = useState({ mode: settings.mode, upstreamBlocks: settings.upstreamBlocks });
  useEffect(() => setForm({ mode: settings.mode, upstreamBlocks: settings.upstreamBlocks }), [settings.mode, settings.upstreamBlocks]);
  const [saved, setSaved] = useState(false);
  const save = useChange((api, input: typeof form) => api.send('PUT', '/v1/admin/registry/settings', input));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    save.mutate(form, { onSuccess: () => setSaved(true) });
  };
  return (
    <form onSubmit={submit} aria-label="What laptops do with the registry">
      {refusal && <p className="sub">{refusal}</p>}
      <fieldset disabled={Boolean(refusal)}>
        <legend>On laptops</legend>
        {(Object.keys(MODE_LABELS) as RegistryMode[]).map((mode) => (
          <label className="choice" key={mode}>
            <input type="radio" name="registry-mode" checked={form.mode === mode} onChange={() => setForm({ ...form, mode })} />{' '}
            {MODE_LABELS[mode]}
          </label>
        ))}
        {form.mode === 'only' && (
          <p className="help">
            Employees see “not in the organisation’s MCP registry” with the block, and can ask for a server with Request approval.
          </p>
        )}
        <label className="choice">
          <input
            type="checkbox"
            checked={form.upstreamBlocks}
            disabled={!settings.upstream}
            onChange={(event) => setForm({ ...form, upstreamBlocks: event.target.checked })}
          />{' '}
          When the upstream registry removes a server the fleet runs, block it for all agents
        </label>
        <p className="help">
          {settings.upstream
            ? `Following ${settings.upstream}. Without this, a removal is only raised below.`
            : 'No upstream registry is followed: start the server with --upstream-registry URL to follow one.'}
        </p>
        <SaveFooter error={save.error} saved={saved} pending={save.isPending} />
      </fieldset>
    </form>
  );
}

function ClientValues({ settings }: { settings: RegistrySettingsView }) {
  return (
    <dl className="facts">
      <dt>Registry URL</dt>
      <dd className="mono">{settings.url}</dd>
      <dt>Namespace</dt>
      <dd className="mono">{settings.namespace ?? 'none: start the server with --registry-namespace com.example'}</dd>
      <dt>Who may read it</dt>
      <dd>
        {settings.allowFrom ? settings.allowFrom.join(', ') : 'Anyone who reaches this endpoint (no credentials, as clients send none)'}
      </dd>
      <dt>VS Code</dt>
      <dd>
        Policy <span className="mono">McpGalleryServiceUrl</span> = <span className="mono">{settings.url}</span>
        {settings.mode === 'only' && (
          <>
            , <span className="mono">ChatMCP</span> = <span className="mono">registry</span>
          </>
        )}
        ; agents in enforce mode with administrator rights write them on Linux (docs/deploy-mdm.md for macOS and Windows).
      </dd>
      <dt>GitHub Copilot</dt>
      <dd>
        Organisation settings → Copilot → Policies → MCP Registry URL: <span className="mono">{settings.url}</span>
        {settings.mode === 'only' ? ', with Registry only' : ''}.
      </dd>
    </dl>
  );
}

function Entries({ refusal }: { refusal: string | undefined }) {
  const entries = usePaged('/v1/admin/registry', RegistryEntryRow, {}, 100);
  const table = tableOf(entries);
  const takeOut = useChange((api, name: string) => api.send('DELETE', `/v1/admin/registry/${encodeURIComponent(name)}`));
  const columns: Column<RegistryEntryRow>[] = [
    { header: 'Name', cell: (entry) => <span className="mono strong">{entry.name}</span> },
    { header: 'Version', cell: (entry) => `${entry.version}${entry.isLatest ? ' (latest)' : ''}` },
    {
      header: 'Status',
      cell: (entry) => (
        <>
          <span className={entry.status === 'active' ? 'badge ok' : 'badge blocked'}>{entry.status}</span>
          {entry.statusReason && <span className="sub"> {entry.statusReason}</span>}
        </>
      ),
    },
    {
      header: 'Server',
      cell: (entry) => <Link href={pathTo('server', { serverKey: entry.serverKey })}>{entry.server.title ?? entry.serverKey}</Link>,
    },
    { header: 'Published', cell: (entry) => `${dateTime(entry.publishedAt)} by ${entry.publishedBy}` },
    {
      header: 'Action',
      cell: (entry) =>
        entry.isLatest && (
          <button
            type="button"
            aria-label={`Take out ${entry.name}`}
            disabled={Boolean(refusal) || takeOut.isPending}
            title={refusal}
            onClick={() => {
              if (window.confirm(`Take ${entry.name} out of the registry? Every version goes; registry-only laptops stop running it.`))
                takeOut.mutate(entry.name);
            }}
          >
            Take out
          </button>
        ),
    },
  ];
  return (
    <>
      <h3>Entries</h3>
      {refusal && <p className="sub">{refusal}</p>}
      <ChangeError error={takeOut.error} />
      <ListState
        read={entries}
        rows={table.rows}
        what="the registry’s entries"
        empty={
          <Empty title="Nothing is published yet.">
            <p>Open a server from Audit Data and choose Add to MCP registry on its Action menu.</p>
          </Empty>
        }
      >
        <DataTable label="Registry entries" columns={columns} rowKey={(entry) => `${entry.name}@${entry.version}`} {...table} />
      </ListState>
    </>
  );
}

const ALERT_COLUMNS: Column<RegistryAlertRow>[] = [
  { header: 'When', cell: (alert) => dateTime(alert.at) },
  { header: 'Entry', cell: (alert) => <span className="mono">{alert.name}</span> },
  { header: 'Server', cell: (alert) => <Link href={pathTo('server', { serverKey: alert.serverKey })}>{alert.serverKey}</Link> },
  { header: 'What happened', cell: (alert) => alert.detail },
  { header: 'Done', cell: (alert) => (alert.ruleId ? 'Blocked for all agents' : 'Raised only') },
];

function Alerts({ upstream }: { upstream: string | undefined }) {
  const alerts = usePaged('/v1/admin/registry/alerts', RegistryAlertRow, {}, 50);
  const table = tableOf(alerts);
  if (!upstream && table.rows.length === 0) return null;
  return (
    <>
      <h3>From the upstream registry</h3>
      <ListState
        read={alerts}
        rows={table.rows}
        what="what the upstream registry raised"
        empty={<Empty title="Nothing the fleet runs was removed upstream." />}
      >
        <DataTable label="Upstream registry alerts" columns={ALERT_COLUMNS} rowKey={(alert) => alert.id} {...table} />
      </ListState>
    </>
  );
}
