// `mcp-warden enforce` and `mcp-warden restore`: wrap every stdio server with the guard, or put every config
// back exactly as it was.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scan } from '../discovery/scan.js';
import { undoEnforcement } from '../enforce/apply-mode.js';
import { defaultGuardLaunch, enforce } from '../enforce/enforce.js';
import { AGENT_FLAGS, AGENT_HELP } from './agent-flags.js';
import { settledScan } from './settings-flags.js';
import { DISCOVERY_FLAGS, DISCOVERY_HELP, scanOptionsFrom } from './discovery-flags.js';
import { displayPath } from '../discovery/world.js';
import { clientName } from '../discovery/catalogue/clients.js';
import type { CommandIO } from './io.js';
import { resolveStateDir } from '../state/state-dir.js';

export const ENFORCE_HELP = `Usage: mcp-warden enforce [--dry-run] [options]

Wraps every stdio MCP server in the clients' JSON, JSONC, TOML and YAML configs with \`mcp-warden guard\`, which
hides the tools the organisation blocks, refuses calls to them with the reason, and audits every call. Only
each entry's command and args change; comments and everything else stay. A backup of each file is kept in the state
folder, and \`mcp-warden restore\` puts every entry back byte for byte. The agent does this by itself with
the setting mode: enforce (docs/enforcement.md).

Options:
  --dry-run              say what would be wrapped, change nothing
${AGENT_HELP}
${DISCOVERY_HELP}
  -h, --help             this help`;

export const RESTORE_HELP = `Usage: mcp-warden restore [--state-dir DIR]

Puts back, byte for byte, every config entry \`mcp-warden enforce\` wrapped, and every server the agent took
out of a config because the organisation blocks it. Entries edited since are left as they are, and listed.
An agent still in enforce mode will apply the policy again on its next cycle.`;

export async function runEnforce(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...DISCOVERY_FLAGS, ...AGENT_FLAGS, 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    io.stdout(`${ENFORCE_HELP}\n`);
    return 0;
  }
  const { scanOptions, stateDir, resolved } = await settledScan(values, io);
  const outcome = await scan(scanOptions);
  const guard = defaultGuardLaunch(resolved.settings.guardCommand);
  const result = await enforce(outcome, { stateDir, dryRun: values['dry-run'], ...(guard ? { guard } : {}) });
  const names = new Map(outcome.result.servers.map((server) => [server.id, `${clientName(server.client)}: ${server.name}`]));
  if (values.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const home = scanOptions.world.home;
  io.stdout(`${values['dry-run'] ? 'Would wrap' : 'Wrapped'} ${result.wrapped.length} server(s) with the guard\n`);
  for (const item of result.wrapped) io.stdout(`  ${names.get(item.serverId)}  ${displayPath(item.file, home)}\n`);
  if (result.skipped.length) {
    io.stdout(`Not wrapped (${result.skipped.length})\n`);
    for (const item of result.skipped) io.stdout(`  ${names.get(item.serverId)}: ${item.reason}\n`);
  }
  if (!values['dry-run'] && result.wrapped.length)
    io.stdout(`Backups and the restore ledger are in ${path.join(stateDir, 'enforce')}; \`mcp-warden restore\` undoes this.\n`);
  return 0;
}

export async function runRestore(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...AGENT_FLAGS, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    io.stdout(`${RESTORE_HELP}\n`);
    return 0;
  }
  const { world } = scanOptionsFrom({});
  // Restoring needs only the state folder: a broken settings file must not stand in its way.
  const stateDir = resolveStateDir(values['state-dir']);
  const { released, native, restored: result } = await undoEnforcement({ stateDir, world });
  if (released.length) io.stdout(`Put back ${released.length} server entr${released.length === 1 ? 'y' : 'ies'} from quarantine\n`);
  for (const { control, result: cleared } of native) if (cleared.skipped) io.stdout(`  ${control.name} not cleared: ${cleared.skipped}\n`);
  io.stdout(
    `Restored ${new Set(result.restored.map((item) => `${item.file}\0${item.serverId}`)).size} server entr${result.restored.length === 1 ? 'y' : 'ies'}\n`,
  );
  for (const item of result.leftAlone) io.stdout(`  left alone in ${item.file}: ${item.reason}\n`);
  return 0;
}
