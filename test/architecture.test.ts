// The layering of DESIGN.md, enforced: each runtime folder imports only what it may.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/machines.js';

function sourceFiles(folder: string): string[] {
  const root = path.join(REPO, 'src', folder);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every `import … from 'x'` / `import('x')` / `export … from 'x'` with whether it is type-only. */
function imports(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/gms))
    found.push({ specifier: match[3]!, typeOnly: Boolean(match[2]) });
  for (const match of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: match[1]!, typeOnly: false });
  return found;
}

function violations(folder: string, rule: (specifier: string, file: string, typeOnly: boolean) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) =>
    imports(file)
      .filter(({ specifier, typeOnly }) => rule(specifier, file, typeOnly))
      .map(({ specifier }) => `${path.relative(REPO, file)} imports ${specifier}`),
  );
}

const reaches = (file: string, specifier: string, folder: string) =>
  specifier.startsWith('.') && path.resolve(path.dirname(file), specifier).startsWith(path.join(REPO, 'src', folder) + path.sep);

describe('layering', () => {
  it('keeps electron out of the agent core, so it runs in plain Node', () => {
    expect(violations('agent', (specifier) => specifier === 'electron' || specifier.startsWith('electron/'))).toEqual([]);
  });

  it('keeps the shared model free of Node, Electron and our other folders', () => {
    expect(
      violations(
        'shared',
        (specifier, file) =>
          specifier.startsWith('node:') ||
          specifier === 'electron' ||
          ['agent', 'main', 'server', 'renderer', 'preload', 'console'].some((folder) => reaches(file, specifier, folder)),
      ),
    ).toEqual([]);
  });

  it('keeps the renderer to the browser: no Node built-ins, no agent, no electron', () => {
    expect(
      violations(
        'renderer',
        (specifier, file) =>
          specifier.startsWith('node:') ||
          specifier === 'electron' ||
          reaches(file, specifier, 'agent') ||
          reaches(file, specifier, 'main'),
      ),
    ).toEqual([]);
  });

  it('keeps the agent core free of the desktop, the server and the window (the CLI only loads the server command)', () => {
    const serverCommand = (specifier: string, file: string) =>
      file.endsWith(path.join('agent', 'cli', 'main.ts')) && specifier === '../../server/server-command.js';
    expect(
      violations(
        'agent',
        (specifier, file) =>
          !serverCommand(specifier, file) &&
          ['main', 'server', 'renderer', 'preload', 'console'].some((folder) => reaches(file, specifier, folder)),
      ),
    ).toEqual([]);
  });

  it('keeps the admin console to the browser and the shared model: no Node, no agent, no server code', () => {
    expect(
      violations(
        'console',
        (specifier, file) =>
          specifier.startsWith('node:') ||
          specifier === 'electron' ||
          ['agent', 'main', 'server', 'renderer', 'preload'].some((folder) => reaches(file, specifier, folder)),
      ),
    ).toEqual([]);
  });

  it('keeps the reference server independent of the agent', () => {
    expect(violations('server', (specifier, file) => reaches(file, specifier, 'agent'))).toEqual([]);
  });

  it('keeps the order inside the agent: each folder imports only folders before it, so no two depend on each other', () => {
    // Leaf helpers first, the composition root and its adapters last (DESIGN.md, "Layout"). Folders of one step are
    // peers and import neither each other nor anything after them.
    const ORDER = [
      ['platform'],
      ['discovery'],
      ['state'],
      ['risk'],
      ['probe'],
      ['settings'],
      ['policy'],
      ['sync', 'enforce'],
      ['guard'],
      ['core'],
      ['app'],
      ['cli'],
      ['.'],
    ];
    const rank = (folder: string) => ORDER.findIndex((step) => step.includes(folder));
    const agentRoot = path.join(REPO, 'src', 'agent');
    const folderOf = (file: string) => {
      const relative = path.relative(agentRoot, file).split(path.sep);
      return relative.length > 1 ? relative[0]! : '.';
    };
    const unknown = new Set(
      sourceFiles('agent')
        .map(folderOf)
        .filter((folder) => rank(folder) === -1),
    );
    expect([...unknown]).toEqual([]);
    const against = violations('agent', (specifier, file) => {
      if (!specifier.startsWith('.')) return false;
      const target = path.resolve(path.dirname(file), specifier);
      if (!target.startsWith(agentRoot + path.sep)) return false;
      const from = folderOf(file);
      const to = folderOf(target);
      return from !== to && rank(to) >= rank(from);
    });
    expect(against).toEqual([]);
  });

  it('keeps zod off the scan path: `mcp-warden scan` loads no schema module until it probes', () => {
    // Every module a plain scan loads: static runtime imports from the command's entry, never the lazy `import()`s
    // (a probe, or settings that set scan roots or domains, load the settings' schemas: scoped-scan.ts).
    const loaded = new Set<string>();
    const reachedZod: string[] = [];
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/gms)) {
        const [, , typeOnly, specifier] = match;
        if (typeOnly) continue;
        if (specifier === 'zod' || /shared\/inventory\.js$/.test(specifier!))
          reachedZod.push(`${path.relative(REPO, file)} imports ${specifier}`);
        if (specifier!.startsWith('.')) visit(path.resolve(path.dirname(file), specifier!.replace(/\.js$/, '.ts')));
      }
    };
    visit(path.join(REPO, 'src/agent/cli.ts'));
    visit(path.join(REPO, 'src/agent/cli/scan-command.ts'));
    expect(reachedZod).toEqual([]);
  });
});
