// Remedies beyond repair on ITEMA-PG service orders (issue 12): each executes what the engine offers,
// only while it is open in the decision, through the order's transitions, with its document (a
// credit note for money paid back, the replacement record) and its device events.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_NOW, snapshot, type TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { hasPdftotext, pdfText } from '../../../test/pdf-text.ts';

let h: ClockedApp;
let t: TestContext;
beforeAll(async () => {
  h = await clockedApp(DEMO_NOW);
  t = h.t;
});
afterAll(() => h?.close());

const staff = () => t.cookies['itema-pg'].manager;
const call = (method: 'GET' | 'POST', url: string, payload?: object) => h.call(method, url, staff(), payload);
const workOrder = { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'добро', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не светва', signedBy: 'Петър Георгиев' };
let n = 0;

/** A laptop sold on `soldOn`, repaired `repairs` times under warranty before, claimed now and diagnosed with a confirmed hardware defect. */
async function diagnosed(opts: { soldOn?: string; repairs?: number } = {}) {
  const i = ++n;
  const cust = await call('POST', '/api/v1/customers', { name: 'Петър Георгиев', email: `petar${i}@example.bg`, phone: '+359 88 765 4321', address: 'София, ул. Шипка 5', preferredLanguage: 'bg' });
  const dev = await call('POST', '/api/v1/devices', { customerId: cust.body.id, serial: `REM-${i}`, manufacturer: 'Dell', model: 'Latitude 5440', category: 'laptop', condition: 'refurbished' });
  expect(dev.status, JSON.stringify(dev.body)).toBe(201);
  const p = await call('POST', '/api/v1/purchases', { deviceId: dev.body.id, documentNumber: `F-${i}`, soldOn: opts.soldOn ?? '2026-06-01', place: 'ITEMA-PG София', priceMinor: 120000, currency: 'EUR' });
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  for (let k = 0; k < (opts.repairs ?? 0); k++) {
    const e = await call('POST', `/api/v1/devices/${dev.body.id}/events`, { type: 'repair-completed', date: `2026-0${7 + k}-10`, underWarranty: true, orderRef: `SO-OLD-${k}` });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
  }
  const claim = await call('POST', '/api/v1/claims', { channel: 'walk-in', customerId: cust.body.id, deviceId: dev.body.id, problem: 'Не светва', proofs: { invoice: true, warrantyCard: true }, workOrder });
  expect(claim.status, JSON.stringify(claim.body)).toBe(201);
  const id = claim.body.order.id as string;
  await act(id, { action: 'start-diagnosis' });
  await act(id, { action: 'diagnose', findings: [], hardwareDefectConfirmed: true });
  return { id, deviceId: dev.body.id as string };
}
async function act(id: string, body: object, expected = 200) {
  const cur = (await call('GET', `/api/v1/service-orders/${id}`)).body;
  const r = await call('POST', `/api/v1/service-orders/${id}/actions`, { version: cur.version, ...body });
  expect(r.status, JSON.stringify({ code: r.body.code, detail: r.body.detail, errors: r.body.errors, open: r.body.open, d: r.body.current?.decision?.outcome })).toBe(expected);
  return r.body;
}
const events = async (deviceId: string) => (await call('GET', `/api/v1/devices/${deviceId}/events`)).body.items as Json[];
const taxDocs = async (id: string) => (await call('GET', `/api/v1/service-orders/${id}/tax-documents`)).body.items as Json[];
const remedies = async (id: string) => (await t.db.selectFrom('order_remedies').selectAll().where('order_id', '=', id).execute()).map((r) => `${r.type}:${r.rule}`);

describe('ITEMA-17 / ITEMA-30: replacement under the legal guarantee, the consumer’s choice', () => {
  test('replacement with the same model (ITEMA-30): the consumer’s channel is required; the device keeps its terms; ready to hand over', async () => {
    h.now = DEMO_NOW;
    const { id, deviceId } = await diagnosed();
    const before = await snapshot(t.db);
    const noVia = await act(id, { action: 'replace', type: 'replacement', replacement: { serial: 'REM-NEW-1' } }, 422);
    expect(noVia.errors[0].field).toBe('body.via');
    expect(await snapshot(t.db)).toEqual(before);
    const done = await act(id, { action: 'replace', type: 'replacement', replacement: { serial: 'REM-NEW-1', model: 'Latitude 5440' }, via: 'in-person' });
    expect(done.state).toBe('ready');
    expect(await remedies(id)).toEqual(['replacement:ITEMA-30']);
    const evs = await events(deviceId);
    const ev = evs.find((e) => e.type === 'device-replaced');
    expect(ev).toMatchObject({ orderRef: expect.stringMatching(/^SO-/), note: expect.stringContaining('REM-NEW-1') });
    // The device record follows the new unit; its history is kept (the sale, the old serial in the event).
    expect(ev!.note).toMatch(/^REM-\d+ → REM-NEW-1: ITEMA-30$/);
    expect(evs.map((e) => e.type)).toContain('sale');
    const bySerial = await call('GET', '/api/v1/warranty?serial=REM-NEW-1&at=2026-11-22');
    expect(bySerial.status).toBe(200);
    expect(bySerial.body.device).toMatchObject({ id: deviceId, serial: 'REM-NEW-1' });
    expect(JSON.stringify(bySerial.body.coverage)).toContain('ITEMA-17');
    // The replacement record is among the order's documents, for staff and the client's page.
    const docs = (await call('GET', `/api/v1/service-orders/${id}/documents`)).body.items as Json[];
    const rec = docs.find((d) => d.kind === 'replacement-record');
    expect(rec).toBeTruthy();
    const pdf = await h.app.inject({ url: `/api/v1/service-orders/${id}/documents/replacement-record.pdf?lang=bg`, headers: { cookie: staff() } });
    expect(pdf.statusCode, pdf.body).toBe(200);
    if (hasPdftotext) {
      const text = pdfText(pdf.rawPayload);
      for (const x of ['Протокол за замяна', 'REM-NEW-1', 'Заменен уред', 'Гаранция до', 'ITEMA-17']) expect(text).toContain(x);
    }
    // The warranty answer: the replacement keeps the original term (ITEMA-17).
    const w = await call('GET', `/api/v1/devices/${deviceId}/warranty?at=2026-11-22`);
    expect(JSON.stringify(w.body)).toContain('ITEMA-17');
    expect((await act(id, { action: 'hand-over' })).state).toBe('handed-over');
  });

  test('replacement with another model: the surcharge is charged and must be paid before handover (SC-10)', async () => {
    h.now = DEMO_NOW;
    const { id } = await diagnosed();
    const ready = await act(id, { action: 'replace', type: 'replacement-other-model', replacement: { serial: 'REM-NEW-2', model: 'Latitude 7450' }, surchargeMinor: 15000, via: 'phone' });
    expect(ready.balance).toEqual({ charged: 15000, paid: 0, due: 15000, currency: 'EUR' });
    expect(ready.charges).toMatchObject([{ kind: 'surcharge', amountMinor: 15000, rule: 'ITEMA-17' }]);
    // Another model: the device record takes the new model too.
    expect((await call('GET', `/api/v1/warranty?serial=REM-NEW-2&at=2026-11-22`)).body.device).toMatchObject({ serial: 'REM-NEW-2', model: 'Latitude 7450' });
    expect((await act(id, { action: 'hand-over' }, 422)).code).toBe('balance-due');
    await call('POST', `/api/v1/service-orders/${id}/payments`, { amountMinor: 15000, method: 'card-terminal' });
    expect((await act(id, { action: 'hand-over' })).state).toBe('handed-over');
    expect((await taxDocs(id)).map((d) => d.kind)).toEqual(['receipt', 'invoice']);
  });

  test('a surcharge on a same-model replacement is refused naming the field', async () => {
    const { id } = await diagnosed();
    expect((await act(id, { action: 'replace', type: 'replacement', replacement: { serial: 'X' }, surchargeMinor: 100, via: 'phone' }, 422)).errors[0].field).toBe('body.surchargeMinor');
  });

  test('buy-back (ITEMA-17): the agreed amount paid back with a credit note, the device passes to the business, the order settles', async () => {
    const { id, deviceId } = await diagnosed();
    const s = await act(id, { action: 'buy-back', amountMinor: 95000, method: 'bank-transfer', via: 'email', note: 'Изкупуване без оригинална опаковка' });
    expect(s.state).toBe('settled');
    expect(s.refunds).toMatchObject([{ kind: 'remedy', remedy: 'buy-back', amountMinor: 95000, method: 'bank-transfer', paymentId: null }]);
    // A remedy's payout is the purchase price's, not the order's: the balance is untouched.
    expect(s.balance.due).toBe(0);
    const [note] = await taxDocs(id);
    expect(note).toMatchObject({ kind: 'credit-note', totalMinor: 95000, reason: 'Изкупуване без оригинална опаковка' });
    expect(note.rule).toMatch(/^ITEMA-/);
    expect((await events(deviceId)).map((e) => e.type)).toContain('ownership-transferred');
  });
});

describe('ITEMA-18 / ITEMA-31: no fix within a month — price reduction or termination', () => {
  test('not open within the month: 422 remedy-not-offered listing what is open, nothing written', async () => {
    h.now = DEMO_NOW;
    const { id } = await diagnosed();
    const before = await snapshot(t.db);
    const r = await act(id, { action: 'reduce-price', amountMinor: 3000, method: 'cash', via: 'in-person' }, 422);
    expect(r.code).toBe('remedy-not-offered');
    expect(r.open.map((x: Json) => x.type)).toContain('replacement');
    expect(r.open.map((x: Json) => x.type)).not.toContain('price-reduction');
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('price reduction after the month (ITEMA-18): the agreed amount refunded with a credit note; the order goes on', async () => {
    h.now = DEMO_NOW;
    const { id } = await diagnosed();
    await act(id, { action: 'approve-warranty' });
    await act(id, { action: 'start-repair' });
    h.now = new Date(DEMO_NOW.getTime() + 40 * 86_400_000);
    const r = await act(id, { action: 'reduce-price', amountMinor: 20000, method: 'cash', via: 'in-person', note: 'Договорено намаление на цената' });
    expect(r.state).toBe('in-repair');
    expect(await remedies(id)).toEqual(['price-reduction:ITEMA-18']);
    const [note] = await taxDocs(id);
    expect(note).toMatchObject({ kind: 'credit-note', totalMinor: 20000, rule: 'ITEMA-18' });
    // ДДС 20 % included in the refund: 200.00 = 166.67 + 33.33.
    expect([note.netMinor, note.taxMinor]).toEqual([16667, 3333]);
    if (hasPdftotext) {
      const text = pdfText((await h.app.inject({ url: note.pdf, headers: { cookie: staff() } })).rawPayload);
      for (const s of ['Кредитно известие', note.number, 'Договорено намаление на цената (ITEMA-18)', '166,67 EUR', '33,33 EUR', '200,00 EUR']) expect(text).toContain(s);
    }
  });

  test('termination after the month (ITEMA-31): the price refunded, the order settled', async () => {
    h.now = DEMO_NOW;
    const { id } = await diagnosed();
    h.now = new Date(DEMO_NOW.getTime() + 40 * 86_400_000);
    const r = await act(id, { action: 'terminate', amountMinor: 120000, method: 'bank-transfer', via: 'email' });
    expect(r.state).toBe('settled');
    expect((await remedies(id))[0]).toMatch(/^terminate:ITEMA-18$/);
    expect((await taxDocs(id))[0]).toMatchObject({ kind: 'credit-note', totalMinor: 120000 });
    // Nothing more can be done with a settled order.
    expect((await act(id, { action: 'hand-over' }, 409)).code).toBe('illegal-transition');
  });
});

describe('ITEMA-32: refund after three repairs', () => {
  test('with three warranty repairs in the history a refund is open and executed; with two it is not', async () => {
    h.now = DEMO_NOW;
    const two = await diagnosed({ soldOn: '2026-05-01', repairs: 2 });
    expect((await act(two.id, { action: 'refund', amountMinor: 120000, method: 'cash', via: 'in-person' }, 422)).code).toBe('remedy-not-offered');
    const three = await diagnosed({ soldOn: '2026-05-01', repairs: 3 });
    const r = await act(three.id, { action: 'refund', amountMinor: 120000, method: 'cash', via: 'in-person' });
    expect(r.state).toBe('settled');
    expect(await remedies(three.id)).toEqual(['refund:ITEMA-32']);
  });
});

describe('bad input names the field and changes nothing', () => {
  test.each([
    { name: 'no amount', body: { action: 'reduce-price', method: 'cash' }, field: 'body.amountMinor' },
    { name: 'a zero amount', body: { action: 'terminate', amountMinor: 0, method: 'cash' }, field: 'body.amountMinor' },
    { name: 'an unknown method', body: { action: 'refund', amountMinor: 10, method: 'gold' }, field: 'body.method' },
    { name: 'no replacement serial', body: { action: 'replace', type: 'replacement', replacement: { serial: '' } }, field: 'body.replacement.serial' },
    { name: 'an unknown replacement type', body: { action: 'replace', type: 'upgrade', replacement: { serial: 'X' } }, field: 'body.type' },
  ])('$name → 400 $field', async ({ body, field }) => {
    const { id } = await diagnosed();
    const before = await snapshot(t.db);
    const cur = (await call('GET', `/api/v1/service-orders/${id}`)).body;
    const r = await call('POST', `/api/v1/service-orders/${id}/actions`, { ...body, version: cur.version });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: Json) => e.field)).toContain(field);
    expect(await snapshot(t.db)).toEqual(before);
  });
});
