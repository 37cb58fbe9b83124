// Tax documents are numbered without gaps per organization, series and year (issue 14): a counter
// row held to COMMIT, unlike case numbers (src/core/numbers.ts).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemActor } from '../../core/actor.ts';
import { DEMO_NOW, setupApp, type TestContext } from '../../../test/db.ts';
import { hasPdftotext, NO_PDFTOTEXT, pdfText } from '../../../test/pdf-text.ts';
import { issueCreditNote, type Subject } from './billing.service.ts';

let t: TestContext;
let subject: Subject;
let customerId: string | null;
beforeAll(async () => {
  t = await setupApp();
  const o = await t.db.selectFrom('service_orders').select(['id', 'number', 'customer_id']).where('organization_id', '=', t.orgs['itema-pg']).orderBy('number').limit(1).executeTakeFirstOrThrow();
  subject = { type: 'service-order', id: o.id, number: o.number };
  customerId = o.customer_id;
});
afterAll(() => t?.close());

const credit = (org: string, amountMinor: number, at = DEMO_NOW) => (tx: Parameters<typeof issueCreditNote>[0]) =>
  issueCreditNote(tx, systemActor(t.orgs[org], 'test'), { subject, customerId, language: 'bg', currency: 'EUR', amountMinor, description: 'Намаление на цената', reason: 'Договорено намаление', rule: 'ITEMA-18' }, at);

describe('gap-free numbering of tax documents', () => {
  test('a rolled-back issue gives its number back: the next document takes it (no gap)', async () => {
    const first = await t.db.transaction().execute(credit('itema-pg', 1000));
    await expect(
      t.db.transaction().execute(async (tx) => {
        await credit('itema-pg', 2000)(tx);
        throw new Error('the refund failed after the note was written');
      }),
    ).rejects.toThrow('refund failed');
    const next = await t.db.transaction().execute(credit('itema-pg', 3000));
    expect(next.seq).toBe(first.seq + 1);
    expect(next.number).toBe(`CN-2026-${String(first.seq + 1).padStart(6, '0')}`);
  });

  test('concurrent issuers queue on the series and get consecutive numbers', async () => {
    const before = await t.db.selectFrom('tax_documents').select((eb) => eb.fn.max('seq').as('m')).where('organization_id', '=', t.orgs['itema-pg']).where('series', '=', 'credit-note').executeTakeFirstOrThrow();
    const docs = await Promise.all(Array.from({ length: 8 }, (_, i) => t.db.transaction().execute(credit('itema-pg', 100 + i))));
    const seqs = docs.map((d) => d.seq).sort((a, b) => a - b);
    const from = Number(before.m ?? 0) + 1;
    expect(seqs).toEqual(Array.from({ length: 8 }, (_, i) => from + i));
  });

  test("each organization and year has its own series, starting at 1", async () => {
    const vn = await t.db.transaction().execute(async (tx) =>
      issueCreditNote(tx, systemActor(t.orgs.vn, 'test'), { subject, customerId: null, language: 'vi', currency: 'VND', amountMinor: 110_000, description: 'Hoàn tiền', reason: 'Hoàn tiền' }, DEMO_NOW),
    );
    expect(vn.number).toBe('CN-2026-000001');
    // The year is the business's: 31 December 23:30 UTC is already 1 January in Sofia.
    const newYear = await t.db.transaction().execute(credit('itema-pg', 500, new Date('2026-12-31T23:30:00Z')));
    expect(newYear.number).toBe('CN-2027-000001');
  });
});

test.skipIf(!hasPdftotext)('a credit note prints the business’s tax details, the split of the credit and its reason, in Bulgarian', async () => {
  if (!hasPdftotext) return console.warn(NO_PDFTOTEXT);
  const doc = await t.db.transaction().execute(credit('itema-pg', 8990));
  // ДДС 20 % included: 89,90 = 74,92 + 14,98.
  expect([doc.net_minor, doc.tax_minor, doc.total_minor].map(Number)).toEqual([7492, 1498, 8990]);
  const cookie = t.cookies['itema-pg']['front-desk'];
  const json = await t.app.inject({ url: `/api/v1/tax-documents/${doc.id}`, headers: { cookie } });
  expect(json.json()).toMatchObject({ kind: 'credit-note', number: doc.number, totalMinor: 8990, rule: 'ITEMA-18', subject: { number: subject.number } });
  const res = await t.app.inject({ url: `/api/v1/tax-documents/${doc.id}/pdf`, headers: { cookie } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  const text = pdfText(res.rawPayload);
  for (const s of ['Кредитно известие', doc.number, subject.number, 'Номер по ДДС', 'BG000000000', 'Данъчна основа (без ДДС)', '74,92 EUR', 'ДДС 20%', '14,98 EUR', '89,90 EUR', 'Договорено намаление (ITEMA-18)', 'Цените са с включен ДДС.']) {
    expect(text).toContain(s);
  }
  expect(pdfText((await t.app.inject({ url: `/api/v1/tax-documents/${doc.id}/pdf?lang=en`, headers: { cookie } })).rawPayload)).toContain('Credit note');
  // Another business cannot read it.
  expect((await t.app.inject({ url: `/api/v1/tax-documents/${doc.id}/pdf`, headers: { cookie: t.cookies.vn.owner } })).statusCode).toBe(404);
  const list = await t.app.inject({ url: `/api/v1/service-orders/${subject.id}/tax-documents`, headers: { cookie } });
  expect(list.json().items.map((d: { number: string }) => d.number)).toContain(doc.number);
});
