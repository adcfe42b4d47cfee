// `npm run harness -- [--home DIR --platform P] [--state-dir DIR] [--server URL] [--port N]`: the window in any
// browser, with the real agent core behind it (app/harness.ts), in the settings every entry point resolves.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppService } from '../app/app-service.js';
import { startHarness } from '../app/harness.js';
import { AGENT_FLAGS, agentContext, timestamped } from './agent-flags.js';
import { DISCOVERY_FLAGS, scanOptionsFrom } from './discovery-flags.js';
import { processIO } from './io.js';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { ...DISCOVERY_FLAGS, ...AGENT_FLAGS, port: { type: 'string' } }, strict: true });
  const scanOptions = scanOptionsFrom(values);
  const log = timestamped((text) => process.stderr.write(text));
  const context = await agentContext(values, processIO(), log);
  const service = new AppService({
    scanOptions,
    stateDir: context.stateDir,
    settings: context.settings,
    managedKeys: context.resolved.locked,
    engine: context.engine,
    log,
    probeReplay: values['probe-replay'],
  });
  const harness = await startHarness(service, values.port ? Number(values.port) : 0, log);
  process.stdout.write(`MCP Warden window: ${harness.url}\n`);
  const stop = async () => {
    await harness.close();
    await context.engine.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) void main(process.argv.slice(2));
