// The client catalogue: one entry per MCP client, as data. docs/clients.md lists the same paths with the
// documentation each was checked against; keep the two in step (a test compares them).
import { VSCODE_FAMILY, editorUserFolder, extensionStorageFiles, workspaceStorage } from './editors.js';
import type { ClientDefinition, ServerPath } from './types.js';

const MCP_SERVERS: ServerPath[] = [{ path: ['mcpServers'] }];
/** Plugin-style files: `{ "mcpServers": {…} }`, or the bare map alone. */
const MCP_SERVERS_OR_BARE: ServerPath[] = [{ path: ['mcpServers'] }, { path: [], fallback: true }];
const VSCODE_SERVERS: ServerPath[] = [{ path: ['servers'] }];
const VSCODE_SETTINGS_SERVERS: ServerPath[] = [{ path: ['mcp', 'servers'] }, { path: ['mcp.servers'] }];
/** opencode's current schema keys servers under `mcp.servers`; its first one directly under `mcp`. */
const OPENCODE_SERVERS: ServerPath[] = [{ path: ['mcp', 'servers'] }, { path: ['mcp'], fallback: true }];
/** Claude Code's machine-wide settings file, which IT manages (servers, and the keys that approve project servers). */
export const CLAUDE_CODE_MANAGED_SETTINGS = {
  darwin: '{root}/Library/Application Support/ClaudeCode/managed-settings.json',
  linux: '{root}/etc/claude-code/managed-settings.json',
  win32: '{programFiles}/ClaudeCode/managed-settings.json',
} as const;
/** Gemini CLI and its forks say `url` for SSE and `httpUrl` for streamable HTTP. */
const GEMINI_DIALECT = { urlKeyTransport: { url: 'sse', httpUrl: 'http' } } as const;

/** VS Code and VS Code Insiders: user `mcp.json`, profiles, settings, workspace files. */
function vscodeEdition(id: 'vscode' | 'vscode-insiders' | 'vscodium', name: string, docs: string[]): ClientDefinition {
  const user = editorUserFolder(VSCODE_FAMILY[id]);
  return {
    id,
    name,
    docs,
    locations: [
      { scope: 'user', path: `${user}/mcp.json`, format: 'jsonc', servers: VSCODE_SERVERS },
      { scope: 'user', path: `${user}/profiles/*/mcp.json`, format: 'jsonc', servers: VSCODE_SERVERS },
      { scope: 'user', path: `${user}/settings.json`, format: 'jsonc', servers: VSCODE_SETTINGS_SERVERS },
      { scope: 'user', path: `${user}/profiles/*/settings.json`, format: 'jsonc', servers: VSCODE_SETTINGS_SERVERS },
      ...(id === 'vscode'
        ? [
            {
              scope: 'user' as const,
              path: { linux: '~/.vscode-server/data/User/mcp.json' },
              format: 'jsonc' as const,
              servers: VSCODE_SERVERS,
            },
          ]
        : []),
    ],
    projectFiles: [
      { path: '.vscode/mcp.json', format: 'jsonc', servers: VSCODE_SERVERS },
      { path: '.vscode/settings.json', format: 'jsonc', servers: VSCODE_SETTINGS_SERVERS },
      { path: '*.code-workspace', format: 'jsonc', servers: [{ path: ['settings', 'mcp', 'servers'] }, { path: ['mcp', 'servers'] }] },
    ],
    workspaceIndexes: [{ kind: 'vscode-storage', path: workspaceStorage(VSCODE_FAMILY[id]) }],
  };
}

const VSCODE_DOCS = [
  'https://code.visualstudio.com/docs/copilot/reference/mcp-configuration',
  'https://code.visualstudio.com/docs/configure/profiles',
];

export const CLIENTS: readonly ClientDefinition[] = [
  {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    docs: [
      'https://modelcontextprotocol.io/docs/develop/connect-local-servers',
      'https://claude.com/docs/third-party/claude-desktop/configuration',
    ],
    locations: [
      {
        scope: 'user',
        path: {
          darwin: '{appSupport}/Claude/claude_desktop_config.json',
          // The MSIX install (the default since 2026) reads a virtualised copy under Packages.
          win32: [
            '{appData}/Claude/claude_desktop_config.json',
            '{localAppData}/Packages/Claude_*/LocalCache/Roaming/Claude/claude_desktop_config.json',
          ],
          linux: '{xdgConfig}/Claude/claude_desktop_config.json',
        },
        format: 'json',
        servers: MCP_SERVERS,
      },
      {
        // Desktop Extensions (.mcpb/.dxt): one server per unpacked manifest.
        scope: 'extension',
        path: {
          darwin: '{appSupport}/Claude/Claude Extensions/*/manifest.json',
          win32: '{appData}/Claude/Claude Extensions/*/manifest.json',
          linux: '{xdgConfig}/Claude/Claude Extensions/*/manifest.json',
        },
        format: 'json',
        servers: [{ path: ['server', 'mcp_config'], shape: 'single' }],
      },
    ],
  },
  {
    id: 'claude-code',
    name: 'Claude Code',
    docs: [
      'https://code.claude.com/docs/en/mcp',
      'https://code.claude.com/docs/en/managed-mcp',
      'https://code.claude.com/docs/en/settings',
    ],
    locations: [
      {
        scope: 'user',
        path: '{env:CLAUDE_CONFIG_DIR|~}/.claude.json',
        format: 'json',
        servers: [{ path: ['mcpServers'] }, { path: ['projects', '{project}', 'mcpServers'], scope: 'project' }],
      },
      {
        scope: 'managed',
        path: {
          darwin: '{root}/Library/Application Support/ClaudeCode/managed-mcp.json',
          linux: '{root}/etc/claude-code/managed-mcp.json',
          win32: '{programFiles}/ClaudeCode/managed-mcp.json',
        },
        format: 'json',
        servers: MCP_SERVERS,
      },
      {
        scope: 'managed',
        path: CLAUDE_CODE_MANAGED_SETTINGS,
        format: 'json',
        servers: [{ path: ['managedMcpServers'] }],
      },
      {
        scope: 'plugin',
        path: '{env:CLAUDE_CONFIG_DIR|~/.claude}/plugins/cache/*/*/*/.mcp.json',
        format: 'json',
        servers: MCP_SERVERS_OR_BARE,
      },
    ],
    projectFiles: [{ path: '.mcp.json', format: 'json', servers: MCP_SERVERS }],
    workspaceIndexes: [{ kind: 'keys', path: '{env:CLAUDE_CONFIG_DIR|~}/.claude.json', keyPath: ['projects'], format: 'json' }],
    consent: {
      kind: 'claude-code',
      state: '{env:CLAUDE_CONFIG_DIR|~}/.claude.json',
      settings: ['{env:CLAUDE_CONFIG_DIR|~/.claude}/settings.json', CLAUDE_CODE_MANAGED_SETTINGS],
      projectSettings: ['.claude/settings.json', '.claude/settings.local.json'],
    },
  },
  {
    id: 'cursor',
    name: 'Cursor',
    docs: ['https://cursor.com/docs/mcp', 'https://cursor.com/docs/cli/mcp'],
    locations: [{ scope: 'user', path: '~/.cursor/mcp.json', format: 'jsonc', servers: MCP_SERVERS }],
    projectFiles: [{ path: '.cursor/mcp.json', format: 'jsonc', servers: MCP_SERVERS }],
    workspaceIndexes: [{ kind: 'vscode-storage', path: workspaceStorage(VSCODE_FAMILY.cursor) }],
  },
  vscodeEdition('vscode', 'VS Code', VSCODE_DOCS),
  vscodeEdition('vscode-insiders', 'VS Code Insiders', VSCODE_DOCS),
  vscodeEdition('vscodium', 'VSCodium', VSCODE_DOCS),
  {
    id: 'windsurf',
    name: 'Windsurf',
    docs: ['https://docs.windsurf.com/windsurf/cascade/mcp', 'https://docs.windsurf.com/plugins/cascade/mcp'],
    locations: [
      { scope: 'user', path: '~/.codeium/windsurf/mcp_config.json', format: 'jsonc', servers: MCP_SERVERS },
      { scope: 'user', path: '~/.codeium/windsurf-next/mcp_config.json', format: 'jsonc', servers: MCP_SERVERS },
      // The Windsurf plugin for JetBrains IDEs.
      { scope: 'user', path: '~/.codeium/mcp_config.json', format: 'jsonc', servers: MCP_SERVERS },
    ],
    workspaceIndexes: [{ kind: 'vscode-storage', path: workspaceStorage(VSCODE_FAMILY.windsurf) }],
  },
  {
    id: 'gemini-cli',
    name: 'Gemini CLI',
    docs: [
      'https://github.com/google-gemini/gemini-cli/blob/main/docs/reference/configuration.md',
      'https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md',
      'https://github.com/google-gemini/gemini-cli/blob/main/docs/cli/trusted-folders.md',
    ],
    locations: [
      { scope: 'user', path: '{env:GEMINI_CLI_HOME|~}/.gemini/settings.json', format: 'jsonc', servers: MCP_SERVERS },
      {
        scope: 'managed',
        path: {
          darwin: '{env:GEMINI_CLI_SYSTEM_SETTINGS_PATH|{root}/Library/Application Support/GeminiCli/settings.json}',
          linux: '{env:GEMINI_CLI_SYSTEM_SETTINGS_PATH|{root}/etc/gemini-cli/settings.json}',
          win32: '{env:GEMINI_CLI_SYSTEM_SETTINGS_PATH|{programData}/gemini-cli/settings.json}',
        },
        format: 'jsonc',
        servers: MCP_SERVERS,
      },
      {
        scope: 'managed',
        path: {
          darwin: '{env:GEMINI_CLI_SYSTEM_DEFAULTS_PATH|{root}/Library/Application Support/GeminiCli/system-defaults.json}',
          linux: '{env:GEMINI_CLI_SYSTEM_DEFAULTS_PATH|{root}/etc/gemini-cli/system-defaults.json}',
          win32: '{env:GEMINI_CLI_SYSTEM_DEFAULTS_PATH|{programData}/gemini-cli/system-defaults.json}',
        },
        format: 'jsonc',
        servers: MCP_SERVERS,
      },
      {
        scope: 'extension',
        path: '{env:GEMINI_CLI_HOME|~}/.gemini/extensions/*/gemini-extension.json',
        format: 'jsonc',
        servers: MCP_SERVERS,
      },
    ],
    projectFiles: [{ path: '.gemini/settings.json', format: 'jsonc', servers: MCP_SERVERS }],
    workspaceIndexes: [
      {
        kind: 'keys',
        path: '{env:GEMINI_CLI_TRUSTED_FOLDERS_PATH|{env:GEMINI_CLI_HOME|~}/.gemini/trustedFolders.json}',
        keyPath: [],
        format: 'jsonc',
      },
    ],
    consent: { kind: 'trusted-folders', path: '{env:GEMINI_CLI_TRUSTED_FOLDERS_PATH|{env:GEMINI_CLI_HOME|~}/.gemini/trustedFolders.json}' },
    dialect: GEMINI_DIALECT,
  },
  {
    id: 'codex',
    name: 'Codex',
    docs: ['https://developers.openai.com/codex/mcp', 'https://developers.openai.com/codex/config-reference'],
    locations: [
      { scope: 'user', path: '{env:CODEX_HOME|~/.codex}/config.toml', format: 'toml', servers: [{ path: ['mcp_servers'] }] },
      {
        scope: 'managed',
        path: { darwin: '{root}/etc/codex/managed_config.toml', linux: '{root}/etc/codex/managed_config.toml' },
        format: 'toml',
        servers: [{ path: ['mcp_servers'] }],
      },
    ],
    projectFiles: [{ path: '.codex/config.toml', format: 'toml', servers: [{ path: ['mcp_servers'] }] }],
    workspaceIndexes: [{ kind: 'keys', path: '{env:CODEX_HOME|~/.codex}/config.toml', keyPath: ['projects'], format: 'toml' }],
    consent: {
      kind: 'trusted-projects',
      path: '{env:CODEX_HOME|~/.codex}/config.toml',
      format: 'toml',
      keyPath: ['projects'],
      field: 'trust_level',
      trusted: 'trusted',
    },
  },
  {
    id: 'zed',
    name: 'Zed',
    docs: ['https://zed.dev/docs/ai/mcp', 'https://zed.dev/docs/configuring-zed'],
    locations: [
      {
        scope: 'user',
        path: {
          darwin: '~/.config/zed/settings.json',
          linux: '{env:FLATPAK_XDG_CONFIG_HOME|{xdgConfig}}/zed/settings.json',
          win32: '{appData}/Zed/settings.json',
        },
        format: 'jsonc',
        servers: [{ path: ['context_servers'] }],
      },
    ],
    projectFiles: [{ path: '.zed/settings.json', format: 'jsonc', servers: [{ path: ['context_servers'] }] }],
  },
  {
    id: 'cline',
    name: 'Cline',
    docs: ['https://docs.cline.bot/mcp/configuring-mcp-servers', 'https://docs.cline.bot/getting-started/config'],
    locations: [
      {
        scope: 'user',
        path: '{env:CLINE_MCP_SETTINGS_PATH|{env:CLINE_DATA_DIR|{env:CLINE_DIR|~/.cline}/data}/settings/cline_mcp_settings.json}',
        format: 'json',
        servers: MCP_SERVERS,
      },
      // Older extension builds keep the file in the editor's globalStorage.
      {
        scope: 'user',
        path: extensionStorageFiles('saoudrizwan.claude-dev', 'settings/cline_mcp_settings.json'),
        format: 'json',
        servers: MCP_SERVERS,
      },
    ],
    dialect: { defaultUrlTransport: 'sse' },
  },
  {
    id: 'roo-code',
    name: 'Roo Code',
    docs: ['https://docs.roocode.com/features/mcp/using-mcp-in-roo'],
    locations: [
      {
        scope: 'user',
        path: extensionStorageFiles('rooveterinaryinc.roo-cline', 'settings/mcp_settings.json'),
        format: 'json',
        servers: MCP_SERVERS,
      },
    ],
    projectFiles: [{ path: '.roo/mcp.json', format: 'json', servers: MCP_SERVERS }],
  },
  {
    id: 'continue',
    name: 'Continue',
    docs: ['https://docs.continue.dev/customize/deep-dives/mcp', 'https://docs.continue.dev/reference'],
    locations: [
      {
        scope: 'user',
        path: '{env:CONTINUE_GLOBAL_DIR|~/.continue}/config.yaml',
        format: 'yaml',
        servers: [{ path: ['mcpServers'], shape: 'list' }],
      },
      {
        scope: 'user',
        path: '{env:CONTINUE_GLOBAL_DIR|~/.continue}/assistants/*.yaml',
        format: 'yaml',
        servers: [{ path: ['mcpServers'], shape: 'list' }],
      },
      {
        scope: 'user',
        path: '{env:CONTINUE_GLOBAL_DIR|~/.continue}/mcpServers/*.yaml',
        format: 'yaml',
        servers: [{ path: ['mcpServers'], shape: 'list' }],
      },
      { scope: 'user', path: '{env:CONTINUE_GLOBAL_DIR|~/.continue}/mcpServers/*.json', format: 'jsonc', servers: MCP_SERVERS },
      // The deprecated config.json: a list of `{ transport: {…} }`.
      {
        scope: 'user',
        path: '{env:CONTINUE_GLOBAL_DIR|~/.continue}/config.json',
        format: 'jsonc',
        servers: [{ path: ['experimental', 'modelContextProtocolServers'], shape: 'list' }],
      },
    ],
    projectFiles: [
      { path: '.continue/mcpServers/*.yaml', format: 'yaml', servers: [{ path: ['mcpServers'], shape: 'list' }] },
      { path: '.continue/mcpServers/*.yml', format: 'yaml', servers: [{ path: ['mcpServers'], shape: 'list' }] },
      { path: '.continue/mcpServers/*.json', format: 'jsonc', servers: MCP_SERVERS },
      { path: '.continue/assistants/*.yaml', format: 'yaml', servers: [{ path: ['mcpServers'], shape: 'list' }] },
    ],
  },
  {
    id: 'goose',
    name: 'Goose',
    docs: ['https://block.github.io/goose/docs/guides/config-files'],
    locations: [
      {
        scope: 'user',
        path: {
          darwin: '{env:GOOSE_PATH_ROOT|{xdgConfig}/goose}/config.yaml',
          linux: '{env:GOOSE_PATH_ROOT|{xdgConfig}/goose}/config.yaml',
          win32: '{env:GOOSE_PATH_ROOT|{appData}/Block/goose/config}/config.yaml',
        },
        format: 'yaml',
        servers: [{ path: ['extensions'] }],
      },
    ],
  },
  {
    id: 'kiro',
    name: 'Kiro',
    docs: ['https://kiro.dev/docs/mcp/configuration', 'https://kiro.dev/docs/cli/mcp/configuration'],
    locations: [
      { scope: 'user', path: '~/.kiro/settings/mcp.json', format: 'jsonc', servers: MCP_SERVERS },
      { scope: 'user', path: '~/.kiro/agents/*.json', format: 'jsonc', servers: MCP_SERVERS },
    ],
    projectFiles: [
      { path: '.kiro/settings/mcp.json', format: 'jsonc', servers: MCP_SERVERS },
      { path: '.kiro/agents/*.json', format: 'jsonc', servers: MCP_SERVERS },
    ],
    workspaceIndexes: [{ kind: 'vscode-storage', path: workspaceStorage(VSCODE_FAMILY.kiro) }],
  },
  {
    id: 'opencode',
    name: 'opencode',
    docs: ['https://opencode.ai/docs/config', 'https://opencode.ai/docs/mcp-servers'],
    locations: [
      ...['opencode.json', 'opencode.jsonc', 'config.json'].map((file) => ({
        scope: 'user' as const,
        path: `{xdgConfig}/opencode/${file}`,
        format: 'jsonc' as const,
        servers: OPENCODE_SERVERS,
      })),
      ...['opencode.json', 'opencode.jsonc'].map((file) => ({
        scope: 'managed' as const,
        path: {
          darwin: `{root}/Library/Application Support/opencode/${file}`,
          linux: `{root}/etc/opencode/${file}`,
          win32: `{programData}/opencode/${file}`,
        },
        format: 'jsonc' as const,
        servers: OPENCODE_SERVERS,
      })),
    ],
    projectFiles: ['opencode.json', 'opencode.jsonc', '.opencode/opencode.json', '.opencode/opencode.jsonc'].map((file) => ({
      path: file,
      format: 'jsonc' as const,
      servers: OPENCODE_SERVERS,
    })),
  },
  {
    id: 'lm-studio',
    name: 'LM Studio',
    docs: ['https://lmstudio.ai/docs/app/plugins/mcp', 'https://lmstudio.ai/blog/lmstudio-v0.3.17'],
    locations: [
      { scope: 'user', path: '~/.lmstudio/mcp.json', format: 'jsonc', servers: MCP_SERVERS },
      // Installs from before 0.3.x keep their home in ~/.cache/lm-studio.
      { scope: 'user', path: '~/.cache/lm-studio/mcp.json', format: 'jsonc', servers: MCP_SERVERS },
    ],
  },
  {
    id: 'amazon-q',
    name: 'Amazon Q Developer',
    docs: [
      'https://docs.aws.amazon.com/amazonq/latest/qdeveloper-ug/command-line-mcp-configuration.html',
      'https://docs.aws.amazon.com/amazonq/latest/qdeveloper-ug/mcp-ide.html',
    ],
    locations: [
      { scope: 'user', path: '~/.aws/amazonq/mcp.json', format: 'json', servers: MCP_SERVERS },
      { scope: 'user', path: '~/.aws/amazonq/agents/*.json', format: 'json', servers: MCP_SERVERS },
      { scope: 'user', path: '~/.aws/amazonq/cli-agents/*.json', format: 'json', servers: MCP_SERVERS },
    ],
    projectFiles: [
      { path: '.amazonq/mcp.json', format: 'json', servers: MCP_SERVERS },
      { path: '.amazonq/agents/*.json', format: 'json', servers: MCP_SERVERS },
      { path: '.amazonq/cli-agents/*.json', format: 'json', servers: MCP_SERVERS },
    ],
  },
  {
    id: 'copilot-cli',
    name: 'GitHub Copilot CLI',
    docs: [
      'https://docs.github.com/en/copilot/how-tos/copilot-cli/customize-copilot/add-mcp-servers',
      'https://docs.github.com/en/copilot/reference/copilot-cli-reference/cli-config-dir-reference',
    ],
    locations: [
      { scope: 'user', path: '{env:COPILOT_HOME|~/.copilot}/mcp-config.json', format: 'json', servers: MCP_SERVERS },
      {
        scope: 'plugin',
        path: '{env:COPILOT_HOME|~/.copilot}/installed-plugins/*/*/.mcp.json',
        format: 'json',
        servers: MCP_SERVERS_OR_BARE,
      },
    ],
    projectFiles: [
      { path: '.mcp.json', format: 'json', servers: MCP_SERVERS_OR_BARE },
      { path: '.github/mcp.json', format: 'json', servers: MCP_SERVERS_OR_BARE },
    ],
    consent: { kind: 'trusted-folder-list', path: '{env:COPILOT_HOME|~/.copilot}/config.json', keyPath: ['trusted_folders'] },
  },
  {
    id: 'antigravity',
    name: 'Antigravity',
    docs: ['https://antigravity.google/docs/mcp', 'https://antigravity.google/docs/cli/gcli-migration'],
    locations: [
      { scope: 'user', path: '~/.gemini/config/mcp_config.json', format: 'json', servers: MCP_SERVERS },
      // Builds before the migration to ~/.gemini/config.
      { scope: 'user', path: '~/.gemini/antigravity/mcp_config.json', format: 'json', servers: MCP_SERVERS },
      { scope: 'plugin', path: '~/.gemini/antigravity-cli/plugins/*/mcp_config.json', format: 'json', servers: MCP_SERVERS },
    ],
    projectFiles: [{ path: '.agents/mcp_config.json', format: 'json', servers: MCP_SERVERS }],
    workspaceIndexes: [{ kind: 'vscode-storage', path: workspaceStorage(VSCODE_FAMILY.antigravity) }],
  },
  {
    id: 'junie',
    name: 'Junie',
    docs: ['https://www.jetbrains.com/help/junie/model-context-protocol-mcp.html'],
    locations: [{ scope: 'user', path: '~/.junie/mcp/mcp.json', format: 'jsonc', servers: MCP_SERVERS }],
    projectFiles: [{ path: '.junie/mcp/mcp.json', format: 'jsonc', servers: MCP_SERVERS }],
  },
  {
    id: 'qwen-code',
    name: 'Qwen Code',
    docs: [
      'https://qwenlm.github.io/qwen-code-docs/en/users/features/mcp/',
      'https://qwenlm.github.io/qwen-code-docs/en/users/configuration/settings',
    ],
    locations: [
      { scope: 'user', path: '~/.qwen/settings.json', format: 'jsonc', servers: MCP_SERVERS },
      {
        scope: 'managed',
        path: {
          darwin: '{env:QWEN_CODE_SYSTEM_SETTINGS_PATH|{root}/Library/Application Support/QwenCode/settings.json}',
          linux: '{env:QWEN_CODE_SYSTEM_SETTINGS_PATH|{root}/etc/qwen-code/settings.json}',
          win32: '{env:QWEN_CODE_SYSTEM_SETTINGS_PATH|{programData}/qwen-code/settings.json}',
        },
        format: 'jsonc',
        servers: MCP_SERVERS,
      },
    ],
    projectFiles: [{ path: '.qwen/settings.json', format: 'jsonc', servers: MCP_SERVERS }],
    dialect: GEMINI_DIALECT,
  },
  {
    id: 'warp',
    name: 'Warp',
    docs: ['https://docs.warp.dev/agents/capabilities/mcp'],
    locations: [{ scope: 'user', path: '~/.warp/.mcp.json', format: 'jsonc', servers: MCP_SERVERS }],
    projectFiles: [{ path: '.warp/.mcp.json', format: 'jsonc', servers: MCP_SERVERS }],
  },
  {
    id: 'trae',
    name: 'Trae',
    // No official page documents the paths; they are the ones installers write (unofficial: traeide.com).
    docs: ['https://traeide.com/news/6'],
    locations: [{ scope: 'user', path: `${editorUserFolder(VSCODE_FAMILY.trae)}/mcp.json`, format: 'jsonc', servers: MCP_SERVERS }],
    projectFiles: [{ path: '.trae/mcp.json', format: 'jsonc', servers: MCP_SERVERS }],
    workspaceIndexes: [{ kind: 'vscode-storage', path: workspaceStorage(VSCODE_FAMILY.trae) }],
  },
  {
    id: 'visual-studio',
    name: 'Visual Studio',
    docs: ['https://learn.microsoft.com/visualstudio/ide/mcp-servers'],
    locations: [
      { scope: 'user', path: { win32: '~/.mcp.json' }, format: 'jsonc', servers: [{ path: ['servers'] }, { path: ['mcpServers'] }] },
    ],
    projectFiles: [{ path: '.vs/mcp.json', format: 'jsonc', servers: [{ path: ['servers'] }, { path: ['mcpServers'] }] }],
  },
];

export function findClient(id: string): ClientDefinition | undefined {
  return CLIENTS.find((client) => client.id === id);
}

/** A client's name for people (`Claude Code`), its id when the catalogue does not know it. */
export function clientName(id: string): string {
  return findClient(id)?.name ?? id;
}
