// Recognises secrets in the strings a config file holds, so they can be replaced before anything leaves the
// parser. Errs on the side of redacting: a false positive hides an argument, a false negative leaks a key.

export const REDACTED = '<redacted>';

/** Known credential formats, by their prefixes and shapes. */
const KNOWN_SECRET_PATTERNS: readonly RegExp[] = [
  /sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, // Anthropic, OpenAI
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{40,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe secret and restricted keys
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bpypi-[A-Za-z0-9_-]{50,}/g,
  /\bhf_[A-Za-z0-9]{30,}/g, // Hugging Face
  /\blin_(?:api|oauth)_[A-Za-z0-9]{30,}/g, // Linear
  /\bntn_[A-Za-z0-9]{30,}/g, // Notion
  /\bsecret_[A-Za-z0-9]{40,}/g, // Notion (legacy)
  /\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b/g, // Airtable
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(?:[Bb]earer|[Bb]asic|[Tt]oken|BEARER|BASIC|TOKEN)\s+[A-Za-z0-9._~+/=-]{8,}/g, // Authorization header values
];

/** All known formats in one pass: one regex over each string instead of one per format. */
const KNOWN_SECRETS = new RegExp(KNOWN_SECRET_PATTERNS.map((pattern) => `(?:${pattern.source})`).join('|'), 'g');

/** Words that make a flag, variable, header or query key a secret's name (`--api-key`, `GITHUB_TOKEN`, `x-api-key`). */
const SECRET_WORDS = new Set([
  'key',
  'apikey',
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'bearer',
  'session',
  'cookie',
  'sig',
  'signature',
  'pat',
  'jwt',
]);
/** A last word that says the value only points at the secret (`TOKEN_FILE`, `API_KEY_ID`, `auth-url`). */
const POINTER_WORDS = new Set([
  'file',
  'path',
  'dir',
  'directory',
  'url',
  'uri',
  'endpoint',
  'host',
  'env',
  'var',
  'name',
  'id',
  'type',
  'header',
  'scheme',
  'mode',
  'count',
  'length',
  'limit',
  'timeout',
  'ttl',
  'expiry',
  'expires',
  'helper',
]);

/** `--apiKey`, `API_KEY`, `x-api-key` → `['api', 'key']`. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretName(name: string): boolean {
  const parts = words(name);
  const last = parts.at(-1);
  if (last === undefined || POINTER_WORDS.has(last)) return false;
  return parts.some((word) => SECRET_WORDS.has(word));
}

/** Characters a token is made of; anything with other characters is prose, a path or a URL. */
const TOKEN_RUN = /[A-Za-z0-9+/=_.~-]{24,}/g;

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A long random-looking token: mixed letters and digits, high entropy, not a path, package or version. */
export function looksRandom(token: string): boolean {
  if (token.length < 24) return false;
  if (/^[./~]/.test(token) || looksLikePath(token)) return false;
  if (!/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) return false;
  // Words and numbers joined by separators (package specs, slugs, versions) are not random.
  if (token.split(/[-_.=/:@+~]+/).every(isWordish)) return false;
  const isHex = /^[0-9a-f]+$/i.test(token);
  return isHex ? token.length >= 32 : entropy(token) >= 3.7;
}

/** `server`, `2025`, `v2`, `python3`: a word or number, not a fragment of a key. */
function isWordish(part: string): boolean {
  return /^(?:[a-z]+|[A-Z][a-z]+|[A-Z]+|\d+|[a-z]+\d{1,2}|v\d+)$/.test(part);
}

/** Two or more slashes around a word: a path (`a/src/server/index.js`), not base64. */
function looksLikePath(token: string): boolean {
  return (token.match(/\//g)?.length ?? 0) >= 2 && /\/[A-Za-z][a-z]{2,}[/.]/.test(token);
}

/** Replaces every secret inside a free-form string (an argument, a URL part); says whether it did. */
export function redactSecrets(text: string): { text: string; redacted: boolean } {
  let redacted = false;
  let result = text;
  result = result.replace(KNOWN_SECRETS, (match) => {
    redacted = true;
    const scheme = /^(Bearer|Basic|Token)\s+/i.exec(match);
    return scheme ? `${scheme[0]}${REDACTED}` : REDACTED;
  });
  result = result.replace(TOKEN_RUN, (match, offset: number, whole: string) => {
    // A content digest (`image@sha256:…`) is random but public.
    if (!looksRandom(match) || /sha(?:1|224|256|384|512):$/i.test(whole.slice(Math.max(0, offset - 7), offset))) return match;
    redacted = true;
    return REDACTED;
  });
  return { text: result, redacted };
}

/** Variable references a client resolves at launch: `${env:X}`, `${input:x}`, `${X}`, `$X`, `{env:X}`, `${{ secrets.X }}`. */
const REFERENCE = /\$\{\{[^}]*\}\}|\$\{[^}]*\}|\{env:[^}]*\}|\{file:[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/** `postgres://user:password@host/db`: a connection string carrying its password (a reference does not count). */
function hasUrlPassword(text: string): boolean {
  const userInfo = /[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/i.exec(text)?.[1];
  const password = userInfo?.split(':')[1];
  return password !== undefined && password.replace(REFERENCE, '').length > 0;
}

/**
 * True when a value written in a config file is itself a credential, rather than a reference the client
 * fills in at launch. `name` is the variable or header it is assigned to.
 */
export function isPlaintextSecret(name: string, value: string): boolean {
  const literal = value
    .replace(REFERENCE, '')
    .replace(/^\s*(?:Bearer|Basic|Token)\s*/i, '')
    .trim();
  if (literal.length === 0) return false;
  if (redactSecrets(literal).redacted || hasUrlPassword(literal)) return true;
  if (!isSecretName(name)) return false;
  // A secret-named variable holding a word like "true" or a number is a setting, not a credential.
  return literal.length >= 8 && !/^(?:true|false|yes|no|on|off|null|none|\d+)$/i.test(literal);
}
