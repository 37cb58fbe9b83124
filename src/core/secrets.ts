// Secrets at rest (issue 16: the device passcode and unlock pattern): sealed with AES-256-GCM from
// Node's own `crypto` (no cipher of ours), under a key derived per purpose with HKDF-SHA256 from the
// master key in the configuration (AFTERCARE_SECRET_KEY, or the key file the embedded start
// generates). A sealed value names the key it was sealed with (`ac1.<key id>.<iv>.<ciphertext>.<tag>`),
// so keys can rotate: the current key seals, older keys (AFTERCARE_OLD_SECRET_KEYS) still open,
// and `resealAll` moves rows to the current key. The associated data binds a value to its row and
// field, so a sealed value copied into another row does not open. See docs/operations.md "The secret key".
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';

/** The envelope's format version: `ac1.` then the key id, IV, ciphertext and tag (base64url). */
const FORMAT = 'ac1';
export const SEALED_PATTERN = /^ac1\.[0-9a-f]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;
/** The smallest master key accepted (bytes). */
export const MIN_KEY_BYTES = 32;

export interface SecretKey {
  /** A fingerprint of the key (HKDF of it, not the key): stored with each value it seals. */
  id: string;
  master: Buffer;
}
export interface Keyring {
  /** Seals every new value. */
  current: SecretKey;
  /** The current key and the older ones, by id: opens values sealed with any of them. */
  byId: Map<string, SecretKey>;
}

/** Why a sealed value cannot be opened: the key it names is not configured, or it does not open. */
export class SecretUnavailableError extends Error {
  constructor(
    message: string,
    readonly keyId: string | null,
  ) {
    super(message);
  }
}

/** A master key as configured: base64 (or base64url) or 64 hex digits, at least 32 bytes. */
export function parseMasterKey(text: string): Buffer | null {
  const s = text.trim();
  if (/^[0-9a-fA-F]{64,}$/.test(s) && s.length % 2 === 0) return Buffer.from(s, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return null;
  const b = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return b.length >= MIN_KEY_BYTES ? b : null;
}

const derive = (master: Buffer, info: string) => Buffer.from(crypto.hkdfSync('sha256', master, Buffer.from('aftercare'), Buffer.from(info), 32));

export function secretKey(master: Buffer): SecretKey {
  return { id: derive(master, 'aftercare:key-id').subarray(0, 8).toString('hex'), master };
}

export function keyring(current: Buffer, older: Buffer[] = []): Keyring {
  const keys = [secretKey(current), ...older.map(secretKey)];
  return { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}

/** A new master key, as the key file holds it (base64 of 32 random bytes). */
export const newMasterKey = () => crypto.randomBytes(32).toString('base64');

const cache = new Map<string, Keyring>();

/**
 * The configuration's key ring: AFTERCARE_SECRET_KEY (+ AFTERCARE_OLD_SECRET_KEYS); without it the
 * key file (AFTERCARE_SECRET_KEY_FILE, `./data/secret.key`), generated on first use where the
 * configuration allows it (the embedded database or the demo), else a ConfigError saying what to set.
 */
export function keyringOf(config: Pick<Config, 'secretKey' | 'oldSecretKeys' | 'secretKeyFile' | 'secretKeyGenerate'>): Keyring {
  const older = (config.oldSecretKeys ?? []).map((k) => parseMasterKey(k)!);
  if (config.secretKey) {
    const id = `env:${config.secretKey}:${(config.oldSecretKeys ?? []).join(',')}`;
    let r = cache.get(id);
    if (!r) cache.set(id, (r = keyring(parseMasterKey(config.secretKey)!, older)));
    return r;
  }
  const file = path.resolve(config.secretKeyFile);
  const id = `file:${file}:${(config.oldSecretKeys ?? []).join(',')}`;
  const hit = cache.get(id);
  if (hit) return hit;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (!config.secretKeyGenerate) {
      throw new ConfigError(`Invalid configuration in the environment:\n  AFTERCARE_SECRET_KEY: required (the key that seals device passcodes; \`openssl rand -base64 32\`), or a key file at ${file} (AFTERCARE_SECRET_KEY_FILE)`);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      // `wx`: two processes starting at once keep one key (the second reads the first's).
      fs.writeFileSync(file, `${newMasterKey()}\n`, { flag: 'wx', mode: 0o600 });
    } catch (w) {
      if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
    }
    text = fs.readFileSync(file, 'utf8');
  }
  const master = parseMasterKey(text);
  if (!master) throw new ConfigError(`Invalid configuration in the environment:\n  AFTERCARE_SECRET_KEY_FILE: ${file} does not hold a key (base64 of at least ${MIN_KEY_BYTES} bytes)`);
  const r = keyring(master, older);
  cache.set(id, r);
  return r;
}

const purposeKey = (k: SecretKey, purpose: string) => derive(k.master, `aftercare:${purpose}`);

/**
 * Seals `plain` for `purpose` (one derived key per purpose), bound to `context` (the row and field:
 * a value copied elsewhere does not open). A fresh 96-bit IV each time.
 */
export function seal(ring: Keyring, purpose: string, context: string, plain: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', purposeKey(ring.current, purpose), iv);
  c.setAAD(Buffer.from(context));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return [FORMAT, ring.current.id, iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.');
}

/** The key id a sealed value names (null: not a sealed value). */
export function keyIdOf(sealed: string): string | null {
  return SEALED_PATTERN.test(sealed) ? sealed.split('.')[1]! : null;
}

/** Opens a value `seal` made; a missing key or a value that does not open is a SecretUnavailableError, never garbage. */
export function open(ring: Keyring, purpose: string, context: string, sealed: string): string {
  if (!SEALED_PATTERN.test(sealed)) throw new SecretUnavailableError('The stored value is not a sealed value', null);
  const [, kid, iv, ct, tag] = sealed.split('.') as [string, string, string, string, string];
  const key = ring.byId.get(kid);
  if (!key) throw new SecretUnavailableError(`The value was sealed with key ${kid}, which this server does not have (AFTERCARE_SECRET_KEY, AFTERCARE_OLD_SECRET_KEYS); the server has ${[...ring.byId.keys()].join(', ')}`, kid);
  try {
    const d = crypto.createDecipheriv('aes-256-gcm', purposeKey(key, purpose), Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(context));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  } catch {
    throw new SecretUnavailableError(`The value sealed with key ${kid} does not open with it (altered, or moved from another record)`, kid);
  }
}

/** HMAC-SHA256 under the purpose's key, cut to 128 bits (RFC 2104 §5), base64url: 22 characters. */
const mac = (k: SecretKey, purpose: string, message: string) => crypto.createHmac('sha256', purposeKey(k, purpose)).update(message).digest().subarray(0, 16).toString('base64url');

/**
 * A MAC of `message` for `purpose` under the current master key: for short-lived links that need
 * no row of their own (22 characters, short enough for a path segment).
 */
export function sign(ring: Keyring, purpose: string, message: string): string {
  return mac(ring.current, purpose, message);
}

/** Whether `signature` is `sign(ring, purpose, message)` under one of the ring's keys (compared in constant time, as text). */
export function verify(ring: Keyring, purpose: string, message: string, signature: string): boolean {
  const got = Buffer.from(signature);
  return [...ring.byId.values()].some((k) => {
    const want = Buffer.from(mac(k, purpose, message));
    return got.length === want.length && crypto.timingSafeEqual(got, want);
  });
}
