// Probes one server: resolve its launch, connect, list everything it exposes, close (killing its process
// tree). Always returns a ProbeResult; a failure says specifically why, and never quotes a secret.
import type { ProbeResult, ServerEntry } from '../../shared/inventory.js';
import type { LaunchSpec } from '../discovery/normalise.js';
import { REDACTED, redactSecrets } from '../discovery/secrets.js';
import { type ListLimits, type Listed, listCapabilities } from './capabilities.js';
import { type ConnectLimits, type Session, connect } from './connect.js';
import { type ResolveContext, resolveLaunch } from './resolve-launch.js';

export interface ProbeLimits extends ListLimits, ConnectLimits {
  /** A hard ceiling on one probe, whatever the server does. */
  maxProbeMs: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = {
  connectTimeoutMs: 30_000,
  requestTimeoutMs: 10_000,
  maxProbeMs: 60_000,
  maxItems: 1000,
  maxPages: 50,
  maxDescriptionChars: 16_384,
  maxBytes: 32 * 1024 * 1024,
  maxStderrBytes: 4096,
};

type Outcome = Pick<ProbeResult, 'status' | 'reason'>;

/** Removes the server's own secret values (env, headers, arguments) and any credential-looking text. */
export function scrub(text: string, spec: LaunchSpec): string {
  const values = [...Object.values(spec.env), ...Object.values(spec.headers), ...spec.args].filter((value) => value.length >= 6);
  let clean = text;
  for (const value of values.sort((a, b) => b.length - a.length)) clean = clean.split(value).join(REDACTED);
  return redactSecrets(clean).text;
}

/** The stderr line that says what went wrong (`Error: Cannot find module …`), else the last non-empty ones. */
function stderrExcerpt(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const telling = lines.filter((line) =>
    /\b(?:error|exception|fatal|cannot|can't|denied|refused|not found|no such|failed|traceback)\b/i.test(line),
  );
  const chosen = telling.length ? telling.slice(0, 2) : lines.slice(-2);
  return chosen.join(' | ').slice(0, 400);
}

/** A failure in words a person can act on. */
export function classify(error: unknown, limits: ProbeLimits, stage: string): Outcome {
  const err = error as Error & {
    code?: unknown;
    errno?: string;
    stderr?: string;
    exit?: { code: number | null; signal: string | null };
    cause?: { code?: string };
  };
  const message = err?.message ?? String(error);
  const status = typeof err.code === 'number' && err.code >= 100 && err.code < 600 ? err.code : undefined;
  if (err?.name === 'UnauthorizedError' || status === 401 || /\b401\b|unauthori[sz]ed/i.test(message)) {
    return { status: 'needs-auth', reason: 'the server asks for authentication (HTTP 401 / OAuth); sign in from the client' };
  }
  if (status === 403) return { status: 'needs-auth', reason: 'the server refused access (HTTP 403)' };
  if (err.code === 'PROBE_CEILING') return { status: 'timeout', reason: message };
  if (err.code === -32001 || /timed out/i.test(message)) {
    const seconds = (stage === 'initialize' ? limits.connectTimeoutMs : limits.requestTimeoutMs) / 1000;
    return { status: 'timeout', reason: `no answer to ${stage} within ${seconds} s` };
  }
  if (err.errno === 'ENOENT' || (err as { code?: unknown }).code === 'ENOENT') return { status: 'error', reason: 'command not found' };
  const network = err.cause?.code ?? (typeof err.code === 'string' ? err.code : undefined);
  if (network === 'ECONNREFUSED') return { status: 'error', reason: 'connection refused' };
  if (network === 'ENOTFOUND' || network === 'EAI_AGAIN') return { status: 'error', reason: 'host not found' };
  const stderr = err.stderr?.trim() ? `; stderr: ${stderrExcerpt(err.stderr)}` : '';
  if (err.exit && (err.exit.code !== null || err.exit.signal !== null)) {
    const how = err.exit.signal ? `was killed by ${err.exit.signal}` : `exited with code ${err.exit.code}`;
    return { status: 'error', reason: `the server ${how} before answering ${stage}${stderr}` };
  }
  if (status !== undefined) return { status: 'error', reason: `HTTP ${status} during ${stage}` };
  return { status: 'error', reason: `${stage} failed: ${message.split('\n')[0]!.slice(0, 300)}${stderr}` };
}

function deadline<T>(work: Promise<T>, ms: number, onExpire: () => void): Promise<T> {
  // After expiry the work still settles (its requests fail as the session closes): nobody awaits it then.
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onExpire();
      reject(Object.assign(new Error(`the probe did not finish within ${ms / 1000} s`), { code: 'PROBE_CEILING' }));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

const EMPTY: Omit<Listed, 'truncated'> = { tools: [], resources: [], resourceTemplates: [], prompts: [] };

export async function probeServer(
  entry: ServerEntry,
  spec: LaunchSpec,
  context: ResolveContext,
  limits: ProbeLimits = DEFAULT_PROBE_LIMITS,
  now = () => new Date(),
): Promise<ProbeResult> {
  const started = performance.now();
  const base = () => ({ durationMs: Math.round(performance.now() - started), probedAt: now().toISOString(), risks: [], ...EMPTY });
  const resolution = await resolveLaunch(spec, entry, context);
  if (!resolution.ok) return { ...base(), status: resolution.status, reason: resolution.reason };

  let session: Session | undefined;
  let stage = 'initialize';
  try {
    const work = (async () => {
      session = await connect(resolution.launch, limits);
      stage = 'listing';
      return listCapabilities(session.client, limits);
    })();
    const listed = await deadline(work, limits.maxProbeMs, () => void session?.close());
    const client = session!.client;
    const info = client.getServerVersion();
    const instructions = client.getInstructions();
    const { truncated, ...lists } = listed;
    const stray = session!.nonProtocolLines();
    return {
      ...base(),
      ...lists,
      // Clients skip such lines too; said, because a server that logs to stdout can also corrupt a message.
      ...(stray
        ? {
            risks: [
              {
                id: 'non-protocol-output',
                severity: 'info' as const,
                evidence: `wrote ${stray === 1 ? '1 line to stdout that is not an MCP message' : `${stray} lines to stdout that are not MCP messages`} (skipped, as clients skip them)`,
              },
            ],
          }
        : {}),
      status: 'ok',
      transport: session!.kind,
      ...(info
        ? { serverInfo: { name: String(info.name), version: String(info.version), ...(info.title ? { title: String(info.title) } : {}) } }
        : {}),
      ...(session!.protocolVersion() ? { protocolVersion: session!.protocolVersion()! } : {}),
      capabilities: (client.getServerCapabilities() ?? {}) as Record<string, unknown>,
      ...(instructions ? { instructions } : {}),
      ...(truncated.length ? { truncated } : {}),
    };
  } catch (error) {
    const outcome = classify((session as Session | undefined)?.fatal() ?? error, limits, stage);
    return { ...base(), status: outcome.status, ...(outcome.reason ? { reason: scrub(outcome.reason, spec) } : {}) };
  } finally {
    await (session as Session | undefined)?.close();
  }
}
