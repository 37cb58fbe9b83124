// ITEMA-19 (no liability for lost profit or downtime, no loaner) is stated where the client reads
// the terms: the work order and the warranty card, in the client's language (issue 11).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { hasPdftotext, pdfText } from '../../../test/pdf-text.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const flat = (s: string) => s.replace(/\s+/g, ' ');
const workOrder = { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'ok', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не се включва', signedBy: 'Иван Петров' };
const PHRASES = { bg: 'пропуснати ползи', en: 'lost profit', vi: 'thiết bị thay thế' } as const;

async function itemaOrder() {
  const cookie = t.cookies['itema-pg']['front-desk'];
  const ivan = await t.db.selectFrom('customers').select('id').where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
  const device = await t.db.selectFrom('devices').select('id').where('serial', '=', 'DEMO-ITEMA-MONITOR').executeTakeFirstOrThrow();
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { cookie }, payload: { channel: 'walk-in', customerId: ivan.id, deviceId: device.id, problem: 'Не се включва', workOrder } });
  expect(res.statusCode).toBe(201);
  return res.json().order as { id: string };
}

describe('ITEMA-19 on the documents the client reads', () => {
  test.skipIf(!hasPdftotext).each(['bg', 'en', 'vi'] as const)('the work order in %s states ITEMA-19 (ITEMA-19)', async (lang) => {
    const o = await itemaOrder();
    const res = await t.app.inject({ url: `/api/v1/service-orders/${o.id}/documents/work-order.pdf?lang=${lang}`, headers: { cookie: t.cookies['itema-pg']['front-desk'] } });
    expect(res.statusCode).toBe(200);
    const text = flat(pdfText(res.rawPayload));
    expect(text).toContain(PHRASES[lang]);
    expect(text).toContain('(ITEMA-19)');
  });

  test.skipIf(!hasPdftotext).each(['bg', 'en', 'vi'] as const)('the warranty card in %s states ITEMA-19 (ITEMA-19)', async (lang) => {
    const d = await t.db.selectFrom('devices').select('id').where('serial', '=', 'DEMO-ITEMA-LAPTOP').executeTakeFirstOrThrow();
    const res = await t.app.inject({ url: `/api/v1/devices/${d.id}/documents/warranty-card.pdf?lang=${lang}&at=2026-11-21`, headers: { cookie: t.cookies['itema-pg']['front-desk'] } });
    expect(res.statusCode).toBe(200);
    const text = flat(pdfText(res.rawPayload));
    expect(text).toContain(PHRASES[lang]);
    expect(text).toContain('(ITEMA-19)');
  });

  test.skipIf(!hasPdftotext)('another business’s work order does not carry ITEMA-PG’s statement (ITEMA-19)', async () => {
    const cookie = t.cookies['service-center']['front-desk'];
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/claims', headers: { cookie },
      payload: { channel: 'walk-in', customer: { name: 'SC Client', email: 'sc.itema19@example.com' }, device: { serial: 'SC-ITEMA19-1', manufacturer: 'HP', category: 'laptop' }, problem: 'Noise', workOrder: { ...workOrder, signedBy: 'SC Client' } },
    });
    expect(res.statusCode).toBe(201);
    const pdf = await t.app.inject({ url: `/api/v1/service-orders/${res.json().order.id}/documents/work-order.pdf?lang=en`, headers: { cookie } });
    expect(flat(pdfText(pdf.rawPayload))).not.toContain('ITEMA-19');
  });
});
