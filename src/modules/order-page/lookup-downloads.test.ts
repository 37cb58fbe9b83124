// Issue 16: the documents of an order found by its number and the client's phone are downloads. The
// lookup gives each document a short-lived download token (signed by the server, no row of its own):
// it opens that PDF of that order only, in the language asked, for 15 minutes, and reveals nothing
// else; a wrong phone gets no documents at all. Every moment is pinned.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';

let h: ClockedApp;
let t: TestContext;
const T0 = new Date('2026-11-23T09:00:00Z');
const MIN = 60_000;
beforeAll(async () => {
  h = await clockedApp(T0);
  t = h.t;
});
afterAll(() => h?.close());

const staff = () => t.cookies['service-center']['front-desk'];
let n = 0;
/** A Bulgarian client's walk-in at the service center, quoted: a work order and a quote to download. */
async function quoted() {
  n++;
  const phone = `+359888100${String(100 + n)}`;
  const workOrder = { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'без забележки', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не зарежда', signedBy: 'Мария Иванова' };
  const { order } = (await h.call('POST', '/api/v1/claims', staff(), { channel: 'walk-in', customer: { name: `Мария Иванова ${n}`, email: `dl${n}@example.bg`, phone, preferredLanguage: 'bg' }, device: { serial: `DL-${n}`, manufacturer: 'HP', category: 'laptop' }, problem: 'Не зарежда', workOrder })).body;
  let v = order.version;
  for (const body of [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [] }, { action: 'quote', amountMinor: 5000, duration: '1 day', advice: 'смяна на букса', worthRepairing: true }]) {
    const r = await h.call('POST', `/api/v1/service-orders/${order.id}/actions`, staff(), { ...body, version: v });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    v = r.body.version;
  }
  return { id: order.id as string, number: order.number as string, phone };
}
let addr = 0;
const lookup = async (number: string, contact: string) => {
  const r = await h.app.inject({ method: 'POST', url: '/api/v1/order-page/lookup', payload: { organization: 'service-center', number, contact }, remoteAddress: `10.40.0.${++addr}` });
  return { status: r.statusCode, body: r.json() as Json };
};
const get = (url: string) => h.app.inject({ method: 'GET', url, remoteAddress: '10.41.0.1' });
const docs = (b: Json) => b.documents as { kind: string; url: string | null }[];
/** A PDF was sent (the documents' words are checked in the documents' own tests). */
const isPdf = (r: Awaited<ReturnType<typeof get>>) => r.statusCode === 200 && r.headers['content-type'] === 'application/pdf' && r.rawPayload.subarray(0, 5).toString() === '%PDF-';

describe('documents found by number and phone are downloads (issue 16)', () => {
  test('the lookup gives each document a download link that opens its PDF in the language asked', async () => {
    h.now = T0;
    const o = await quoted();
    // As the client types them: a lowercase number, the phone in the local format.
    const page = await lookup(o.number.toLowerCase(), `0${o.phone.slice(4, 7)} ${o.phone.slice(7, 10)} ${o.phone.slice(10)}`);
    expect(page.status).toBe(200);
    expect(docs(page.body).map((d) => d.kind)).toEqual(['work-order', 'quote']);
    for (const d of docs(page.body)) {
      expect(d.url).toMatch(new RegExp(`^/api/v1/order-page/d1\\.[0-9a-f.A-Za-z_-]+/documents/${d.kind}\\.pdf$`));
      // No personal data in the link: not the number, the phone, the client's name or e-mail.
      expect(d.url).not.toMatch(/SO-|359|888|dl\d|Мария/);
      for (const lang of ['bg', 'en', 'vi']) expect(isPdf(await get(`${d.url}?lang=${lang}`)), `${d.kind} ${lang}`).toBe(true);
    }
    // The document in the client's language: the same bytes as staff get for ?lang=bg.
    const mine = await get(docs(page.body)[0].url!);
    const staffs = await h.app.inject({ method: 'GET', url: `/api/v1/service-orders/${o.id}/documents/work-order.pdf?lang=bg`, headers: { cookie: staff() } });
    expect(mine.rawPayload.length).toBe(staffs.rawPayload.length);
  });

  test('a wrong phone gets nothing: no order, no documents, no links', async () => {
    h.now = T0;
    const o = await quoted();
    const wrong = await lookup(o.number, '+359888999999');
    expect(wrong.status).toBe(404);
    expect(wrong.body).toMatchObject({ code: 'not-found' });
    expect(JSON.stringify(wrong.body)).not.toMatch(/documents|d1\.|work-order/);
  });

  test('a link opens only its own document of its own order, and stops working after 15 minutes', async () => {
    h.now = T0;
    const a = await quoted();
    const b = await quoted();
    const [workOrderA, quoteA] = docs((await lookup(a.number, a.phone)).body).map((d) => d.url!);
    const workOrderB = docs((await lookup(b.number, b.phone)).body)[0].url!;
    const ticketA = workOrderA.split('/')[4];
    // Another document of the same order with this link: nothing.
    expect((await get(`/api/v1/order-page/${ticketA}/documents/quote.pdf`)).statusCode).toBe(404);
    // The order page, its documents list, payments or proofs with it: nothing (it is no page link).
    expect((await get(`/api/v1/order-page/${ticketA}`)).statusCode).toBeGreaterThanOrEqual(400);
    expect((await get(`/api/v1/order-page/${ticketA}/documents`)).statusCode).toBe(404);
    // Another order's id under this signature, or an altered signature: nothing.
    const [, orgA, , expA, macA] = ticketA.split('.');
    const idB = workOrderB.split('/')[4].split('.')[2];
    expect(isPdf(await get(workOrderB))).toBe(true);
    expect((await get(`/api/v1/order-page/d1.${orgA}.${idB}.${expA}.${macA}/documents/work-order.pdf`)).statusCode).toBe(404);
    const at = workOrderA.indexOf('/documents') - 1;
    const altered = `${workOrderA.slice(0, at)}${workOrderA[at] === 'A' ? 'B' : 'A'}${workOrderA.slice(at + 1)}`;
    expect((await get(altered)).statusCode).toBe(404);
    // Until 15 minutes after the lookup it works; then it does not (look the order up again).
    h.now = new Date(T0.getTime() + 15 * MIN - 1000);
    expect(isPdf(await get(workOrderA))).toBe(true);
    expect(isPdf(await get(quoteA))).toBe(true);
    h.now = new Date(T0.getTime() + 15 * MIN);
    expect((await get(workOrderA)).statusCode).toBe(404);
    expect((await get(quoteA)).statusCode).toBe(404);
    const again = docs((await lookup(a.number, a.phone)).body)[0].url!;
    expect(isPdf(await get(again))).toBe(true);
  });
});
