// The closed word lists of the domain model. Plain constants with no dependency, so the headless
// scan path can use them without loading zod (which alone costs ~90 ms of start-up).

export const PLATFORMS = ['darwin', 'win32', 'linux'] as const;
export const SCOPES = ['user', 'project', 'managed', 'extension', 'plugin'] as const;
export const SOURCE_STATUSES = ['ok', 'missing', 'unreadable', 'invalid', 'too-large'] as const;
export const SOURCE_FORMATS = ['json', 'jsonc', 'toml', 'yaml'] as const;
export const TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export const ACCESS_TYPES = ['local', 'private', 'public', 'third-party'] as const;
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const PACKAGE_REGISTRIES = ['npm', 'pypi', 'oci'] as const;
export const CAPABILITY_KINDS = ['tool', 'resource', 'resource-template', 'prompt'] as const;
/** How a probe ended: `needs-input` (a `${input:…}` the user types), `needs-auth` (401 / OAuth), `skipped` (disabled, blocked, or not probed by setting). */
export const PROBE_STATUSES = ['ok', 'error', 'timeout', 'needs-auth', 'needs-input', 'skipped'] as const;
export const PROBE_MODES = ['all', 'remote-only', 'off'] as const;
/** Which project servers may be started: those their client approved (default), none, or all (docs/security.md). */
export const PROBE_PROJECT_MODES = ['approved', 'never', 'all'] as const;

/** Bumped only on a breaking change of `mcp-warden scan --json` (docs/scan-json.md). */
export const SCAN_SCHEMA_VERSION = 1;
