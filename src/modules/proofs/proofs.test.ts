import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { multipart, PDF } from '../../../test/multipart.ts';

let t: TestContext;
let token: string;
let orderId: string;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR....')]);

async function webClaim(serial: string) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/web-claims/itema-pg',
    payload: { name: 'Мария Иванова', email: 'maria.proof@example.bg', phone: '+359 88 765 4321', serial, manufacturer: 'HP', category: 'laptop', problem: 'Не зарежда' },
  });
  expect(r.statusCode).toBe(201);
  // The public answer names no internal id: staff find the order by its number.
  const o = await t.db.selectFrom('service_orders').select('id').where('organization_id', '=', t.orgs['itema-pg']).where('number', '=', r.json().number).executeTakeFirstOrThrow();
  return { token: r.json().orderPage.token as string, orderId: o.id };
}
// Each test uploads from its own address: the upload rate limit counts per client address.
let ip = '10.0.0.1';
const upload = (tok: string, name: string, type: string, data: Buffer, field = 'file') => {
  const m = multipart(name, type, data, field);
  return t.app.inject({ method: 'POST', url: `/api/v1/order-page/${tok}/proofs`, payload: m.payload, headers: m.headers, remoteAddress: ip });
};
const files = (dir = t.config.filesDir): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [e.name])) : [];

beforeAll(async () => {
  t = await setupApp();
  ({ token, orderId } = await webClaim('PROOF-LAPTOP-1'));
});
afterAll(() => t?.close());

test('the client attaches a proof through the order page link; staff see it on the order and download it', async () => {
  const r = await upload(token, 'касова бележка.pdf', 'application/pdf', PDF);
  expect(r.statusCode).toBe(201);
  const proof = r.json();
  expect(proof).toMatchObject({ filename: 'касова бележка.pdf', contentType: 'application/pdf', sizeBytes: PDF.length, url: `/api/v1/order-page/${token}/proofs/${proof.id}` });

  const cookie = t.cookies['itema-pg']['technician'];
  const detail = (await t.app.inject({ url: `/api/v1/service-orders/${orderId}`, headers: { cookie } })).json();
  expect(detail.proofFiles).toEqual([{ ...proof, url: `/api/v1/service-orders/${orderId}/proofs/${proof.id}` }]);
  expect(detail.timeline.map((e: { action: string }) => e.action)).toContain('proof-attached');
  const list = (await t.app.inject({ url: `/api/v1/service-orders/${orderId}/proofs`, headers: { cookie } })).json();
  expect(list.items.map((p: { id: string }) => p.id)).toEqual([proof.id]);

  const staffGet = await t.app.inject({ url: detail.proofFiles[0].url, headers: { cookie } });
  expect(staffGet.statusCode).toBe(200);
  expect(staffGet.headers['content-type']).toBe('application/pdf');
  expect(staffGet.headers['content-disposition']).toMatch(/^attachment;/);
  expect(staffGet.rawPayload.equals(PDF)).toBe(true);

  // The client: on the order page and through the link.
  const page = (await t.app.inject({ url: `/api/v1/order-page/${token}` })).json();
  expect(page.proofFiles).toEqual([proof]);
  const clientGet = await t.app.inject({ url: proof.url });
  expect(clientGet.statusCode).toBe(200);
  expect(clientGet.rawPayload.equals(PDF)).toBe(true);

  // Audited as the client's act through the order page.
  const a = await t.db.selectFrom('audit_events').selectAll().where('entity_id', '=', orderId).where('action', '=', 'service-order.proof-attached').executeTakeFirstOrThrow();
  expect(a).toMatchObject({ actor_type: 'system', actor_id: 'order-page', channel: 'order-page' });

  // The same file again (a retried upload) is the same proof; an image is a second one.
  const again = await upload(token, 'receipt.pdf', 'application/pdf', PDF);
  expect(again.statusCode).toBe(200);
  expect(again.json().id).toBe(proof.id);
  const png = await upload(token, 'card.png', 'image/png', PNG);
  expect(png.statusCode).toBe(201);
  const after = (await t.app.inject({ url: `/api/v1/order-page/${token}` })).json();
  expect(after.proofFiles).toHaveLength(2);
});

test('bad type, size, field or link: 4xx naming the field, nothing written, no file left behind', async () => {
  ip = '10.0.0.2';
  const before = await snapshot(t.db);
  const stored = files().length;
  const field = (r: { json(): { errors?: { field: string }[] } }) => r.json().errors?.map((e) => e.field);

  const exe = await upload(token, 'tool.exe', 'application/octet-stream', Buffer.from('MZ....'));
  expect(exe.statusCode).toBe(415);
  expect(field(exe)).toEqual(['body.file']);
  const fake = await upload(token, 'fake.pdf', 'application/pdf', Buffer.from('<html>not a pdf</html>'));
  expect(fake.statusCode).toBe(415);
  expect(field(fake)).toEqual(['body.file']);
  const big = await upload(token, 'big.pdf', 'application/pdf', Buffer.concat([PDF, Buffer.alloc(t.config.uploadMaxBytes)]));
  expect(big.statusCode).toBe(413);
  expect(big.headers['content-type']).toContain('application/problem+json');
  expect(field(big)).toEqual(['body.file']);
  const wrongField = await upload(token, 'invoice.pdf', 'application/pdf', PDF, 'attachment');
  expect(wrongField.statusCode).toBe(400);
  expect(field(wrongField)).toEqual(['body.file']);
  const empty = await upload(token, 'empty.pdf', 'application/pdf', Buffer.alloc(0));
  expect(empty.statusCode).toBe(400);
  expect(field(empty)).toEqual(['body.file']);
  const json = await t.app.inject({ method: 'POST', url: `/api/v1/order-page/${token}/proofs`, payload: { file: 'x' }, remoteAddress: ip });
  expect(json.statusCode).toBe(415);
  expect(field(json)).toEqual(['body.file']);

  const wrongToken = await upload('x'.repeat(43), 'invoice.pdf', 'application/pdf', PDF);
  expect(wrongToken.statusCode).toBe(404);
  const badToken = await upload('not a token', 'invoice.pdf', 'application/pdf', PDF);
  expect(badToken.statusCode).toBe(400);
  expect(new Set(field(badToken))).toEqual(new Set(['params.token']));

  expect(await snapshot(t.db)).toEqual(before);
  expect(files().length).toBe(stored);
});

test("a proof is only reachable through its own order, its own link and its own organization", async () => {
  ip = '10.0.0.3';
  const other = await webClaim('PROOF-LAPTOP-2');
  const up = await upload(token, 'invoice.pdf', 'application/pdf', PDF);
  expect(up.statusCode, up.body).toBe(200);
  const mine = up.json();
  const cookie = t.cookies['itema-pg']['front-desk'];
  // Another order's id, another order's link, another organization's staff: 404.
  expect((await t.app.inject({ url: `/api/v1/service-orders/${other.orderId}/proofs/${mine.id}`, headers: { cookie } })).statusCode).toBe(404);
  expect((await t.app.inject({ url: `/api/v1/order-page/${other.token}/proofs/${mine.id}` })).statusCode).toBe(404);
  expect((await t.app.inject({ url: `/api/v1/service-orders/${orderId}/proofs/${mine.id}`, headers: { cookie: t.cookies.itmall.owner } })).statusCode).toBe(404);
  expect((await t.app.inject({ url: `/api/v1/service-orders/${orderId}/proofs`, headers: { cookie: t.cookies.itmall.owner } })).statusCode).toBe(404);
  expect((await t.app.inject({ url: `/api/v1/service-orders/${orderId}/proofs/${mine.id}` })).statusCode).toBe(401);
  // A revoked link uploads nothing.
  const revoked = await webClaim('PROOF-LAPTOP-3');
  const rv = await t.app.inject({ method: 'DELETE', url: `/api/v1/service-orders/${revoked.orderId}/page-links`, headers: { cookie } });
  expect(rv.statusCode).toBeLessThan(300);
  expect((await upload(revoked.token, 'invoice.pdf', 'application/pdf', PDF)).statusCode).toBe(404);
});

test('uploads are rate-limited per client address', async () => {
  ip = '10.0.0.4';
  const codes: number[] = [];
  for (let i = 0; i < 12; i++) codes.push((await upload('y'.repeat(43), 'invoice.pdf', 'application/pdf', PDF)).statusCode);
  expect(codes).toContain(429);
  const limited = await upload(token, 'invoice.pdf', 'application/pdf', PDF);
  expect(limited.statusCode).toBe(429);
  expect(limited.json().code).toBe('rate-limited');
});
