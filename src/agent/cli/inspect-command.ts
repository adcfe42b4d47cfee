// `mcp-warden inspect <server>`: one server in full — where it is configured, how it starts (redacted), its
// findings, and every tool, resource and prompt it exposes with their risks.
import { parseArgs } from 'node:util';
import type { Capability, ProbeResult, ServerEntry } from '../../shared/inventory.js';
import { scan } from '../discovery/scan.js';
import { probeAll } from '../probe/probe-all.js';
import { settledScan } from './settings-flags.js';
import { DISCOVERY_FLAGS, DISCOVERY_HELP } from './discovery-flags.js';
import { displayPath } from '../discovery/world.js';
import { launchText } from '../../shared/present.js';
import { clientName } from '../discovery/catalogue/clients.js';
import { allRisks, exposesText } from './format-scan.js';
import type { CommandIO } from './io.js';
import { pickServer } from './pick-server.js';
import { PROBE_FLAGS, PROBE_HELP, probeOptionsFrom } from './probe-flags.js';
import { UsageError } from './usage-error.js';

export const INSPECT_HELP = `Usage: mcp-warden inspect <server id or name> [options]

Shows one server in full: its config, how its client starts it (secrets redacted), its findings, and every
tool, resource and prompt it exposes, with their risks. A name shared by several servers lists them with
their ids; pass an id (from \`mcp-warden scan --json\`) or narrow with --client.

Options:
${DISCOVERY_HELP}
${PROBE_HELP}
  -h, --help             this help`;

function capabilityBlock(capability: Capability): string[] {
  const lines = [`  ${capability.name}${capability.title && capability.title !== capability.name ? ` — ${capability.title}` : ''}`];
  for (const risk of capability.risks) lines.push(`    ! ${risk.severity} ${risk.id}: ${risk.evidence}`);
  if (capability.uri ?? capability.uriTemplate)
    lines.push(`    ${capability.uri ?? capability.uriTemplate}${capability.mimeType ? ` (${capability.mimeType})` : ''}`);
  if (capability.description) {
    const cut = capability.descriptionLength
      ? ` [cut at ${capability.description.length} of ${capability.descriptionLength} characters]`
      : '';
    for (const line of capability.description.split('\n')) lines.push(`    ${line}`);
    if (cut) lines.push(`   ${cut}`);
  }
  const properties = (capability.inputSchema as { properties?: Record<string, unknown>; required?: string[] } | undefined) ?? {};
  const names = Object.keys(properties.properties ?? {});
  if (names.length)
    lines.push(`    parameters: ${names.map((name) => (properties.required?.includes(name) ? `${name}*` : name)).join(', ')}`);
  if (capability.arguments?.length)
    lines.push(
      `    arguments: ${capability.arguments.map((argument) => (argument.required ? `${argument.name}*` : argument.name)).join(', ')}`,
    );
  return lines;
}

export function formatInspect(server: ServerEntry, probe: ProbeResult, home: string): string {
  const lines = [
    `${server.name} (${clientName(server.client)}, ${server.scope}${server.disabled ? ', disabled' : ''})`,
    `  id          ${server.id}`,
    `  serverKey   ${server.serverKey}`,
    `  config      ${displayPath(server.configPath, home)}`,
    ...(server.projectPath ? [`  project     ${displayPath(server.projectPath, home)}`] : []),
    `  transport   ${server.transport}`,
    `  launch      ${launchText(server)}`,
    ...(server.envKeys.length ? [`  env         ${server.envKeys.join(', ')}`] : []),
    ...(server.headerKeys.length ? [`  headers     ${server.headerKeys.join(', ')}`] : []),
    `  access      ${server.accessType}`,
  ];
  for (const finding of server.findings) lines.push(`  ! ${finding.severity} ${finding.id}: ${finding.evidence}`);
  const info = probe.serverInfo ? ` — ${probe.serverInfo.title ?? probe.serverInfo.name} ${probe.serverInfo.version}` : '';
  const protocol = probe.protocolVersion ? `, protocol ${probe.protocolVersion}` : '';
  lines.push(
    '',
    `Probe: ${probe.status}${probe.cached ? ' (cached)' : ''} in ${probe.durationMs} ms${info}${protocol}${probe.status === 'ok' ? ` — ${exposesText(probe)}` : ''}`,
  );
  if (probe.reason) lines.push(`  ${probe.reason}`);
  for (const risk of probe.risks) lines.push(`  ! ${risk.severity} ${risk.id}: ${risk.evidence}`);
  if (probe.instructions) lines.push('', 'Instructions', ...probe.instructions.split('\n').map((line) => `  ${line}`));
  const sections: [string, Capability[]][] = [
    ['Tools', probe.tools],
    ['Resources', probe.resources],
    ['Resource templates', probe.resourceTemplates],
    ['Prompts', probe.prompts],
  ];
  for (const [title, capabilities] of sections) {
    if (!capabilities.length) continue;
    lines.push('', `${title} (${capabilities.length})`);
    for (const capability of capabilities) lines.push(...capabilityBlock(capability));
  }
  if (probe.status === 'ok' && allRisks(probe).length === 0 && server.findings.length === 0) lines.push('', 'No risk signals.');
  return `${lines.join('\n')}\n`;
}

export async function runInspect(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...DISCOVERY_FLAGS, ...PROBE_FLAGS, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout(`${INSPECT_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected one server id or name');
  const { scanOptions: options, ...settings } = await settledScan(values, io);
  const outcome = await scan(options);
  const server = pickServer(outcome.result.servers, positionals[0]!);
  // Probe only this server (others of the scan are left out), with the cache.
  const only = { ...outcome, result: { ...outcome.result, servers: [server] } };
  const probe = (await probeAll(only, probeOptionsFrom(values, options, settings)))[server.id]!;
  if (values.json) io.stdout(`${JSON.stringify({ server, probe }, null, 2)}\n`);
  else io.stdout(formatInspect(server, probe, options.world.home));
  return 0;
}
