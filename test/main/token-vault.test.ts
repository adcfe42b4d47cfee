// The device token in the OS keychain: sealed with safeStorage, moved out of device.json, and still working on
// a machine without a keychain.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenVault } from '../../src/main/token-vault.js';

/** A stand-in for safeStorage: reversible, but nothing like the plaintext. */
const safeStorage = (available: boolean) => ({
  isEncryptionAvailable: () => available,
  encryptString: (text: string) => Buffer.from([...Buffer.from(text)].map((byte) => byte ^ 0x5a)),
  decryptString: (data: Buffer) => Buffer.from([...data].map((byte) => byte ^ 0x5a)).toString(),
});
const store = () => {
  const values = new Map<string, unknown>();
  return { values, get: (key: string) => values.get(key), set: (key: string, value: unknown) => values.set(key, value) };
};
const enrollment = {
  serverUrl: 'https://warden.example.com',
  deviceId: 'd1',
  token: 'tok-secret-value',
  enrolledAt: '2026-11-22T12:00:00Z',
};

let stateDir: string;
beforeEach(() => (stateDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-vault-'))));
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

describe('the token vault', () => {
  it('seals the enrollment in the keychain, never in the clear', async () => {
    const values = store();
    const vault = createTokenVault(safeStorage(true), values, stateDir);
    await vault.save(enrollment);
    expect(String(values.get('enrollment'))).not.toContain('tok-secret-value');
    expect(await vault.load()).toEqual(enrollment);
    expect(existsSync(path.join(stateDir, 'device.json'))).toBe(false);
  });

  it('moves a token the command line left in device.json into the keychain, and removes the file', async () => {
    writeFileSync(path.join(stateDir, 'device.json'), JSON.stringify(enrollment));
    const values = store();
    const vault = createTokenVault(safeStorage(true), values, stateDir);
    expect(await vault.load()).toEqual(enrollment);
    expect(existsSync(path.join(stateDir, 'device.json'))).toBe(false);
    expect(await createTokenVault(safeStorage(true), values, stateDir).load()).toEqual(enrollment);
  });

  it('falls back to device.json (user-only) where no keychain is available', async () => {
    const vault = createTokenVault(safeStorage(false), store(), stateDir);
    await vault.save(enrollment);
    expect(JSON.parse(readFileSync(path.join(stateDir, 'device.json'), 'utf8'))).toEqual(enrollment);
    expect(await vault.load()).toEqual(enrollment);
  });

  it('keeps the enrollment in device.json when the keychain refuses it, and says why', async () => {
    const refusing = {
      ...safeStorage(true),
      encryptString: () => {
        throw new Error('the login keychain is locked');
      },
    };
    const vault = createTokenVault(refusing, store(), stateDir);
    expect(await vault.save(enrollment)).toEqual({ place: 'file', keychainError: 'the login keychain is locked' });
    expect(JSON.parse(readFileSync(path.join(stateDir, 'device.json'), 'utf8'))).toEqual(enrollment);
    // Moving it into the keychain on the next start fails the same way: the file stays, the device is still known.
    expect(await createTokenVault(refusing, store(), stateDir).load()).toEqual(enrollment);
    expect(existsSync(path.join(stateDir, 'device.json'))).toBe(true);
  });
});
