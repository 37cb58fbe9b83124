import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../test/db.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp({ demo: false });
});
afterAll(() => t?.close());

test('OpenAPI 3.1 is generated from the zod contracts, and the reference page is served', async () => {
  const res = await t.app.inject('/api/v1/openapi.json');
  expect(res.statusCode).toBe(200);
  const doc = res.json();
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/warranty', '/api/v1/customers', '/api/v1/devices/{id}/events']));
  expect(doc.components.schemas.WarrantyAnswer).toBeTruthy();
  expect(doc.paths['/api/v1/customers'].post.requestBody).toBeTruthy();
  const page = await t.app.inject('/api/v1/docs/');
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('swagger');
  const asset = await t.app.inject('/api/v1/docs/static/swagger-ui-bundle.js');
  expect(asset.statusCode).toBe(200);
});

test('unknown routes and wrong methods are problem+json', async () => {
  const res = await t.app.inject('/api/v1/nothing-here');
  expect(res.statusCode).toBe(404);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json().code).toBe('route-not-found');
});

test('readiness turns 503 while shutting down', async () => {
  const { buildApp } = await import('./app.ts');
  const { DiskStorage } = await import('../storage/index.ts');
  let ready = true;
  const app = await buildApp({ db: t.db, config: t.config, storage: new DiskStorage(t.config.filesDir), isReady: () => ready });
  expect((await app.inject('/api/v1/ready')).statusCode).toBe(200);
  ready = false;
  expect((await app.inject('/api/v1/ready')).statusCode).toBe(503);
  await app.close();
});
