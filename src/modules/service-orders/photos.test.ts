// Issue 16, intake photos: staff attach photos of the device (any role; the console's camera input),
// images only by their content, size-limited, stored like the proofs; the same photo twice is one;
// staff only: not among the proofs, not on the client's order page; another organization's are 404.
import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { multipart, PDF } from '../../../test/multipart.ts';

let t: TestContext;
let order: { id: string; version: number };
let token: string;
const org = 'service-center';
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF photo of a cracked screen')]);
let PNG: Buffer;

beforeAll(async () => {
  t = await setupApp();
  PNG = await QRCode.toBuffer('a real PNG for the photo test');
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/claims',
    headers: { cookie: t.cookies[org]['front-desk'] },
    payload: {
      channel: 'walk-in',
      customer: { name: 'Photo Client', email: 'photo@example.com', preferredLanguage: 'en' },
      device: { serial: 'PHOTO-1', manufacturer: 'Apple', model: 'iPhone 12', category: 'phone' },
      problem: 'Cracked screen',
    },
  });
  expect(r.statusCode, r.body).toBe(201);
  ({ order } = r.json());
  token = r.json().orderPage.token;
});
afterAll(() => t?.close());

const upload = (name: string, type: string, data: Buffer, role: 'technician' | 'front-desk' = 'technician', id = order.id, field = 'file', cookieOrg = org) => {
  const m = multipart(name, type, data, field);
  return t.app.inject({ method: 'POST', url: `/api/v1/service-orders/${id}/photos`, payload: m.payload, headers: { ...m.headers, cookie: t.cookies[cookieOrg][role] } });
};
const files = (dir = t.config.filesDir): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [e.name])) : [];

test('a technician attaches photos; the type is the content’s; the same photo twice is one; staff see them, the client does not', async () => {
  const a = await upload('IMG_0001.JPG', 'image/jpeg', JPEG);
  expect(a.statusCode, a.body).toBe(201);
  expect(a.json()).toMatchObject({ filename: 'IMG_0001.JPG', contentType: 'image/jpeg', sizeBytes: JPEG.length, url: `/api/v1/service-orders/${order.id}/photos/${a.json().id}` });
  // Declared as something else (a phone's generic type): stored as what it is.
  const b = await upload('photo', 'application/octet-stream', PNG, 'front-desk');
  expect(b.statusCode, b.body).toBe(201);
  expect(b.json().contentType).toBe('image/png');
  const again = await upload('IMG_0001 copy.JPG', 'image/jpeg', JPEG);
  expect(again.statusCode).toBe(200);
  expect(again.json().id).toBe(a.json().id);

  const list = await t.app.inject({ url: `/api/v1/service-orders/${order.id}/photos`, headers: { cookie: t.cookies[org].technician } });
  expect(list.json().items.map((p: { id: string }) => p.id)).toEqual([a.json().id, b.json().id]);
  const img = await t.app.inject({ url: b.json().url, headers: { cookie: t.cookies[org]['front-desk'] } });
  expect(img.statusCode).toBe(200);
  expect(img.headers['content-type']).toBe('image/png');
  expect(img.headers['x-content-type-options']).toBe('nosniff');
  expect(img.rawPayload.equals(PNG)).toBe(true);
  const audit = await t.db.selectFrom('audit_events').select('action').where('entity_id', '=', order.id).where('action', '=', 'service-order.photo-attached').execute();
  expect(audit).toHaveLength(2);

  // Not a proof of the claim, not on the client's page.
  const detail = (await t.app.inject({ url: `/api/v1/service-orders/${order.id}`, headers: { cookie: t.cookies[org].manager } })).json();
  expect(detail.proofFiles).toEqual([]);
  const page = await t.app.inject({ url: `/api/v1/order-page/${token}` });
  expect(page.statusCode).toBe(200);
  expect(page.body).not.toContain(a.json().id);
  expect(page.body).not.toContain(b.json().id);
});

test('not a photo, too large, the wrong field, another organization: 4xx naming body.file or 404, nothing written, no file left', async () => {
  const before = await snapshot(t.db);
  const stored = files().length;
  const field = (r: { json(): { errors?: { field: string }[] } }) => r.json().errors?.map((e) => e.field);
  const pdf = await upload('scan.pdf', 'application/pdf', PDF);
  expect(pdf.statusCode).toBe(415);
  expect(field(pdf)).toEqual(['body.file']);
  const lying = await upload('photo.jpg', 'image/jpeg', Buffer.from('<svg onload=alert(1)>'));
  expect(lying.statusCode).toBe(415);
  expect(field(lying)).toEqual(['body.file']);
  const big = await upload('big.jpg', 'image/jpeg', Buffer.concat([JPEG, Buffer.alloc(t.config.uploadMaxBytes)]));
  expect(big.statusCode).toBe(413);
  expect(field(big)).toEqual(['body.file']);
  const wrong = await upload('photo.jpg', 'image/jpeg', JPEG, 'technician', order.id, 'photo');
  expect(wrong.statusCode).toBe(400);
  expect(field(wrong)).toEqual(['body.file']);
  const empty = await upload('photo.jpg', 'image/jpeg', Buffer.alloc(0));
  expect(empty.statusCode).toBe(400);
  const json = await t.app.inject({ method: 'POST', url: `/api/v1/service-orders/${order.id}/photos`, payload: { file: 'x' }, headers: { cookie: t.cookies[org].technician } });
  expect(json.statusCode).toBe(415);
  const stranger = await upload('photo.jpg', 'image/jpeg', Buffer.concat([JPEG, Buffer.from('other')]), 'owner' as 'technician', order.id, 'file', 'itmall');
  expect(stranger.statusCode).toBe(404);
  expect(await snapshot(t.db)).toEqual(before);
  expect(files().length).toBe(stored);

  const [photo] = (await t.app.inject({ url: `/api/v1/service-orders/${order.id}/photos`, headers: { cookie: t.cookies[org].technician } })).json().items;
  expect((await t.app.inject({ url: photo.url, headers: { cookie: t.cookies.itmall.owner } })).statusCode).toBe(404);
  expect((await t.app.inject({ url: photo.url })).statusCode).toBe(401);
});
