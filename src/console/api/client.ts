// The console's one way to the admin API: same origin, the session cookie, the session's CSRF token on every
// change, and every answer checked against the shared schemas (admin-api.ts) before a page sees it.
import type { z } from 'zod';
import { ErrorBody } from '../../shared/protocol.js';

/** A refusal or failure, with the endpoint's own code and words (they name what was wrong). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export class AdminApi {
  private csrfToken: string | undefined;

  /** The token a session's changes carry; from `/v1/admin/me`. */
  useCsrfToken(token: string | undefined): void {
    this.csrfToken = token;
  }

  get<T extends z.ZodType>(path: string, schema: T, query?: Query): Promise<z.infer<T>> {
    return this.request('GET', withQuery(path, query), schema);
  }

  send<T extends z.ZodType>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, schema?: T): Promise<z.infer<T>> {
    return this.request(method, path, schema, body);
  }

  /** Signs in with an admin token: the endpoint answers with a session cookie, and the token is forgotten. */
  async signInWithToken(token: string): Promise<void> {
    await this.request('POST', '/auth/token', undefined, undefined, { authorization: `Bearer ${token.trim()}` });
  }

  async signOut(): Promise<void> {
    await this.request('POST', '/auth/logout', undefined, { csrf: this.csrfToken ?? '' });
    this.csrfToken = undefined;
  }

  private async request<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<z.infer<T>> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(method !== 'GET' && this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'the endpoint cannot be reached; check the connection and try again');
    }
    if (!response.ok) throw await refusal(response);
    if (!schema || response.status === 204 || response.redirected) return undefined as z.infer<T>;
    const parsed = schema.safeParse(await response.json());
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    throw new ApiError(
      response.status,
      'unexpected-answer',
      `the endpoint answered ${path.split('?')[0]} in a shape this console does not know (${issue.message} at ${issue.path.join('.') || 'the top'}): is the console the same version as the endpoint?`,
    );
  }
}

async function refusal(response: Response): Promise<ApiError> {
  const body = ErrorBody.safeParse(await response.json().catch(() => undefined));
  if (body.success) return new ApiError(response.status, body.data.error.code, body.data.error.message);
  return new ApiError(response.status, 'http-error', `the endpoint answered ${response.status} ${response.statusText}`);
}
