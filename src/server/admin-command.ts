// `mcp-warden server admin`: admin accounts, from the machine the endpoint runs on (the same --data or
// --database as `mcp-warden server`). A token is printed once, alone on stdout, so a script can take it;
// everything else goes to stderr. What the command changes is recorded as `cli:<OS user>` in the history.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ADMIN_ROLES, AdminAccountInput, type AdminRole, ROLE_DUTIES } from '../shared/admins.js';
import { type CommandStreams, UsageError } from '../shared/command.js';
import { hashToken, newAdminToken } from './auth.js';
import { STORAGE_OPTIONS, databaseLocation, describeLocation, storageError } from './storage-location.js';
import { DEFAULT_EVENT_RETENTION_DAYS, openStorage } from './storage/open-storage.js';
import { AdminExistsError, type Storage } from './storage/storage.js';

export const ADMIN_HELP = `Usage: mcp-warden server admin add --email E --role R [--data DIR | --database URL]
       mcp-warden server admin list [--json] [--data DIR | --database URL]
       mcp-warden server admin remove --email E [--data DIR | --database URL]
       mcp-warden server admin token --email E [--name N] [--data DIR | --database URL]

Admin accounts of the endpoint's admin API, each with a role:
${ADMIN_ROLES.map((role) => `  ${role.padEnd(9)} ${ROLE_DUTIES[role]}`).join('\n')}

\`add\` and \`token\` print the new API token once, on stdout; only its hash is kept. \`token\` makes a new
token (named by --name, default "default") and revokes the admin's previous token of that name.`;

const OPTIONS = {
  ...STORAGE_OPTIONS,
  email: { type: 'string' },
  role: { type: 'string' },
  name: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];

function email(values: Values): string {
  if (!values.email) throw new UsageError('--email is required');
  const parsed = AdminAccountInput.shape.email.safeParse(values.email);
  if (!parsed.success) throw new UsageError(`--email ${values.email}: not an email address`);
  return parsed.data;
}

function role(values: Values): AdminRole {
  if (!values.role) throw new UsageError(`--role is required: ${ADMIN_ROLES.join(', ')}`);
  if (!(ADMIN_ROLES as readonly string[]).includes(values.role))
    throw new UsageError(`--role ${values.role}: expected one of ${ADMIN_ROLES.join(', ')}`);
  return values.role as AdminRole;
}

const ACTIONS: Record<string, (storage: Storage, values: Values, io: CommandStreams, by: string) => Promise<number>> = {
  async add(storage, values, io, by) {
    const address = email(values);
    const token = newAdminToken();
    try {
      const account = await storage.admins.add(address, role(values), by, new Date().toISOString(), {
        name: 'default',
        hash: hashToken(token),
      });
      io.stderr(`added ${account.email} as ${account.role}; their API token (shown this once):\n`);
    } catch (error) {
      if (error instanceof AdminExistsError) throw new UsageError(`${error.message}; \`admin token --email ${address}\` gives a new token`);
      throw error;
    }
    io.stdout(`${token}\n`);
    return 0;
  },

  async list(storage, values, io) {
    const accounts = await storage.admins.list();
    if (values.json) {
      io.stdout(`${JSON.stringify(accounts, null, 2)}\n`);
      return 0;
    }
    if (accounts.length === 0) {
      io.stderr('no admin accounts yet: `mcp-warden server admin add --email E --role owner`\n');
      return 0;
    }
    const rows = accounts.map((account) => {
      const live = account.tokens.filter((token) => !token.revokedAt);
      const used = live
        .map((token) => token.lastUsedAt)
        .filter(Boolean)
        .sort()
        .at(-1);
      return [account.email, account.role, String(live.length), used ?? 'never', account.createdBy];
    });
    const header = ['EMAIL', 'ROLE', 'TOKENS', 'LAST USED', 'ADDED BY'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    for (const row of [header, ...rows])
      io.stdout(
        `${row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    return 0;
  },

  async remove(storage, values, io, by) {
    const address = email(values);
    if (!(await storage.admins.remove(address, by, new Date().toISOString()))) throw new UsageError(`${address} is not an admin`);
    io.stderr(`removed ${address}; their tokens no longer work\n`);
    return 0;
  },

  async token(storage, values, io, by) {
    const address = email(values);
    if (!(await storage.admins.byEmail(address))) throw new UsageError(`${address} is not an admin`);
    const name = values.name ?? 'default';
    const token = newAdminToken();
    await storage.admins.issueToken(address, name, hashToken(token), by, new Date().toISOString());
    io.stderr(`a new token "${name}" for ${address} (shown this once); their previous "${name}" token is revoked:\n`);
    io.stdout(`${token}\n`);
    return 0;
  },
};

export async function runAdmin(argv: string[], io: CommandStreams): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: OPTIONS, strict: true });
  if (!action || action === '--help' || action === '-h' || values.help) {
    io.stdout(`${ADMIN_HELP}\n`);
    return 0;
  }
  const run = ACTIONS[action];
  if (!run) throw new UsageError(`unknown admin action ${action}: expected ${Object.keys(ACTIONS).join(', ')}`);
  const location = databaseLocation(values, process.env);
  let storage: Storage;
  try {
    storage = await openStorage(location, { eventRetentionDays: DEFAULT_EVENT_RETENTION_DAYS });
  } catch (error) {
    throw storageError(location, error);
  }
  // Said every time: a mistyped --data would otherwise quietly make a database no server reads.
  io.stderr(`${describeLocation(location)}\n`);
  try {
    return await run(storage, values, io, `cli:${os.userInfo().username}`);
  } finally {
    await storage.close();
  }
}
