// Secrets handed to people (session cookies, sign-in links, order-page links): 256 random bits,
// only their SHA-256 stored.
import crypto from 'node:crypto';

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
export const newToken = () => crypto.randomBytes(32).toString('base64url');
