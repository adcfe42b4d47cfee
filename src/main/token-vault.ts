// The device's credentials in the OS keychain: encrypted with Electron's safeStorage (Keychain on macOS, DPAPI
// on Windows, the secret service on Linux) and kept in the app's store. A token the command line left in
// device.json is moved in on first start and removed from the file.
import { rm } from 'node:fs/promises';
import type { Enrollment } from '../agent/sync/device-identity.js';
import { enrollmentFile, loadEnrollment, saveEnrollment } from '../agent/sync/device-identity.js';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(text: string): Buffer;
  decryptString(data: Buffer): string;
}

export interface StoreLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

const KEY = 'enrollment';

/** Where an enrollment was kept: the keychain, or device.json (0600) when there is none or it refused. */
export type KeptIn = { place: 'keychain' } | { place: 'file'; keychainError?: string };

export interface TokenVault {
  load(): Promise<Enrollment | undefined>;
  save(enrollment: Enrollment): Promise<KeptIn>;
}

export function createTokenVault(safeStorage: SafeStorageLike, store: StoreLike, stateDir: string): TokenVault {
  const vault: TokenVault = {
    load: async () => {
      const sealed = store.get(KEY);
      if (typeof sealed === 'string' && safeStorage.isEncryptionAvailable()) {
        try {
          return JSON.parse(safeStorage.decryptString(Buffer.from(sealed, 'base64'))) as Enrollment;
        } catch {
          return undefined; // sealed by another user or machine: enroll again
        }
      }
      // Left by `mcp-warden enroll`: move it into the keychain.
      const fromFile = await loadEnrollment(stateDir);
      if (fromFile && safeStorage.isEncryptionAvailable() && (await vault.save(fromFile)).place === 'keychain')
        await rm(enrollmentFile(stateDir), { force: true });
      return fromFile;
    },
    save: async (enrollment) => {
      let keychainError: string | undefined;
      if (safeStorage.isEncryptionAvailable()) {
        try {
          store.set(KEY, safeStorage.encryptString(JSON.stringify(enrollment)).toString('base64'));
          return { place: 'keychain' };
        } catch (error) {
          // A keychain that refuses (locked, its service gone) must not lose the device's identity: the next
          // start would enroll the laptop a second time.
          keychainError = (error as Error).message;
        }
      }
      // Without a keychain (a Linux box with no secret service), device.json (0600) stays the store.
      await saveEnrollment(stateDir, enrollment);
      return keychainError === undefined ? { place: 'file' } : { place: 'file', keychainError };
    },
  };
  return vault;
}
