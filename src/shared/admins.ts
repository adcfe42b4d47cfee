// The people who run the central endpoint: admin accounts, their roles and API tokens, and the history of
// what each of them changed. The admin API answers in these shapes; the console reads them.
import { z } from 'zod';

/** Each role can do what the one before it can, and more. */
export const ADMIN_ROLES = ['viewer', 'approver', 'owner'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** What each role is for, as the CLI and the refusals say it. */
export const ROLE_DUTIES: Record<AdminRole, string> = {
  viewer: 'reads everything',
  approver: 'also decides: rules and approval requests',
  owner: 'also changes settings and admins',
};

export const roleAtLeast = (role: AdminRole, needed: AdminRole) => ADMIN_ROLES.indexOf(role) >= ADMIN_ROLES.indexOf(needed);

/** Admin API tokens start with this, so that secret scanners can tell them from other strings. */
export const ADMIN_TOKEN_PREFIX = 'mwa_';

export const AdminToken = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type AdminToken = z.infer<typeof AdminToken>;

export const AdminAccount = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ADMIN_ROLES),
  createdAt: z.string(),
  /** Who added the account: an admin's email, or `cli:<user>` for `mcp-warden server admin add`. */
  createdBy: z.string(),
  tokens: z.array(AdminToken),
});
export type AdminAccount = z.infer<typeof AdminAccount>;

export const AdminAccountInput = z.object({
  email: z
    .email()
    .max(320)
    .transform((email) => email.toLowerCase()),
  role: z.enum(ADMIN_ROLES),
});

export const ADMIN_ACTIONS = [
  'rule-added',
  'rule-removed',
  'settings-changed',
  'admin-added',
  'admin-removed',
  'token-issued',
  'token-revoked',
  'registry-published',
  'registry-unpublished',
  'registry-deprecated',
  'registry-restored',
] as const;

/** One change an admin made: who, when, what, and the thing before and after (absent: it did not exist). */
export const AdminAction = z.object({
  id: z.string(),
  at: z.string(),
  admin: z.string(),
  action: z.enum(ADMIN_ACTIONS),
  /** What the change was about, where it was about a server, agents or a capability (rules). */
  serverKey: z.string().optional(),
  agents: z.array(z.string()).optional(),
  capability: z.string().optional(),
  /** The rule's id or the admin's email. */
  subject: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type AdminAction = z.infer<typeof AdminAction>;
