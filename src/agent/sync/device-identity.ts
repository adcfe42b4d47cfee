// This device as the central endpoint knows it: the facts sent at enrollment, its addresses, and the
// credentials it got back (kept in the state folder, private to the user).
import os from 'node:os';
import path from 'node:path';
import type { DeviceFacts } from '../../shared/protocol.js';
import { hostMachine, readJsonState, writeFileAtomic } from '../state/state-dir.js';
import { AGENT_VERSION } from '../platform/version.js';
import { osUserName } from '../platform/os-user.js';

export interface Enrollment {
  serverUrl: string;
  deviceId: string;
  token: string;
  enrolledAt: string;
}

const isEnrollment = (value: unknown): value is Enrollment =>
  typeof value === 'object' &&
  value !== null &&
  ['serverUrl', 'deviceId', 'token'].every((key) => typeof (value as Record<string, unknown>)[key] === 'string');

export function deviceFacts(userEmail?: string): DeviceFacts {
  return {
    hostname: os.hostname(),
    platform: hostMachine().platform,
    osVersion: `${os.type()} ${os.release()}`,
    user: osUserName(),
    agentVersion: AGENT_VERSION,
    ...(userEmail ? { userEmail: userEmail.toLowerCase() } : {}),
  };
}

export const enrollmentFile = (stateDir: string) => path.join(stateDir, 'device.json');

export async function loadEnrollment(stateDir: string): Promise<Enrollment | undefined> {
  return readJsonState<Enrollment | undefined>(enrollmentFile(stateDir), undefined, (value): value is Enrollment | undefined =>
    isEnrollment(value),
  );
}

export async function saveEnrollment(stateDir: string, enrollment: Enrollment): Promise<void> {
  await writeFileAtomic(enrollmentFile(stateDir), JSON.stringify(enrollment, null, 2));
}
