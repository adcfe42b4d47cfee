// The OS user running this process: the managed-settings reader (per-user profiles) and the device facts
// sent at enrollment both need it, and must agree.
import os from 'node:os';

/** The account name (the environment's where the account database cannot say). */
export function osUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
