// `mcp-warden watch`: a line per change to any MCP client's configuration, as it happens.
import { parseArgs } from 'node:util';
import { watchConfigs } from '../discovery/watch.js';
import { scopedScan } from './scoped-scan.js';
import { DISCOVERY_FLAGS, DISCOVERY_HELP } from './discovery-flags.js';
import { formatChange } from './format-scan.js';
import type { CommandIO } from './io.js';

export const WATCH_HELP = `Usage: mcp-warden watch [options]

Scans once, then prints a line whenever a server is added, removed or changed, or a config file
breaks or is fixed, in any client's configuration, including files and folders that do not exist yet.
With --json, one JSON object per line: {"time","event","server"|"source","fields"?}.
Stops on Ctrl-C.

Options:
${DISCOVERY_HELP}
  --debounce-ms N        quiet time after a file event before rescanning (default 250)
  -h, --help             this help`;

export async function runWatch(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...DISCOVERY_FLAGS, 'debounce-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(`${WATCH_HELP}\n`);
    return 0;
  }
  const options = await scopedScan(values, io);
  const debounceMs = values['debounce-ms'] === undefined ? 250 : Number(values['debounce-ms']);
  const home = options.world.home;
  const watching = await watchConfigs({
    ...options,
    debounceMs,
    onChanges: (changes) => {
      const now = new Date();
      for (const change of changes) {
        if (values.json) {
          const { kind, ...rest } = change;
          io.stdout(`${JSON.stringify({ time: now.toISOString(), event: kind, ...rest })}\n`);
        } else io.stdout(`${formatChange(change, home, now)}\n`);
      }
    },
    onError: (error) => io.stderr(`mcp-warden watch: ${error.message}\n`),
  });
  const { result } = watching.current();
  const summary = `watching ${result.sources.filter((source) => source.status !== 'missing').length} config files (${result.servers.length} servers); Ctrl-C to stop`;
  if (values.json)
    io.stdout(
      `${JSON.stringify({ time: new Date().toISOString(), event: 'ready', servers: result.servers.length, sources: result.sources.length })}\n`,
    );
  else io.stderr(`${summary}\n`);
  await io.untilStopped();
  await watching.close();
  return 0;
}
