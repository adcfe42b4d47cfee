// Redaction of the parts of a server definition that are shown (arguments, URL): secrets are replaced by
// `<redacted>` and each replacement is described (never quoted) so it can become a `plaintext-secret` finding.
import { REDACTED, isPlaintextSecret, isSecretName, redactSecrets } from './secrets.js';

export interface Redacted<T> {
  value: T;
  /** Where secrets were found, e.g. `argument 3 (--api-key)`; empty when nothing was redacted. */
  evidence: string[];
}

/** Flags whose value is `NAME=value` or `Name: value` (docker -e, mcp-remote --header, curl -H). */
const PAIR_FLAGS = new Set(['-e', '--env', '-H', '--header', '--headers', '--set-env', '--env-var']);

/** The arguments with credentials redacted, from `from` on (those before are known to hold none). */
export function redactArgs(args: readonly string[], from = 0): Redacted<string[]> {
  const evidence: string[] = [];
  const value = args.map((arg, index) => {
    if (index < from) return arg;
    const previous = index > 0 ? args[index - 1]! : '';
    const label = `argument ${index + 1}`;
    const redactedArg = redactArg(arg, previous);
    if (redactedArg.reason) evidence.push(`${label} (${redactedArg.reason})`);
    return redactedArg.text;
  });
  return { value, evidence };
}

function redactArg(arg: string, previous: string): { text: string; reason?: string } {
  // `--api-key VALUE`: the flag before names the secret.
  if (/^--?[A-Za-z]/.test(previous) && !previous.includes('=') && !PAIR_FLAGS.has(previous) && isSecretName(previous)) {
    if (isPlaintextSecret(previous, arg) || redactSecrets(arg).redacted) return { text: REDACTED, reason: `value of ${previous}` };
  }
  // `--token=VALUE`
  const flag = /^(--?[A-Za-z][\w.-]*)=(.*)$/s.exec(arg);
  if (flag && isSecretName(flag[1]!) && isPlaintextSecret(flag[1]!, flag[2]!)) return { text: `${flag[1]}=${REDACTED}`, reason: flag[1]! };
  // `GITHUB_TOKEN=VALUE` (docker -e, env) and `Authorization: Bearer VALUE` (--header)
  const pair = /^([A-Za-z_][\w.-]*)(=|:\s*)(.*)$/s.exec(arg);
  if (pair && !arg.includes('://') && isPlaintextSecret(pair[1]!, pair[3]!))
    return { text: `${pair[1]}${pair[2]}${REDACTED}`, reason: pair[1]! };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) {
    const url = redactUrl(arg);
    return url.evidence.length ? { text: url.value, reason: `URL ${url.evidence.join(', ')}` } : { text: url.value };
  }
  const free = redactSecrets(arg);
  return free.redacted ? { text: free.text, reason: 'credential-like value' } : { text: arg };
}

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/is;

/**
 * A URL with its credentials removed: user info, every query value, the fragment, and secret-looking path
 * segments (`/s/<key>/mcp`). Works on text, so unresolved `${VAR}` references survive as written.
 */
export function redactUrl(raw: string): Redacted<string> {
  const parts = URL_PARTS.exec(raw.trim());
  if (!parts) {
    const free = redactSecrets(raw);
    return { value: free.text, evidence: free.redacted ? ['credential-like value'] : [] };
  }
  const [, scheme = '', authority = '', path = '', query, fragment] = parts;
  const evidence: string[] = [];

  let host = authority;
  const at = authority.lastIndexOf('@');
  if (at !== -1) {
    host = `${REDACTED}@${authority.slice(at + 1)}`;
    evidence.push('user info');
  }

  const safePath = path
    .split('/')
    .map((segment) => {
      const free = redactSecrets(safeDecode(segment));
      if (!free.redacted) return segment;
      evidence.push('path segment');
      return REDACTED;
    })
    .join('/');

  let safeQuery = '';
  if (query !== undefined) {
    const pairs = query.slice(1).split('&').filter(Boolean);
    safeQuery = `?${pairs
      .map((pair) => {
        const equals = pair.indexOf('=');
        if (equals === -1) return pair;
        const key = pair.slice(0, equals);
        const value = safeDecode(pair.slice(equals + 1));
        if (isPlaintextSecret(safeDecode(key), value) || redactSecrets(value).redacted) evidence.push(`query parameter ${safeDecode(key)}`);
        return value === '' ? pair : `${key}=${REDACTED}`;
      })
      .join('&')}`;
  }
  const safeFragment = fragment && fragment.length > 1 ? `#${REDACTED}` : (fragment ?? '');
  return { value: `${scheme}${host}${safePath}${safeQuery}${safeFragment}`, evidence };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Names of a map whose values are never shown; the names of those holding literal credentials. */
export function secretValuedKeys(map: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(map)
    .filter(([key, value]) => (typeof value === 'string' || typeof value === 'number') && isPlaintextSecret(key, String(value)))
    .map(([key]) => key);
}
