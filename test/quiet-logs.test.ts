// Issue 16: a shop's log is quiet by default (a line per request is noise); LOG_LEVEL=info brings the
// request lines back for operators.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/server/app.ts';
import { DiskStorage } from '../src/storage/index.ts';
import { setupApp, type TestContext } from './db.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp({ demo: false });
});
afterAll(() => t?.close());

/** The log lines one request writes at the level LOG_LEVEL gives (unset: the default). */
async function linesPerRequest(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
  const config = { ...t.config, logLevel: loadConfig(env).logLevel };
  const app = await buildApp({ db: t.db, pool: t.pool, config, storage: new DiskStorage(t.config.filesDir) }, pino({ level: config.logLevel }, sink));
  await app.ready();
  lines.length = 0;
  const r = await app.inject({ method: 'GET', url: '/api/v1/organizations/itema-pg/public' });
  expect(r.statusCode).toBeLessThan(500);
  await app.close();
  return lines.filter((l) => /"req(Id)?"/.test(l));
}

test('by default a request writes no log line (LOG_LEVEL is warn)', async () => {
  expect(loadConfig({}).logLevel).toBe('warn');
  expect(await linesPerRequest({})).toEqual([]);
});

test('LOG_LEVEL=info logs each request for operators', async () => {
  expect((await linesPerRequest({ LOG_LEVEL: 'info' })).length).toBeGreaterThanOrEqual(2);
});
