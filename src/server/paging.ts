// Every admin list is a page: `limit` (clamped to what a page holds, and said so), `sort` (`name` or `-name`
// for descending) and an opaque `cursor` the previous page gave as `nextCursor`. A cursor carries the keyset
// position and a digest of the query it belongs to, signed with a secret all server processes share, so a
// cursor that was altered, cut short or taken from another query is refused with 400 rather than misread.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { HttpError } from './errors.js';
import type { Keyset, Page, PageRequest } from './storage/storage.js';
import type { PageOf } from '../shared/admin-api.js';

export const PAGE_SIZE = { default: 50, max: 500 } as const;

/** The paging part of a list's query string. */
export const PageQuery = {
  limit: z
    .string()
    .regex(/^-?\d+$/, 'limit must be a whole number')
    .optional(),
  cursor: z.string().max(4096).optional(),
  sort: z.string().max(64).optional(),
};

export interface PageQueryValues {
  limit?: string | undefined;
  cursor?: string | undefined;
  sort?: string | undefined;
}

/** What a list answers (the shape the console checks, in shared/admin-api.ts). */
export type PageBody<T> = PageOf<T>;

interface Signed {
  /** The query this cursor belongs to. */
  q: string;
  /** Where the next page starts. */
  k: Keyset;
}

export class Pager<Sort extends string> {
  readonly request: PageRequest<Sort>;
  readonly notices: string[] = [];
  private readonly queryDigest: string;

  /**
   * @param filters the list's other query parameters: a cursor is valid only with the same filters and sort.
   */
  constructor(
    private readonly secret: Buffer,
    list: string,
    query: PageQueryValues,
    filters: Record<string, unknown>,
    sorts: readonly Sort[],
    defaultSort: NoInfer<`${Sort}` | `-${Sort}`>,
    options: { countUpTo?: number } = {},
  ) {
    const sortText = query.sort ?? defaultSort;
    const descending = sortText.startsWith('-');
    const sort = (descending ? sortText.slice(1) : sortText) as Sort;
    if (!sorts.includes(sort))
      throw new HttpError(400, 'invalid-request', `sort ${sortText}: expected one of ${sorts.join(', ')} (prefix - for descending)`);
    let limit = query.limit === undefined ? PAGE_SIZE.default : Number(query.limit);
    if (limit > PAGE_SIZE.max || limit < 1) {
      const used = limit < 1 ? 1 : PAGE_SIZE.max;
      this.notices.push(`limit ${limit} is outside 1–${PAGE_SIZE.max}; ${used} used`);
      limit = used;
    }
    const canonical = JSON.stringify(
      Object.entries({ ...filters, sort: sortText })
        .filter(([, value]) => value !== undefined)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    this.queryDigest = createHash('sha256').update(`${list}\n${canonical}`).digest('base64url').slice(0, 16);
    this.request = {
      sort,
      descending,
      limit,
      after: query.cursor === undefined ? undefined : this.open(query.cursor),
      ...(options.countUpTo ? { countUpTo: options.countUpTo } : {}),
    };
  }

  body<T, U>(page: Page<T>, map: (item: T) => U): PageBody<U> {
    const sort = `${this.request.descending ? '-' : ''}${this.request.sort}`;
    return {
      items: page.items.map(map),
      total: page.total,
      totalExact: page.totalExact,
      limit: this.request.limit,
      sort,
      nextCursor: page.next ? this.seal({ q: this.queryDigest, k: page.next }) : null,
      ...(this.notices.length ? { notices: this.notices } : {}),
    };
  }

  private signature(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(payload).digest().subarray(0, 16);
  }

  private seal(cursor: Signed): string {
    const payload = Buffer.from(JSON.stringify(cursor)).toString('base64url');
    return `${payload}.${this.signature(payload).toString('base64url')}`;
  }

  private open(cursor: string): Keyset {
    const [payload, signature, ...rest] = cursor.split('.');
    const given = Buffer.from(signature ?? '', 'base64url');
    const expected = payload === undefined ? Buffer.alloc(0) : this.signature(payload);
    if (rest.length || !payload || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new HttpError(400, 'invalid-cursor', 'the cursor was not issued by this server or was altered; start again without it');
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Signed;
    if (parsed.q !== this.queryDigest)
      throw new HttpError(
        400,
        'invalid-cursor',
        'the cursor belongs to a query with other filters or another sort; start again without it',
      );
    return parsed.k;
  }
}

/** Every item of a list, page after page: memory stays flat however many there are. */
export async function* everyPage<T>(pageAfter: (after: Keyset | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let after: Keyset | undefined;
  do {
    const page = await pageAfter(after);
    yield* page.items;
    after = page.next;
  } while (after);
}

/** Pages a list already in memory (rules, one probe's capabilities), by a key that is unique per item. */
export function pageInMemory<T>(items: readonly T[], request: PageRequest<string>, keyOf: (item: T) => Keyset): Page<T> {
  const compare = (a: Keyset, b: Keyset) => {
    for (let index = 0; index < a.length; index++) {
      const left = a[index]!;
      const right = b[index]!;
      if (left !== right) return left < right ? -1 : 1;
    }
    return 0;
  };
  const direction = request.descending ? -1 : 1;
  const sorted = [...items].sort((a, b) => direction * compare(keyOf(a), keyOf(b)));
  const start = request.after ? sorted.findIndex((item) => direction * compare(keyOf(item), request.after!) > 0) : 0;
  const rest = start < 0 ? [] : sorted.slice(start);
  const shown = rest.slice(0, request.limit);
  return {
    items: shown,
    ...(rest.length > request.limit ? { next: keyOf(shown.at(-1)!) } : {}),
    total: items.length,
    totalExact: true,
  };
}

/** The paging fields apart, the rest of a query names the filters a cursor is bound to. */
function filtersOf(query: Record<string, unknown>): Record<string, unknown> {
  const { limit: _limit, cursor: _cursor, sort: _sort, ...filters } = query;
  return filters;
}

/** Makes the pager of one request's list, its cursors signed with the secret every server process shares. */
export function pagerFor(secret: () => Promise<Buffer>) {
  return async <Sort extends string>(
    list: string,
    query: PageQueryValues & Record<string, unknown>,
    sorts: readonly Sort[],
    defaultSort: NoInfer<`${Sort}` | `-${Sort}`>,
    options: { countUpTo?: number } = {},
  ) => new Pager(await secret(), list, query, filtersOf(query), sorts, defaultSort, options);
}
