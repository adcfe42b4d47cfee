// The main process's line to the agent host: requests by id, invalidation events, and the latest snapshot
// (for the tray and notifications). When the host exits, calls waiting on it are answered with an error at
// once, the tray shows offline, and a new host is started with backoff (the same start message, so the same
// settings and credentials).
import { EventEmitter } from 'node:events';
import type { Enrollment } from '../agent/sync/device-identity.js';
import type { Snapshot } from '../shared/ipc.js';
import type { HostMessage, HostRequest, HostStart } from './agent-host.js';

export interface HostProcess {
  postMessage(message: HostRequest): void;
  on(event: 'message', listener: (message: HostMessage) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

export interface RestartPolicy {
  /** The first wait before a restart; it doubles after each exit that came soon after a start. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A host that ran this long before exiting is restarted after the first delay again. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 60_000, stableAfterMs: 60_000 };

type Events = { invalidated: [string]; snapshot: [Snapshot]; log: [string]; enrollment: [Enrollment]; offline: [string] };

export class AgentConnection extends EventEmitter<Events> {
  private next = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private host?: HostProcess;
  private startMessage?: Omit<HostStart, 'type'>;
  private startedAt = 0;
  private delay: number;
  private restartTimer?: NodeJS.Timeout;
  private stopped = false;
  latest?: Snapshot;

  constructor(
    private readonly spawn: () => HostProcess,
    private readonly restart: RestartPolicy = DEFAULT_RESTART,
    private readonly clock: () => number = Date.now,
  ) {
    super();
    this.delay = restart.firstDelayMs;
  }

  start(start: Omit<HostStart, 'type'>): void {
    this.startMessage = start;
    this.launch();
  }

  private launch(): void {
    const host = this.spawn();
    this.host = host;
    this.startedAt = this.clock();
    host.on('message', (message) => this.receive(message));
    host.on('exit', (code) => this.exited(host, code));
    host.postMessage({ type: 'start', ...this.startMessage! });
  }

  private receive(message: HostMessage): void {
    if (message.type === 'result') {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.result);
    } else if (message.type === 'invalidated') {
      this.emit('invalidated', message.reason);
      void this.refreshLatest();
    } else if (message.type === 'enrollment') {
      // A restarted host starts with the credentials this one got, not the ones it started with.
      this.startMessage = { ...this.startMessage!, enrollment: message.enrollment };
      this.emit('enrollment', message.enrollment);
    } else this.emit('log', message.line);
  }

  private exited(host: HostProcess, code: number): void {
    if (host !== this.host) return;
    this.host = undefined;
    const why = `the agent stopped (exit code ${code})`;
    for (const waiting of this.pending.values()) waiting.reject(new Error(`${why}; it is being restarted`));
    this.pending.clear();
    this.latest = undefined;
    if (this.stopped) return;
    if (this.clock() - this.startedAt >= this.restart.stableAfterMs) this.delay = this.restart.firstDelayMs;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.restart.maxDelayMs);
    this.emit('offline', why);
    this.emit('log', `${why}; starting it again in ${Math.round(wait / 1000)} s`);
    this.restartTimer = setTimeout(() => this.launch(), wait);
  }

  invoke(channel: string, args: unknown[]): Promise<unknown> {
    const host = this.host;
    if (!host) return Promise.reject(new Error('the agent is restarting; try again in a moment'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      host.postMessage({ type: 'invoke', id, channel, args });
    });
  }

  private async refreshLatest(): Promise<void> {
    try {
      this.latest = (await this.invoke('snapshot:get', [])) as Snapshot;
      this.emit('snapshot', this.latest);
    } catch {
      // The next invalidation tries again.
    }
  }

  /** Asks the host to stop (its HTTP guard writes what it still holds), and kills it if it has not within `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const host = this.host;
    if (!host) return;
    const exited = new Promise<void>((resolve) => host.on('exit', () => resolve()));
    host.postMessage({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    host.kill();
  }
}
