// The official MCP Registry format (API v0.1): server.json, what a list or a lookup answers, and our own facts
// under a namespaced `_meta` key. Written from the registry's published OpenAPI description and server.json
// documentation; the reference server serves exactly this, and every entry it publishes is checked against it.
import { z } from 'zod';

/** The server.json schema version entries say they follow. */
export const SERVER_SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
/** The registry-managed facts of an entry (status, dates, latest), as the official registry names them. */
export const OFFICIAL_META = 'io.modelcontextprotocol.registry/official';
/** Our facts about an entry: the decision it was published under, its risk signals and capability hashes. */
export const WARDEN_META = 'dev.mcpwarden/governance';

export const REGISTRY_STATUSES = ['active', 'deprecated', 'deleted'] as const;
export type RegistryStatus = (typeof REGISTRY_STATUSES)[number];

/** What laptops do with the registry: nothing, point VS Code's gallery at it, or also run nothing else. */
export const REGISTRY_MODES = ['off', 'gallery', 'only'] as const;
export type RegistryMode = (typeof REGISTRY_MODES)[number];

/** A reverse-DNS namespace: `com.example`, `io.github.acme`. */
export const NAMESPACE_PATTERN = /^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$/;
const NAME_PATTERN = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;
/** Version ranges the registry refuses: `^1.2.3`, `~1.2`, `>=1`, `1.x`, `1.*`, `1 - 2`, `a || b`. */
const RANGE_PATTERN = /^[\^~<>=*]|[xX*](\.|$)|\s-\s|\|\|/;

export const ExactVersion = z
  .string()
  .min(1, 'a version is required')
  .max(255)
  .refine((version) => version !== 'latest', '`latest` is not a version; give the exact one')
  .refine((version) => !RANGE_PATTERN.test(version), 'a range is not a version; give the exact one (1.2.3)');

/** An environment variable or a header: its name, and never its value. */
const KeyValueInput = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  isRequired: z.boolean().optional(),
  isSecret: z.boolean().optional(),
  format: z.enum(['string', 'number', 'boolean', 'filepath']).optional(),
});
export type KeyValueInput = z.infer<typeof KeyValueInput>;

const StdioTransport = z.strictObject({ type: z.literal('stdio') });
const RemoteTransport = z.strictObject({
  type: z.enum(['streamable-http', 'sse']),
  url: z.url(),
  headers: z.array(KeyValueInput).optional(),
});
export type RemoteTransport = z.infer<typeof RemoteTransport>;

/** npm, PyPI and NuGet name a package and give its version apart; OCI puts the tag in the image reference. */
const VERSIONED_APART = new Set(['npm', 'pypi', 'nuget']);

export const RegistryPackage = z
  .strictObject({
    registryType: z.enum(['npm', 'pypi', 'oci', 'nuget', 'mcpb']),
    registryBaseUrl: z.url().optional(),
    identifier: z.string().min(1),
    version: ExactVersion.optional(),
    runtimeHint: z.string().optional(),
    transport: z.union([StdioTransport, RemoteTransport]),
    environmentVariables: z.array(KeyValueInput).optional(),
  })
  .refine((item) => !VERSIONED_APART.has(item.registryType) || item.version !== undefined, {
    message: 'an npm, PyPI or NuGet package needs its exact version',
    path: ['version'],
  })
  .refine((item) => item.registryType !== 'oci' || (item.version === undefined && /[:@][^/]+$/.test(item.identifier)), {
    message: 'an OCI package names its tag or digest in the identifier (ghcr.io/acme/server:1.2.3), with no version apart',
    path: ['identifier'],
  });
export type RegistryPackage = z.infer<typeof RegistryPackage>;

/**
 * What we say of an entry beside the official fields: names, verdicts and hashes only. No admin's email or
 * justification (the registry is public), and no local command line (a `cmd:` server is named by its entry).
 */
export const WardenFacts = z.object({
  /** What the fleet reports it as (`npm:…`, `url:…`); absent for a local command. */
  serverKey: z.string().optional(),
  /** The decision it was published under, per agent (`*` for all). */
  decisions: z.array(z.object({ agents: z.array(z.string()), status: z.string() })),
  conditions: z.record(z.string(), z.unknown()).optional(),
  risk: z.string(),
  riskSignals: z.array(z.object({ id: z.string(), severity: z.string() })),
  /** `kind:name` → sha256 of the definition the fleet last saw. */
  capabilities: z.record(z.string(), z.string()),
});
export type WardenFacts = z.infer<typeof WardenFacts>;

export const ServerJson = z.strictObject({
  $schema: z.url().optional(),
  name: z
    .string()
    .min(3)
    .max(200)
    .regex(NAME_PATTERN, 'a reverse-DNS namespace, one `/`, then letters, digits, `.`, `_` or `-` (com.example/github)'),
  title: z.string().min(1).max(100).optional(),
  description: z.string().min(1, 'a description is required').max(100, 'at most 100 characters'),
  version: ExactVersion,
  websiteUrl: z.url().optional(),
  repository: z.strictObject({ url: z.url(), source: z.string(), id: z.string().optional(), subfolder: z.string().optional() }).optional(),
  packages: z.array(RegistryPackage).optional(),
  remotes: z.array(RemoteTransport).optional(),
  _meta: z
    .object({ [WARDEN_META]: WardenFacts })
    .catchall(z.unknown())
    .optional(),
});
export type ServerJson = z.infer<typeof ServerJson>;

export const OfficialMeta = z.strictObject({
  status: z.enum(REGISTRY_STATUSES),
  publishedAt: z.string(),
  updatedAt: z.string(),
  isLatest: z.boolean(),
});
export type OfficialMeta = z.infer<typeof OfficialMeta>;

export const ServerResponse = z.object({
  server: ServerJson,
  _meta: z.object({ [OFFICIAL_META]: OfficialMeta }).catchall(z.unknown()),
});
export type ServerResponse = z.infer<typeof ServerResponse>;

export const ServerList = z.object({
  servers: z.array(ServerResponse),
  metadata: z.object({ nextCursor: z.string().optional(), count: z.number().int() }),
});
export type ServerList = z.infer<typeof ServerList>;
