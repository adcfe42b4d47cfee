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

export interface TokenVault {
  load(): Promise<Enrollment | undefined>;
  save(enrollment: Enrollment): Promise<void>;
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
      if (fromFile && safeStorage.isEncryptionAvailable()) {
        await vault.save(fromFile);
        await rm(enrollmentFile(stateDir), { force: true });
      }
      return fromFile;
    },
    save: async (enrollment) => {
      // Without a keychain (a Linux box with no secret service), device.json (0600) stays the store.
      if (!safeStorage.isEncryptionAvailable()) return saveEnrollment(stateDir, enrollment);
      store.set(KEY, safeStorage.encryptString(JSON.stringify(enrollment)).toString('base64'));
    },
  };
  return vault;
}
