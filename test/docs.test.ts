// The docs are part of the product: they must name what the code does.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENTS } from '../src/agent/discovery/catalogue/clients.js';
import { protocolJsonSchemas } from '../src/shared/json-schemas.js';
import type { PlatformPaths } from '../src/agent/discovery/catalogue/types.js';
import { REPO } from './helpers/machines.js';

const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');

function templates(paths: PlatformPaths): string[] {
  if (typeof paths === 'string') return [paths];
  if (Array.isArray(paths)) return paths;
  return Object.values(paths).flatMap((value) => (Array.isArray(value) ? value : [value!]));
}

describe('docs/clients.md', () => {
  // Markdown tables escape the `|` of `{env:VAR|fallback}`.
  const doc = read('docs/clients.md').replace(/\\\|/g, '|');

  it('has a section for every client in the catalogue', () => {
    expect(CLIENTS.filter((client) => !doc.includes(`### ${client.name} (\`${client.id}\`)`)).map((client) => client.id)).toEqual([]);
  });

  it('says for every client with project files whether, and how, MCP Warden reads the user’s consent', () => {
    const section = doc.slice(doc.indexOf('## Consent to start project servers'), doc.indexOf('## Clients'));
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| client'));
    const rowOf = (id: string) => rows.find((row) => row.split('|')[1]!.includes(`\`${id}\``));
    expect(CLIENTS.filter((client) => client.projectFiles && !rowOf(client.id)).map((client) => client.id)).toEqual([]);
    // A client whose record the code reads says which; one without says none.
    expect(
      CLIENTS.filter((client) => client.projectFiles && Boolean(client.consent) === /\| none/.test(rowOf(client.id)!)).map(
        (client) => client.id,
      ),
    ).toEqual([]);
  });

  it('lists every path the catalogue reads, and the documentation behind it', () => {
    const missing = CLIENTS.flatMap((client) => [
      ...client.locations.flatMap((location) => templates(location.path)).map((template) => `\`${template}\``),
      ...(client.projectFiles ?? []).map((file) => `\`<project>/${file.path}\``),
      ...client.docs.map((url) => `<${url}>`),
    ]).filter((needle) => !doc.includes(needle));
    expect(missing).toEqual([]);
  });
});

describe('docs/schemas', () => {
  it('holds the JSON Schema of every protocol message, as the code defines it today (`npm run schemas`)', () => {
    for (const [name, schema] of Object.entries(protocolJsonSchemas())) {
      expect(JSON.parse(read(`docs/schemas/${name}.json`)), `docs/schemas/${name}.json is out of date: run npm run schemas`).toEqual(
        schema,
      );
    }
  });
});

describe('README', () => {
  it('gives the commands a new user runs, and CI runs exactly the README’s test command', () => {
    const readme = read('README.md');
    for (const command of ['npm install', 'npx mcp-warden scan', 'npm test', 'npm start', 'npm run bench'])
      expect(readme).toContain(command);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });
});
