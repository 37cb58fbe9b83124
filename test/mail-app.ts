// A test file's app on a fresh database beside a real SMTP server (test/smtp.ts), made before the
// file's tests and closed after them: the set-up every message test shares.
import { afterAll, beforeAll } from 'vitest';
import { setupApp, type TestContext } from './db.ts';
import { startSmtp, type Mailbox } from './smtp.ts';

export interface AppWithMailbox {
  t: TestContext;
  box: Mailbox;
}

/** Registers the file's beforeAll/afterAll; `assign` receives the app and the mailbox once they are up. */
export function useAppWithMailbox(opts: Parameters<typeof setupApp>[0], assign: (s: AppWithMailbox) => void): void {
  let s: Partial<AppWithMailbox> = {};
  beforeAll(async () => {
    s = { t: await setupApp(opts) };
    s.box = await startSmtp();
    assign(s as AppWithMailbox);
  });
  afterAll(async () => {
    await s.box?.close();
    await s.t?.close();
  });
}
