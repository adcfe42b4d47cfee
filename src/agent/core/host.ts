// The machine the agent runs on, as one bundle built once at the composition root: its environment, clock,
// network addresses (read fresh), OS user, platform and state folder. `World` describes the machine being
// *scanned* (possibly a replayed copy); `Host` is always this one, so the two never get mixed up.
import { DEVICE_IPS_MAX_AGE_MS, liveDeviceIps } from '../platform/device-addresses.js';
import { osUserName } from '../platform/os-user.js';
import { hostMachine } from '../state/state-dir.js';

export interface Host {
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  /** The device's addresses now (re-read after a few seconds at most), for IP conditions. */
  deviceIps(): string[];
  user(): string;
  platform: 'darwin' | 'win32' | 'linux';
  stateDir: string;
}

/** This process's host; tests pass their own pieces. */
export function processHost(stateDir: string, overrides: Partial<Host> = {}): Host {
  return {
    env: process.env,
    now: () => new Date(),
    deviceIps: liveDeviceIps(DEVICE_IPS_MAX_AGE_MS),
    user: osUserName,
    platform: hostMachine().platform,
    stateDir,
    ...overrides,
  };
}
