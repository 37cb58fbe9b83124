// Issue 15: the public request form (the QR target printed on every warranty card) is drawn in a
// worker thread, once per business, language, policy version and letterhead, then served from the
// cache (ETag, 304); anonymous downloads are limited per client address.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';
import * as svc from './documents.service.ts';
import { createRenderPool, DocumentCache } from './render-pool.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp({ config: { publicFormPerMinute: 4 } });
});
afterAll(() => t?.close());

let ip = 0;
const get = (url: string, headers: Record<string, string> = {}, remoteAddress = `10.99.0.${++ip}`) => t.app.inject({ method: 'GET', url, headers, remoteAddress });
const FORM = '/api/v1/documents/warranty-request-form.pdf';

describe('the public request form (issue 15)', () => {
  test('drawn once in a worker thread per business and language, then the same bytes from the cache', async () => {
    const pool = createRenderPool({ threads: 1 });
    const cache = new DocumentCache(8, 0); // no aliases: each call reads the business
    try {
      const a = await svc.requestForm(t.db, t.config, { pool, cache }, null, { org: 'itema-pg', lang: 'bg' });
      expect(a.pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pool.stats()).toEqual({ completed: 1, threads: 1 });
      const b = await svc.requestForm(t.db, t.config, { pool, cache }, null, { org: 'itema-pg', lang: 'bg' });
      expect(b.pdf.equals(a.pdf)).toBe(true);
      expect(b.etag).toBe(a.etag);
      expect(pool.stats().completed).toBe(1); // from the cache
      const en = await svc.requestForm(t.db, t.config, { pool, cache }, null, { org: 'itema-pg', lang: 'en' });
      expect(en.etag).not.toBe(a.etag);
      expect(pool.stats().completed).toBe(2);
      expect(cache.size).toBe(2);
      // A change of what the form shows (the letterhead: the main location's address) draws it anew.
      await t.db.updateTable('locations').set({ address: 'бул. Витоша 1, София' }).where('organization_id', '=', t.orgs['itema-pg']).execute();
      const moved = await svc.requestForm(t.db, t.config, { pool, cache }, null, { org: 'itema-pg', lang: 'bg' });
      expect(moved.etag).not.toBe(a.etag);
      expect(pool.stats().completed).toBe(3);
      // Within a minute the same question is answered by its alias, without reading the database.
      const quick = new DocumentCache(8);
      const first = await svc.requestForm(t.db, t.config, { pool, cache: quick }, null, { org: 'itema-pg', lang: 'bg' });
      const noDb = undefined as unknown as typeof t.db;
      expect((await svc.requestForm(noDb, t.config, { pool, cache: quick }, null, { org: 'itema-pg', lang: 'bg' })).etag).toBe(first.etag);
      // A burst of first requests renders once.
      const burst = new DocumentCache(8);
      const before = pool.stats().completed;
      const all = await Promise.all(Array.from({ length: 8 }, () => svc.requestForm(t.db, t.config, { pool, cache: burst }, null, { org: 'vn', lang: 'vi' })));
      expect(new Set(all.map((x) => x.etag)).size).toBe(1);
      expect(pool.stats().completed - before).toBe(1);
      await expect(svc.requestForm(noDb, t.config, { pool, cache: quick }, null, { org: 'itema-pg', lang: 'en' })).rejects.toThrow();
    } finally {
      await pool.close();
    }
  });

  test('a least-recently-used cache bounded by its size; 0 keeps nothing', () => {
    const doc = (s: string) => ({ pdf: Buffer.from(s), filename: `${s}.pdf`, etag: `"${s}"` });
    const c = new DocumentCache(2);
    c.set('a', doc('a'));
    c.set('b', doc('b'));
    c.get('a');
    c.set('c', doc('c'));
    expect([c.get('a')?.etag, c.get('b'), c.get('c')?.etag]).toEqual(['"a"', undefined, '"c"']);
    // An alias finds the document without its key while it is fresh.
    c.alias('asked-for-a', 'a');
    expect(c.byAlias('asked-for-a')?.etag).toBe('"a"');
    expect(new DocumentCache(2, 0).byAlias('asked-for-a')).toBeUndefined();
    const none = new DocumentCache(0);
    none.set('a', doc('a'));
    expect(none.size).toBe(0);
  });

  test('public and cacheable: an ETag, 304 when it is current', async () => {
    const r = await get(`${FORM}?org=itmall&lang=en`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['cache-control']).toBe('public, max-age=3600');
    const etag = r.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await get(`${FORM}?org=itmall&lang=en`, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect((await get(`${FORM}?org=itmall&lang=en`, { 'if-none-match': '"stale"' })).statusCode).toBe(200);
  });

  test('limited per client address: the fifth download in a minute is 429 with Retry-After; other addresses and signed-in staff are not held up', async () => {
    const from = '10.98.0.1';
    for (let i = 0; i < 4; i++) expect((await get(`${FORM}?org=itema-pg&lang=bg`, {}, from)).statusCode).toBe(200);
    const over = await get(`${FORM}?org=itema-pg&lang=bg`, {}, from);
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ status: 429, code: 'rate-limited' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Still over: answered by this process without counting again in PostgreSQL.
    const rows = await t.db.selectFrom('rate_limits').select(['key', 'hits']).where('key', 'like', 'request-form-ip:%').execute();
    expect((await get(`${FORM}?org=itema-pg&lang=bg`, {}, from)).statusCode).toBe(429);
    expect(await t.db.selectFrom('rate_limits').select(['key', 'hits']).where('key', 'like', 'request-form-ip:%').execute()).toEqual(rows);
    expect((await get(`${FORM}?org=itema-pg&lang=bg`, {}, '10.98.0.2')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get(`${FORM}?lang=bg`, { cookie: t.cookies['itema-pg'].owner }, from)).statusCode).toBe(200);
  });
});
