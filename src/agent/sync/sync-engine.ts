// Delivers what the spool holds and keeps the policy fresh. Retries with backoff and full jitter, honours
// Retry-After, enrolls again on 401, falls back to a full report on 409, and keeps everything on disk when the
// endpoint is away: the next flush picks up where this one stopped.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Policy } from '../../shared/policy.js';
import {
  EnrollResponse,
  EventBatchResponse,
  FULL_REPORT_REQUIRED,
  type AgentEvent,
  type Inventory,
  ReportResponse,
} from '../../shared/protocol.js';
import { readJsonState, writeFileAtomic } from '../state/state-dir.js';
import { backoffDelay, retryAfterDelay, retryAfterMs } from './backoff.js';
import { CentralClient, type CentralClientOptions, CentralUnavailable, type CentralResponse } from './central-client.js';
import { type Enrollment, deviceFacts } from './device-identity.js';
import { type EnrollmentStore, fileEnrollmentStore } from './enrollment-store.js';
import { type CachedPolicy, loadPolicy, savePolicy } from './policy-cache.js';
import { loadReportState, newPendingReport, prepareReport, saveReportState, snapshotOf } from './report-builder.js';
import type { AgentSettings } from '../settings/agent-settings.js';
import { Spool } from './spool.js';

export interface RetryOptions {
  attempts: number;
  baseMs: number;
  capMs: number;
  /** The longest Retry-After honoured within one flush; longer ones end the flush (the data stays spooled). */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseMs: 1000, capMs: 60_000, maxWaitMs: 5 * 60_000 };

export interface SyncEngineOptions {
  stateDir: string;
  settings: AgentSettings;
  retry?: Partial<RetryOptions>;
  /** Timeouts and limits of the HTTP client. */
  http?: Omit<CentralClientOptions, 'caFile'>;
  /** Where the device token lives; device.json in the state folder unless the desktop app says otherwise. */
  enrollmentStore?: EnrollmentStore;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  now?: () => Date;
}

/** The endpoint refused for good (bad secret, invalid request): retrying the same thing cannot help. */
export class SyncRefused extends Error {
  override name = 'SyncRefused';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SyncStatus {
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastReportRevision?: number;
  lastError?: string;
}

const isStatus = (value: unknown): value is SyncStatus => typeof value === 'object' && value !== null;

function errorMessage(response: CentralResponse): string {
  const body = response.body as { error?: { code?: string; message?: string } } | undefined;
  return body?.error?.message ? `${body.error.code ?? 'error'}: ${body.error.message}` : `HTTP ${response.status}`;
}

export class SyncEngine {
  readonly spool: Spool;
  readonly enrollments: EnrollmentStore;
  private readonly retry: RetryOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private client?: CentralClient;

  constructor(private readonly options: SyncEngineOptions) {
    this.spool = new Spool(path.join(options.stateDir, 'spool'));
    this.enrollments = options.enrollmentStore ?? fileEnrollmentStore(options.stateDir);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? (() => new Date());
  }

  private get serverUrl(): string {
    const url = this.options.settings.serverUrl;
    if (!url)
      throw new SyncRefused(
        0,
        'no central endpoint configured: run `mcp-warden enroll --server URL --secret S` or set MCP_WARDEN_SERVER_URL',
      );
    return url;
  }

  private central(): CentralClient {
    this.client ??= new CentralClient(this.serverUrl, { ...this.options.http, caFile: this.options.settings.caFile });
    return this.client;
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  // ---------------------------------------------------------------- enrollment

  /** The person IT named for this laptop (UserEmail), for the endpoint to file reports and events under. */
  private person(): { userEmail?: string } {
    const email = this.options.settings.userEmail;
    return email ? { userEmail: email.toLowerCase() } : {};
  }

  async enroll(secret = this.options.settings.enrollSecret): Promise<Enrollment> {
    if (!secret)
      throw new SyncRefused(
        0,
        'not enrolled and no enroll secret: run `mcp-warden enroll --server URL --secret S` or set MCP_WARDEN_ENROLL_SECRET',
      );
    const response = await this.withRetries(
      'enroll',
      () => this.central().call('POST', '/v1/enroll', { body: { secret, device: deviceFacts(this.options.settings.userEmail) } }),
      false,
    );
    if (response.status !== 201 && response.status !== 200)
      throw new SyncRefused(response.status, `enrollment refused: ${errorMessage(response)}`);
    const body = EnrollResponse.parse(response.body);
    const enrollment = { serverUrl: this.serverUrl, deviceId: body.deviceId, token: body.token, enrolledAt: this.now().toISOString() };
    await this.enrollments.save(enrollment);
    this.log(`enrolled with ${this.serverUrl} as device ${body.deviceId}`);
    return enrollment;
  }

  /** The enrollment for the configured endpoint, enrolling when there is none. */
  async enrollment(): Promise<Enrollment> {
    const current = await this.enrollments.load();
    if (current && current.serverUrl === this.serverUrl) return current;
    return this.enroll();
  }

  // ---------------------------------------------------------------- requests with retries

  /**
   * Runs a request until it gets an answer that is not worth retrying. Unreachable, 5xx and 429 are retried
   * with backoff (or Retry-After); after the last attempt the error propagates and the data stays spooled.
   */
  private async withRetries(
    what: string,
    send: () => Promise<CentralResponse>,
    reauthenticate: boolean,
    onUnauthorized?: () => Promise<void>,
  ): Promise<CentralResponse> {
    let reenrolled = false;
    for (let attempt = 0; ; attempt++) {
      let response: CentralResponse | undefined;
      let failure: string;
      try {
        response = await send();
        if (response.status === 401 && reauthenticate && !reenrolled && onUnauthorized) {
          reenrolled = true;
          this.log(`${what}: the endpoint no longer knows this device; enrolling again`);
          await onUnauthorized();
          attempt--;
          continue;
        }
        if (response.status < 500 && response.status !== 429) return response;
        failure = `${what}: ${errorMessage(response)}`;
      } catch (error) {
        if (!(error instanceof CentralUnavailable)) throw error;
        failure = `${what}: ${error.message}`;
        // What stays spooled goes out on a later cycle, once IT has fixed the configuration.
        if (error.lasting) throw new CentralUnavailable(failure, true);
      }
      if (attempt + 1 >= this.retry.attempts) throw new CentralUnavailable(failure);
      const asked = response ? retryAfterMs(response.headers['retry-after'], this.now().getTime()) : undefined;
      if (asked !== undefined && asked > this.retry.maxWaitMs)
        throw new CentralUnavailable(`${failure}; asked to retry in ${Math.round(asked / 1000)} s`);
      const delay = asked !== undefined ? retryAfterDelay(asked) : backoffDelay(attempt, this.retry.baseMs, this.retry.capMs);
      this.log(`${failure}; retrying in ${(delay / 1000).toFixed(1)} s`);
      await this.sleep(delay);
    }
  }

  private async authorized(what: string, call: (enrollment: Enrollment) => Promise<CentralResponse>): Promise<CentralResponse> {
    let enrollment = await this.enrollment();
    return this.withRetries(
      what,
      () => call(enrollment),
      true,
      async () => {
        enrollment = await this.enroll();
      },
    );
  }

  // ---------------------------------------------------------------- reports

  /** Spools the current inventory as the next report (replacing an unsent older one). */
  async queueReport(inventory: Inventory, deviceIps: string[]): Promise<void> {
    const state = await loadReportState(this.options.stateDir);
    const pending = newPendingReport(state, inventory, deviceIps, this.now());
    await this.spool.putReport(pending);
    await saveReportState(this.options.stateDir, { ...state, nextRevision: state.nextRevision + 1 });
  }

  private async deliverReport(): Promise<number | undefined> {
    for (let round = 0; round < 2; round++) {
      let pending = await this.spool.pendingReport();
      if (!pending) return undefined;
      const enrollment = await this.enrollment();
      const target = `${enrollment.serverUrl}#${enrollment.deviceId}`;
      const state = await loadReportState(this.options.stateDir);
      if (!pending.prepared) {
        pending = { ...pending, prepared: prepareReport(pending, state, target) };
        await this.spool.putReport(pending);
      }
      // Whom the laptop belongs to now, on every report: a laptop handed to someone else is followed.
      const body = { ...pending.prepared!, ...this.person() };
      const response = await this.authorized('report', (current) =>
        this.central().call('POST', `/v1/devices/${current.deviceId}/inventory`, { token: current.token, body }),
      );
      const code = (response.body as { error?: { code?: string } } | undefined)?.error?.code;
      if (response.status === 409 && code === FULL_REPORT_REQUIRED) {
        // The endpoint lost track: forget what it acknowledged and send everything, under a new id.
        this.log('report: the endpoint asks for a full report');
        await saveReportState(this.options.stateDir, { nextRevision: state.nextRevision });
        const { prepared: _discarded, ...rest } = pending;
        await this.spool.putReport({ ...rest, reportId: randomUUID() });
        continue;
      }
      if (response.status !== 200) throw new SyncRefused(response.status, `report refused: ${errorMessage(response)}`);
      const accepted = ReportResponse.parse(response.body).acceptedRevision;
      const latest = await loadReportState(this.options.stateDir);
      const current = await this.enrollment();
      await saveReportState(this.options.stateDir, {
        nextRevision: Math.max(latest.nextRevision, accepted + 1),
        acknowledged: { revision: accepted, target: `${current.serverUrl}#${current.deviceId}`, snapshot: snapshotOf(pending.inventory) },
      });
      await this.spool.dropReport(pending.reportId);
      this.log(
        `report: revision ${accepted} accepted (${body.kind}${body.kind === 'delta' ? `: ${body.upserted.length} changed, ${body.removed.length} removed` : `: ${pending.inventory.servers.length} servers`})`,
      );
      return accepted;
    }
    throw new SyncRefused(409, 'report: the endpoint keeps asking for a full report');
  }

  // ---------------------------------------------------------------- events

  async queueEvents(events: AgentEvent[]): Promise<void> {
    const { dropped } = await this.spool.addEvents(events);
    if (dropped) this.log(`events: the spool is full; dropped the ${dropped} oldest`);
  }

  private async deliverEvents(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const batch = await this.spool.events(500);
      if (batch.length === 0) return delivered;
      const response = await this.authorized('events', (current) =>
        this.central().call('POST', `/v1/devices/${current.deviceId}/events`, {
          token: current.token,
          body: { events: batch.map((item) => ({ ...this.person(), ...item.event })) },
        }),
      );
      if (response.status !== 200) throw new SyncRefused(response.status, `events refused: ${errorMessage(response)}`);
      const counts = EventBatchResponse.parse(response.body);
      await this.spool.removeEvents(batch.map((item) => item.name));
      delivered += counts.accepted;
    }
  }

  // ---------------------------------------------------------------- policy

  /** Fetches the policy when it changed (ETag); on failure the cached one stays in force. */
  async refreshPolicy(): Promise<CachedPolicy | undefined> {
    const cached = await loadPolicy(this.options.stateDir);
    const headers: Record<string, string> = cached?.etag ? { 'if-none-match': cached.etag } : {};
    const response = await this.authorized('policy', (current) =>
      this.central().call('GET', `/v1/devices/${current.deviceId}/policy`, { token: current.token, headers }),
    );
    const now = this.now().toISOString();
    if (response.status === 304 && cached) {
      const confirmed = { ...cached, checkedAt: now };
      await savePolicy(this.options.stateDir, confirmed);
      return confirmed;
    }
    if (response.status !== 200) throw new SyncRefused(response.status, `policy refused: ${errorMessage(response)}`);
    const parsed = Policy.safeParse(response.body);
    if (!parsed.success) throw new CentralUnavailable('policy: the endpoint sent a policy that does not match the protocol');
    const etag = response.headers.etag;
    const fresh: CachedPolicy = { policy: parsed.data, etag: typeof etag === 'string' ? etag : undefined, fetchedAt: now, checkedAt: now };
    await savePolicy(this.options.stateDir, fresh);
    if (cached?.policy.version !== fresh.policy.version)
      this.log(`policy: version ${fresh.policy.version} (${fresh.policy.rules.length} rules)`);
    return fresh;
  }

  // ---------------------------------------------------------------- one flush

  /** Delivers the pending report and events, then refreshes the policy. Records how it went. */
  async flush(): Promise<{ reportRevision?: number; events: number; policy?: CachedPolicy; error?: string }> {
    const status = await this.status();
    status.lastAttemptAt = this.now().toISOString();
    try {
      const reportRevision = await this.deliverReport();
      const events = await this.deliverEvents();
      const policy = await this.refreshPolicy();
      status.lastSuccessAt = this.now().toISOString();
      if (reportRevision !== undefined) status.lastReportRevision = reportRevision;
      delete status.lastError;
      return { ...(reportRevision !== undefined ? { reportRevision } : {}), events, ...(policy ? { policy } : {}) };
    } catch (error) {
      if (!(error instanceof CentralUnavailable || error instanceof SyncRefused)) throw error;
      status.lastError = error.message;
      this.log(error.message);
      return { events: 0, error: error.message };
    } finally {
      await writeFileAtomic(path.join(this.options.stateDir, 'sync-status.json'), JSON.stringify(status, null, 2));
    }
  }

  async status(): Promise<SyncStatus> {
    return readJsonState<SyncStatus>(path.join(this.options.stateDir, 'sync-status.json'), {}, isStatus);
  }
}
