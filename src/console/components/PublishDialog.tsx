// Add to MCP registry: the entry a server would be published as, previewed from what the fleet runs (its
// package and pinned version, its environment and header names, never their values), with its name,
// description and version the admin may change; a field the registry would refuse says so beside it.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { RegistryEntryRow, RegistryPreview } from '../../shared/admin-api.js';
import { ServerJson } from '../../shared/registry.js';
import { ApiError } from '../api/client.js';
import { useApi, useChange, usePaged, useRegistrySettings } from '../api/queries.js';
import { ChangeError } from './States.js';

interface PublishDialogProps {
  serverKey: string;
  serverName: string;
  onClose: () => void;
}

const FIELDS = ['name', 'description', 'version'] as const;
type Field = (typeof FIELDS)[number];

/** The endpoint names the field first ("version: a range is not a version"): that message goes beside it. */
function fieldOf(error: unknown): { field?: Field; message: string } | undefined {
  if (!(error instanceof ApiError)) return error ? { message: String((error as Error).message ?? error) } : undefined;
  const field = FIELDS.find((name) => error.message.startsWith(`${name}: `) || error.message.startsWith(`entry: ${name}: `));
  return { ...(field ? { field } : {}), message: error.message.replace(/^entry: /, '') };
}

/** What the admin typed, settled: the preview is asked again once typing pauses. */
function useSettled<T>(value: T, ms = 400): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function PublishDialog({ serverKey, serverName, onClose }: PublishDialogProps) {
  const api = useApi();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => dialog.current?.showModal(), []);
  const [form, setForm] = useState<Record<Field, string>>({ name: '', description: '', version: '' });
  const [published, setPublished] = useState<ServerJson | undefined>();
  const settled = useSettled(form);
  const asked = {
    serverKey,
    ...Object.fromEntries(FIELDS.filter((field) => settled[field].trim()).map((field) => [field, settled[field].trim()])),
  };
  const preview = useQuery({
    queryKey: ['registry-preview', asked],
    queryFn: () => api.send('POST', '/v1/admin/registry/preview', asked, RegistryPreview),
    retry: false,
  });
  const existing = usePaged('/v1/admin/registry', RegistryEntryRow, { server: serverKey }, 20);
  const settings = useRegistrySettings();
  const publish = useChange((client, input: typeof asked) => client.send('POST', '/v1/admin/registry', input, ServerJson));

  // The preview's name, description and version become the form's once, so the admin edits what will be published.
  const seeded = useRef(false);
  useEffect(() => {
    if (seeded.current || !preview.data) return;
    seeded.current = true;
    const { name, description, version } = preview.data.server;
    setForm({ name, description, version });
  }, [preview.data]);

  const problem = fieldOf(publish.error ?? preview.error);
  const set = (field: Field, value: string) => {
    publish.reset();
    setForm((current) => ({ ...current, [field]: value }));
  };
  // What is published is exactly what the preview shows: Publish waits until the preview caught up with the form.
  const previewed = FIELDS.every((field) => form[field] === settled[field]) && !preview.isFetching;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!previewed) return;
    await publish.mutateAsync(asked).then(setPublished, () => undefined);
  };
  const done = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (published) done.current?.focus();
  }, [published]);
  const versions = (existing.data?.pages ?? []).flatMap((page) => page.items).filter((entry) => entry.status !== 'deleted');
  const registryUrl = settings.data?.url;

  return (
    <dialog ref={dialog} className="dialog wide" aria-labelledby="publish-title" onClose={onClose}>
      {published ? (
        <div>
          <h2 id="publish-title">Published {published.name}</h2>
          <p role="status">
            Version {published.version} is in the organisation’s MCP registry.
            {registryUrl ? ` VS Code and GitHub Copilot read it at ${registryUrl}.` : ''}
            {settings.data?.mode === 'only' ? ' Registry-only laptops may now run it.' : ''}
          </p>
          <div className="dialog-actions">
            <button type="button" className="primary" ref={done} onClick={() => dialog.current?.close()}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <h2 id="publish-title">Add {serverName} to the MCP registry</h2>
          <p className="help">
            The entry is built from what the fleet runs: the package and its version, the names of the environment variables and headers it
            needs (never their values), or its URL without credentials. Anyone who can read the registry sees it.
          </p>
          {versions.length > 0 && (
            <p className="notice" role="note">
              Published already as {versions[0]!.name}: {versions.map((entry) => `${entry.version} (${entry.status})`).join(', ')}.
              Publishing again adds a new version, which becomes the latest.
            </p>
          )}
          {FIELDS.map((field) => (
            <div className="field-block" key={field}>
              <label htmlFor={`publish-${field}`}>{field === 'name' ? 'Name' : field === 'description' ? 'Description' : 'Version'}</label>
              <input
                id={`publish-${field}`}
                value={form[field]}
                maxLength={field === 'description' ? 100 : 200}
                aria-invalid={problem?.field === field}
                aria-describedby={problem?.field === field ? `publish-${field}-error` : `publish-${field}-help`}
                onChange={(event) => set(field, event.target.value)}
              />
              {problem?.field === field ? (
                <p className="change-error" id={`publish-${field}-error`} role="alert">
                  {problem.message}
                </p>
              ) : (
                <p className="help" id={`publish-${field}-help`}>
                  {field === 'name'
                    ? `Reverse-DNS, under the organisation's namespace${settings.data?.namespace ? ` (${settings.data.namespace}/…)` : ''}.`
                    : field === 'description'
                      ? `What it is for, in at most 100 characters (${form.description.length} now).`
                      : 'An exact version, never a range or latest.'}
                </p>
              )}
            </div>
          ))}
          {problem && !problem.field && <ChangeError error={new Error(problem.message)} />}
          {preview.data && preview.data.notices.length > 0 && (
            <ul className="notice" aria-label="Before publishing">
              {preview.data.notices.map((notice) => (
                <li key={notice}>{notice}</li>
              ))}
            </ul>
          )}
          <details open>
            <summary>The entry (server.json)</summary>
            {preview.isPending ? (
              <p role="status">Building the entry…</p>
            ) : preview.data ? (
              <pre className="json" aria-label="server.json" tabIndex={0}>
                {JSON.stringify(preview.data.server, null, 2)}
              </pre>
            ) : (
              <p className="sub">No entry until what is wrong above is fixed.</p>
            )}
          </details>
          <div className="dialog-actions">
            <button type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={publish.isPending || !preview.data || !previewed}>
              {publish.isPending ? 'Publishing…' : previewed ? 'Publish' : 'Updating the entry…'}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
