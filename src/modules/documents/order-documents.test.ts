import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { hasPdftotext, pdfText } from '../../../test/pdf-text.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const workOrder = { termsAccepted: true, accessories: ['зарядно', 'чанта'], complete: true, visibleCondition: 'надраскан капак', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не се включва след актуализация', signedBy: 'Иван Петров' };

async function intake() {
  const cookie = t.cookies['itema-pg']['front-desk'];
  const ivan = await t.db.selectFrom('customers').select('id').where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
  const device = await t.db.selectFrom('devices').select('id').where('serial', '=', 'DEMO-ITEMA-MONITOR').executeTakeFirstOrThrow();
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { cookie }, payload: { channel: 'walk-in', customerId: ivan.id, deviceId: device.id, problem: 'Не се включва', workOrder } });
  expect(res.statusCode).toBe(201);
  return res.json() as { order: { id: string; number: string; policyVersion: string }; orderPage: { token: string } };
}

test.skipIf(!hasPdftotext)('work order: staff print it, the client downloads the same from the order page; Bulgarian text, numbers, ITEMA-29', async () => {
  const { order, orderPage } = await intake();
  const cookie = t.cookies['itema-pg']['front-desk'];
  const list = await t.app.inject({ url: `/api/v1/service-orders/${order.id}/documents`, headers: { cookie } });
  expect(list.json().items.map((d: { kind: string }) => d.kind)).toEqual(['work-order']);
  const staff = await t.app.inject({ url: `/api/v1/service-orders/${order.id}/documents/work-order.pdf`, headers: { cookie } });
  expect(staff.statusCode, staff.body).toBe(200);
  expect(staff.headers['content-type']).toBe('application/pdf');
  const text = pdfText(staff.rawPayload);
  for (const s of ['Сервизна поръчка', order.number, 'DEMO-ITEMA-MONITOR', `itema ${order.policyVersion}`, 'Иван Петров', 'зарядно, чанта', 'надраскан капак', 'Не се включва след актуализация', 'ITEMA-29', 'ITEMA-11', 'Положение при приемането', 'ITEMA-PG']) {
    expect(text).toContain(s);
  }
  // Only the business's own rules, and the situation in words, never the engine's raw outcome (issue 16).
  expect(text).not.toMatch(/\bSC-\d|needs-inspection|not-covered/);
  // The QR's link is the order page the client was given at intake.
  expect(text.replace(/ /g, '')).toContain(orderPage.token.slice(0, 12));
  const client = await t.app.inject({ url: `/api/v1/order-page/${orderPage.token}/documents/work-order.pdf` });
  expect(client.statusCode).toBe(200);
  // Re-printing gives the same document, whoever prints it.
  expect(client.rawPayload.equals(staff.rawPayload)).toBe(true);
  const clientList = await t.app.inject({ url: `/api/v1/order-page/${orderPage.token}/documents` });
  expect(clientList.json().items[0].url).toBe(`/api/v1/order-page/${orderPage.token}/documents/work-order.pdf`);
  const en = pdfText((await t.app.inject({ url: `/api/v1/service-orders/${order.id}/documents/work-order.pdf?lang=en`, headers: { cookie } })).rawPayload);
  expect(en).toContain('Work order');
});

test('a wrong token, another business, bad input: 4xx, nothing written', async () => {
  const { order } = await intake();
  const before = await snapshot(t.db);
  expect((await t.app.inject({ url: `/api/v1/order-page/${'x'.repeat(43)}/documents/work-order.pdf` })).statusCode).toBe(404);
  expect((await t.app.inject({ url: `/api/v1/service-orders/${order.id}/documents/work-order.pdf`, headers: { cookie: t.cookies.vn.owner } })).statusCode).toBe(404);
  const bad = await t.app.inject({ url: `/api/v1/service-orders/${order.id}/documents/work-order.pdf?lang=fr`, headers: { cookie: t.cookies['itema-pg'].owner } });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().errors[0].field).toBe('querystring.lang');
  expect((await t.app.inject({ url: '/api/v1/order-page/short/documents' })).json().errors[0].field).toBe('params.token');
  expect(await snapshot(t.db)).toEqual(before);
});
