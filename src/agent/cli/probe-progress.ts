// Probing from a command, with a progress line when a person is watching, and a word on what was not started.
import type { ProbeResult } from '../../shared/inventory.js';
import type { ScanOutcome } from '../discovery/scan.js';
import { type ProbeAllOptions, notStartedSummary, probeAll } from '../probe/probe-all.js';
import type { CommandIO } from './io.js';

/** Probes with a progress line on a terminal. */
export async function probeWithProgress(
  outcome: ScanOutcome,
  options: ProbeAllOptions,
  io: CommandIO,
): Promise<Record<string, ProbeResult>> {
  const showProgress = io.isTTY;
  const probes = await probeAll(outcome, {
    ...options,
    onProgress: (done, total, entry) => {
      if (showProgress) io.stderr(`\r\x1b[2Kprobing ${done}/${total}: ${entry.name}`);
    },
  });
  if (showProgress) io.stderr('\r\x1b[2K');
  for (const line of notStartedSummary(outcome, options, probes)) io.stderr(`${line}\n`);
  return probes;
}
