// Settings (owners change them, everyone reads them): the organisation's default for servers nobody decided,
// the block message and more-info link employees see, the admins with their roles, the MCP registry, and the SIEM webhook's state.
import { type FormEvent, useEffect, useState } from 'react';
import { z } from 'zod';
import { ADMIN_ROLES, AdminAccount, type AdminRole, ROLE_DUTIES } from '../../shared/admins.js';
import { DEFAULT_VERDICTS, type Policy } from '../../shared/policy.js';
import { useAdmins, useChange, useMe, usePolicy, useSignInMethods } from '../api/queries.js';
import { ChangeError, ErrorState, Loading, SaveFooter } from '../components/States.js';
import { RegistryPanel } from '../components/RegistryPanel.js';
import { WebhookPanel } from '../components/WebhookPanel.js';
import { ago, refusalFor } from '../format.js';

const DEFAULT_LABELS: Record<(typeof DEFAULT_VERDICTS)[number], string> = {
  allow: 'Allow: servers nobody decided run',
  pending: 'Pending review: they run, marked for review',
  block: 'Block: nothing runs until an admin approves it',
};

export function SettingsPage() {
  const me = useMe();
  const policy = usePolicy();
  const refusal = refusalFor(me.data, 'owner', 'Changing settings');
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      {refusal && (
        <p className="notice" role="note">
          {refusal} You can read them.
        </p>
      )}
      {policy.isPending ? (
        <Loading what="settings" />
      ) : policy.isError ? (
        <ErrorState error={policy.error} retry={() => void policy.refetch()} />
      ) : (
        <PolicySettings policy={policy.data} refusal={refusal} />
      )}
      <Admins refusal={refusal} self={me.data?.email} />
      <RegistryPanel />
      <WebhookPanel />
    </>
  );
}

function PolicySettings({ policy, refusal }: { policy: Policy; refusal: string | undefined }) {
  const formOf = (from: Policy) => ({
    defaultVerdict: from.defaultVerdict,
    blockMessage: from.blockMessage ?? '',
    moreInfoUrl: from.moreInfoUrl ?? '',
    reviewChangedCapabilities: from.review !== undefined,
  });
  const [form, setForm] = useState(() => formOf(policy));
  const reviewing = policy.review !== undefined;
  useEffect(() => setForm(formOf(policy)), [policy.defaultVerdict, policy.blockMessage, policy.moreInfoUrl, reviewing]);
  const [saved, setSaved] = useState(false);
  const save = useChange((api, settings: typeof form) =>
    api.send('PUT', '/v1/admin/policy/settings', {
      defaultVerdict: settings.defaultVerdict,
      ...(settings.blockMessage.trim() ? { blockMessage: settings.blockMessage.trim() } : {}),
      ...(settings.moreInfoUrl.trim() ? { moreInfoUrl: settings.moreInfoUrl.trim() } : {}),
      reviewChangedCapabilities: settings.reviewChangedCapabilities,
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    save.mutate(form, { onSuccess: () => setSaved(true) });
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="policy-heading">
      <h2 id="policy-heading">The organisation&apos;s policy</h2>
      <fieldset disabled={Boolean(refusal)}>
        <legend>Servers nobody has decided on</legend>
        {DEFAULT_VERDICTS.map((verdict) => (
          <label className="choice" key={verdict}>
            <input
              type="radio"
              name="default"
              checked={form.defaultVerdict === verdict}
              onChange={() => setForm({ ...form, defaultVerdict: verdict })}
            />{' '}
            {DEFAULT_LABELS[verdict]}
          </label>
        ))}
        <div className="field-block">
          <label htmlFor="block-message">Block message</label>
          <textarea
            id="block-message"
            rows={2}
            value={form.blockMessage}
            onChange={(event) => setForm({ ...form, blockMessage: event.target.value })}
          />
          <p className="help">Shown to employees with every block, on their laptop.</p>
        </div>
        <div className="field-block">
          <label htmlFor="more-info">More-info link</label>
          <input
            id="more-info"
            type="url"
            placeholder="https://intranet.example/ai-tools"
            value={form.moreInfoUrl}
            onChange={(event) => setForm({ ...form, moreInfoUrl: event.target.value })}
          />
        </div>
        <label className="choice">
          <input
            type="checkbox"
            checked={form.reviewChangedCapabilities}
            onChange={(event) => setForm({ ...form, reviewChangedCapabilities: event.target.checked })}
          />{' '}
          Hold a tool whose definition changed for review
        </label>
        <p className="help">
          When a tool’s description or schema changes on any laptop, it stops running on every laptop until an admin decides it again
          (Changed tools shows what changed): an approval holds only for the definition it was given to.
        </p>
        <SaveFooter error={save.error} saved={saved} pending={save.isPending} />
      </fieldset>
    </form>
  );
}

function Admins({ refusal, self }: { refusal: string | undefined; self: string | undefined }) {
  const admins = useAdmins(true);
  const sso = useSignInMethods().data?.sso ?? false;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<AdminRole>('viewer');
  const [token, setToken] = useState<{ email: string; token: string }>();
  const add = useChange(
    (api, input: { email: string; role: AdminRole }) =>
      api.send('POST', '/v1/admin/admins', input, z.object({ admin: AdminAccount, token: z.string() })),
    [['admins']],
  );
  const remove = useChange((api, who: string) => api.send('DELETE', `/v1/admin/admins/${encodeURIComponent(who)}`), [['admins']]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      { email: email.trim(), role },
      {
        onSuccess: (answer) => {
          setToken({ email: answer.admin.email, token: answer.token });
          setEmail('');
        },
      },
    );
  };
  return (
    <section className="panel" aria-labelledby="admins-heading">
      <h2 id="admins-heading">Admins</h2>
      {admins.isPending ? (
        <Loading what="admins" />
      ) : admins.isError ? (
        <ErrorState error={admins.error} />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              <th scope="col">Tokens</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {admins.data.items.map((admin) => (
              <tr key={admin.id}>
                <td>{admin.email}</td>
                <td title={ROLE_DUTIES[admin.role]}>{admin.role}</td>
                <td>
                  {ago(admin.createdAt)} by {admin.createdBy}
                </td>
                <td>{admin.tokens.filter((token) => !token.revokedAt).length}</td>
                <td>
                  <button
                    type="button"
                    className="small"
                    disabled={Boolean(refusal) || admin.email === self || remove.isPending}
                    title={refusal ?? (admin.email === self ? 'An admin cannot remove their own account; ask another owner.' : undefined)}
                    onClick={() =>
                      window.confirm(`Remove ${admin.email}? Their tokens and sessions end now.`) && remove.mutate(admin.email)
                    }
                  >
                    Remove<span className="visually-hidden"> {admin.email}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ChangeError error={remove.error} />
      <form onSubmit={submit} className="inline-form">
        <fieldset disabled={Boolean(refusal)}>
          <legend>Add an admin</legend>
          <label className="field">
            <span>Email</span>
            <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
          </label>
          <label className="field">
            <span>Role</span>
            <select value={role} onChange={(event) => setRole(event.target.value as AdminRole)}>
              {ADMIN_ROLES.map((option) => (
                <option key={option} value={option}>
                  {option}: {ROLE_DUTIES[option]}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={add.isPending}>
            Add
          </button>
        </fieldset>
        <ChangeError error={add.error} />
      </form>
      {token && (
        <div className="notice" role="status">
          <p>
            {token.email} can sign in with this token{sso ? ', or with single sign-on' : ''}. It is shown only now: pass it on safely.
          </p>
          <pre className="command">
            <code>{token.token}</code>
          </pre>
        </div>
      )}
    </section>
  );
}
