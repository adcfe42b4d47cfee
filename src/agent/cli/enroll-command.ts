// `mcp-warden enroll --server URL --secret S`: registers this device with the central endpoint.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../state/state-dir.js';
import { AGENT_FLAGS, AGENT_HELP, agentContext, timestamped } from './agent-flags.js';
import type { CommandIO } from './io.js';
import { UsageError } from './usage-error.js';

export const ENROLL_HELP = `Usage: mcp-warden enroll --server URL --secret S [options]

Registers this device with the central endpoint and keeps the device token in the state folder (readable by
this user only). The endpoint's URL is saved in settings.json for the next runs; the secret is not.

Options:
${AGENT_HELP}
  -h, --help             this help`;

export async function runEnroll(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...AGENT_FLAGS, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    io.stdout(`${ENROLL_HELP}\n`);
    return 0;
  }
  const context = await agentContext(values, io, timestamped(io.stderr));
  if (!context.settings.serverUrl) throw new UsageError('--server URL is required (or MCP_WARDEN_SERVER_URL)');
  try {
    const enrollment = await context.engine.enroll(context.settings.enrollSecret);
    let saved: Record<string, unknown> = {};
    try {
      saved = JSON.parse(readFileSync(context.settingsFile, 'utf8')) as Record<string, unknown>;
    } catch {
      saved = {};
    }
    await writeFileAtomic(context.settingsFile, JSON.stringify({ ...saved, serverUrl: enrollment.serverUrl }, null, 2));
    io.stdout(`enrolled with ${enrollment.serverUrl} as device ${enrollment.deviceId}\n`);
    return 0;
  } finally {
    await context.engine.close();
  }
}
