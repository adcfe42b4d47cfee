// `mcp-warden audit`: checks the local audit log's hash chains, so an edited, removed or reordered entry shows.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAuditFolder } from '../guard/audit-log.js';
import { resolveStateDir } from '../state/state-dir.js';
import type { CommandIO } from './io.js';

export const AUDIT_HELP = `Usage: mcp-warden audit [--state-dir DIR] [--json]

Checks every hash chain of the guard's audit log (<state folder>/audit: one chain per guard process, rotated
in parts). Exit status 1 when an entry was edited, removed, inserted or reordered, with the first place.

Options:
  --state-dir DIR        the state folder (default: MCP_WARDEN_STATE_DIR, else the platform's)
  --json                 the report as JSON
  -h, --help             this help`;

export async function runAudit(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'state-dir': { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    io.stdout(`${AUDIT_HELP}\n`);
    return 0;
  }
  const stateDir = resolveStateDir(values['state-dir']);
  const chains = verifyAuditFolder(path.join(stateDir, 'audit'));
  const broken = chains.filter((chain) => chain.broken);
  if (values.json) io.stdout(`${JSON.stringify({ chains }, null, 2)}\n`);
  else {
    const entries = chains.reduce((sum, chain) => sum + chain.entries, 0);
    io.stdout(
      `${chains.length} audit chain(s), ${entries} entr${entries === 1 ? 'y' : 'ies'} intact${broken.length ? `; ${broken.length} broken` : ''}\n`,
    );
    for (const chain of broken) io.stdout(`  BROKEN ${chain.broken!.file}:${chain.broken!.line}: ${chain.broken!.problem}\n`);
  }
  return broken.length ? 1 : 0;
}
