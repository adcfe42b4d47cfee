// Talks HTTP to the central endpoint: undici with keep-alive, the proxy from HTTPS_PROXY/HTTP_PROXY/NO_PROXY,
// TLS checked against the system's roots plus an extra CA bundle, timeouts, gzip request bodies, and a cap on
// what a response may weigh. A certificate that is not trusted is said in words IT can act on.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { type Dispatcher, EnvHttpProxyAgent, request } from 'undici';

export interface CentralClientOptions {
  caFile?: string | undefined;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxResponseBytes?: number;
}

export interface CentralResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The endpoint could not be reached or answered nothing usable; the caller keeps its data and retries later. */
export class CentralUnavailable extends Error {
  override name = 'CentralUnavailable';
  constructor(
    message: string,
    /** A matter of configuration (an untrusted certificate, an unreadable CA bundle): retrying in seconds cannot help. */
    readonly lasting = false,
  ) {
    super(message);
  }
}

/** What a TLS failure means, by Node's error code, and what IT can do about it. */
const TLS_PROBLEMS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is not signed by a trusted CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'its TLS certificate is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is not signed by a trusted CA',
  CERT_UNTRUSTED: 'its TLS certificate is not trusted',
  CERT_SIGNATURE_FAILURE: 'its TLS certificate has a bad signature',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  CERT_NOT_YET_VALID: 'its TLS certificate is not valid yet',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak TLS on that port (check http:// against https://)',
};

const CA_HINT = 'trust the organisation’s CA with CaFile (MCP_WARDEN_CA_FILE, docs/deploy-mdm.md)';

/** The TLS problem behind a failed request, in words, when there is one. */
function tlsProblem(error: unknown): string | undefined {
  for (
    let cause = error as { code?: string; cause?: unknown } | undefined, depth = 0;
    cause && depth < 4;
    cause = cause.cause as typeof cause, depth++
  ) {
    const problem = cause.code ? TLS_PROBLEMS[cause.code] : undefined;
    if (problem)
      return cause.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || cause.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `${problem} (${cause.code})`
        : `${problem} (${cause.code}); ${CA_HINT}`;
  }
  return undefined;
}

/** The extra CA bundle as PEM text, or why it cannot be used. */
function readCaBundle(file: string): { pem: string } | { problem: string } {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: `the CA bundle ${file} cannot be read (${(error as { code?: string }).code ?? (error as Error).message})` };
  }
  return pem.includes('-----BEGIN CERTIFICATE-----') ? { pem } : { problem: `the CA bundle ${file} holds no PEM certificate` };
}

export class CentralClient {
  private readonly dispatcher: Dispatcher;
  /** A CA bundle that cannot be used: every call says so (and the data stays spooled) instead of crashing. */
  private readonly caProblem: string | undefined;
  private readonly options: Required<Omit<CentralClientOptions, 'caFile'>>;

  constructor(
    readonly baseUrl: string,
    options: CentralClientOptions = {},
  ) {
    this.options = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
    };
    // An extra CA is added to Node's own roots, not put in their place; it applies to the proxy too.
    const bundle = options.caFile ? readCaBundle(options.caFile) : undefined;
    this.caProblem = bundle && 'problem' in bundle ? bundle.problem : undefined;
    const ca = bundle && 'pem' in bundle ? [...rootCertificates, bundle.pem] : undefined;
    const connect = { timeout: this.options.connectTimeoutMs, ...(ca ? { ca } : {}) };
    this.dispatcher = new EnvHttpProxyAgent({ connect, keepAliveTimeout: 30_000, ...(ca ? { requestTls: { ca }, proxyTls: { ca } } : {}) });
  }

  async call(
    method: 'GET' | 'POST',
    path: string,
    init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<CentralResponse> {
    if (this.caProblem) throw new CentralUnavailable(`cannot reach ${this.baseUrl}: ${this.caProblem}`, true);
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: Buffer | undefined;
    if (init.body !== undefined) {
      body = gzipSync(JSON.stringify(init.body));
      headers['content-type'] = 'application/json';
      headers['content-encoding'] = 'gzip';
    }
    let response: Dispatcher.ResponseData;
    try {
      response = await request(new URL(path, this.baseUrl), {
        method,
        headers,
        ...(body ? { body } : {}),
        dispatcher: this.dispatcher,
        headersTimeout: this.options.requestTimeoutMs,
        bodyTimeout: this.options.requestTimeoutMs,
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      const tls = tlsProblem(error);
      const why = tls ?? (code === 'UND_ERR_HEADERS_TIMEOUT' ? 'no answer in time' : (error as Error).message || code);
      throw new CentralUnavailable(`cannot reach ${this.baseUrl}: ${why}`, tls !== undefined);
    }
    const text = await this.readCapped(response.body);
    let parsed: unknown;
    if (text.length > 0 && String(response.headers['content-type'] ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new CentralUnavailable(`${this.baseUrl} answered ${response.statusCode} with malformed JSON`);
      }
    }
    return { status: response.statusCode, headers: response.headers, body: parsed };
  }

  private async readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > this.options.maxResponseBytes) {
          body.destroy();
          throw new CentralUnavailable(`${this.baseUrl} sent a response over ${this.options.maxResponseBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof CentralUnavailable) throw error;
      throw new CentralUnavailable(`${this.baseUrl} broke off its answer: ${(error as Error).message}`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
