// Packaging: electron-builder.yml is a valid electron-builder configuration with the targets MDM needs, and
// the desktop build keeps Node's run-as-node and inspector doors shut.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/machines.js';

const config = parse(readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8'));

describe('electron-builder.yml', () => {
  it('is valid against electron-builder’s schema', () => {
    const schema = JSON.parse(readFileSync(path.join(REPO, 'node_modules/app-builder-lib/scheme.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    expect(ajv.validate(schema, config), JSON.stringify(ajv.errors?.slice(0, 3))).toBe(true);
  });

  it('builds dmg and pkg, nsis and msi per machine, deb and AppImage, with the fuses set', () => {
    expect(config.appId).toBe('dev.mcpwarden.agent');
    expect([config.mac.target, config.win.target, config.linux.target]).toEqual([
      ['dmg', 'pkg'],
      ['nsis', 'msi'],
      ['deb', 'AppImage'],
    ]);
    expect([config.nsis.perMachine, config.msi.perMachine]).toEqual([true, true]);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
  });
});
