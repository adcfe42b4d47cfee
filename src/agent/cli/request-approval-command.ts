// `mcp-warden request-approval <server> --reason "…"`: asks the organisation to review a server.
import { parseArgs } from 'node:util';
import { AgentCore } from '../core/agent-core.js';
import { AGENT_FLAGS, AGENT_HELP, agentContext, timestamped } from './agent-flags.js';
import { DISCOVERY_FLAGS, DISCOVERY_HELP, scanOptionsFrom } from './discovery-flags.js';
import { pickServer } from './pick-server.js';
import type { CommandIO } from './io.js';
import { UsageError } from './usage-error.js';

export const REQUEST_APPROVAL_HELP = `Usage: mcp-warden request-approval <server id or name> --reason "…" [options]

Sends an approval request for one server to the central endpoint, with your reason. When the endpoint cannot
be reached, the request waits in the state folder and is sent by the next sync.

Options:
  --reason TEXT          why you need this server (required)
${AGENT_HELP}
${DISCOVERY_HELP}
  -h, --help             this help`;

export async function runRequestApproval(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...DISCOVERY_FLAGS, ...AGENT_FLAGS, reason: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout(`${REQUEST_APPROVAL_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected one server id or name');
  const reason = values.reason?.trim();
  if (!reason) throw new UsageError('--reason is required: say why you need this server');
  const scanOptions = scanOptionsFrom(values);
  const context = await agentContext(values, io, timestamped(io.stderr));
  try {
    const core = new AgentCore({ scanOptions, stateDir: context.stateDir, settings: context.settings, engine: context.engine });
    const server = pickServer((await core.scan()).servers, positionals[0]!);
    const sent = await core.requestApproval(server, reason);
    io.stdout(
      sent.error
        ? `approval request for ${server.name} queued; it will be sent when the central endpoint is reachable (${sent.error})\n`
        : `approval request for ${server.name} sent\n`,
    );
    return 0;
  } finally {
    await context.engine.close();
  }
}
