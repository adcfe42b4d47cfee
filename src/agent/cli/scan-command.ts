// `mcp-warden scan`: one look at every MCP client's configuration on this machine (or a replayed one).
import { parseArgs } from 'node:util';
import { scan } from '../discovery/scan.js';
import { scopedScan } from './scoped-scan.js';
import { DISCOVERY_FLAGS, DISCOVERY_HELP } from './discovery-flags.js';
import { formatScan } from './format-scan.js';
import type { CommandIO } from './io.js';
import { PROBE_FLAGS, PROBE_HELP, probeOptionsFrom } from './probe-flags.js';

export const SCAN_HELP = `Usage: mcp-warden scan [options]

Lists every MCP server configured for every known AI client on this machine: Claude Desktop,
Claude Code, Cursor, VS Code, Windsurf, Gemini CLI, Codex and more (docs/clients.md).
Secrets in the config files are never printed: only their names, and a plaintext-secret finding.

With --probe, it also starts each server (or connects to it) the way its client would, lists every
tool, resource and prompt it exposes, and analyses their risks (docs/risk.md). Disabled servers, servers the
organisation blocks, and (with --probe-mode remote-only) local servers are never started.

Options:
${DISCOVERY_HELP}
  --probe                speak MCP to each server: capabilities and risks
${PROBE_HELP}
  -h, --help             this help

Exit status: 0 when the scan ran, even if some files are broken (they are listed);
2 for a usage mistake; 1 when the scan itself could not run.`;

export async function runScan(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...DISCOVERY_FLAGS, ...PROBE_FLAGS, probe: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(`${SCAN_HELP}\n`);
    return 0;
  }
  // Probing needs every setting (and zod to check them); a plain scan only what it looks at.
  const settled = values.probe ? await (await import('./settings-flags.js')).settledScan(values, io) : undefined;
  const options = settled?.scanOptions ?? (await scopedScan(values, io));
  const probeOptions = settled ? probeOptionsFrom(values, options, settled) : undefined;
  const outcome = await scan(options);
  // The MCP SDK loads only when servers are probed.
  const probes = probeOptions ? await (await import('./probe-progress.js')).probeWithProgress(outcome, probeOptions, io) : undefined;
  const result = probes ? { ...outcome.result, probes } : outcome.result;
  if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout(formatScan(result, { home: options.world.home, width: io.columns }));
  return 0;
}
