// Risks visible in the config file alone, without starting the server: unpinned packages, plain HTTP to
// another machine, shell wrappers, auto-approved tools. (Plaintext secrets are found by the redaction.)
import type { PackageRef, RiskSignal, ServerEntry } from '../../shared/inventory.js';
import { commandName, hostOf } from './server-identity.js';
import { parseGuardedCommand } from '../platform/guard-invocation.js';

const SHELLS: Record<string, RegExp> = {
  sh: /^-l?c$/,
  bash: /^-l?c$/,
  zsh: /^-l?c$/,
  dash: /^-c$/,
  cmd: /^\/[ckCK]$/,
  powershell: /^-(?:c|command)$/i,
  pwsh: /^-(?:c|command)$/i,
};

const LOOPBACK = /^(?:localhost|127(?:\.\d+){3}|::1|\[::1\])$/i;

function unpinned(pkg: PackageRef | undefined): RiskSignal[] {
  if (!pkg || pkg.pinned) return [];
  const what = `${pkg.registry} package ${pkg.name}`;
  const evidence = pkg.version
    ? `${what}@${pkg.version} is not an exact version: each start may run different code`
    : `${what} runs without a version: each start fetches the latest`;
  return [{ id: 'unpinned-package', severity: 'medium', evidence }];
}

export function configRisks(entry: Pick<ServerEntry, 'command' | 'args' | 'url' | 'package' | 'autoApprove' | 'transport'>): RiskSignal[] {
  const signals = unpinned(entry.package);
  if (entry.url !== undefined && /^http:\/\//i.test(entry.url.trim())) {
    const host = hostOf(entry.url);
    if (!host || !LOOPBACK.test(host))
      signals.push({
        id: 'insecure-transport',
        severity: 'high',
        evidence: `plain http:// to ${host ?? 'another host'}: traffic and credentials travel unencrypted`,
      });
  }
  if (entry.command !== undefined) {
    // Wrapped with the guard, the server is still started the way the user wrote it, after `--`.
    const { command, args } = parseGuardedCommand(entry.command, entry.args) ?? entry;
    const shell = SHELLS[commandName(command!)];
    const flag = shell ? args.find((arg) => shell.test(arg)) : undefined;
    if (flag)
      signals.push({
        id: 'runs-as-shell',
        severity: 'medium',
        evidence: `started through ${commandName(command!)} ${flag}: the command line is a shell script`,
      });
  }
  if (entry.autoApprove.length) {
    const all = entry.autoApprove.includes('*');
    signals.push({
      id: 'auto-approve',
      severity: all ? 'high' : 'medium',
      evidence: all
        ? 'every tool runs without asking the user'
        : `${entry.autoApprove.length} tool${entry.autoApprove.length === 1 ? '' : 's'} run without asking the user: ${entry.autoApprove.slice(0, 5).join(', ')}${entry.autoApprove.length > 5 ? ', …' : ''}`,
    });
  }
  return signals;
}
