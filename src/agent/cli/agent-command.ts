// `mcp-warden agent`: the headless agent. Scans, probes, reports and fetches the policy on every config
// change (debounced) and every interval; `--once` runs one cycle and exits.
import { parseArgs } from 'node:util';
import { watchConfigs } from '../discovery/watch.js';
import { hostHttpGuard } from '../guard/http-guard-host.js';
import { AgentCore } from '../core/agent-core.js';
import { AGENT_FLAGS, AGENT_HELP, agentContext, timestamped } from './agent-flags.js';
import { DISCOVERY_FLAGS, DISCOVERY_HELP, scanOptionsFrom } from './discovery-flags.js';
import type { CommandIO } from './io.js';

export const AGENT_COMMAND_HELP = `Usage: mcp-warden agent [--once] [options]

The headless agent, for machines without the desktop app and for service units (docs/deploy-mdm.md):
watches every MCP client's configuration, probes servers (never one the policy blocks), reports the inventory
to the central endpoint, fetches the policy, and logs a line per step. What cannot be delivered waits in the
state folder and goes out when the endpoint is back.

Options:
  --once                 one full cycle (scan, probe, report, fetch policy, flush the spool), then exit
${AGENT_HELP}
${DISCOVERY_HELP}
  -h, --help             this help

Exit status with --once: 0 when everything was delivered, 1 when something waits in the spool.`;

export async function runAgent(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...DISCOVERY_FLAGS, ...AGENT_FLAGS, once: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    io.stdout(`${AGENT_COMMAND_HELP}\n`);
    return 0;
  }
  const scanOptions = scanOptionsFrom(values);
  const log = timestamped(io.stdout);
  const context = await agentContext(values, io, log);
  // Remote servers are wrapped only while a guard serves them: by the long-running agent, in enforce mode.
  const httpGuard =
    !values.once && context.settings.mode === 'enforce'
      ? await hostHttpGuard(context.stateDir, context.settings.guardPort, log)
      : undefined;
  const core = new AgentCore({
    scanOptions,
    stateDir: context.stateDir,
    settings: context.settings,
    engine: context.engine,
    log,
    httpBase: httpGuard?.base,
    probeReplay: values['probe-replay'],
  });
  const cycle = () => core.runCycle();
  try {
    if (values.once) return (await cycle()).error ? 1 : 0;

    log(
      `agent started: reporting to ${context.settings.serverUrl ?? '(no endpoint configured)'} every ${context.settings.reportIntervalSec} s and on every change`,
    );
    let running = cycle().catch((error: Error) => log(`cycle failed: ${error.message}`));
    const again = () => {
      running = running.then(cycle).then(
        () => undefined,
        (error: Error) => log(`cycle failed: ${error.message}`),
      );
    };
    const watching = await watchConfigs({
      ...core.scanOptions,
      debounceMs: 2000,
      onChanges: (changes) => (log(`${changes.length} configuration change(s)`), again()),
      onError: (error) => log(`watch: ${error.message}`),
    });
    const timer = setInterval(again, context.settings.reportIntervalSec * 1000);
    await io.untilStopped();
    clearInterval(timer);
    await watching.close();
    await running;
    log('agent stopped');
    return 0;
  } finally {
    await httpGuard?.close();
    await context.engine.close();
  }
}
