import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../config.ts';
import { uuidv7 } from '../../db/ids.ts';
import { type TestContext } from '../../../test/db.ts';
import type { Mailbox } from '../../../test/smtp.ts';
import { useAppWithMailbox } from '../../../test/mail-app.ts';
import { enqueue } from '../../core/outbox.ts';
import { DeliveryWorker } from './delivery-worker.ts';
import { smsSender } from './sms.ts';

let t: TestContext;
let box: Mailbox;
useAppWithMailbox(undefined, (s) => ({ t, box } = s));

const customer = (email: string) => t.db.selectFrom('customers').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
const withSmtp = (): Config => ({ ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test', publicUrl: 'https://shop.example' });

async function put(org: string, topic: string, payload: Record<string, unknown>, orderId = uuidv7()) {
  return t.db.transaction().execute(async (tx) => (await enqueue(tx, { organizationId: t.orgs[org], topic, aggregateType: 'service-order', aggregateId: orderId, payload }))!);
}
const outbox = (id: string) => t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const messages = (outboxId: string) => t.db.selectFrom('notifications').selectAll().where('outbox_id', '=', outboxId).orderBy('seq').execute();

describe('e-mail over SMTP', () => {
  test('claim received: in Bulgarian, with its number, the order page link, the Message-ID marker', async () => {
    const ivan = await customer('ivan.petrov@example.bg');
    const orderId = uuidv7();
    const id = await put('itema-pg', 'claim.received', { orderId, number: 'SO-2026-000101', customerId: ivan.id, language: 'bg', channel: 'email', orderPageToken: 'tok-abc' }, orderId);
    const w = new DeliveryWorker(t.db, withSmtp());
    expect(await w.runOnce()).toBeGreaterThanOrEqual(1); // the demo's own messages may be due too
    await w.stop();
    const [n] = await messages(id);
    expect(n).toMatchObject({ status: 'sent', channel: 'email', language: 'bg', recipient: 'ivan.petrov@example.bg', attempts: 1 });
    const mail = box.messages.get(`<${n.message_key}>`)!;
    expect(mail).toBeTruthy();
    expect(mail.subject).toBe('ITEMA-PG: получихме Вашата заявка SO-2026-000101');
    expect(mail.from?.value[0]).toEqual({ name: 'ITEMA-PG', address: 'service@aftercare.test' });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : null).toBe('ivan.petrov@example.bg');
    expect(mail.headers.get('content-language')).toBe('bg');
    expect(mail.headers.get('x-aftercare-notification')).toBe(n.id);
    expect(mail.text).toContain('Здравейте, Иван Петров');
    expect(mail.text).toContain('https://shop.example/order/tok-abc?lang=bg');
    const row = await outbox(id);
    expect(row.delivered_at).not.toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.locked_until).toBeNull();
  });

  test('later messages of the order link the same order page; amounts in the language’s format', async () => {
    const an = await customer('an.nguyen@example.vn');
    const orderId = uuidv7();
    await put('vn', 'claim.received', { orderId, number: 'SO-2026-000102', customerId: an.id, language: 'vi', channel: 'email', orderPageToken: 'tok-vn' }, orderId);
    const q = await put('vn', 'order.quote-ready', { orderId, number: 'SO-2026-000102', customerId: an.id, language: 'vi', channel: 'email', amountMinor: 1500000, currency: 'VND' }, orderId);
    const w = new DeliveryWorker(t.db, withSmtp());
    await w.runOnce();
    await w.stop();
    const [n] = await messages(q);
    const mail = box.messages.get(`<${n.message_key}>`)!;
    expect(mail.subject).toBe('Công ty Giải pháp CNTT: báo giá cho SO-2026-000102 đã sẵn sàng');
    expect(mail.text).toContain('1.500.000 VND');
    expect(mail.text).toContain('https://shop.example/order/tok-vn?lang=vi');
    expect(mail.headers.get('content-language')).toBe('vi');
  });

  test('deadline at risk goes to the managers, in the business’s language', async () => {
    const id = await put('itema-pg', 'deadline.at-risk', { orderId: uuidv7(), number: 'SO-2026-000103', clock: 'max-repair', rule: 'ITEMA-2', due: '2026-12-01T10:00:00Z' });
    const w = new DeliveryWorker(t.db, withSmtp());
    await w.runOnce();
    await w.stop();
    const ms = await messages(id);
    expect(ms.map((m) => m.recipient).sort()).toEqual(['manager@itema-pg.example', 'owner@itema-pg.example']);
    const mail = box.messages.get(`<${ms[0].message_key}>`)!;
    expect(mail.subject).toBe('[ITEMA-PG] SO-2026-000103: срокът за ремонт до 30 дни е застрашен (до 01.12.2026 12:00)');
  });

  test('a temporary SMTP failure is retried with backoff; attempts and the last error are recorded', async () => {
    const ivan = await customer('ivan.petrov@example.bg');
    const id = await put('itema-pg', 'order.ready', { orderId: uuidv7(), number: 'SO-2026-000104', customerId: ivan.id, language: 'bg', channel: 'email', balanceDueMinor: 4500, currency: 'EUR' });
    box.failNext(1);
    const w = new DeliveryWorker(t.db, withSmtp());
    expect(await w.runOnce()).toBe(0);
    let row = await outbox(id);
    expect(row.delivered_at).toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/451/);
    // The backoff, measured from the attempt's own recorded moment (the worker's clock), not today.
    const wait = row.available_at.getTime() - (await messages(id))[0].sending_at!.getTime();
    expect(wait).toBeGreaterThan(3_000); // 5 s after the first failure
    expect((await messages(id))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    // Not due yet: nothing happens.
    expect(await w.runOnce()).toBe(0);
    await t.db.updateTable('outbox').set({ available_at: new Date('2000-01-01T00:00:00Z') }).where('id', '=', id).execute(); // long due
    expect(await w.runOnce()).toBe(1);
    await w.stop();
    row = await outbox(id);
    expect(row).toMatchObject({ attempts: 2, last_error: null });
    const [n] = await messages(id);
    expect(n).toMatchObject({ status: 'sent', attempts: 2 });
    expect(box.messages.get(`<${n.message_key}>`)!.text).toContain('45,00 EUR');
  });

  test('two workers at once deliver each message exactly once', async () => {
    const ivan = await customer('ivan.petrov@example.bg');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await put('itema-pg', 'order.ready', { orderId: uuidv7(), number: `SO-2026-9${String(i).padStart(5, '0')}`, customerId: ivan.id, language: 'bg', channel: 'email', balanceDueMinor: 0, currency: 'EUR' }));
    const rawBefore = box.raw.length;
    const a = new DeliveryWorker(t.db, withSmtp(), { batchSize: 4 });
    const b = new DeliveryWorker(t.db, withSmtp(), { batchSize: 4 });
    const drain = async (w: DeliveryWorker) => {
      while ((await w.runOnce()) > 0);
    };
    await Promise.all([drain(a), drain(b), drain(a)]);
    await Promise.all([a.stop(), b.stop()]);
    const rows = await t.db.selectFrom('outbox').select(['delivered_at', 'attempts']).where('id', 'in', ids).execute();
    expect(rows.every((r) => r.delivered_at && r.attempts === 1)).toBe(true);
    expect(box.raw.length - rawBefore).toBe(30);
  });
});

describe('without SMTP', () => {
  test('e-mails are kept, not lost, and staff see them in the list', async () => {
    const ivan = await customer('ivan.petrov@example.bg');
    const id = await put('itema-pg', 'order.ready', { orderId: uuidv7(), number: 'SO-2026-000105', customerId: ivan.id, language: 'bg', channel: 'email', balanceDueMinor: 0, currency: 'EUR' });
    const w = new DeliveryWorker(t.db, { ...t.config, smtp: undefined });
    await w.runOnce();
    await w.stop();
    const [n] = await messages(id);
    expect(n.status).toBe('kept');
    expect((await outbox(id)).delivered_at).not.toBeNull();
    const list = await t.app.inject({ url: '/api/v1/notifications?status=kept', headers: { cookie: t.cookies['itema-pg']['front-desk'] } });
    expect(list.statusCode).toBe(200);
    const item = list.json().items.find((x: { id: string }) => x.id === n.id);
    expect(item).toMatchObject({ status: 'kept', channel: 'email', recipient: 'ivan.petrov@example.bg', subject: 'ITEMA-PG: SO-2026-000105 е готова за получаване', messageId: `<${n.message_key}>` });
    // Another business sees none of it; the technician may not read clients' messages; bad filters name the field.
    const other = await t.app.inject({ url: '/api/v1/notifications', headers: { cookie: t.cookies.itmall.owner } });
    expect(other.json().items.some((x: { id: string }) => x.id === n.id)).toBe(false);
    expect((await t.app.inject({ url: '/api/v1/notifications', headers: { cookie: t.cookies['itema-pg'].technician } })).statusCode).toBe(403);
    const bad = await t.app.inject({ url: '/api/v1/notifications?status=lost&orderId=x', headers: { cookie: t.cookies['itema-pg'].owner } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['querystring.orderId', 'querystring.status']);
  });
});

describe('SMS through Twilio’s Messages API', () => {
  const SID = 'AC' + '0123456789abcdef'.repeat(2);
  let server: http.Server;
  let url: string;
  const seen: { method?: string; path?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let answer: { status: number; body: object } = { status: 201, body: { sid: 'SM' + 'f'.repeat(32), status: 'queued' } };
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, path: req.url, headers: req.headers, body });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const twilio = (): Config => ({ ...t.config, publicUrl: 'https://shop.example', sms: { provider: 'twilio', accountSid: SID, authToken: 'secret-token', from: '+15005550006', apiUrl: url } });

  test('the exact request: method, path, Basic auth, form body; the message sid is recorded', async () => {
    const maria = await customer('maria.schmidt@example.de'); // prefers SMS
    const id = await put('service-center', 'order.ready', { orderId: uuidv7(), number: 'SO-2026-000106', customerId: maria.id, language: 'en', channel: 'sms', balanceDueMinor: 8900, currency: 'EUR', orderPageToken: 'tok-sms' });
    const w = new DeliveryWorker(t.db, twilio());
    await w.runOnce();
    await w.stop();
    expect(seen).toHaveLength(1);
    const r = seen[0];
    expect(r.method).toBe('POST');
    expect(r.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:secret-token`).toString('base64')}`);
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(r.body);
    expect([...form.keys()]).toEqual(['To', 'From', 'Body']);
    expect(form.get('To')).toBe('+49301234567');
    expect(form.get('From')).toBe('+15005550006');
    expect(form.get('Body')).toBe('City Service Center: SO-2026-000106 is ready for pickup. Due: 89.00 EUR. https://shop.example/order/tok-sms?lang=en');
    const [n] = await messages(id);
    expect(n).toMatchObject({ status: 'sent', channel: 'sms', provider_id: 'SM' + 'f'.repeat(32) });
  });

  test('a refused number fails for good (no retry loop); the log-only default keeps the message', async () => {
    const maria = await customer('maria.schmidt@example.de');
    answer = { status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 } };
    const id = await put('service-center', 'order.ready', { orderId: uuidv7(), number: 'SO-2026-000107', customerId: maria.id, language: 'en', channel: 'sms' });
    const w = new DeliveryWorker(t.db, twilio());
    await w.runOnce();
    await w.stop();
    expect((await messages(id))[0]).toMatchObject({ status: 'failed' });
    expect((await outbox(id)).last_error).toContain('21211');
    const logged: string[] = [];
    const id2 = await put('service-center', 'order.ready', { orderId: uuidv7(), number: 'SO-2026-000108', customerId: maria.id, language: 'en', channel: 'sms' });
    const w2 = new DeliveryWorker(t.db, t.config, { sms: smsSender({ provider: 'log' }, (l) => logged.push(l)) });
    await w2.runOnce();
    await w2.stop();
    expect((await messages(id2))[0].status).toBe('kept');
    expect(logged[0]).toContain('SO-2026-000108');
  });
});
