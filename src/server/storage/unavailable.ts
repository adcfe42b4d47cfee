// Whether an error means "the database cannot be reached right now" (answered 503 with Retry-After, so agents
// keep their spool and retry) rather than a fault in the request or the code.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** PostgreSQL SQLSTATE classes 08 (connection) and 57P (operator intervention: shutdown, starting up), and 53300. */
const SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Query read timeout/i,
];
const SQLITE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

export function isStorageUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code) || SQLITE_CODES.has(code))) return true;
  if (MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  const cause = (error as { cause?: unknown }).cause;
  if (cause && cause !== error && isStorageUnavailable(cause)) return true;
  // pg reports a refused pool connection as an AggregateError of one per address tried.
  return error instanceof AggregateError && error.errors.some((inner) => isStorageUnavailable(inner));
}
