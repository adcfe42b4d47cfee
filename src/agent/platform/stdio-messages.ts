// Reading newline-delimited JSON-RPC from a process's stdout (or a client's stdin), shared by the probe's
// transport and the guard. Clients skip a line that is not JSON-RPC (a server's banner or log line) and read on;
// so do we, including the complete messages that arrived in the same chunk after it.
import type { ReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Appends a chunk and delivers every complete message in the buffer; each bad line (or an overlong one) is reported and skipped. */
export function drainMessages(
  buffer: ReadBuffer,
  chunk: Buffer,
  onMessage: (message: JSONRPCMessage) => void,
  onBadLine: (error: Error) => void,
): void {
  try {
    buffer.append(chunk);
  } catch (error) {
    // Past the buffer's cap without a newline: the buffer was cleared; what follows starts afresh.
    onBadLine(error as Error);
    return;
  }
  for (;;) {
    let message: JSONRPCMessage | null;
    try {
      message = buffer.readMessage();
    } catch (error) {
      onBadLine(error as Error);
      continue;
    }
    if (message === null) return;
    onMessage(message);
  }
}
