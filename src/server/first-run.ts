// The endpoint's own secrets when nobody gave them: on the first start an owner token and an enroll secret are
// made and kept in the data folder (readable only by the service's user), and shown once; later starts read
// them back. A flag or variable always wins over the kept value.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../shared/command.js';

const KeptSecrets = z.object({ adminToken: z.string().min(16).optional(), enrollSecret: z.string().min(16).optional() });
export type KeptSecrets = Required<z.infer<typeof KeptSecrets>>;

export const SECRETS_FILE = 'secrets.json';

export interface ServerSecrets extends KeptSecrets {
  /** The file they are kept in, when any was kept. */
  file?: string;
  /** Which of them this start made (and must show, once). */
  made: (keyof KeptSecrets)[];
  /** Writes what this start made, once it is serving: a start that fails keeps nothing and shows it all again. */
  keep(): void;
}

const newSecret = () => randomBytes(24).toString('base64url');

/**
 * The admin token and enroll secret: given (flags, environment), else kept in `folder`, else made now and kept.
 * PostgreSQL has no data folder every process shares, so there both must be given.
 */
export function serverSecrets(given: Partial<KeptSecrets>, folder: string | undefined): ServerSecrets {
  if (given.adminToken && given.enrollSecret)
    return { adminToken: given.adminToken, enrollSecret: given.enrollSecret, made: [], keep: () => undefined };
  if (!folder)
    throw new UsageError(
      'with --database, give --admin-token and --enroll-secret (or MCP_WARDEN_ADMIN_TOKEN, MCP_WARDEN_ENROLL_SECRET): every server process must hold the same ones',
    );
  const file = path.join(folder, SECRETS_FILE);
  const kept = existsSync(file) ? readKept(file) : {};
  const made: (keyof KeptSecrets)[] = [];
  const adminToken = given.adminToken ?? kept.adminToken ?? (made.push('adminToken'), newSecret());
  const enrollSecret = given.enrollSecret ?? kept.enrollSecret ?? (made.push('enrollSecret'), newSecret());
  const keep = () => {
    if (!made.length) return;
    // Only what this endpoint made: a secret given by a flag stays where it was given.
    const secrets = {
      ...kept,
      ...(made.includes('adminToken') ? { adminToken } : {}),
      ...(made.includes('enrollSecret') ? { enrollSecret } : {}),
    };
    // Whole or not at all, and readable only by this user however the file was before.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  };
  return { adminToken, enrollSecret, file, made, keep };
}

function readKept(file: string): Partial<KeptSecrets> {
  let parsed;
  try {
    parsed = KeptSecrets.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new UsageError(`${file} cannot be read (${(error as Error).message}); move it away to make new secrets`);
  }
  if (!parsed.success)
    throw new UsageError(`${file} is not what this endpoint wrote (${parsed.error.issues[0]!.message}); move it away to make new secrets`);
  return parsed.data;
}
