// Quotes with lines and tax, payments, deposits, refunds with credit notes, the invoice at handover
// (issue 14), through the API on the real database. Money is never lost or doubled: a payment and a
// refund racing each leave one record, Idempotency-Key retries record nothing twice, bad input is a
// 4xx naming the field and changes nothing.
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

const workOrder = { termsAccepted: true, accessories: ['зарядно'], complete: true, visibleCondition: 'драскотини', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не зарежда', signedBy: 'Мария Иванова' };
const staff = () => t.cookies['itema-pg']['front-desk'];
const call = (method: 'GET' | 'POST', url: string, payload?: object, headers?: Record<string, string>, cookie: string | undefined = staff()) => h.call(method, url, cookie, payload, headers);
let serial = 0;

async function order() {
  const r = await call('POST', '/api/v1/claims', {
    channel: 'walk-in',
    customer: { name: 'Мария Иванова', email: `maria${++serial}@example.bg`, phone: '+359 88 123 4567', preferredLanguage: 'bg' },
    device: { serial: `BILL-${serial}`, manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' },
    problem: 'Не зарежда',
    workOrder,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { order: Json; orderPage: { token: string } };
}
async function act(id: string, body: object, expected = 200) {
  const cur = (await call('GET', `/api/v1/service-orders/${id}`)).body;
  const r = await call('POST', `/api/v1/service-orders/${id}/actions`, { version: cur.version, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}
const LINES = [
  { kind: 'part', description: 'SSD 1 TB', unitMinor: 12000, partId: 'ssd-1tb' },
  { kind: 'labour', description: 'Подмяна и инсталация', quantity: 1.5, unitMinor: 3000 },
  { kind: 'discount', description: 'Отстъпка за редовен клиент', unitMinor: -1500 },
];
async function quoted() {
  const { order: o, orderPage } = await order();
  await act(o.id, { action: 'start-diagnosis' });
  const q = await act(o.id, { action: 'quote', lines: LINES, duration: '3 работни дни', advice: 'Ремонтът си струва', worthRepairing: true });
  return { id: o.id as string, number: o.number as string, token: orderPage.token, q };
}
const pay = (id: string, body: object, key?: string) => call('POST', `/api/v1/service-orders/${id}/payments`, body, key ? { 'idempotency-key': key } : {});
const refund = (id: string, body: object, key?: string) => call('POST', `/api/v1/service-orders/${id}/refunds`, body, key ? { 'idempotency-key': key } : {});
const docs = async (id: string) => (await call('GET', `/api/v1/service-orders/${id}/tax-documents`)).body.items as Json[];

describe('a quote is lines with the business’s tax (issue 14)', () => {
  test('parts, labour and a discount under ДДС 20 % included: the lines, net, tax and total in minor units', async () => {
    const { q } = await quoted();
    // 120.00 + 1.5 × 30.00 − 15.00 = 150.00, of which ДДС 25.00.
    expect(q.quote).toMatchObject({ amountMinor: 15000, netMinor: 12500, taxMinor: 2500, currency: 'EUR', tax: { ratePercent: 20, pricesInclude: true, registration: 'BG000000000' }, rule: 'SC-5' });
    expect(q.quote.lines.map((l: Json) => l.amountMinor)).toEqual([12000, 4500, -1500]);
  });

  test('the client sees the lines on the order page and accepts: the charge is the quote’s total', async () => {
    const { id, token } = await quoted();
    const page = (await call('GET', `/api/v1/order-page/${token}`, undefined, {}, undefined)).body;
    expect(page.quote.lines).toHaveLength(3);
    const accepted = await call('POST', `/api/v1/order-page/${token}/decision`, { decision: 'accept', version: page.version }, {}, undefined);
    expect(accepted.status).toBe(200);
    expect(accepted.body.due.balanceMinor).toBe(15000);
    const o = (await call('GET', `/api/v1/service-orders/${id}`)).body;
    expect(o.charges).toMatchObject([{ kind: 'repair', amountMinor: 15000, rule: 'SC-5' }]);
  });

  test.each([
    { name: 'an unknown line kind', lines: [{ kind: 'gift', description: 'x', unitMinor: 100 }], field: 'body.lines.0.kind' },
    { name: 'a positive discount', lines: [{ kind: 'part', description: 'x', unitMinor: 100 }, { kind: 'discount', description: 'x', unitMinor: 50 }], field: 'body.lines.1.unitMinor' },
    { name: 'a negative part', lines: [{ kind: 'part', description: 'x', unitMinor: -100 }], field: 'body.lines.0.unitMinor' },
    { name: 'a quantity with 4 decimals', lines: [{ kind: 'labour', description: 'x', quantity: 1.2345, unitMinor: 100 }], field: 'body.lines.0.quantity' },
    { name: 'a unit price in decimals', lines: [{ kind: 'labour', description: 'x', unitMinor: 89.9 }], field: 'body.lines.0.unitMinor' },
    { name: 'no description', lines: [{ kind: 'fee', description: ' ', unitMinor: 100 }], field: 'body.lines.0.description' },
    { name: 'no lines at all', lines: [], field: 'body.lines' },
  ])('bad input: $name → 400 naming $field, nothing written', async ({ lines, field }) => {
    const { order: o } = await order();
    await act(o.id, { action: 'start-diagnosis' });
    const cur = (await call('GET', `/api/v1/service-orders/${o.id}`)).body;
    const before = await snapshot(t.db);
    const r = await call('POST', `/api/v1/service-orders/${o.id}/actions`, { action: 'quote', lines, duration: '1 ден', advice: 'x', worthRepairing: true, version: cur.version });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: Json) => e.field)).toContain(field);
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('a discount larger than the rest is refused naming the lines (422), nothing written', async () => {
    const { order: o } = await order();
    await act(o.id, { action: 'start-diagnosis' });
    const before = await snapshot(t.db);
    const r = await act(o.id, { action: 'quote', lines: [{ kind: 'fee', description: 'x', unitMinor: 100 }, { kind: 'discount', description: 'y', unitMinor: -200 }], duration: '1', advice: 'x', worthRepairing: true }, 422);
    expect(r.errors[0].field).toBe('body.lines');
    expect(await snapshot(t.db)).toEqual(before);
  });
});

describe('payments, deposits and refunds (issue 14)', () => {
  test('a deposit at intake, a part payment, a part refund with its credit note, the invoice at handover; SC-10 holds', async () => {
    const { order: o } = await order();
    // A deposit before anything is charged leaves the client in credit.
    const dep = await pay(o.id, { amountMinor: 5000, method: 'cash', kind: 'deposit' });
    expect(dep.status).toBe(200);
    expect(dep.body.balance).toEqual({ charged: 0, paid: 5000, due: -5000, currency: 'EUR' });
    // A payment (not a deposit) is at most the balance due.
    expect((await pay(o.id, { amountMinor: 100, method: 'cash' })).body.errors[0].field).toBe('body.amountMinor');
    await act(o.id, { action: 'start-diagnosis' });
    await act(o.id, { action: 'quote', lines: LINES, duration: '3 работни дни', advice: 'Ремонтът си струва', worthRepairing: true });
    await act(o.id, { action: 'accept', via: 'in-person' });
    await act(o.id, { action: 'start-repair' });
    await act(o.id, { action: 'start-testing' });
    await act(o.id, { action: 'test-passed', report: 'ok' });
    const part = await pay(o.id, { amountMinor: 6000, method: 'card-terminal' });
    expect(part.body.balance.due).toBe(4000);
    // SC-10: no handover while 40.00 is due.
    expect((await act(o.id, { action: 'hand-over' }, 422)).code).toBe('balance-due');
    const rest = await pay(o.id, { amountMinor: 4000, method: 'bank-transfer' });
    expect(rest.body.balance).toEqual({ charged: 15000, paid: 15000, due: 0, currency: 'EUR' });
    // A part refund (goodwill) of 20.00 from the card payment: a credit note, the charges lowered, still nothing due.
    const cardPayment = rest.body.payments.find((p: Json) => p.method === 'card-terminal');
    const r = await refund(o.id, { paymentId: cardPayment.id, amountMinor: 2000, reason: 'Компенсация за забавяне' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.balance).toEqual({ charged: 13000, paid: 13000, due: 0, currency: 'EUR' });
    expect(r.body.refunds).toMatchObject([{ kind: 'credit', amountMinor: 2000, method: 'card-terminal', paymentId: cardPayment.id, status: 'done' }]);
    expect(r.body.payments.find((p: Json) => p.id === cardPayment.id).refundedMinor).toBe(2000);
    const done = await act(o.id, { action: 'hand-over' });
    expect(done.state).toBe('handed-over');
    const list = await docs(o.id);
    expect(list.map((d) => d.kind)).toEqual(['receipt', 'receipt', 'receipt', 'credit-note', 'invoice']);
    const [, , , note, invoice] = list;
    expect(note).toMatchObject({ totalMinor: 2000, reason: 'Компенсация за забавяне', refersTo: cardPayment.receiptId });
    expect(invoice).toMatchObject({ totalMinor: 15000, netMinor: 12500, taxMinor: 2500 });
    expect(invoice.lines.map((l: Json) => l.description)).toEqual(['SSD 1 TB', 'Подмяна и инсталация', 'Отстъпка за редовен клиент']);
    if (!hasPdftotext) return;
    const pdf = async (d: Json, lang = '') => pdfText((await h.app.inject({ url: `${d.pdf}${lang}`, headers: { cookie: staff() } })).rawPayload);
    const inv = await pdf(invoice);
    for (const s of ['Фактура', invoice.number, o.number, 'Мария Иванова', 'Номер по ДДС: BG000000000', 'Част: SSD 1 TB', '120,00 EUR', 'Труд: Подмяна и инсталация', '1,5', '45,00 EUR', 'Отстъпка: Отстъпка за редовен клиент', '-15,00 EUR', 'Данъчна основа (без ДДС) 125,00 EUR', 'ДДС 20%', '25,00 EUR', 'Сума за плащане', '150,00 EUR', 'Цените са с включен ДДС.']) {
      expect(inv).toContain(s);
    }
    const cn = await pdf(note);
    for (const s of ['Кредитно известие', note.number, 'Към документ', list[1].number, 'Компенсация за забавяне', '20,00 EUR']) expect(cn).toContain(s);
    const rc = await pdf(list[0], '?lang=en');
    for (const s of ['Receipt', list[0].number, 'Paid by', 'cash', '50.00 EUR']) expect(rc).toContain(s);
  });

  test('an overpaid deposit is refunded as overpayment (no credit note); a credit is never more than the charges', async () => {
    const { order: o } = await order();
    const dep = (await pay(o.id, { amountMinor: 20000, method: 'cash', kind: 'deposit' })).body;
    await act(o.id, { action: 'start-diagnosis' });
    await act(o.id, { action: 'quote', lines: LINES, duration: '3 дни', advice: 'x', worthRepairing: true });
    await act(o.id, { action: 'accept', via: 'phone' });
    const paymentId = dep.payments[0].id;
    const before = await snapshot(t.db);
    const tooMuch = await refund(o.id, { paymentId, amountMinor: 6000, kind: 'overpayment', reason: 'Надплатено' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ code: 'no-overpayment', creditMinor: 5000 });
    expect(tooMuch.body.errors[0].field).toBe('body.amountMinor');
    expect((await refund(o.id, { paymentId, amountMinor: 20001, reason: 'x' })).body).toMatchObject({ code: 'refund-over-payment', refundableMinor: 20000 });
    expect((await refund(o.id, { paymentId, amountMinor: 16000, reason: 'x' })).body).toMatchObject({ code: 'refund-exceeds-charges', chargedMinor: 15000 });
    expect((await refund(o.id, { paymentId: '0190a0a0-0000-7000-8000-000000000000', amountMinor: 1, reason: 'x' })).body.errors[0].field).toBe('body.paymentId');
    expect((await refund(o.id, { paymentId, amountMinor: 0, reason: 'x' })).body.errors[0].field).toBe('body.amountMinor');
    expect((await refund(o.id, { paymentId, amountMinor: 10, reason: '' })).body.errors[0].field).toBe('body.reason');
    expect(await snapshot(t.db)).toEqual(before);
    const ok = await refund(o.id, { paymentId, amountMinor: 5000, kind: 'overpayment', reason: 'Надплатено' });
    expect(ok.body.balance).toEqual({ charged: 15000, paid: 15000, due: 0, currency: 'EUR' });
    expect(ok.body.refunds[0]).toMatchObject({ kind: 'overpayment', creditNoteId: null });
    expect((await docs(o.id)).map((d) => d.kind)).toEqual(['receipt']);
  });

  test('a deposit once the work is done is refused; a payment in another currency names the field', async () => {
    const { order: o } = await order();
    expect((await pay(o.id, { amountMinor: 100, method: 'cash', currency: 'USD', kind: 'deposit' })).body.errors[0].field).toBe('body.currency');
    expect((await pay(o.id, { amountMinor: 100, method: 'bitcoin', kind: 'deposit' })).body.errors[0].field).toBe('body.method');
    expect((await pay(o.id, { amountMinor: 100, method: 'cash', kind: 'gift' })).body.errors[0].field).toBe('body.kind');
  });
});

describe('money is never lost or doubled', () => {
  test('a retried payment (Idempotency-Key, 5 times, some at once) records one payment and one receipt', async () => {
    const { order: o } = await order();
    const body = { amountMinor: 3000, method: 'cash', kind: 'deposit' };
    const first = await Promise.all([1, 2, 3].map(() => pay(o.id, body, 'pay-once-1')));
    const later = [await pay(o.id, body, 'pay-once-1'), await pay(o.id, body, 'pay-once-1')];
    for (const r of [...first, ...later]) expect(r.status).toBe(200);
    const rows = await t.db.selectFrom('order_payments').select('id').where('order_id', '=', o.id).execute();
    expect(rows).toHaveLength(1);
    expect((await docs(o.id)).filter((d) => d.kind === 'receipt')).toHaveLength(1);
    // The same key for another request is refused.
    expect((await pay(o.id, { ...body, amountMinor: 3001 }, 'pay-once-1')).body.code).toBe('idempotency-key-reused');
  });

  test('a payment and a refund racing each leave exactly one record, and the balance adds up', async () => {
    const { order: o } = await order();
    const dep = (await pay(o.id, { amountMinor: 10000, method: 'cash', kind: 'deposit' })).body;
    const paymentId = dep.payments[0].id;
    for (let round = 0; round < 5; round++) {
      const [p, r] = await Promise.all([pay(o.id, { amountMinor: 1000, method: 'cash', kind: 'deposit' }, `race-p-${round}`), refund(o.id, { paymentId, amountMinor: 500, kind: 'overpayment', reason: 'race' }, `race-r-${round}`)]);
      expect([p.status, r.status]).toEqual([200, 200]);
      // Retried, both give their first answer and record nothing.
      await Promise.all([pay(o.id, { amountMinor: 1000, method: 'cash', kind: 'deposit' }, `race-p-${round}`), refund(o.id, { paymentId, amountMinor: 500, kind: 'overpayment', reason: 'race' }, `race-r-${round}`)]);
    }
    const payments = await t.db.selectFrom('order_payments').select('amount_minor').where('order_id', '=', o.id).execute();
    const refunds = await t.db.selectFrom('order_refunds').select('amount_minor').where('order_id', '=', o.id).execute();
    expect([payments.length, refunds.length]).toEqual([6, 5]);
    const o2 = (await call('GET', `/api/v1/service-orders/${o.id}`)).body;
    expect(o2.balance).toEqual({ charged: 0, paid: 10000 + 5000 - 2500, due: -12500, currency: 'EUR' });
    // Receipts are numbered without gaps under the race too.
    const seqs = (await t.db.selectFrom('tax_documents').select('seq').where('organization_id', '=', t.orgs['itema-pg']).where('series', '=', 'receipt').orderBy('seq').execute()).map((d) => Number(d.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
