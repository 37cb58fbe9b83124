// A small fixed-window rate limiter for the public routes (web form, order page), per client address.
// Per process: with several server processes each counts its own share, which still bounds guessing
// (a token has 256 bits; an order number needs the client's phone or e-mail as well).
import { AppError } from '../../server/errors.ts';

export function rateLimiter(opts: { max: number; windowMs: number }) {
  const hits = new Map<string, { n: number; until: number }>();
  return (key: string, now = Date.now()) => {
    let h = hits.get(key);
    if (!h || h.until <= now) {
      if (hits.size > 50_000) hits.clear();
      h = { n: 0, until: now + opts.windowMs };
      hits.set(key, h);
    }
    h.n++;
    if (h.n > opts.max) {
      throw new AppError(429, 'rate-limited', `Too many requests; try again in ${Math.ceil((h.until - now) / 1000)} s`);
    }
  };
}
