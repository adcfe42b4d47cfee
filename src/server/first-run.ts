// The endpoint's own secrets when nobody gave them: on the first start an owner token and an enroll secret are
// made and kept in the data folder (readable only by the service's user), and shown once; later starts read
// them back. A flag or variable always wins over the kept value.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
}

const newSecret = () => randomBytes(24).toString('base64url');

/**
 * The admin token and enroll secret: given (flags, environment), else kept in `folder`, else made now and kept.
 * PostgreSQL has no data folder every process shares, so there both must be given.
 */
export function serverSecrets(given: Partial<KeptSecrets>, folder: string | undefined): ServerSecrets {
  if (given.adminToken && given.enrollSecret) return { adminToken: given.adminToken, enrollSecret: given.enrollSecret, made: [] };
  if (!folder)
    throw new UsageError(
      'with --database, give --admin-token and --enroll-secret (or MCP_WARDEN_ADMIN_TOKEN, MCP_WARDEN_ENROLL_SECRET): every server process must hold the same ones',
    );
  const file = path.join(folder, SECRETS_FILE);
  let kept: Partial<KeptSecrets> = {};
  if (existsSync(file)) {
    const parsed = KeptSecrets.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success)
      throw new UsageError(
        `${file} is not what this endpoint wrote (${parsed.error.issues[0]!.message}); move it away to make new secrets`,
      );
    kept = parsed.data;
  }
  const made: (keyof KeptSecrets)[] = [];
  const adminToken = given.adminToken ?? kept.adminToken ?? (made.push('adminToken'), newSecret());
  const enrollSecret = given.enrollSecret ?? kept.enrollSecret ?? (made.push('enrollSecret'), newSecret());
  if (made.length) {
    // Only what this endpoint made: a secret given by a flag stays where it was given.
    const keep = {
      ...kept,
      ...(made.includes('adminToken') ? { adminToken } : {}),
      ...(made.includes('enrollSecret') ? { enrollSecret } : {}),
    };
    writeFileSync(file, `${JSON.stringify(keep, null, 2)}\n`, { mode: 0o600 });
  }
  return { adminToken, enrollSecret, file, made };
}
