// Retrying politely: exponential backoff with full jitter (a random delay up to the exponential cap), and the
// server's Retry-After when it gives one.

export function backoffDelay(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * How long to wait when the server said Retry-After: at least that, plus up to a quarter more (at most 15 s),
 * so that a fleet told the same moment (10,000 laptops enrolling at once) does not come back all at once.
 */
export function retryAfterDelay(askedMs: number, random = Math.random): number {
  return askedMs + Math.floor(random() * Math.min(askedMs / 4, 15_000));
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
