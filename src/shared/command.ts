// What every `mcp-warden` command shares, whichever folder it lives in (the agent's commands, the reference
// server's): how a mistake in its arguments is told apart, and the streams it writes to.

/** A mistake in how a command was called: printed with a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The streams and the stop signal of a command, passed in so commands run the same in tests as in a terminal. */
export interface CommandStreams {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when the user asks a long-running command to stop (Ctrl-C, SIGTERM). */
  untilStopped(): Promise<void>;
}
