// The app on a fresh test database with a clock the test sets (`h.now = new Date(...)`), and a
// small JSON caller: the set-up the service-order tests share.
import { buildApp } from '../src/server/app.ts';
import { DiskStorage } from '../src/storage/index.ts';
import { setupApp, type TestContext } from './db.ts';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ClockedApp {
  t: TestContext;
  app: Awaited<ReturnType<typeof buildApp>>;
  /** What the app takes as "now"; assign to move time. */
  now: Date;
  call(method: 'GET' | 'POST' | 'DELETE', url: string, cookie?: string, payload?: object, headers?: Record<string, string>): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

export async function clockedApp(start: Date = new Date()): Promise<ClockedApp> {
  const t = await setupApp();
  const h = { t, now: start } as ClockedApp;
  h.app = await buildApp({ db: t.db, pool: t.pool, config: t.config, storage: new DiskStorage(t.config.filesDir), now: () => h.now });
  await h.app.ready();
  h.call = async (method, url, cookie, payload, headers = {}) => {
    const res = await h.app.inject({ method, url, headers: { ...(cookie ? { cookie } : {}), ...headers }, payload });
    return { status: res.statusCode, body: res.json() as Json };
  };
  h.close = async () => {
    await h.app.close();
    await t.close();
  };
  return h;
}
