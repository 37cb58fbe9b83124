import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, type TestContext } from './db.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

test('health and readiness', async () => {
  expect((await t.app.inject('/api/v1/health')).json()).toEqual({ status: 'ok' });
  expect((await t.app.inject('/api/v1/ready')).json()).toEqual({ status: 'ready' });
});
