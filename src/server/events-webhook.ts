// Streams every event to the organisation's SIEM as it arrives: JSON batches POSTed to --events-webhook, signed
// with HMAC-SHA256 over the timestamp and the body, from the outbox events are added to as they are stored
// (webhook-outbox.ts). Ingest never waits on the receiver. While it is down, events wait (up to a bound, past
// which the oldest are dropped, counted and said) and are sent again with a growing pause, in order, each once
// per successful delivery (a receiver dedupes by event id should a delivery be repeated).
import { createHmac } from 'node:crypto';
import type { OutboxStatus, StoredEvent, Storage } from './storage/storage.js';

export interface WebhookOptions {
  url: string;
  /** Signs every body: `X-MCP-Warden-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
  secret: string;
  /** Events kept while the receiver is away; the oldest go first beyond it. */
  maxBacklog: number;
  batchSize?: number;
  /** How often an idle sender looks for new events. */
  pollMs?: number;
  /** The longest pause between two attempts while the receiver fails. */
  maxBackoffMs?: number;
  warn: (message: string) => void;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface WebhookState extends OutboxStatus {
  url: string;
  /** Why the last attempt failed, while the receiver is failing. */
  failing?: string | undefined;
  lastDeliveredAt?: string | undefined;
}

/** The signature header's value for a body sent at `seconds`. */
export function signature(secret: string, seconds: number, body: string): string {
  return `t=${seconds},v1=${createHmac('sha256', secret).update(`${seconds}.${body}`).digest('hex')}`;
}

const TIMEOUT_MS = 10_000;

/** The receiver did not take a batch (as opposed to the database failing us). */
class ReceiverError extends Error {}

export class EventsWebhook {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  private failing: string | undefined;
  private lastDeliveredAt: string | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly options: WebhookOptions,
  ) {}

  start(): this {
    this.schedule(0);
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async state(): Promise<WebhookState> {
    return {
      url: this.options.url,
      ...(await this.storage.webhookOutbox.status()),
      ...(this.failing ? { failing: this.failing } : {}),
      ...(this.lastDeliveredAt ? { lastDeliveredAt: this.lastDeliveredAt } : {}),
    };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => (this.running = undefined));
    }, ms);
    this.timer.unref();
  }

  /** Sends batch after batch until the outbox is empty or the receiver fails; then waits. */
  private async round(): Promise<void> {
    const batch = this.options.batchSize ?? 500;
    try {
      const dropped = await this.storage.webhookOutbox.trim(this.options.maxBacklog);
      if (dropped)
        this.options.warn(
          `events webhook: the backlog is full (${this.options.maxBacklog} events): the ${dropped} oldest were dropped without being sent`,
        );
      let sent: number | 'busy';
      do {
        sent = await this.storage.webhookOutbox.deliver(batch, (events) => this.post(events));
        if (typeof sent === 'number' && sent > 0) this.delivered(sent);
      } while (sent === batch && !this.stopped);
      this.schedule(this.options.pollMs ?? 1000);
    } catch (error) {
      this.failed(error as Error);
    }
  }

  private async post(events: StoredEvent[]): Promise<void> {
    const body = JSON.stringify({ events });
    const seconds = Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000);
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mcp-warden-signature': signature(this.options.secret, seconds, body) },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      // The body is read (and dropped) so the connection can be used again.
      await response.arrayBuffer();
    } catch (error) {
      const cause = ((error as Error).cause as Error | undefined)?.message;
      throw new ReceiverError(cause ? `${(error as Error).message}: ${cause}` : (error as Error).message);
    }
    if (!response.ok) throw new ReceiverError(`it answered ${response.status}`);
  }

  private delivered(count: number): void {
    this.lastDeliveredAt = (this.options.now?.() ?? new Date()).toISOString();
    if (this.failures)
      this.options.warn(`events webhook: delivering again after ${this.failures} failed attempt(s) (${count} events sent)`);
    this.failures = 0;
    this.failing = undefined;
  }

  private failed(error: Error): void {
    const reason = error instanceof ReceiverError ? error.message : `the database: ${error.message}`;
    if (this.failures === 0 || reason !== this.failing)
      this.options.warn(
        error instanceof ReceiverError
          ? `events webhook ${this.options.url} not reached (${reason}); events wait and are sent again`
          : `events webhook paused (${reason}); events wait and are sent again`,
      );
    this.failures++;
    this.failing = reason;
    const pause = Math.min(this.options.maxBackoffMs ?? 60_000, 1000 * 2 ** Math.min(this.failures - 1, 16));
    // A little jitter, so several processes do not retry in step.
    this.schedule(pause * (0.8 + Math.random() * 0.4));
  }
}
