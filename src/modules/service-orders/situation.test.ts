// Issue 16: the situation of an order in plain words of the user's language, from the engine's
// decision: a walk-in paid repair, a claim still missing a proof (ITEMA-27/ITEMA-10), a repair
// covered by the warranty card (SC-10), new damage since the repair (SC-5). Never a raw verdict.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { missingWords } from './situation.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const workOrder = { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'ok', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'x', signedBy: 'Client' };
async function claim(org: string, payload: object) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { cookie: t.cookies[org]['front-desk'] }, payload: { channel: 'walk-in', workOrder, ...payload } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().order as { id: string; situation: { code: string; paid: boolean | null; text: Record<string, string> } };
}

describe('the situation in plain words (issue 16)', () => {
  test('a walk-in with a device never sold or repaired here: a paid repair, no warranty applies', async () => {
    const o = await claim('service-center', { customer: { name: 'Walk In', email: 'walkin.situation@example.com', language: 'bg' }, device: { serial: 'SIT-1', manufacturer: 'Acme', category: 'phone' }, problem: 'cracked screen' });
    expect(o.situation).toMatchObject({ code: 'paid-no-warranty', paid: true });
    expect(o.situation.text).toEqual({
      en: 'Paid repair: no warranty applies to this device',
      bg: 'Платен ремонт: за това устройство няма записана гаранция',
      vi: 'Sửa chữa có tính phí: thiết bị này không có bảo hành',
    });
    // The order page shows the same words to the client.
    const page = await t.app.inject({ url: `/api/v1/service-orders/${o.id}`, headers: { cookie: t.cookies['service-center']['front-desk'] } });
    expect(page.json().situation.code).toBe('paid-no-warranty');
  });

  test('a claim missing a proof: to be checked at diagnosis, naming what is missing in words (ITEMA-27)', async () => {
    const ivan = await t.db.selectFrom('customers').select('id').where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
    const device = await t.db.selectFrom('devices').select('id').where('serial', '=', 'DEMO-ITEMA-MONITOR').executeTakeFirstOrThrow();
    const o = await claim('itema-pg', { customerId: ivan.id, deviceId: device.id, problem: 'Не се включва' });
    expect(o.situation.code).toBe('check-missing');
    expect(o.situation.paid).toBeNull();
    expect(o.situation.text.bg).toMatch(/^Гаранцията ще се провери при диагностиката; липсва: /);
    for (const l of ['en', 'bg', 'vi']) expect(o.situation.text[l]).not.toMatch(/needs-inspection|not-covered|proofs\.|details\.|warrantyCard/);
  });

  test('the verb agrees with what is missing; lists read as the language writes them', () => {
    expect(missingWords('bg', ['details.address'])).toBe('липсва: адрес');
    expect(missingWords('bg', ['details.address', 'proofs.warrantyCard'])).toBe('липсват: адрес и гаранционна карта');
    expect(missingWords('en', ['proofs.invoice|receipt'])).toBe('still missing: invoice or receipt');
    expect(missingWords('vi', ['details.phone', 'details.email'])).toBe('còn thiếu: số điện thoại và email');
  });
});
