// Human output of a scan: one table per client, then the files that could not be read and the entries that
// were skipped, each with its reason and position. Everything shown is already redacted.
import type { ConfigSource, ProbeResult, RiskSignal, ScanResult, ServerEntry } from '../../shared/inventory.js';
import { bySeverity, capabilitiesOf, launchText } from '../../shared/present.js';
import { clientName } from '../discovery/catalogue/clients.js';
import type { ScanChange } from '../discovery/diff.js';
import { displayPath } from '../discovery/world.js';

export interface FormatContext {
  home: string;
  /** Terminal width; long commands are shortened to fit. Infinity when the output is not a terminal. */
  width: number;
}

function position(source: { line?: number | undefined; column?: number | undefined }): string {
  if (source.line === undefined) return '';
  return source.column === undefined ? `:${source.line}` : `:${source.line}:${source.column}`;
}

function scopeText(server: ServerEntry, home: string): string {
  if (server.scope !== 'project' || server.projectPath === undefined) return server.scope;
  return `project ${displayPath(server.projectPath, home)}`;
}

function findingsText(server: ServerEntry): string {
  const counts = new Map<string, number>();
  for (const finding of server.findings) counts.set(finding.id, (counts.get(finding.id) ?? 0) + 1);
  return [...counts].map(([id, count]) => (count > 1 ? `${id} ×${count}` : id)).join(', ');
}

/** Every risk of a probed server, capability risks included, most severe first. */
export function allRisks(probe: ProbeResult): RiskSignal[] {
  return [...probe.risks, ...capabilitiesOf(probe).flatMap((capability) => capability.risks)].sort(bySeverity);
}

/** `13 tools, 7 resources, 4 prompts` (templates count as resources). */
export function exposesText(probe: ProbeResult): string {
  const resources = probe.resources.length + probe.resourceTemplates.length;
  const parts = [
    [probe.tools.length, 'tool'],
    [resources, 'resource'],
    [probe.prompts.length, 'prompt'],
  ] as const;
  return parts.map(([count, word]) => `${count} ${word}${count === 1 ? '' : 's'}`).join(', ');
}

/** The two most severe kinds of risk, with their severity: `critical tool-poisoning, high privileged-access`. */
function topRisks(server: ServerEntry, probe: ProbeResult | undefined): string {
  const risks = [...server.findings, ...(probe ? allRisks(probe) : [])].sort(bySeverity);
  const seen = new Set<string>();
  const top = risks.filter((risk) => !seen.has(risk.id) && seen.add(risk.id)).slice(0, 2);
  const more = seen.size > 2 || new Set(risks.map((risk) => risk.id)).size > 2 ? ' …' : '';
  return top.map((risk) => `${risk.severity} ${risk.id}`).join(', ') + more;
}

function probeText(probe: ProbeResult | undefined): string {
  if (!probe) return '';
  if (probe.status === 'ok') return `ok: ${exposesText(probe)}`;
  return probe.status;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}

function table(rows: string[][], maxWidths: number[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.min(maxWidths[column] ?? Infinity, Math.max(...rows.map((row) => row[column]!.length))));
  return rows.map((row) =>
    row
      .map((cell, column) => truncate(cell, widths[column]!).padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}

/** Every column but the command keeps its width (name and scope within reason); the command or URL gets the rest. */
function columnLimits(rows: string[][], width: number): number[] {
  const natural = (column: number) => Math.max(...rows.map((row) => row[column]!.length));
  const limits = rows[0]!.map((_, column) => (column === 0 || column === 2 ? Math.min(natural(column), 32) : natural(column)));
  const fixed = limits.reduce((sum, limit, column) => (column === 3 ? sum : sum + limit), 0) + 2 * (limits.length - 1);
  limits[3] = Math.max(30, width - fixed);
  return limits;
}

export function formatScan(result: ScanResult, context: FormatContext): string {
  const lines: string[] = [];
  const broken = result.sources.filter((source) => source.status !== 'ok' && source.status !== 'missing');
  const read = result.sources.filter((source) => source.status === 'ok');
  const clients = [...new Set(result.servers.map((server) => server.client))];
  lines.push(
    `${result.servers.length} MCP server${result.servers.length === 1 ? '' : 's'} in ${read.length} config file${read.length === 1 ? '' : 's'} ` +
      `from ${clients.length} client${clients.length === 1 ? '' : 's'}` +
      (broken.length ? `; ${broken.length} file${broken.length === 1 ? '' : 's'} could not be read` : ''),
  );

  for (const client of clients) {
    const servers = result.servers.filter((server) => server.client === client);
    lines.push('', `${clientName(client)} (${servers.length})`);
    const probes = result.probes;
    const rows = probes
      ? [['  NAME', 'TRANSPORT', 'SCOPE', 'COMMAND / URL', 'PROBE', 'RISKS']]
      : [['  NAME', 'TRANSPORT', 'SCOPE', 'COMMAND / URL', 'FINDINGS']];
    for (const server of servers) {
      const head = [
        `  ${server.name}${server.disabled ? ' (disabled)' : ''}`,
        server.transport,
        scopeText(server, context.home),
        launchText(server),
      ];
      rows.push(probes ? [...head, probeText(probes[server.id]), topRisks(server, probes[server.id])] : [...head, findingsText(server)]);
    }
    lines.push(...table(rows, columnLimits(rows, context.width)));
    const failed = probes ? servers.filter((server) => probes[server.id]?.reason && probes[server.id]?.status !== 'skipped') : [];
    for (const server of failed) lines.push(`    ${server.name}: ${probes![server.id]!.status}: ${probes![server.id]!.reason}`);
  }

  if (broken.length) {
    lines.push('', 'Files that could not be read');
    for (const source of broken) lines.push(`  ${sourceLine(source, context.home)}`);
  }
  const warned = result.sources.filter((source) => source.warnings?.length);
  if (warned.length) {
    lines.push('', 'Entries skipped or partly read');
    for (const source of warned) {
      for (const warning of source.warnings ?? [])
        lines.push(`  ${displayPath(source.path, context.home)}${position(warning)}  ${warning.message}`);
    }
  }
  if (result.servers.length === 0 && broken.length === 0)
    lines.push('', 'No MCP client configuration found. `mcp-warden scan --help` lists the options.');
  return `${lines.join('\n')}\n`;
}

export function sourceLine(source: ConfigSource, home: string): string {
  return `${source.status.padEnd(10)} ${clientName(source.client)}: ${displayPath(source.path, home)}${position(source.error ?? {})}  ${source.error?.message ?? ''}`.trimEnd();
}

const CHANGE_LABEL: Record<ScanChange['kind'], string> = {
  'server-added': '+ server added  ',
  'server-removed': '- server removed',
  'server-changed': '~ server changed',
  'file-broken': '! file broken   ',
  'file-fixed': '✓ file fixed    ',
};

export function formatChange(change: ScanChange, home: string, now: Date): string {
  const time = now.toTimeString().slice(0, 8);
  const label = CHANGE_LABEL[change.kind];
  if (change.kind === 'file-broken' || change.kind === 'file-fixed') {
    const { source } = change;
    const where = `${clientName(source.client)}: ${displayPath(source.path, home)}${position(source.error ?? {})}`;
    return `${time} ${label} ${where}${change.kind === 'file-broken' ? `  ${source.status}: ${source.error?.message ?? ''}` : ''}`;
  }
  const { server } = change;
  const what = `${clientName(server.client)}: ${server.name} (${server.transport}, ${scopeText(server, home)}) ${launchText(server)}`;
  const fields = change.kind === 'server-changed' ? `  [${change.fields.join(', ')}]` : '';
  return `${time} ${label} ${what}${fields}`;
}
