// The `mcp-warden` command: a table of subcommands, each in its own file.
import { AGENT_VERSION } from '../platform/version.js';
import type { CommandIO } from './io.js';
import { UsageError } from './usage-error.js';

interface CommandModule {
  help: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}

interface Command {
  summary: string;
  /** Loaded on use: a plain scan never pays for the MCP SDK or chokidar. */
  load(): Promise<CommandModule>;
}

const COMMANDS: Record<string, Command> = {
  scan: {
    summary: 'list every MCP server configured on this machine',
    load: async () => import('./scan-command.js').then((m) => ({ help: m.SCAN_HELP, run: m.runScan })),
  },
  watch: {
    summary: 'print a line whenever an MCP configuration changes',
    load: async () => import('./watch-command.js').then((m) => ({ help: m.WATCH_HELP, run: m.runWatch })),
  },
  inspect: {
    summary: 'one server in full: config, capabilities and risks',
    load: async () => import('./inspect-command.js').then((m) => ({ help: m.INSPECT_HELP, run: m.runInspect })),
  },
  agent: {
    summary: 'the headless agent: watch, probe, report, fetch policy',
    load: async () => import('./agent-command.js').then((m) => ({ help: m.AGENT_COMMAND_HELP, run: m.runAgent })),
  },
  status: {
    summary: 'each server with its decision and reason, the last sync, the policy age',
    load: async () => import('./status-command.js').then((m) => ({ help: m.STATUS_HELP, run: m.runStatus })),
  },
  enroll: {
    summary: 'register this device with a central endpoint',
    load: async () => import('./enroll-command.js').then((m) => ({ help: m.ENROLL_HELP, run: m.runEnroll })),
  },
  'request-approval': {
    summary: 'ask the organisation to approve a server',
    load: async () => import('./request-approval-command.js').then((m) => ({ help: m.REQUEST_APPROVAL_HELP, run: m.runRequestApproval })),
  },
  enforce: {
    summary: 'wrap every stdio server with the guard (restore undoes it)',
    load: async () => import('./enforce-command.js').then((m) => ({ help: m.ENFORCE_HELP, run: m.runEnforce })),
  },
  restore: {
    summary: 'put back every config entry enforcement changed, byte for byte',
    load: async () => import('./enforce-command.js').then((m) => ({ help: m.RESTORE_HELP, run: m.runRestore })),
  },
  audit: {
    summary: 'check the local audit log: every hash chain intact',
    load: async () => import('./audit-command.js').then((m) => ({ help: m.AUDIT_HELP, run: m.runAudit })),
  },
  guard: {
    summary: 'wrap a stdio MCP server: enforce decisions per tool, audit every call',
    load: async () => import('./guard-command.js').then((m) => ({ help: m.GUARD_HELP, run: m.runGuard })),
  },
  // The reference central endpoint ships in the same command; its code lives in src/server.
  server: {
    summary: 'run the reference central endpoint',
    load: async () => import('../../server/server-command.js').then((m) => ({ help: m.SERVER_HELP, run: m.runServer })),
  },
};

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const list = Object.entries(COMMANDS)
    .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
    .join('\n');
  return `Usage: mcp-warden <command> [options]

Inventory and govern the MCP servers your AI agents load.

Commands:
${list}

Run \`mcp-warden <command> --help\` for a command's options.`;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' && rest[0] ? COMMANDS[rest[0]] : undefined;
    io.stdout(`${topic ? (await topic.load()).help : overview()}\n`);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout(`${AGENT_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`mcp-warden: unknown command "${name}"\n\n${overview()}\n`);
    return 2;
  }
  try {
    return await (await command.load()).run(rest, io);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`mcp-warden ${name}: ${(error as Error).message}\nRun \`mcp-warden ${name} --help\` for the options.\n`);
      return 2;
    }
    io.stderr(`mcp-warden ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}
