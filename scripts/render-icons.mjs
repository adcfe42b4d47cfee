// Renders assets/icon.svg to the 1024 px app icon, and draws the four tray icons (a shield with the state's mark) and renders them to PNG with Debian's Chromium:
// colour icons for Windows and Linux, monochrome template images for the macOS menu bar (Electron tints
// `*Template.png`). Run when the drawings change: node scripts/render-icons.mjs
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../assets/tray');
const SHIELD = 'M16 2 L28 6.5 V15 C28 22.5 22.8 27.8 16 30 C9.2 27.8 4 22.5 4 15 V6.5 Z';
const MARKS = {
  ok: {
    colour: '#1d7a46',
    mark: '<path d="M10.5 16 L14.5 20 L21.5 11.5" fill="none" stroke="white" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>',
  },
  pending: {
    colour: '#44546f',
    mark: '<circle cx="11" cy="16" r="2" fill="white"/><circle cx="16" cy="16" r="2" fill="white"/><circle cx="21" cy="16" r="2" fill="white"/>',
  },
  blocked: {
    colour: '#b42318',
    mark: '<path d="M11.5 11.5 L20.5 20.5 M20.5 11.5 L11.5 20.5" stroke="white" stroke-width="3" stroke-linecap="round"/>',
  },
  offline: { colour: '#8a5300', mark: '<path d="M10 16 H22" stroke="white" stroke-width="3" stroke-linecap="round"/>' },
};

function svg(state, template) {
  const { colour, mark } = MARKS[state];
  // Template images are black with transparency: the mark is cut out of the shield.
  const body = template
    ? `<mask id="m"><rect width="32" height="32" fill="white"/>${mark.replaceAll('white', 'black')}</mask><path d="${SHIELD}" fill="black" mask="url(#m)"/>`
    : `<path d="${SHIELD}" fill="${colour}"/>${mark}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">${body}</svg>`;
}

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage();
for (const state of Object.keys(MARKS)) {
  for (const template of [false, true]) {
    for (const [size, suffix] of [
      [16, ''],
      [32, '@2x'],
    ]) {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(
        `<html><body style="margin:0;background:transparent">${svg(state, template).replace('width="32" height="32"', `width="${size}" height="${size}"`)}</body></html>`,
      );
      const file = path.join(OUT, `tray-${state}${template ? 'Template' : ''}${suffix}.png`);
      await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      console.log(path.relative(process.cwd(), file));
    }
  }
}
// The app icon for the installers (electron-builder makes .icns and .ico from it).
const appIcon = readFileSync(path.join(OUT, '..', 'icon.svg'), 'utf8');
await page.setViewportSize({ width: 1024, height: 1024 });
await page.setContent(
  `<html><body style="margin:0;background:transparent">${appIcon.replace('<svg ', '<svg width="1024" height="1024" ')}</body></html>`,
);
await page.screenshot({ path: path.join(OUT, '..', 'icon.png'), omitBackground: true, clip: { x: 0, y: 0, width: 1024, height: 1024 } });
console.log('assets/icon.png');
await browser.close();
