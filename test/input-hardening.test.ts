// Input that reached PostgreSQL or the multipart parser and came back as a 500 (or as a 422 naming no
// field): each case is refused as a 4xx naming the field, and writes nothing.
//   - the NUL character U+0000 (and a lone surrogate) in any text a route reads: body, query string,
//     path, the Idempotency-Key header, an uploaded file's name, a CSV cell (src/server/input.ts);
//   - a malformed multipart body on both upload routes (src/server/uploads.ts);
//   - dates outside 1900-01-01..2199-12-31 (IsoDate, src/server/http.ts), in the API and the CSV import.
// Also: an event the engine cannot read is refused; an order whose (legacy) history the engine
// cannot evaluate answers its declared 422.
import fs from 'node:fs';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { textProblems } from '../src/server/input.ts';
import { setupApp, snapshot, type TestContext } from './db.ts';
import { multipart, PDF } from './multipart.ts';

let t: TestContext;
let cookie: string;
let deviceId: string;
let purchaseId: string;
let token: string;
let orderId: string;
let ip = 1;
const nextIp = () => `10.9.${ip >> 8}.${ip++ & 255}`;

beforeAll(async () => {
  t = await setupApp();
  cookie = t.cookies['itema-pg'].owner;
  const org = t.orgs['itema-pg'];
  deviceId = (await t.db.selectFrom('devices').select('id').where('organization_id', '=', org).orderBy('id').executeTakeFirstOrThrow()).id;
  purchaseId = (await t.db.selectFrom('purchases').select('id').where('organization_id', '=', org).orderBy('id').executeTakeFirstOrThrow()).id;
  const claim = await t.app.inject({
    method: 'POST',
    url: '/api/v1/claims',
    headers: { cookie },
    payload: { channel: 'phone', customer: { name: 'Input Test', phone: '+359 88 111 2222' }, device: { serial: 'INPUT-T-1', manufacturer: 'HP', category: 'laptop' }, problem: 'Noise' },
  });
  expect(claim.statusCode).toBe(201);
  ({ orderPage: { token }, order: { id: orderId } } = claim.json());
});
afterAll(() => t?.close());

const files = (dir = t.config.filesDir): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [e.name])) : [];

/** Sends the request and expects a refusal that names `field` and changes nothing (rows or stored files). */
async function refused(req: InjectOptions, status: number, code: string, field: string) {
  const before = await snapshot(t.db);
  const stored = files().length;
  const res = await t.app.inject({ remoteAddress: nextIp(), ...req });
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body.code).toBe(code);
  expect(body.errors?.map((e: { field: string }) => e.field)).toContain(field);
  expect(await snapshot(t.db)).toEqual(before);
  expect(files().length).toBe(stored);
  return body;
}

const json = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object, headers: Record<string, string> = {}): InjectOptions => ({ method, url, payload, headers: { cookie, ...headers } });

describe('the NUL character (and a lone surrogate) is 400 validation-failed naming the field, before any query', () => {
  test('in a JSON body, at any depth, signed in and public', async () => {
    const body = await refused(json('POST', '/api/v1/customers', { name: 'Nul\u0000Name', address: 'ok' }), 400, 'validation-failed', 'body.name');
    expect(body.errors).toEqual([{ field: 'body.name', message: 'must not contain the NUL character (U+0000)', code: 'invalid-character' }]);
    await refused(json('POST', '/api/v1/claims', { channel: 'phone', customer: { name: 'A\u0000' }, device: { serial: 'NUL-1' }, problem: 'x' }), 400, 'validation-failed', 'body.customer.name');
    await refused(
      json('POST', '/api/v1/claims', { channel: 'walk-in', customer: { name: 'A' }, device: { serial: 'NUL-2' }, problem: 'x', workOrder: { accessories: ['ok', 'bag\u0000'] } }),
      400,
      'validation-failed',
      'body.workOrder.accessories.1',
    );
    // Public: the web form and the order lookup.
    await refused(
      { method: 'POST', url: '/api/v1/web-claims/itema-pg', payload: { name: 'Web', email: 'web@example.com', phone: '+359 88 000 0001', serial: 'S\u0000', problem: 'p' } },
      400,
      'validation-failed',
      'body.serial',
    );
    await refused({ method: 'POST', url: '/api/v1/order-page/lookup', payload: { number: 'SO-2026-\u0000001', contact: '+359 88 111 2222' } }, 400, 'validation-failed', 'body.number');
    // A lone surrogate is no character: jsonb refuses it, a text column would store U+FFFD instead.
    const lone = await refused(json('POST', '/api/v1/claims', { channel: 'phone', customer: { name: 'A' }, device: { serial: 'LONE-1' }, problem: 'broken \ud800' }), 400, 'validation-failed', 'body.problem');
    expect(lone.errors[0].message).toBe('is not well-formed Unicode (a lone surrogate)');
  });

  test('in the query string, a path parameter and the Idempotency-Key header', async () => {
    await refused(json('GET', '/api/v1/customers?q=a%00b'), 400, 'validation-failed', 'querystring.q');
    await refused(json('GET', `/api/v1/warranty?serial=X%00&manufacturer=HP`), 400, 'validation-failed', 'querystring.serial');
    await refused({ method: 'POST', url: '/api/v1/web-claims/itema%00pg', payload: {} }, 400, 'validation-failed', 'params.organization');
    await refused(json('POST', '/api/v1/customers', { name: 'Idem' }, { 'idempotency-key': 'key\u0000' }), 400, 'validation-failed', 'headers.idempotency-key');
  });

  test('in the name of an uploaded file, on both upload routes', async () => {
    const m = multipart('invoice\u0000.pdf', 'application/pdf', PDF);
    await refused({ method: 'POST', url: `/api/v1/purchases/${purchaseId}/documents`, headers: { cookie, ...m.headers }, payload: m.payload }, 400, 'validation-failed', 'body.file');
    await refused({ method: 'POST', url: `/api/v1/order-page/${token}/proofs`, headers: m.headers, payload: m.payload }, 400, 'validation-failed', 'body.file');
  });

  test('in a CSV cell: a row problem naming line and column; nothing imported', async () => {
    const before = await snapshot(t.db);
    const csv = 'serial,manufacturer,category,sold_on,document_number\nCSV-NUL-1,Acme\u0000,laptop,2026-03-01,F-1\n';
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/imports/sales', headers: { cookie, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ written: false, problems: [{ line: 2, column: 'manufacturer', reason: 'must not contain the NUL character (U+0000)' }] });
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('object keys are checked too, and every bad field is listed', () => {
    expect(textProblems({ a: ['ok', 'b\u0000'], ['k\u0000']: 1, c: { d: '\udc00' } }, 'body')).toEqual([
      { field: 'body.a.1', message: 'must not contain the NUL character (U+0000)', code: 'invalid-character' },
      { field: 'body.k\\u0000', message: 'its name must not contain the NUL character (U+0000)', code: 'invalid-character' },
      { field: 'body.c.d', message: 'is not well-formed Unicode (a lone surrogate)', code: 'invalid-character' },
    ]);
  });
});

describe('a malformed multipart body is 400 invalid-multipart-body naming body.file; nothing is stored', () => {
  const m = multipart('invoice.pdf', 'application/pdf', PDF);
  const cases: [string, Buffer, string][] = [
    ['cut short', m.payload.subarray(0, m.payload.length - 10), m.headers['content-type']],
    ['cut inside the file', m.payload.subarray(0, 120), m.headers['content-type']],
    ['without the closing boundary', m.payload.subarray(0, m.payload.length - 4), m.headers['content-type']],
    ['without a boundary', m.payload, 'multipart/form-data'],
    ['with another boundary', m.payload, 'multipart/form-data; boundary=nope'],
    ['junk', Buffer.from('hello, world'), m.headers['content-type']],
    ['a prototype name as field name', multipart('a.pdf', 'application/pdf', PDF, '__proto__').payload, ''],
  ];
  for (const [name, payload, type] of cases) {
    test(name, async () => {
      // The field-name case builds its own boundary.
      const contentType = type || `multipart/form-data; boundary=${payload.toString('latin1').split('\r\n')[0].slice(2)}`;
      const staff = await refused({ method: 'POST', url: `/api/v1/purchases/${purchaseId}/documents`, headers: { cookie, 'content-type': contentType }, payload }, 400, 'invalid-multipart-body', 'body.file');
      expect(staff.errors[0].code).toBe('malformed');
      await refused({ method: 'POST', url: `/api/v1/order-page/${token}/proofs`, headers: { 'content-type': contentType }, payload }, 400, 'invalid-multipart-body', 'body.file');
    });
  }

  test('a well-formed upload still works, and the existing refusals keep their bodies', async () => {
    const ok = await t.app.inject({ method: 'POST', url: `/api/v1/purchases/${purchaseId}/documents`, headers: { cookie, ...m.headers }, payload: m.payload });
    expect(ok.statusCode, ok.body).toBe(201);
    const notMultipart = await t.app.inject({ method: 'POST', url: `/api/v1/purchases/${purchaseId}/documents`, headers: { cookie, 'content-type': 'application/json' }, payload: '{}' });
    expect(notMultipart.json()).toEqual({
      type: 'urn:aftercare:problem:unsupported-media-type',
      title: 'Unsupported Media Type',
      status: 415,
      code: 'unsupported-media-type',
      detail: 'Send multipart/form-data with a `file` field',
      errors: [{ field: 'body.file', message: 'missing' }],
    });
    const big = multipart('big.pdf', 'application/pdf', Buffer.concat([PDF, Buffer.alloc(t.config.uploadMaxBytes)]));
    const tooLarge = await t.app.inject({ method: 'POST', url: `/api/v1/purchases/${purchaseId}/documents`, headers: { cookie, ...big.headers }, payload: big.payload });
    expect([tooLarge.statusCode, tooLarge.json().code]).toEqual([413, 'req-file-too-large']);
    const proofTooLarge = await t.app.inject({ method: 'POST', url: `/api/v1/order-page/${token}/proofs`, headers: big.headers, payload: big.payload, remoteAddress: nextIp() });
    expect([proofTooLarge.statusCode, proofTooLarge.json().code, proofTooLarge.json().errors]).toEqual([413, 'file-too-large', [{ field: 'body.file', message: `at most ${t.config.uploadMaxBytes} bytes` }]]);
  });
});

describe('dates are between 1900-01-01 and 2199-12-31, named by field', () => {
  const purchase = (soldOn: string) => json('POST', '/api/v1/purchases', { deviceId, documentNumber: `D-${soldOn}`, soldOn });

  test('year 0000, 1899 and 9999 are refused as sale dates; the bounds themselves are accepted', async () => {
    for (const soldOn of ['0000-01-01', '1899-12-31', '2200-01-01', '9999-12-31']) {
      const body = await refused(purchase(soldOn), 400, 'validation-failed', 'body.soldOn');
      expect(body.errors).toEqual([{ field: 'body.soldOn', message: 'must be between 1900-01-01 and 2199-12-31', code: 'custom' }]);
    }
    for (const soldOn of ['1900-01-01', '2199-12-31']) expect((await t.app.inject(purchase(soldOn))).statusCode).toBe(201);
  });

  test('in the query string and in a device event', async () => {
    await refused(json('GET', `/api/v1/devices/${deviceId}/warranty?at=0000-01-01`), 400, 'validation-failed', 'querystring.at');
    await refused(json('POST', `/api/v1/devices/${deviceId}/events`, { type: 'repair-accepted', date: '9999-12-31' }), 400, 'validation-failed', 'body.date');
  });

  test('in the CSV import, as a row problem', async () => {
    const csv = 'serial,manufacturer,category,sold_on,document_number\nCSV-DATE-1,Acme,laptop,0000-01-01,F-0\n';
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/imports/sales', headers: { cookie, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().problems).toEqual([{ line: 2, column: 'sold_on', reason: 'must be between 1900-01-01 and 2199-12-31' }]);
  });
});

test("an order whose device history the engine cannot evaluate answers 422 policy-input-invalid, which the route declares", async () => {
  const order = await t.db.selectFrom('service_orders').select('device_id').where('id', '=', orderId).executeTakeFirstOrThrow();
  // Through the API, a replacement of a part the device does not have is refused at once, naming the
  // field, and nothing is written.
  const before = await snapshot(t.db);
  const ev = await t.app.inject(json('POST', `/api/v1/devices/${order.device_id}/events`, { type: 'part-replaced', date: '2026-03-01', partId: 'new-1', replacesPartId: 'no-such-part' }));
  expect([ev.statusCode, ev.json().code, ev.json().errors?.[0]?.field]).toEqual([422, 'history-invalid', 'body.replacesPartId']);
  expect(await snapshot(t.db)).toEqual(before);
  // Such a row written before that check (legacy data): the order still answers its declared 422.
  await t.db.insertInto('device_events').values({ organization_id: t.orgs['itema-pg'], device_id: order.device_id!, type: 'part-replaced', date: '2026-03-01', part_id: 'new-1', replaces_part_id: 'no-such-part', recorded_by: 'test:legacy' }).execute();
  const res = await t.app.inject(json('GET', `/api/v1/service-orders/${orderId}`));
  expect([res.statusCode, res.json().code]).toEqual([422, 'policy-input-invalid']);
  expect(t.app.apiRoutes.find((r) => r.method === 'GET' && r.url === '/api/v1/service-orders/:id')!.problems.get(422)).toContain('policy-input-invalid');
});
