// Paths of the catalogue resolved against a machine: base folders per platform, variables that move them,
// and replays of copied disks.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type World, expandTemplate, hostPath, worldFromProcess, writtenHome } from '../../../src/agent/discovery/world.js';

const mac: World = { platform: 'darwin', home: '/Users/alice', root: '/', env: {} };
const windows: World = { platform: 'win32', home: '/replay/Users/bob', root: '/replay', env: {} };

describe('expanding catalogue templates', () => {
  it('resolves base folders per platform', () => {
    expect(expandTemplate('{userConfig}/Code/User/mcp.json', mac)).toBe('/Users/alice/Library/Application Support/Code/User/mcp.json');
    expect(expandTemplate('{userConfig}/Code/User/mcp.json', windows)).toBe('/replay/Users/bob/AppData/Roaming/Code/User/mcp.json');
    expect(expandTemplate('{programData}/gemini-cli/settings.json', windows)).toBe('/replay/ProgramData/gemini-cli/settings.json');
    expect(expandTemplate('{root}/etc/claude-code/managed-mcp.json', { ...mac, platform: 'linux', root: '/' })).toBe(
      '/etc/claude-code/managed-mcp.json',
    );
  });

  it('uses a variable when set, and its (nested) fallback otherwise', () => {
    const template = '{env:CLINE_MCP_SETTINGS_PATH|{env:CLINE_DATA_DIR|{env:CLINE_DIR|~/.cline}/data}/settings/cline_mcp_settings.json}';
    expect(expandTemplate(template, mac)).toBe('/Users/alice/.cline/data/settings/cline_mcp_settings.json');
    expect(expandTemplate(template, { ...mac, env: { CLINE_DIR: '/opt/cline' } })).toBe('/opt/cline/data/settings/cline_mcp_settings.json');
    expect(expandTemplate(template, { ...mac, env: { CLINE_DATA_DIR: '/d', CLINE_DIR: '/c' } })).toBe(
      '/d/settings/cline_mcp_settings.json',
    );
    expect(expandTemplate(template, { ...mac, env: { CLINE_MCP_SETTINGS_PATH: '/etc/cline.json' } })).toBe('/etc/cline.json');
    expect(expandTemplate('{env:CODEX_HOME|~/.codex}/config.toml', { ...mac, env: { CODEX_HOME: '' } })).toBe(
      '/Users/alice/.codex/config.toml',
    );
    expect(expandTemplate('{xdgConfig}/zed/settings.json', { ...mac, platform: 'linux', env: { XDG_CONFIG_HOME: '/x' } })).toBe(
      '/x/zed/settings.json',
    );
  });

  it('refuses an unknown folder name, so a catalogue typo fails loudly', () => {
    expect(() => expandTemplate('{appdata}/x', mac)).toThrow(/unknown folder \{appdata\}/);
  });
});

describe('replaying a copied machine', () => {
  it('re-roots the absolute paths the machine wrote, Windows ones included', () => {
    expect(hostPath(windows, 'C:\\Users\\bob\\src\\tool')).toBe(path.join('/replay', 'Users/bob/src/tool'));
    expect(hostPath(windows, 'C:/Users/bob/src/site')).toBe(path.join('/replay', 'Users/bob/src/site'));
    expect(hostPath(mac, '/Users/alice/work/api')).toBe('/Users/alice/work/api');
  });

  it('knows the home folder as the machine itself writes it', () => {
    expect(writtenHome(windows)).toBe('/Users/bob');
    expect(writtenHome(mac)).toBe('/Users/alice');
  });

  it('ignores this machine’s environment only when replaying another one', () => {
    const host = process.platform as 'linux' | 'darwin' | 'win32';
    expect(worldFromProcess({ home: '/tmp' }).env).toEqual({});
    expect(worldFromProcess({ platform: host === 'linux' ? 'darwin' : 'linux' }).env).toEqual({});
    expect(worldFromProcess({ platform: host }).env.PATH).toBe(process.env.PATH);
  });
});
