// What the agent does to config files each cycle, by mode. In enforce: put back what is no longer blocked, take
// out what is, wrap the rest with the guard. In monitor: put everything back as the user wrote it.
import type { ServerEntry } from '../../shared/inventory.js';
import type { Policy } from '../../shared/policy.js';
import type { ScanOutcome } from '../discovery/scan.js';
import type { World } from '../discovery/world.js';
import type { Mode } from '../settings/agent-settings.js';
import { FAILED_EDITS, NoGuardCommand, type RestoreResult, defaultGuardLaunch, enforce, restore } from './enforce.js';
import { type QuarantineRecord, loadLedger } from './ledger.js';
import { type NativeControl, type NativeControlResult, applyNativeControls, clearNativeControls } from './native-controls.js';
import { quarantineBlocked, quarantinedServers, releaseQuarantined } from './quarantine.js';

export interface ApplyModeOptions {
  mode: Mode;
  /** The installed `mcp-warden` to run as the guard; else this installation's own (`defaultGuardLaunch`). */
  guardCommand?: string | undefined;
  /** The running agent's loopback HTTP guard; without one, remote servers are not wrapped. */
  httpBase?: string | undefined;
  stateDir: string;
  /** The machine, for the native controls' machine-wide files. */
  world: World;
  policy: Policy | undefined;
  deviceIps: readonly string[];
  /** The central endpoint, which serves the organisation's registry. */
  registryUrl?: string | undefined;
  now: () => Date;
  log: (line: string) => void;
  /** Scans again, after the files changed under the first scan. */
  rescan: () => Promise<ScanOutcome>;
}

export interface ModeApplied {
  /** The scan of the files as they are now. */
  outcome: ScanOutcome;
  /** Servers out of their configs in quarantine: still on this machine, still reported. */
  quarantined: ServerEntry[];
}

const plural = (count: number) => `${count} server(s)`;

export async function applyMode(outcome: ScanOutcome, options: ApplyModeOptions): Promise<ModeApplied> {
  const quarantine = {
    stateDir: options.stateDir,
    policy: options.policy,
    deviceIps: options.deviceIps,
    now: options.now,
    log: options.log,
  };
  let changed = false;
  if (options.mode === 'enforce') {
    const released = await releaseQuarantined(quarantine);
    if (released.length) options.log(`enforce: put back ${plural(released.length)} no longer blocked`);
    if (released.length) outcome = await options.rescan();
    const taken = await quarantineBlocked(outcome, quarantine);
    if (taken.length) options.log(`enforce: took out ${plural(taken.length)} the organisation blocks (quarantined)`);
    if (taken.length) outcome = await options.rescan();
    if (options.policy) {
      for (const { control, result } of await applyNativeControls(outcome, {
        ...quarantine,
        world: options.world,
        now: options.now(),
        registryUrl: options.registryUrl,
      })) {
        if (result.skipped) options.log(`enforce: ${control.name}: ${result.skipped}`);
      }
    }
    try {
      const guard = defaultGuardLaunch(options.guardCommand);
      const enforced = await enforce(outcome, { stateDir: options.stateDir, httpBase: options.httpBase, ...(guard ? { guard } : {}) });
      if (enforced.wrapped.length) options.log(`enforce: wrapped ${plural(enforced.wrapped.length)} with the guard`);
      for (const item of enforced.skipped.filter((skipped) => FAILED_EDITS.has(skipped.code)))
        options.log(`enforce: ${item.name} not wrapped: ${item.reason}`);
      changed = enforced.wrapped.length > 0;
    } catch (error) {
      if (!(error instanceof NoGuardCommand)) throw error;
      options.log(`enforce: ${error.message}`);
    }
  } else {
    const undone = await undoEnforcement(options);
    if (undone.released.length) options.log(`monitor: put back ${plural(undone.released.length)} from quarantine`);
    for (const { control, result } of undone.native)
      if (result.skipped) options.log(`monitor: ${control.name} not cleared: ${result.skipped}`);
    if (undone.restored.restored.length || undone.restored.leftAlone.length) {
      options.log(
        `monitor: restored ${plural(undone.restored.restored.length)}${undone.restored.leftAlone.length ? `; left ${undone.restored.leftAlone.length} edited since` : ''}`,
      );
    }
    changed = undone.released.length > 0 || undone.restored.restored.length > 0;
  }
  if (changed) outcome = await options.rescan();
  return { outcome, quarantined: await quarantinedServers(options.stateDir) };
}

export interface Undone {
  released: QuarantineRecord[];
  native: { control: NativeControl; result: NativeControlResult }[];
  restored: RestoreResult;
}

/**
 * Everything enforcement changed, put back (monitor mode, `mcp-warden restore`): quarantined entries first, since
 * one may itself be wrapped and restoring needs it back in its file; then the native controls; then the
 * wrapped entries.
 */
export async function undoEnforcement(options: { stateDir: string; world: World; log?: (line: string) => void }): Promise<Undone> {
  const released = await releaseQuarantined({
    stateDir: options.stateDir,
    policy: undefined,
    deviceIps: [],
    all: true,
    ...(options.log ? { log: options.log } : {}),
  });
  const native = await clearNativeControls(options);
  const restored = (await loadLedger(options.stateDir)).entries.length
    ? await restore({ stateDir: options.stateDir })
    : { restored: [], leftAlone: [] };
  return { released, native, restored };
}
