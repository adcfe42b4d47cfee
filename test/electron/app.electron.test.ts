// The real desktop app, launched by Playwright's Electron driver. It runs where the Electron binary is
// installed; here (no download of Electron's binary is possible) it is reported as skipped, with the reason.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/machines.js';

/**
 * The Electron binary, found as the `electron` package finds it (its path.txt and dist folder) — without
 * requiring the package, whose index tries to download a missing binary.
 */
function electronBinary(): string | undefined {
  const folder = path.join(REPO, 'node_modules/electron');
  const pathFile = path.join(folder, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(folder, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const built = existsSync(path.join(REPO, 'out/main/main.js'));
const reason = !binary
  ? 'the Electron binary is not installed (its download is not reachable on this machine)'
  : 'the app is not built (npm run build)';

if (!binary || !built) console.info(`the Electron app test is skipped: ${reason}`);

describe.skipIf(!binary || !built)(`the desktop app in Electron${!binary || !built ? ` — skipped: ${reason}` : ''}`, () => {
  it('starts in the tray, opens the window from the second instance, and shows the servers', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [path.join(REPO, 'out/main/main.js')],
      env: { ...process.env, MCP_WARDEN_PROBE: 'off' },
    });
    try {
      const second = await electron.launch({ executablePath: binary!, args: [path.join(REPO, 'out/main/main.js')] }).catch(() => undefined);
      await second?.close();
      const window = await app.firstWindow();
      await window.getByRole('heading', { name: 'MCP Warden' }).waitFor();
      expect(await window.evaluate(() => typeof (window as unknown as { warden?: unknown }).warden)).toBe('object');
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    } finally {
      await app.close();
    }
  });
});
