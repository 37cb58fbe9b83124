// Issue 5's "done when": the SC journey of issue 4 (intake → diagnosis → quote → the client accepts on
// the order page → repair → test → ready → payment → handover), run through the API for a Bulgarian
// client against a real SMTP server in this process. The delivery worker sends the outbox; the mailbox
// must hold the promised messages in Bulgarian with the order page link, and each order document's
// text must carry the Bulgarian strings, the amounts and the numbers. The clock is ours (AppDeps.now).
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Config } from '../../config.ts';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { hasPdftotext, NO_PDFTOTEXT, pdfText } from '../../../test/pdf-text.ts';
import { startSmtp, type Mailbox } from '../../../test/smtp.ts';
import { buildApp } from '../../server/app.ts';
import { DiskStorage } from '../../storage/index.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';

let t: TestContext;
let box: Mailbox;
let config: Config;
let app: Awaited<ReturnType<typeof buildApp>>;
let clock = new Date('2026-06-01T09:00:00Z');

beforeAll(async () => {
  t = await setupApp();
  box = await startSmtp();
  config = { ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test', publicUrl: 'https://shop.example' };
  app = await buildApp({ db: t.db, pool: t.pool, config, storage: new DiskStorage(t.config.filesDir), now: () => clock });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await box?.close();
  await t?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const call = async (method: 'GET' | 'POST', url: string, cookie?: string, payload?: object) => {
  const res = await app.inject({ method, url, headers: cookie ? { cookie } : {}, payload });
  return { status: res.statusCode, body: res.json() as Json };
};
const pdf = async (url: string, cookie?: string) => {
  const res = await app.inject({ url, headers: cookie ? { cookie } : {} });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  return res.rawPayload;
};

test('SC journey for a Bulgarian client: messages in Bulgarian with the order page link; quote, certificate, receipt, protocol in Bulgarian', async () => {
  if (!hasPdftotext) console.warn(NO_PDFTOTEXT);
  const cookie = t.cookies['service-center']['front-desk'];
  const act = async (id: string, body: object) => {
    const cur = (await call('GET', `/api/v1/service-orders/${id}`, cookie)).body;
    const r = await call('POST', `/api/v1/service-orders/${id}/actions`, cookie, { version: cur.version, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const claim = await call('POST', '/api/v1/claims', cookie, {
    channel: 'walk-in',
    customer: { name: 'Мария Иванова', email: 'maria.ivanova@example.bg', phone: '+359 88 123 4567', preferredLanguage: 'bg' },
    device: { serial: 'SC-BG-77', manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' },
    problem: 'Не зарежда',
    workOrder: { termsAccepted: true, accessories: ['зарядно'], complete: true, visibleCondition: 'без забележки', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не зарежда батерията', signedBy: 'Мария Иванова' },
  });
  expect(claim.status, JSON.stringify(claim.body)).toBe(201);
  const { order, orderPage } = claim.body;
  const id = order.id;
  const link = `https://shop.example/order/${orderPage.token}?lang=bg`;
  expect(order.language).toBe('bg');

  await act(id, { action: 'start-diagnosis' });
  clock = new Date('2026-06-02T09:00:00Z');
  await act(id, { action: 'diagnose', findings: ['physical-damage'] });
  await act(id, { action: 'quote', amountMinor: 12345, duration: '3 работни дни', advice: 'Подмяна на букса за захранване.', worthRepairing: true });

  // The client's page lists the work order and the quote; the client accepts there (SC-3, SC-7).
  const page = await call('GET', `/api/v1/order-page/${orderPage.token}`);
  expect(page.body.documents.map((d: Json) => d.kind)).toEqual(['work-order', 'quote']);
  expect(page.body.documents[1].url).toBe(`/api/v1/order-page/${orderPage.token}/documents/quote.pdf`);
  const quotePdf = await pdf(page.body.documents[1].url);
  clock = new Date('2026-06-03T10:00:00Z');
  const accepted = await call('POST', `/api/v1/order-page/${orderPage.token}/decision`, undefined, { decision: 'accept', version: page.body.version });
  expect(accepted.status).toBe(200);

  await act(id, { action: 'start-repair', works: ['Подмяна на букса за захранване', 'Почистване на охлаждането'] });
  const cur = (await call('GET', `/api/v1/service-orders/${id}`, cookie)).body;
  const part = await call('POST', `/api/v1/service-orders/${id}/parts`, cookie, { partId: 'DC-JACK-2', category: 'power-adapter', version: cur.version });
  expect(part.status, JSON.stringify(part.body)).toBe(200);
  await act(id, { action: 'start-testing' });
  clock = new Date('2026-06-05T12:00:00Z');
  await act(id, { action: 'test-passed', report: 'Стрес тест 2 часа: зарежда нормално' });
  let o = (await call('GET', `/api/v1/service-orders/${id}`, cookie)).body;
  const pay1 = await call('POST', `/api/v1/service-orders/${id}/payments`, cookie, { amountMinor: 5000, method: 'cash', version: o.version });
  await call('POST', `/api/v1/service-orders/${id}/payments`, cookie, { amountMinor: 7345, method: 'card-terminal', version: pay1.body.version });
  clock = new Date('2026-06-06T15:00:00Z');
  await act(id, { action: 'hand-over', findingsProtocol: 'Клиентът посочва нова драскотина до пантата.' });

  // The staff list and the client's list agree, in the order the documents were made.
  // SC-10: at handover the client also receives the device's warranty card.
  const kinds = ['work-order', 'quote', 'completion-certificate', 'payment-receipt', 'findings-protocol', 'warranty-card'];
  const staffList = (await call('GET', `/api/v1/service-orders/${id}/documents`, cookie)).body.items;
  expect(staffList.map((d: Json) => d.kind)).toEqual(kinds);
  const pageAfter = await call('GET', `/api/v1/order-page/${orderPage.token}`);
  expect(pageAfter.body.documents.map((d: Json) => d.kind)).toEqual(kinds);

  // ---- the mailbox ----
  const w = new DeliveryWorker(t.db, config);
  while ((await w.runOnce()) > 0);
  await w.stop();
  const mine = [...box.messages.values()].filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0].address === 'maria.ivanova@example.bg');
  // The worker sends a batch concurrently, so arrival order is not enqueue order: compare as a set.
  const subjects = mine.map((m) => m.subject ?? '').sort();
  expect(subjects).toEqual([
    `City Service Center: получихме Вашата заявка ${order.number}`,
    `City Service Center: офертата за ${order.number} е готова`,
    `City Service Center: решението Ви за ${order.number} е записано`,
    `City Service Center: ремонтът по ${order.number} започна`,
    `City Service Center: ${order.number} е готова за получаване`,
    `City Service Center: ${order.number} е предадена — благодарим Ви`,
  ].sort());
  for (const m of mine) {
    expect(m.headers.get('content-language')).toBe('bg');
    expect(m.text).toContain('Здравейте, Мария Иванова');
    expect(m.text).toContain(link);
  }
  const bySubject = (part: string) => mine.find((m) => m.subject?.includes(part))!;
  expect(bySubject('офертата за').text).toContain('123,45 GBP');
  expect(bySubject('е готова за получаване').text).toContain('123,45 GBP');

  if (!hasPdftotext) return;
  // ---- the documents, as the client downloads them and as staff print them ----
  const staffQuote = await pdf(`/api/v1/service-orders/${id}/documents/quote.pdf`, cookie);
  expect(pdfText(staffQuote)).toBe(pdfText(quotePdf));
  expect(staffQuote.equals(quotePdf)).toBe(true); // the quote is printed from the recorded quote
  const q = pdfText(quotePdf);
  for (const s of ['Оферта', order.number, 'SC-BG-77', 'Цена на ремонта', '123,45 GBP', '3 работни дни', 'По наше мнение ремонтът си струва.', 'Подмяна на букса за захранване.', 'SC-5', 'SC-6', '02.12.2026', 'City Service Center']) expect(q).toContain(s);
  // The finding as the pack words it in the client's language, with its rule, not its code.
  expect(q.replace(/\s+/g, ' ')).toContain('Нова механична повреда не се покрива от гаранцията за ремонта; за ремонта се изготвя оферта. (SC-5)');
  expect(q).not.toContain('New physical damage');
  expect(q).not.toContain('physical-damage');
  // The printed link wraps; pdftotext drops a hyphen at a line's end, and tokens are base64url.
  expect(q.replace(/[ -]/g, '')).toContain(orderPage.token.slice(0, 16).replace(/-/g, ''));

  const card = pdfText(await pdf(`/api/v1/order-page/${orderPage.token}/documents/warranty-card.pdf`));
  for (const s of ['Гаранционна карта', 'SC-BG-77', 'City Service Center']) expect(card).toContain(s);

  const certPdf = await pdf(`/api/v1/order-page/${orderPage.token}/documents/completion-certificate.pdf`);
  const cert = pdfText(certPdf);
  for (const s of ['Удостоверение за извършен ремонт', order.number, 'SC-BG-77', 'Предадено на', '06.06.2026', 'Подмяна на букса за захранване', 'Почистване на охлаждането', 'DC-JACK-2', 'добавена', 'Тест след ремонта (SC-8)', 'успешен', 'Стрес тест 2 часа', 'Гаранция след този ремонт', 'констативния протокол']) expect(cert).toContain(s);

  const receipt = pdfText(await pdf(`/api/v1/order-page/${orderPage.token}/documents/payment-receipt.pdf`));
  for (const s of ['Разписка за плащане', order.number, 'Ремонт (приета оферта)', 'в брой', 'с карта (ПОС терминал)', '50,00 GBP', '73,45 GBP', '123,45 GBP', '0,00 GBP', 'Платено изцяло.']) expect(receipt).toContain(s);

  const protocol = pdfText(await pdf(`/api/v1/service-orders/${id}/documents/findings-protocol.pdf`, cookie));
  for (const s of ['Констативен протокол', order.number, 'Клиентът посочва нова драскотина до пантата.']) expect(protocol).toContain(s);
  // The service center's own policy has no findings-protocol rule: no other business's rule is cited (issue 16).
  expect(protocol).not.toMatch(/ITEMA-|ITM-|ITS-|VN-/);

  // Vietnamese on request, and re-printing gives the same bytes.
  const vi1 = await pdf(`/api/v1/service-orders/${id}/documents/completion-certificate.pdf?lang=vi`, cookie);
  const vi2 = await pdf(`/api/v1/order-page/${orderPage.token}/documents/completion-certificate.pdf?lang=vi`);
  expect(vi1.equals(vi2)).toBe(true);
  const vi = pdfText(vi1);
  for (const s of ['Biên bản hoàn thành sửa chữa', 'Công việc đã thực hiện', 'Kiểm tra sau sửa chữa', 'đạt', 'Bảo hành sau lần sửa chữa này', '06/06/2026']) expect(vi).toContain(s);
  const viReceipt = pdfText(await pdf(`/api/v1/service-orders/${id}/documents/payment-receipt.pdf?lang=vi`, cookie));
  for (const s of ['Biên nhận thanh toán', 'tiền mặt', 'thẻ (máy POS)', '123,45 GBP', 'Đã thanh toán đủ.']) expect(viReceipt).toContain(s);
  o = (await call('GET', `/api/v1/service-orders/${id}`, cookie)).body;
  expect(o.state).toBe('handed-over');
});

test('a document the order does not have yet: 409 document-not-available; bad language 400 naming the field', async () => {
  const cookie = t.cookies['service-center']['front-desk'];
  const claim = await call('POST', '/api/v1/claims', cookie, { channel: 'phone', customer: { name: 'Петър', email: 'petar@example.bg' }, problem: 'Не работи' });
  expect(claim.status).toBe(201);
  for (const kind of ['quote', 'completion-certificate', 'payment-receipt', 'findings-protocol', 'warranty-card']) {
    const r = await app.inject({ url: `/api/v1/order-page/${claim.body.orderPage.token}/documents/${kind}.pdf` });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('document-not-available');
  }
  const bad = await app.inject({ url: `/api/v1/service-orders/${claim.body.order.id}/documents/quote.pdf?lang=de`, headers: { cookie } });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().errors[0].field).toBe('querystring.lang');
  expect((await call('GET', `/api/v1/order-page/${claim.body.orderPage.token}`)).body.documents).toEqual([]);
});
