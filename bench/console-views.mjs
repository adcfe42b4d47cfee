// The admin console's main views at fleet size, in Debian's Chromium: the time from asking for a page to its
// first rows on screen (API answers, rendering, and the bundle from the browser's cache after the first view).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const RUNS = 3;

/** `views`: [label, path] pairs; each is opened RUNS times, the median said. */
export async function timeConsoleViews(base, adminToken, views) {
  if (!existsSync(CHROMIUM)) return [['console views', 'skipped: no /usr/bin/chromium']];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    // Signed in the way an admin signs in first: the token turned into a session cookie.
    await page.goto(`${base}/`);
    await page.getByLabel('Admin token', { exact: true }).fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Audit Data' }).waitFor({ timeout: 60_000 });
    const rows = [];
    for (const [label, path] of views) {
      const times = [];
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        await page.goto(`${base}${path}`);
        // Rows, or the page's empty state: either is the answer on screen.
        const shown = page.locator('tbody tr, .state.empty, .state.error').first();
        await shown.waitFor({ timeout: 60_000 });
        if (await page.locator('.state.error').count())
          throw new Error(`console view ${label} (${path}) failed: ${await page.locator('.state.error').innerText()}`);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      rows.push([`console: ${label}, first rows`, `${times[Math.floor(RUNS / 2)].toFixed(0)} ms`]);
    }
    return rows;
  } finally {
    await browser.close();
  }
}
