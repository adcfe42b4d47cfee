// The guard's requests to the servers it stands in front of, through undici's dispatcher (its connections kept
// alive per origin), with the answer's body handed over chunk by chunk as the socket gives it. `request()` would
// put a stream object between the two sockets on every call; the guard copies bytes through and reads them for
// its audit, so those streams were only cost (a quarter of a millisecond per call here, measured in turns).
import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, getGlobalDispatcher } from 'undici';

export interface BodyReader {
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(error: Error): void;
}

/** The answer's status and headers, and its body to read (once). */
export interface UpstreamAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Reads the body; what has come already is given at once. */
  read(reader: BodyReader): void;
  /** Stops reading the server's socket until resume(): the client reads slower than the server writes. */
  pause(): void;
  resume(): void;
  /** Ends the exchange wherever it is: the client hung up, or what the server sent cannot be read. */
  abort(): void;
}

export interface UpstreamRequest {
  method: string;
  headers: Record<string, string | string[]>;
  body?: Buffer | string | undefined;
}

export interface UpstreamExchange {
  /** Settles when the answer's head has come, or fails when the server cannot be reached. */
  answer: Promise<UpstreamAnswer>;
  /** Ends the exchange wherever it is (the client hung up). */
  abort(): void;
}

/** A request to the server with the client's own headers, ended when the client hangs up. */
export type SendUpstream = (url: string, method: string, body?: Buffer | string) => Promise<UpstreamAnswer>;

// A notification stream may stay quiet, and a tool call may run for long: the client decides when to give up.
const NO_TIMEOUTS = { headersTimeout: 0, bodyTimeout: 0 } as const;

/** The answer of an exchange, kept until its reader comes: the head and the first bytes often arrive together. */
class Answer implements UpstreamAnswer, Dispatcher.DispatchHandler {
  statusCode = 0;
  headers: IncomingHttpHeaders = {};
  private controller: Dispatcher.DispatchController | undefined;
  private reader: BodyReader | undefined;
  private early: Buffer[] = [];
  private outcome: { error?: Error } | undefined;
  private aborted = false;

  constructor(
    private readonly started: (answer: Answer) => void,
    private readonly failed: (error: Error) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.aborted) controller.abort(ended());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx answers are informational: the real one follows.
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    this.headers = headers;
    this.started(this);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.reader) this.reader.onData(chunk);
    else this.early.push(chunk);
  }

  onResponseEnd(): void {
    this.settle({});
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // Before the head, the exchange failed; after it, the body did.
    if (this.statusCode) this.settle({ error });
    else this.failed(error);
  }

  private settle(outcome: { error?: Error }): void {
    this.outcome = outcome;
    if (this.reader) this.finish(this.reader);
  }

  private finish(reader: BodyReader): void {
    if (this.outcome?.error) reader.onError(this.outcome.error);
    else reader.onEnd();
  }

  read(reader: BodyReader): void {
    this.reader = reader;
    const early = this.early;
    this.early = [];
    for (const chunk of early) reader.onData(chunk);
    if (this.outcome) this.finish(reader);
  }

  pause(): void {
    this.controller?.pause();
  }

  resume(): void {
    this.controller?.resume();
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort(ended());
  }
}

/** Why an exchange the guard ended stopped: its client hung up, or what the server sent could not be read. */
const ended = () => new Error('the guard ended this exchange');

export function sendUpstream(url: string, request: UpstreamRequest): UpstreamExchange {
  const target = new URL(url);
  let abort = () => undefined as void;
  const answer = new Promise<UpstreamAnswer>((resolve, reject) => {
    const handler = new Answer(resolve, reject);
    abort = () => handler.abort();
    getGlobalDispatcher().dispatch(
      {
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body ?? null,
        ...NO_TIMEOUTS,
      },
      handler,
    );
  });
  return { answer, abort: () => abort() };
}

/** An answer's body whole, as text. */
export function answerText(answer: UpstreamAnswer): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    answer.read({
      onData: (chunk) => void chunks.push(chunk),
      onEnd: () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')),
      onError: reject,
    });
  });
}
