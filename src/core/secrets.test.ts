// Secrets at rest (issue 16: device passcodes): AES-256-GCM from Node's crypto under per-purpose
// HKDF keys; a wrong or missing key is a clear error, never garbage; keys rotate; the key file of
// the embedded start is generated once and kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { keyIdOf, keyring, keyringOf, newMasterKey, open, parseMasterKey, seal, SecretUnavailableError } from './secrets.ts';

const A = Buffer.alloc(32, 1);
const B = Buffer.alloc(32, 2);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-secrets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('sealing', () => {
  test('what is sealed opens to the same text, for any text; the envelope never contains it', () => {
    const ring = keyring(A);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (s) => {
        const sealed = seal(ring, 'device-passcode', 'ctx', s);
        expect(open(ring, 'device-passcode', 'ctx', sealed)).toBe(s);
        expect(keyIdOf(sealed)).toBe(ring.current.id);
        if (s.length >= 4) expect(sealed).not.toContain(s);
      }),
    );
    // A fresh IV each time: the same passcode twice is two different envelopes.
    expect(seal(ring, 'p', 'c', '1234')).not.toBe(seal(ring, 'p', 'c', '1234'));
  });

  test('a wrong key, another purpose, another row or an altered value is a clear error, never garbage', () => {
    const sealed = seal(keyring(A), 'device-passcode', 'row-1', '4711');
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SecretUnavailableError);
        return (e as Error).message;
      }
      throw new Error('opened');
    };
    expect(err(() => open(keyring(B), 'device-passcode', 'row-1', sealed))).toMatch(/sealed with key [0-9a-f]{16}, which this server does not have/);
    expect(err(() => open(keyring(A), 'other-purpose', 'row-1', sealed))).toMatch(/does not open/);
    expect(err(() => open(keyring(A), 'device-passcode', 'row-2', sealed))).toMatch(/does not open/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('4712').toString('base64url');
    expect(err(() => open(keyring(A), 'device-passcode', 'row-1', parts.join('.')))).toMatch(/does not open/);
    expect(err(() => open(keyring(A), 'device-passcode', 'row-1', '4711'))).toMatch(/not a sealed value/);
  });

  test('rotation: the new key seals, the old one still opens what it sealed', () => {
    const before = seal(keyring(A), 'p', 'c', 'old');
    const rotated = keyring(B, [A]);
    expect(open(rotated, 'p', 'c', before)).toBe('old');
    const after = seal(rotated, 'p', 'c', 'new');
    expect(keyIdOf(after)).toBe(keyring(B).current.id);
    expect(keyIdOf(after)).not.toBe(keyIdOf(before));
  });
});

describe('the key from the configuration', () => {
  test('AFTERCARE_SECRET_KEY is at least 32 bytes, base64 or hex; a bad one is refused naming the variable', () => {
    expect(parseMasterKey(newMasterKey())).toHaveLength(32);
    expect(parseMasterKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseMasterKey('short')).toBeNull();
    expect(() => loadConfig({ AFTERCARE_SECRET_KEY: 'too-short' })).toThrow(/AFTERCARE_SECRET_KEY: must be a key of at least 32 bytes/);
    expect(() => loadConfig({ AFTERCARE_SECRET_KEY: newMasterKey(), AFTERCARE_OLD_SECRET_KEYS: `${newMasterKey()},nope` })).toThrow(/AFTERCARE_OLD_SECRET_KEYS/);
    const key = newMasterKey();
    const c = loadConfig({ AFTERCARE_SECRET_KEY: key });
    expect(keyringOf(c).current.id).toBe(keyring(parseMasterKey(key)!).current.id);
  });

  test('without it, the embedded start generates a key file once (mode 600) and keeps using it', () => {
    const file = path.join(tmp, 'data', 'secret.key');
    const c = loadConfig({ AFTERCARE_SECRET_KEY_FILE: file });
    expect(c.secretKeyGenerate).toBe(true);
    const ring = keyringOf(c);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    // Another process reading the same file has the same key.
    expect(keyringOf({ ...c, oldSecretKeys: [] }).current.id).toBe(ring.current.id);
    expect(keyring(parseMasterKey(text)!).current.id).toBe(ring.current.id);
  });

  test('with an external database outside the demo and no key, the start refuses and says what to set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', AFTERCARE_DEMO: 'false', AFTERCARE_SECRET_KEY_FILE: path.join(tmp, 'none', 'secret.key') });
    expect(c.secretKeyGenerate).toBe(false);
    expect(() => keyringOf(c)).toThrow(ConfigError);
    expect(() => keyringOf(c)).toThrow(/AFTERCARE_SECRET_KEY: required/);
    expect(fs.existsSync(path.join(tmp, 'none'))).toBe(false);
  });
});
