// An MCP stdio transport that owns its server's whole process tree. The SDK's StdioClientTransport kills only
// the child it spawned; a server that forks (npx → node, uvx → python, a shell script) would leave the rest
// running. Here the server starts in its own process group and close() kills the group. Framing is the SDK's.
import type { ChildProcess } from 'node:child_process';
import spawn from 'cross-spawn';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { drainMessages } from '../platform/stdio-messages.js';
import { killProcessTree } from './kill-tree.js';

export interface ProcessTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string | undefined;
  /** Everything the server may write to stdout, in total; past it the server is killed. */
  maxStdoutBytes: number;
  /** How much of stderr's end is kept for error messages. */
  maxStderrBytes: number;
}

export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  protocolVersion?: string;

  private child?: ChildProcess;
  private readonly buffer: ReadBuffer;
  private stdoutBytes = 0;
  private stderrTail = '';
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private closing?: Promise<void>;
  /** Why the transport gave up on the server (a cap), which explains the "connection closed" that follows. */
  fatal?: Error;
  /** Lines the server wrote to stdout that are not JSON-RPC (banners, logs): skipped, as clients skip them. */
  nonProtocolLines = 0;

  constructor(private readonly options: ProcessTransportOptions) {
    this.buffer = new ReadBuffer({ maxBufferSize: options.maxStdoutBytes });
  }

  /** The end of what the server wrote to stderr (raw: redact before showing). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** How the process ended on its own, once it has (not when we ended it). */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exit;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ProcessTransport already started');
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.command, this.options.args, {
        env: this.options.env,
        cwd: this.options.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        // A new process group on POSIX, so the whole tree can be signalled at once.
        detached: process.platform !== 'win32',
        windowsHide: true,
        shell: false,
      });
      this.child = child;
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => resolve());
      child.once('exit', (code, signal) => {
        // An exit we caused (close, a cap) is not the server's doing.
        if (!this.closing) this.exit = { code, signal };
      });
      child.once('close', () => this.onclose?.());
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => this.receive(chunk));
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-this.options.maxStderrBytes);
      });
    });
  }

  private receive(chunk: Buffer): void {
    this.stdoutBytes += chunk.length;
    if (this.stdoutBytes > this.options.maxStdoutBytes) {
      if (!this.fatal) {
        this.fatal = new Error(`the server sent more than ${Math.round(this.options.maxStdoutBytes / 1024 / 1024)} MiB`);
        this.onerror?.(this.fatal);
        void this.close();
      }
      return;
    }
    drainMessages(
      this.buffer,
      chunk,
      (message) => this.onmessage?.(message),
      () => this.nonProtocolLines++,
    );
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || stdin.destroyed) return reject(new Error('server process is not running'));
      stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Ends the server and every process it started; resolves once they are gone (or after the kill deadline). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const child = this.child;
      if (!child?.pid) return;
      child.stdin?.end();
      await killProcessTree(child, 1500);
      this.buffer.clear();
    })();
    return this.closing;
  }
}
