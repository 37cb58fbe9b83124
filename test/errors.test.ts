// Errors as codes: every code of every table is documented (docs/errors.md, generated, up to date),
// belongs to one table and is declared by a route (or is one any request can get); a route's
// declaration becomes its OpenAPI responses, and a problem it answers without declaring it is
// reported (the suite fails on those: test/undeclared-problems.ts). No database.
import fs from 'node:fs';
import Fastify from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { AppError, CoreErrors, defineErrors, errorTables, installErrorHandler, problem } from '../src/core/errors.ts';
import { createDb } from '../src/db/index.ts';
import { ServiceOrderErrors } from '../src/modules/service-orders/service-orders.errors.ts';
import { buildApp } from '../src/server/app.ts';
import { installProblems } from '../src/server/problems.ts';
import { DiskStorage } from '../src/storage/index.ts';
import { ERRORS_DOC, generateErrorsDoc, loadErrorTables, operationsByCode } from '../scripts/errors-doc.ts';
import { takeUndeclaredProblems } from './undeclared-problems.ts';

type Doc = Parameters<typeof operationsByCode>[0] & { paths: Record<string, Record<string, { responses: Record<string, { description: string; headers?: unknown }> }>> };

let app: Awaited<ReturnType<typeof buildApp>>;
let handle: ReturnType<typeof createDb>;
let doc: Doc;
beforeAll(async () => {
  const config = loadConfig({});
  // Never opened: the routes below answer without a query.
  handle = createDb('postgres://no-database.invalid/none', 1);
  app = await buildApp({ db: handle.db, pool: handle.pool, config, storage: new DiskStorage(config.filesDir) });
  // A route that declares not-found and can also answer a version-conflict it does not declare.
  app.post('/api/v1/test-only/:id', { config: { access: 'public', problems: ['not-found', 'balance-due'] } }, async (req) => {
    const { id } = req.params as { id: string };
    if (id === 'gone') throw problem(CoreErrors, 'not-found', 'Nothing here');
    throw problem(CoreErrors, 'version-conflict', 'Changed meanwhile', { current: { id } });
  });
  await app.ready();
  doc = (await app.inject('/api/v1/openapi.json')).json() as Doc;
});
afterAll(async () => {
  await app?.close();
  await handle?.close();
});

test('docs/errors.md is generated from the tables and up to date (npm run gen:errors)', async () => {
  const fresh = await generateErrorsDoc();
  const committed = fs.existsSync(ERRORS_DOC) ? fs.readFileSync(ERRORS_DOC, 'utf8') : '';
  expect(committed === fresh, 'docs/errors.md is out of date: run `npm run gen:errors`').toBe(true);
  // Every code, with its status and its description, is in it.
  for (const [feature, table] of await loadErrorTables()) {
    expect(committed, feature).toContain(`## ${feature}`);
    for (const [code, spec] of Object.entries(table)) {
      const row = committed.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
      expect(row, `${feature} ${code} is listed`).toBeDefined();
      expect(row).toContain(`| ${[spec.status].flat().join(', ')} |`);
      expect(row).toContain(spec.description.replace(/\|/g, '\\|'));
    }
  }
});

test('every feature with codes of its own has its table, each code one line and in one table', async () => {
  const tables = await loadErrorTables();
  expect([...tables.keys()].sort()).toEqual(['auth', 'billing', 'client-account', 'contracts', 'core', 'customers', 'devices', 'documents', 'order-page', 'organizations', 'plans', 'policies', 'proofs', 'purchases', 'registrations', 'rma', 'service-orders', 'stripe', 'support', 'warranty']);
  const seen = new Map<string, string>();
  for (const [feature, table] of tables) {
    for (const [code, spec] of Object.entries(table)) {
      expect(seen.get(code), `${code} is in ${feature} and ${seen.get(code)}`).toBeUndefined();
      seen.set(code, feature);
      expect(spec.description, code).not.toMatch(/\n/);
      expect(spec.description.length, `${code}: a line for integrators`).toBeGreaterThan(30);
    }
  }
  expect(() => defineErrors('another', { 'balance-due': { status: 422, description: 'the same code again' } })).toThrow(/declared by both service-orders and another/);
});

test('every code is declared by some route, unless any request can get it', () => {
  const ops = operationsByCode(doc);
  const unused = [...errorTables()].flatMap(([feature, table]) => Object.entries(table).filter(([code, spec]) => !spec.anyRoute && !ops.has(code)).map(([code]) => `${feature}: ${code}`));
  expect(unused, 'codes no route declares: declare them where they are raised, or remove them').toEqual([]);
});

test('a throw takes its status from the table; a code with two statuses names one', () => {
  const e = problem(ServiceOrderErrors, 'balance-due', 'owes 10', { balanceDue: 10 });
  expect(e).toBeInstanceOf(AppError);
  expect([e.status, e.code, e.message, e.extra]).toEqual([422, 'balance-due', 'owes 10', { balanceDue: 10 }]);
  expect(problem(CoreErrors, 'validation-failed', 'bad', { errors: [] }, { status: 400 }).status).toBe(400);
  expect(problem(CoreErrors, 'rate-limited', 'wait', {}, { headers: { 'retry-after': '5' } }).headers).toEqual({ 'retry-after': '5' });
  // A caller that gets around the types is refused at run time.
  expect(() => (problem as (...a: unknown[]) => AppError)(CoreErrors, 'validation-failed', 'bad', {})).toThrow(/give one of its statuses/);
});

test("a route's declaration is its OpenAPI responses: only its statuses, its codes as an enum, described", () => {
  const responses = doc.paths['/api/v1/service-orders/{id}/actions'].post.responses;
  expect(Object.keys(responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '414', '415', '422']);
  const conflict = (responses['409'] as unknown as { content: Record<string, { schema: { allOf: [unknown, { properties: { code: { enum: string[] } } }] } }> }).content['application/problem+json'].schema;
  expect(conflict.allOf[0]).toEqual({ $ref: '#/components/schemas/Problem' });
  expect(conflict.allOf[1].properties.code.enum).toEqual(['version-conflict', 'illegal-transition', 'not-awaiting-authorization', 'pre-authorization-required', 'serial-taken']);
  expect(responses['422'].description).toContain('`balance-due`: The client still owes');
  // Public: no 401/403. A rate-limited route names Retry-After.
  const page = doc.paths['/api/v1/order-page/{token}'].get.responses;
  expect(Object.keys(page).sort()).toEqual(['200', '400', '404', '414', '429']);
  expect(page['429'].headers).toEqual({ 'Retry-After': expect.objectContaining({ schema: { type: 'integer' } }) });
  // A GET without parameters declares only what its access implies.
  expect(Object.keys(doc.paths['/api/v1/service-orders/queues'].get.responses).sort()).toEqual(['200', '401', '403']);
});

test('a problem the route does not declare is reported with route, status and code; a declared one is not', async () => {
  expect(takeUndeclaredProblems()).toEqual([]);
  const declared = await app.inject({ method: 'POST', url: '/api/v1/test-only/gone' });
  expect([declared.statusCode, declared.json().code]).toEqual([404, 'not-found']);
  expect(takeUndeclaredProblems()).toEqual([]);
  const undeclared = await app.inject({ method: 'POST', url: '/api/v1/test-only/x' });
  // The answer itself is unchanged: the check reports, it never alters a response.
  expect(undeclared.statusCode).toBe(409);
  expect(undeclared.json()).toMatchObject({ code: 'version-conflict', detail: 'Changed meanwhile', current: { id: 'x' } });
  expect(takeUndeclaredProblems()).toEqual([
    { route: 'POST /api/v1/test-only/:id', status: 409, code: 'version-conflict', declared: false, declaredForStatus: [] },
  ]);
});

test('a route may declare only codes a table declares, and none that any request can get', async () => {
  const tryRoute = async (problems: string[]) => {
    const a = Fastify();
    a.setSerializerCompiler(serializerCompiler);
    installErrorHandler(a);
    installProblems(a);
    a.get('/api/v1/x', { config: { access: 'public', problems: problems as never } }, async () => 'ok');
    await a.ready();
    await a.close();
  };
  await expect(tryRoute(['no-such-code'])).rejects.toThrow(/declares the problem 'no-such-code', which no \*\.errors\.ts table/);
  await expect(tryRoute(['internal'])).rejects.toThrow(/any request can get/);
  await expect(tryRoute(['not-found'])).resolves.toBeUndefined();
});
