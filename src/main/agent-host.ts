// The agent core in an Electron utility process, off the window's and the tray's critical path: a slow probe
// never freezes the UI. It answers bridge calls from main and pushes invalidations and snapshots. A cycle that
// fails (a full disk, an unwritable state folder) is logged and the host goes on; it never ends the process.
import path from 'node:path';
import { AppService } from '../agent/app/app-service.js';
import { dispatch } from '../agent/app/dispatch.js';
import { type Watching, watchConfigs } from '../agent/discovery/watch.js';
import { type World, worldFromProcess } from '../agent/discovery/world.js';
import type { HttpGuard } from '../agent/guard/http-guard.js';
import { hostHttpGuard } from '../agent/guard/http-guard-host.js';
import type { Enrollment } from '../agent/sync/device-identity.js';
import { memoryEnrollmentStore } from '../agent/sync/enrollment-store.js';
import type { AgentSettings } from '../agent/settings/agent-settings.js';
import { SyncEngine } from '../agent/sync/sync-engine.js';

export interface HostStart {
  type: 'start';
  stateDir: string;
  settings: AgentSettings;
  managedKeys: string[];
  /** The device's credentials, from the keychain (main holds the key; this process never touches it). */
  enrollment?: Enrollment | undefined;
  /** Another machine's layout to look at (support and tests); this machine's otherwise. */
  world?: World | undefined;
}

export type HostRequest = HostStart | { type: 'invoke'; id: number; channel: string; args: unknown[] } | { type: 'stop' };

export type HostMessage =
  | { type: 'result'; id: number; result?: unknown; error?: string }
  | { type: 'invalidated'; reason: string }
  | { type: 'log'; line: string }
  | { type: 'enrollment'; enrollment: Enrollment };

interface Port {
  on(event: 'message', listener: (message: { data: HostRequest }) => void): void;
  postMessage(message: HostMessage): void;
}

export interface ServeOptions {
  /** Ends the process: after a start that failed (main then starts a new host with backoff), and after `stop`. */
  exit?: (code: number) => void;
}

export function serveAgent(port: Port, options: ServeOptions = {}): { stop(): Promise<void> } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let service: AppService | undefined;
  let watching: Watching | undefined;
  let timer: NodeJS.Timeout | undefined;
  let httpGuard: HttpGuard | undefined;
  const log = (line: string) => port.postMessage({ type: 'log', line });
  // Cycles started by the watcher and the timer have nobody to answer to: their failures go to the log.
  const refresh = (reason: string) => {
    service?.refresh(reason).catch((error: Error) => log(`cycle failed (${reason}): ${error.message}`));
  };
  const start = async (data: HostStart) => {
    // The settings' folders and domains are added by the core, once.
    const scanOptions = { world: data.world ?? worldFromProcess() };
    // A new enrollment goes back to main, which seals it in the keychain.
    const enrollmentStore = memoryEnrollmentStore(data.enrollment, (enrollment) => port.postMessage({ type: 'enrollment', enrollment }));
    const engine = new SyncEngine({ stateDir: data.stateDir, settings: data.settings, log, enrollmentStore });
    httpGuard = data.settings.mode === 'enforce' ? await hostHttpGuard(data.stateDir, data.settings.guardPort, log) : undefined;
    service = new AppService({
      scanOptions,
      stateDir: data.stateDir,
      settings: data.settings,
      managedKeys: new Set(data.managedKeys),
      engine,
      log,
      httpBase: httpGuard?.base,
    });
    service.onInvalidated((reason) => port.postMessage({ type: 'invalidated', reason }));
    refresh('started');
    watching = await watchConfigs({
      ...service.scanOptions,
      debounceMs: 2000,
      onChanges: () => refresh('configuration changed'),
      onError: (error) => log(`watch: ${error.message}`),
    });
    timer = setInterval(() => refresh('interval'), data.settings.reportIntervalSec * 1000);
  };
  const answer = async (id: number, channel: string, args: unknown[]) => {
    if (!service) return port.postMessage({ type: 'result', id, error: 'the agent is starting' });
    try {
      port.postMessage({ type: 'result', id, result: await dispatch(service, channel, args) });
    } catch (error) {
      port.postMessage({ type: 'result', id, error: (error as Error).message });
    }
  };
  const stop = async () => {
    clearInterval(timer);
    await watching?.close();
    await httpGuard?.close();
  };
  port.on('message', ({ data }) => {
    if (data.type === 'stop') {
      // Quitting: the HTTP guard writes what its sessions still hold, then the process ends.
      stop().then(
        () => exit(0),
        () => exit(0),
      );
      return;
    }
    if (data.type === 'start') {
      // A host that could not start serves nothing: it ends, and main starts a new one with backoff.
      start(data).catch((error: Error) => {
        log(`agent host: could not start: ${error.message}`);
        exit(1);
      });
      return;
    }
    answer(data.id, data.channel, data.args).catch((error: Error) => log(`agent host: ${error.message}`));
  });
  return { stop };
}

// In a utility process Electron provides `process.parentPort`.
const parentPort = (process as unknown as { parentPort?: Port }).parentPort;
if (parentPort && path.basename(process.argv[1] ?? '').startsWith('agent-host')) serveAgent(parentPort);
