// What a server declares, as Capability records: every page of each list, each item cut to size, each
// hashed over its canonical JSON so a changed description or schema changes the hash.
import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Capability, CapabilityKind } from '../../shared/inventory.js';
import { type McpList, MCP_LISTS } from './mcp-lists.js';

export interface ListLimits {
  /** Items kept per list; the rest are counted as truncated. */
  maxItems: number;
  /** Characters kept of each description. */
  maxDescriptionChars: number;
  /** Pages fetched per list, against servers that never stop paginating. */
  maxPages: number;
  requestTimeoutMs: number;
}

/**
 * JSON with object keys sorted at every level (by UTF-16 code unit, as `sort` does): the same declaration always
 * gives the same text. Built in one pass, since every audited call hashes it twice.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) out += `${index ? ',' : ''}${canonicalJson(value[index])}`;
    return `${out}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    let out = '';
    for (const key of Object.keys(record).sort()) {
      if (record[key] !== undefined) out += `${out ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(record[key])}`;
    }
    return `{${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

type Declared = Record<string, unknown> & { name?: unknown; description?: unknown };

/** One declared item as a Capability (risks are added by the risk analysis). */
export function toCapability(kind: CapabilityKind, item: Declared, limits: Pick<ListLimits, 'maxDescriptionChars'>): Capability {
  // The hash covers what the server declared, before any cutting, so a change past the cap still shows.
  const hash = sha256(canonicalJson({ kind, ...item }));
  const description = typeof item.description === 'string' ? item.description : undefined;
  const cut = description !== undefined && description.length > limits.maxDescriptionChars;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const capability: Capability = {
    kind,
    name: text(item.name) ?? text(item.uri) ?? text(item.uriTemplate) ?? '(unnamed)',
    hash,
    risks: [],
  };
  if (text(item.title)) capability.title = text(item.title)!;
  if (description !== undefined) capability.description = cut ? description.slice(0, limits.maxDescriptionChars) : description;
  if (cut) capability.descriptionLength = description!.length;
  if (item.annotations && typeof item.annotations === 'object') capability.annotations = item.annotations as Record<string, unknown>;
  if (kind === 'tool') {
    if (item.inputSchema !== undefined) capability.inputSchema = item.inputSchema;
    if (item.outputSchema !== undefined) capability.outputSchema = item.outputSchema;
  }
  if (text(item.uri)) capability.uri = text(item.uri)!;
  if (text(item.uriTemplate)) capability.uriTemplate = text(item.uriTemplate)!;
  if (text(item.mimeType)) capability.mimeType = text(item.mimeType)!;
  if (kind === 'prompt' && Array.isArray(item.arguments)) {
    capability.arguments = item.arguments
      .filter(
        (argument): argument is Record<string, unknown> =>
          typeof argument === 'object' && argument !== null && typeof (argument as Declared).name === 'string',
      )
      .map((argument) => ({
        name: argument.name as string,
        ...(typeof argument.description === 'string' ? { description: argument.description } : {}),
        ...(typeof argument.required === 'boolean' ? { required: argument.required } : {}),
      }));
  }
  return capability;
}

type Page = { items: Declared[]; nextCursor?: string | undefined };

/** One page of a list, asked for with its own method and read from its own field. */
async function listPage(client: Client, list: McpList, cursor: string | undefined, options: { timeout: number }): Promise<Page> {
  const result = (await client.request({ method: list.method, params: cursor ? { cursor } : {} }, list.resultSchema, options)) as Record<
    string,
    unknown
  > & { nextCursor?: string };
  return { items: result[list.field] as Declared[], nextCursor: result.nextCursor };
}

export interface Listed {
  tools: Capability[];
  resources: Capability[];
  resourceTemplates: Capability[];
  prompts: Capability[];
  truncated: string[];
}

/** Every page of every list the server says it supports. */
export async function listCapabilities(client: Client, limits: ListLimits): Promise<Listed> {
  const declared = client.getServerCapabilities() ?? {};
  const truncated: string[] = [];
  const options = { timeout: limits.requestTimeoutMs };

  async function all(kind: CapabilityKind, label: string, page: (cursor?: string) => Promise<Page>): Promise<Capability[]> {
    const items: Capability[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < limits.maxPages; pages++) {
      const result = await page(cursor);
      for (const item of result.items) {
        if (items.length >= limits.maxItems) {
          truncated.push(label);
          return items;
        }
        items.push(toCapability(kind, item, limits));
      }
      cursor = result.nextCursor;
      if (!cursor) return items;
    }
    // Still paginating after the last page allowed.
    truncated.push(label);
    return items;
  }

  // One list after the other: a deterministic order, and one request at a time for the server.
  const lists: Capability[][] = [];
  for (const list of MCP_LISTS) {
    lists.push(declared[list.declaredBy] ? await all(list.kind, list.label, (cursor) => listPage(client, list, cursor, options)) : []);
  }
  const [tools, resources, resourceTemplates, prompts] = lists as [Capability[], Capability[], Capability[], Capability[]];
  return { tools, resources, resourceTemplates, prompts, truncated };
}
