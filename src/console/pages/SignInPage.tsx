// Signing in: with single sign-on when the endpoint has it, and with an admin token for first setup (the
// token becomes a session cookie; the page does not keep it).
import { type FormEvent, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useApi, useSignInMethods } from '../api/queries.js';
import { ChangeError } from '../components/States.js';

export function SignInPage() {
  const api = useApi();
  const client = useQueryClient();
  const methods = useSignInMethods();
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const next = `${window.location.pathname}${window.location.search}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!token.trim()) return setError(new Error('Paste an admin token first.'));
    setBusy(true);
    setError(undefined);
    try {
      await api.signInWithToken(token);
      setToken('');
      await client.invalidateQueries({ queryKey: ['me'] });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <h1>MCP Warden</h1>
      <p className="lede">The MCP servers your organisation&apos;s AI agents load, and what each may do.</p>
      {methods.data?.sso && (
        <p>
          <a className="button primary" href={`/auth/login?next=${encodeURIComponent(next)}`}>
            Sign in with SSO
          </a>
        </p>
      )}
      <form onSubmit={(event) => void submit(event)} aria-labelledby="token-heading">
        <h2 id="token-heading">{methods.data?.sso ? 'Or with an admin token' : 'Sign in with an admin token'}</h2>
        <label htmlFor="token">Admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" className="help">
          The owner token <code>mcp-warden server</code> printed on its first start, or one from <code>mcp-warden server admin token</code>.
        </p>
        <ChangeError error={error} />
        <button type="submit" className={methods.data?.sso ? undefined : 'primary'} disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
