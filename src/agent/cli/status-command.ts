// `mcp-warden status`: each server with the organisation's decision and why, the last sync and the policy's age.
import { parseArgs } from 'node:util';
import { DECISION_LABELS, relativeTime } from '../../shared/present.js';
import { AgentCore } from '../core/agent-core.js';
import { describeSettings, settingsWarnings } from '../settings/resolve.js';
import { AGENT_FLAGS, AGENT_HELP, agentContext } from './agent-flags.js';
import { DISCOVERY_FLAGS, DISCOVERY_HELP, scanOptionsFrom } from './discovery-flags.js';
import { clientName } from '../discovery/catalogue/clients.js';
import type { CommandIO } from './io.js';

export const STATUS_HELP = `Usage: mcp-warden status [--json] [options]

Every MCP server on this machine with the organisation's decision (approved, rejected, conditionally allowed,
expired, pending) and its reason; when the agent last synced, and how old the policy it uses is. Works offline
from the last policy received.

Options:
${AGENT_HELP}
${DISCOVERY_HELP}
  -h, --help             this help`;

/** A moment as the time and how long ago: `2026-11-22T10:00:00Z (2 hours ago)`. */
function age(from: string | undefined, now: Date): string {
  return from ? `${from} (${relativeTime(from, now)})` : 'never';
}

export async function runStatus(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...DISCOVERY_FLAGS, ...AGENT_FLAGS, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    io.stdout(`${STATUS_HELP}\n`);
    return 0;
  }
  const scanOptions = scanOptionsFrom(values);
  const context = await agentContext(values, io, () => undefined);
  const now = new Date();
  const core = new AgentCore({
    scanOptions,
    stateDir: context.stateDir,
    settings: context.settings,
    engine: context.engine,
    now: () => now,
  });
  const { servers, cached, enrollment, sync, queued } = await core.status((await core.scan()).servers);

  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          central: enrollment
            ? { serverUrl: enrollment.serverUrl, deviceId: enrollment.deviceId, enrolledAt: enrollment.enrolledAt }
            : null,
          lastSync: sync,
          policy: cached
            ? {
                version: cached.policy.version,
                fetchedAt: cached.fetchedAt,
                checkedAt: cached.checkedAt,
                defaultVerdict: cached.policy.defaultVerdict,
                rules: cached.policy.rules.length,
              }
            : null,
          queued,
          // Every setting with its value (secrets as set / not set), where it came from and whether IT locked it.
          settings: describeSettings(context.resolved),
          settingsProblems: context.resolved.problems,
          // Command-line flags a managed value overrides, each said once.
          settingsOverridden: context.resolved.overridden,
          servers: servers.map(({ server, decision, quarantined }) => ({
            id: server.id,
            serverKey: server.serverKey,
            client: server.client,
            name: server.name,
            scope: server.scope,
            decision,
            ...(quarantined ? { quarantined } : {}),
          })),
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }

  const lines = [
    `Central endpoint  ${enrollment ? `${enrollment.serverUrl} (device ${enrollment.deviceId})` : 'not enrolled'}`,
    `Last sync         ${age(sync.lastSuccessAt, now)}${sync.lastError ? `; last attempt failed: ${sync.lastError}` : ''}`,
    `Policy            ${cached ? `version ${cached.policy.version}, received ${age(cached.fetchedAt, now)}, confirmed ${age(cached.checkedAt, now)}` : 'none yet: decisions are pending'}`,
    `Waiting to send   ${queued.report ? 'an inventory report' : 'no report'}, ${queued.events} event${queued.events === 1 ? '' : 's'}`,
  ];
  const warnings = settingsWarnings(context.resolved);
  if (warnings.length)
    lines.push('', 'Settings that could not be applied', ...warnings.map((line) => `  ! ${line.replace(/^settings: /, '')}`));
  for (const client of [...new Set(servers.map(({ server }) => server.client))]) {
    lines.push('', clientName(client));
    for (const { server, decision, quarantined } of servers.filter((item) => item.server.client === client)) {
      lines.push(
        `  ${server.name.padEnd(24)} ${DECISION_LABELS[decision.status].padEnd(26)} ${decision.reason}${quarantined ? ' (taken out of its config until approved)' : ''}`,
      );
    }
  }
  if (cached?.policy.moreInfoUrl && servers.some(({ decision }) => decision.status === 'rejected' || decision.status === 'expired'))
    lines.push('', `More information: ${cached.policy.moreInfoUrl}`);
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
