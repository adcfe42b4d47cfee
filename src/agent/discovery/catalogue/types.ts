// The shape of the client catalogue: every MCP client described as data (where it keeps its config, in which
// format, under which key, with which field names), so that supporting a new client is a new entry, not code.
import type { Platform, Scope, Transport } from '../../../shared/inventory.js';
import type { SOURCE_FORMATS } from '../../../shared/vocabulary.js';

export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/**
 * A path template: segments separated by `/`; `~` is the home folder; `{folder}` a base folder of the
 * platform (see world.ts); `{env:VAR|fallback}` a variable that moves it. A segment may hold `*` wildcards
 * (`profiles/*`, `Claude_*`, `*.code-workspace`), expanded against the disk.
 */
export type PathTemplate = string;

/** Templates for every platform, or per platform (a platform left out has no such file). */
export type PlatformPaths = PathTemplate | PathTemplate[] | Partial<Record<Platform, PathTemplate | PathTemplate[]>>;

/** Where the servers sit inside a parsed file. */
export interface ServerPath {
  /** Keys from the root; the segment `{project}` matches any key and records it as the project path. */
  path: string[];
  /** `map`: name → entry (the default); `list`: entries carrying a `name`; `single`: the value is one server. */
  shape?: 'map' | 'list' | 'single';
  /** Scope of the servers found here when it differs from the file's (Claude Code's per-project servers). */
  scope?: Scope;
  /** Only read when none of the paths before it exists in the file (a bare map as the whole file, an older key). */
  fallback?: boolean;
}

export interface ConfigLocation {
  scope: Exclude<Scope, 'project'>;
  path: PlatformPaths;
  /** Defaults to the file extension (`.json` → strict json, `.jsonc` → jsonc, `.toml`, `.yaml`/`.yml`). */
  format?: SourceFormat;
  servers: ServerPath[];
}

/** A config file inside a project folder, relative to it. */
export interface ProjectFile {
  path: PathTemplate;
  format?: SourceFormat;
  servers: ServerPath[];
}

/** Where a client remembers the workspaces it opened, so their project files can be found. */
export type WorkspaceIndex =
  /** VS Code and its forks: `workspaceStorage/<hash>/workspace.json` holding a `folder` or `workspace` URI. */
  | { kind: 'vscode-storage'; path: PlatformPaths }
  /** A file whose keys at `keyPath` are absolute project paths (Claude Code's `projects`, Codex's `[projects]`). */
  | { kind: 'keys'; path: PlatformPaths; keyPath: string[]; format?: SourceFormat };

/**
 * Where a client records that the user consented to start a project's servers (docs/clients.md, "Consent").
 * A client without one is never trusted to have asked: MCP Warden does not start its project servers.
 */
export type ConsentRecord =
  /**
   * Claude Code: `projects.<path>` of its state file (trust dialog; `.mcp.json` servers enabled, disabled, or
   * all enabled), the same server keys in its user and managed settings, and in the project's own settings.
   */
  | { kind: 'claude-code'; state: PlatformPaths; settings: PlatformPaths[]; projectSettings: PathTemplate[] }
  /** Gemini CLI: `trustedFolders.json`, a path → TRUST_FOLDER | TRUST_PARENT | DO_NOT_TRUST map. */
  | { kind: 'trusted-folders'; path: PlatformPaths }
  /** A list of folders trusted with everything below them, at `keyPath` of a JSON file (Copilot CLI). */
  | { kind: 'trusted-folder-list'; path: PlatformPaths; keyPath: string[] }
  /**
   * A table keyed by project path, trusted when `field` equals `trusted`, for the project folder or the
   * repository it is in (Codex: `[projects."<path>"] trust_level = "trusted"`).
   */
  | { kind: 'trusted-projects'; path: PlatformPaths; format: SourceFormat; keyPath: string[]; field: string; trusted: string };

/** A client's own words for server fields, where they differ from the common ones. */
export interface Dialect {
  /** Transport implied by which URL key holds the address (Gemini CLI: `url` is SSE, `httpUrl` is HTTP). */
  urlKeyTransport?: Partial<Record<string, Transport>>;
  /** Transport of a URL with no `type` and no telling key; `http` unless the client says otherwise. */
  defaultUrlTransport?: Transport;
}

export interface ClientDefinition {
  id: string;
  name: string;
  /** The documentation the paths were checked against (docs/clients.md cites them). */
  docs: string[];
  locations: ConfigLocation[];
  projectFiles?: ProjectFile[];
  workspaceIndexes?: WorkspaceIndex[];
  /** How the user approves project servers in this client; absent: no record MCP Warden can read. */
  consent?: ConsentRecord;
  dialect?: Dialect;
}
