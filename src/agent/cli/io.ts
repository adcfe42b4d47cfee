// What a command needs from its process, passed in so commands run the same in tests as in a terminal.
import type { CommandStreams } from '../../shared/command.js';
import type { ManagedSources } from '../settings/managed-store.js';

export interface CommandIO extends CommandStreams {
  /** Terminal width for tables; Infinity when the output is not a terminal. */
  columns: number;
  /** Whether stderr is a terminal (progress lines). */
  isTTY: boolean;
  /** Where IT's managed settings are read: the system's stores unless a test says otherwise. */
  managed?: ManagedSources;
}

export function processIO(): CommandIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // Tables fit a terminal; piped output is never cut.
    columns: process.stdout.isTTY ? process.stdout.columns || 100 : Infinity,
    isTTY: Boolean(process.stderr.isTTY),
    // Listeners only once a command waits, so Ctrl-C still ends a plain scan at once.
    untilStopped: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
  };
}
