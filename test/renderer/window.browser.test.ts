// The real window in Debian's Chromium: the built renderer served by the harness, backed by the real agent
// core on a fixture home and a real reference server holding a block and a conditional approval. It clicks
// through list → detail → why blocked → request approval, and saves a screenshot of each screen.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppService } from '../../src/agent/app/app-service.js';
import { type Harness, startHarness } from '../../src/agent/app/harness.js';
import { DEFAULT_SETTINGS } from '../../src/agent/settings/agent-settings.js';
import { SyncEngine } from '../../src/agent/sync/sync-engine.js';
import { buildServer } from '../../src/server/app.js';
import { memoryStorage } from '../../src/server/storage/open-storage.js';
import type { Storage } from '../../src/server/storage/storage.js';
import { allEvents } from '../helpers/storage-reads.js';
import { REPO } from '../helpers/machines.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { EVERYTHING, FILESYSTEM, NODE, SERVERS } from '../helpers/probe-home.js';

const SHOTS = path.join(REPO, 'test-results', 'window');

let home: string;
let stateDir: string;
let storage: Storage;
let central: FastifyInstance;
let engine: SyncEngine;
let harness: Harness;
let browser: Browser;
let page: Page;

async function admin(url: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${url}/v1/admin/${route}`, {
    method,
    headers: { authorization: 'Bearer admin', 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return response.json();
}

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe.skipIf(!hasChromium)('the window in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-window-'));
    stateDir = path.join(home, '.state');
    // A Linux home whose servers all run on this machine, so probing them is safe.
    const write = (relative: string, value: unknown) => {
      mkdirSync(path.dirname(path.join(home, relative)), { recursive: true });
      writeFileSync(path.join(home, relative), JSON.stringify(value, null, 2));
    };
    write('.cursor/mcp.json', {
      mcpServers: {
        everything: { command: NODE, args: [EVERYTHING] },
        poisoned: { command: NODE, args: [path.join(SERVERS, 'poisoned.mjs')] },
      },
    });
    write('.config/Claude/claude_desktop_config.json', {
      mcpServers: {
        filesystem: { command: NODE, args: [FILESYSTEM, home], env: { GITHUB_TOKEN: 'ghp_FAKEwindowSECRET0123456789abcdefghijkl' } },
      },
    });
    write('.codeium/windsurf/mcp_config.json', '{ "mcpServers": { "broken": ');
    writeFileSync(path.join(home, '.codeium/windsurf/mcp_config.json'), '{ "mcpServers": { "broken": ');

    storage = await memoryStorage();
    central = await buildServer({ storage, enrollSecret: 'secret', adminToken: 'admin', adminName: 'security@example.com' });
    const url = await central.listen({ port: 0, host: '127.0.0.1' });
    engine = new SyncEngine({ stateDir, settings: { ...DEFAULT_SETTINGS, serverUrl: url, enrollSecret: 'secret' } });
    const service = new AppService({
      scanOptions: { world: { platform: 'linux', home, root: '/', env: {} } },
      stateDir,
      settings: { ...DEFAULT_SETTINGS, serverUrl: url, enrollSecret: 'secret' },
      managedKeys: new Set(['serverUrl', 'probe']),
      engine,
    });
    await service.refresh('start');
    const keys = (await service.snapshot()).servers;
    const keyOf = (name: string) => keys.find((server) => server.name === name)!.serverKey;
    await admin(url, 'POST', 'rules', {
      target: { serverKey: keyOf('poisoned') },
      agents: ['*'],
      verdict: 'block',
      justification: 'its tool descriptions carry hidden instructions',
    });
    await admin(url, 'POST', 'rules', {
      target: { serverKey: keyOf('filesystem') },
      agents: ['claude-desktop'],
      verdict: 'conditional',
      conditions: { expiresAt: '2030-06-30T00:00:00Z' },
      justification: 'read-only review of the docs folder',
    });
    await admin(url, 'PUT', 'policy/settings', {
      defaultVerdict: 'pending',
      blockMessage: 'Blocked servers stay off until security reviews them.',
      moreInfoUrl: 'https://intranet.example.com/mcp-policy',
    });
    await service.refresh('policy');

    harness = await startHarness(service);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(harness.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await engine?.close();
    await central?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('lists servers by agent with their status, access and risks', async () => {
    await page.getByRole('heading', { name: /Cursor/ }).waitFor();
    const headings = (await page.getByRole('heading', { level: 2 }).allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
    expect(headings).toEqual(['Claude Desktop 1', 'Cursor 2', 'Files that could not be read']);
    const poisoned = page.locator('#row-' + (await rowId('poisoned')));
    await expect_(poisoned, 'Blocked');
    await expect_(page.locator('#row-' + (await rowId('filesystem'))), 'Conditionally allowed until 2030-06-30');
    await expect_(page.locator('#row-' + (await rowId('everything'))), 'Pending review');
    expect(await poisoned.innerText()).toMatch(/tool-poisoning/);
    expect(await page.locator('.broken').innerText()).toMatch(/mcp_config\.json:1:\d+ — invalid: invalid JSONC/);
    expect(await page.content()).not.toContain('FAKE');
    await shot('1-list');
  });

  it('shows a server’s detail: where it is configured, its command, and its capabilities table', async () => {
    await page.locator('#row-' + (await rowId('everything'))).click();
    const detail = page.getByRole('complementary', { name: 'Server everything' });
    await detail.waitFor();
    expect(await detail.innerText()).toMatch(/Configured in\s+.*\.cursor\/mcp\.json/);
    const headers = await detail.locator('table.capabilities th').allInnerTexts();
    expect(headers).toEqual(['Type', 'Risk analysis', 'Name', 'Access type', 'Decision', 'Marked by']);
    expect(await detail.locator('table.capabilities tbody tr').count()).toBe(26);
    await shot('2-detail');
  });

  it('says why a server is blocked, who decided, and links to more information', async () => {
    await page.locator('#row-' + (await rowId('poisoned'))).click();
    const why = page.getByRole('region', { name: 'Decision' });
    await why.waitFor();
    const text = await why.innerText();
    expect(text).toContain('Why it is blocked');
    expect(text).toContain('blocked for all agents by security@example.com: its tool descriptions carry hidden instructions');
    expect(text).toContain('Blocked servers stay off until security reviews them.');
    expect(await why.getByRole('link', { name: 'More information' }).count()).toBe(1);
    await shot('3-blocked');
  });

  it('sends an approval request that reaches the central endpoint', async () => {
    await page.getByLabel('Request approval').fill('I maintain this server and fixed its descriptions in 2.0');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Your request for poisoned was sent to your administrators.').waitFor();
    expect(await allEvents(storage, { type: 'approval-request' })).toEqual([
      expect.objectContaining({
        serverName: 'poisoned',
        client: 'cursor',
        reason: 'I maintain this server and fixed its descriptions in 2.0',
      }),
    ]);
    await shot('4-request-sent');
  });

  it('filters by status, agent and search, and moves with the keyboard', async () => {
    await page.getByLabel('Status').selectOption('blocked');
    expect(await page.locator('.row .name').allInnerTexts()).toEqual(['poisoned']);
    await page.getByLabel('Status').selectOption('all');
    await page.getByLabel('Search servers').fill('every');
    expect(await page.locator('.row .name').allInnerTexts()).toEqual(['everything']);
    await page.getByLabel('Search servers').fill('');
    await page.getByLabel('Agent').selectOption('claude-desktop');
    expect(await page.locator('.row .name').allInnerTexts()).toEqual(['filesystem']);
    await page.getByLabel('Agent').selectOption('all');
    await page.locator('#row-' + (await rowId('everything'))).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^poisoned/);
    await page.keyboard.press('Escape');
    await page.getByText('Select a server to see').waitFor();
  });

  it('shows connection, enrollment and last sync, with managed settings locked', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const text = await page.locator('.settings').innerText();
    expect(text).toMatch(/Enrollment\s+enrolled as device [0-9a-f-]{36}/);
    expect(text).toMatch(/Central endpoint\s+http:\/\/127\.0\.0\.1:\d+\s+managed by your organisation/);
    expect(text).toMatch(/Enroll secret\s+set/);
    expect(text).not.toContain('secret\tsecret');
    await shot('5-settings');
  });

  it('is readable in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('button', { name: 'Servers' }).click();
    await page.locator('#row-' + (await rowId('poisoned'))).click();
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(17, 20, 24)');
    await shot('6-dark');
  });
});

async function rowId(name: string): Promise<string> {
  const snapshot = await harness.service.snapshot();
  return snapshot.servers.find((server) => server.name === name)!.id;
}

async function expect_(locator: ReturnType<Page['locator']>, text: string) {
  await locator.waitFor();
  expect(await locator.innerText()).toContain(text);
}

describe.skipIf(!hasChromium)('the window when the agent core cannot give a first snapshot', () => {
  let folder: string;
  let failing: Harness;
  let failingEngine: SyncEngine;
  let failingBrowser: Browser;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-window-fault-'));
    // A state "folder" that is a file: the agent's cycle cannot spool its report, so the first snapshot fails.
    const stateFile = path.join(folder, 'state');
    writeFileSync(stateFile, 'not a folder');
    failingEngine = new SyncEngine({ stateDir: stateFile, settings: DEFAULT_SETTINGS });
    const service = new AppService({
      scanOptions: { world: { platform: 'linux', home: folder, root: '/', env: {} } },
      stateDir: stateFile,
      settings: { ...DEFAULT_SETTINGS, probe: 'off' },
      engine: failingEngine,
    });
    failing = await startHarness(service);
    failingBrowser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await failingBrowser?.close();
    await failing?.close();
    await failingEngine?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows the error instead of crashing', async () => {
    const errors: string[] = [];
    const faultPage = await failingBrowser.newPage({ viewport: { width: 1000, height: 500 } });
    faultPage.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    faultPage.on('pageerror', (error) => errors.push(error.message));
    await faultPage.goto(failing.url);
    const alert = faultPage.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/ENOTDIR|not a directory/);
    expect(errors.filter((error) => /Maximum update depth|getSnapshot should be cached/.test(error))).toEqual([]);
    await faultPage.screenshot({ path: path.join(SHOTS, '7-first-snapshot-failed.png') });
  });
});
