// What the client hears of an RMA (issue 12): every rma.* topic the RMA writes has its message in
// en, bg and vi, and the delivery worker sends them over real SMTP (test/smtp.ts) in the client's
// language, with the account page's link and the deadlines the language's way; SMS when the client
// asked for it. The app's clock is pinned; the timers are driven by the test.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../config.ts';
import { DEMO_NOW } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { startSmtp, type Mailbox } from '../../../test/smtp.ts';
import type { ParsedMail } from 'mailparser';
import { systemActor } from '../../core/actor.ts';
import { sweepDueTimers } from '../../core/timers.ts';
import * as customers from '../customers/customers.service.ts';
import * as devices from '../devices/devices.service.ts';
import * as purchases from '../purchases/purchases.service.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';
import { TEMPLATES } from '../notifications/notifications.templates.ts';
import type { SmsSender } from '../notifications/sms.ts';

const DAY = 86_400_000;
const NOW = DEMO_NOW;
let h: ClockedApp;
let box: Mailbox;
let cookie: string;
const sms: { to: string; body: string }[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await clockedApp(NOW);
  box = await startSmtp();
  cookie = h.t.cookies.itmall['front-desk'];
  const org = h.t.orgs.itmall;
  const a = systemActor(org, 'test');
  await h.t.db.transaction().execute(async (tx) => {
    const client = async (key: string, c: customers.CustomerInput, serials: string[]) => {
      const row = await customers.insert(tx, a, { kind: 'company', ...c });
      ids[key] = row.id;
      for (const serial of serials) {
        const d = await devices.insert(tx, a, { serial, manufacturer: 'Dell', model: 'PowerEdge R660', category: 'server', customerId: row.id });
        await purchases.insert(tx, a, { deviceId: d.id, customerId: row.id, documentType: 'invoice', documentNumber: `INV-${serial}`, soldOn: '2026-08-01', shippedOn: '2026-08-03', priceMinor: 700_000, currency: 'USD' });
      }
    };
    await client('bg', { name: 'Сървър Солюшънс ЕООД', email: 'it@server-solutions.example.bg', preferredLanguage: 'bg' }, ['N-BG-1']);
    await client('vi', { name: 'Công ty Dữ liệu Sao Mai', email: 'it@saomai.example.vn', preferredLanguage: 'vi' }, ['N-VI-1', 'N-VI-2']);
    await client('en', { name: 'Lion Data Pte Ltd', email: 'ops@lion-data.example.sg', phone: '+65 6123 4567', preferredLanguage: 'en', preferredChannel: 'sms' }, ['N-EN-1']);
  });
});
afterAll(async () => {
  await box?.close();
  await h?.close();
});

const smsSender: SmsSender = { sends: true, send: async (m) => (sms.push({ to: m.to, body: m.body }), 'SM' + 'a'.repeat(32)) };
const config = (): Config => ({ ...h.t.config, smtp: box.config, mailFrom: 'rma@aftercare.test', publicUrl: 'https://portal.example' });
async function deliver() {
  const w = new DeliveryWorker(h.t.db, config(), { sms: smsSender });
  while ((await w.runOnce()) > 0);
  await w.stop();
  const stuck = await h.t.db.selectFrom('outbox').select(['topic', 'last_error']).where('topic', 'like', 'rma.%').where('delivered_at', 'is', null).execute();
  expect(stuck).toEqual([]);
}
// In the order they were written (their notification ids are UUIDv7), not as they arrived: the
// worker sends several at once, so the receiver's order varies from run to run.
const notificationOf = (m: ParsedMail) => String(m.headers.get('x-aftercare-notification') ?? '');
const mailsTo = (address: string) =>
  [...box.messages.values()].filter((m) => (m.to && !Array.isArray(m.to) ? m.to.value[0].address : '') === address).sort((a, b) => notificationOf(a).localeCompare(notificationOf(b)));

async function act(id: string, body: object) {
  const cur = (await h.call('GET', `/api/v1/rmas/${id}`, cookie)).body;
  const r = await h.call('POST', `/api/v1/rmas/${id}/actions`, cookie, { version: cur.version, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
async function request(serials: string[]) {
  const r = await h.call('POST', '/api/v1/rmas', cookie, { channel: 'phone', invoice: `INV-${serials[0]}`, items: serials.map((serial) => ({ serial, fault: 'PSU failure' })) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Json;
}

describe('rma.* message templates', () => {
  test('every topic the RMA writes has a subject, an e-mail and an SMS in en, bg and vi', () => {
    const src = ['transitions.ts', 'kind.ts', 'request.ts'].map((f) => fs.readFileSync(new URL(`./${f}`, import.meta.url), 'utf8')).join('\n');
    const topics = [...new Set([...src.matchAll(/topic: '(rma\.[a-z-]+)'/g)].map((m) => m[1]))];
    expect(topics.length).toBeGreaterThanOrEqual(14);
    for (const lang of ['en', 'bg', 'vi'] as const) {
      for (const topic of topics) {
        const tpl = TEMPLATES[lang][topic];
        expect(tpl, `${lang} ${topic}`).toMatchObject({ subject: expect.any(String), body: expect.any(String), sms: expect.any(String) });
      }
    }
  });
});

describe('the client hears each step of the RMA, over SMTP, in their language', () => {
  test('Bulgarian: requested, authorized (send by the deadline), advance replacement, deadline held and resumed, received, resolved, dispute opened and settled', async () => {
    h.now = NOW;
    const r = await request(['N-BG-1']);
    const item = r.items[0].id;
    await act(r.id, { action: 'remote-diagnosis', outcome: 'return-needed', note: 'PSU 1 fault in iDRAC log', hardwareDefectConfirmed: true });
    await act(r.id, { action: 'authorize' });
    await act(r.id, { action: 'ship-advance-replacement', itemId: item, replacementSerial: 'N-BG-1R' });
    h.now = new Date(NOW.getTime() + 2 * DAY);
    await act(r.id, { action: 'hold-return', reason: 'Стачка на куриерите' });
    h.now = new Date(NOW.getTime() + 4 * DAY);
    await act(r.id, { action: 'resume-return' });
    h.now = new Date(NOW.getTime() + 6 * DAY);
    await act(r.id, { action: 'receive', carrier: 'DHL', tracking: 'BG1', units: [{ itemId: item, serial: 'N-BG-1' }] });
    await act(r.id, { action: 'inspect', items: [{ itemId: item, findings: [] }] });
    await act(r.id, { action: 'resolve', items: [{ itemId: item, resolution: 'replacement' }] });
    await act(r.id, { action: 'open-dispute', reason: 'Искаме нов, а не обновен уред' });
    await act(r.id, { action: 'settle-dispute', outcome: 'upheld', note: 'ITM-9' });
    await deliver();

    const mails = mailsTo('it@server-solutions.example.bg');
    const subjects = mails.map((m) => m.subject);
    const n = r.number;
    // The authorization's deadline: 10 days (ITM-12) in Singapore time, the Bulgarian way; resumed after a 2-day hold: 2 days later.
    expect(subjects).toEqual([
      `ITMall Enterprise: получихме Вашата заявка за връщане ${n}`,
      `ITMall Enterprise: връщането ${n} е одобрено — изпратете артикулите до 01.12.2026 16:00`,
      `ITMall Enterprise: заместващият уред по ${n} е изпратен`,
      `ITMall Enterprise: срокът за връщане по ${n} е спрян`,
      `ITMall Enterprise: срокът за връщане по ${n} тече отново`,
      `ITMall Enterprise: получихме артикулите по ${n}`,
      `ITMall Enterprise: връщането ${n} е решено`,
      `ITMall Enterprise: възражението Ви по ${n} е предадено за преглед`,
      `ITMall Enterprise: отговор по възражението Ви за ${n}`,
    ]);
    for (const m of mails) {
      expect(m.headers.get('content-language')).toBe('bg');
      expect(m.text).toMatch(/^Здравейте, Сървър Солюшънс ЕООД,\n\n/);
      expect(m.text).toContain('https://portal.example/account/itmall?lang=bg');
    }
    expect(mails[2].text).toContain('Заместващият уред (сериен номер N-BG-1R)');
    expect(mails[2].text).toContain('до 01.12.2026 16:00');
    expect(mails[3].text).toContain('Причина: Стачка на куриерите');
    expect(mails[4].text).toContain('моля, изпратете артикулите до 03.12.2026 16:00');
    expect(mails[8].text).toContain('решението остава в сила');
  });

  test('Vietnamese: closed after the remote diagnosis; a late return: the reminder, the late notice and the consequence (ITM-12)', async () => {
    const start = new Date('2026-11-21T02:00:00Z');
    h.now = start;
    const closed = await request(['N-VI-1']);
    await act(closed.id, { action: 'remote-diagnosis', outcome: 'fixed-remotely', note: 'Firmware cập nhật từ xa' });
    const late = await request(['N-VI-2']);
    await act(late.id, { action: 'remote-diagnosis', outcome: 'return-needed', note: 'Lỗi nguồn' });
    await act(late.id, { action: 'authorize' });
    await sweepDueTimers(h.t.db, new Date(start.getTime() + 8 * DAY + 1000));
    await sweepDueTimers(h.t.db, new Date(start.getTime() + 10 * DAY + 1000));
    h.now = new Date(start.getTime() + 20 * DAY + 1000);
    await sweepDueTimers(h.t.db, h.now);
    await deliver();

    const mails = mailsTo('it@saomai.example.vn');
    const of = (n: string) => mails.filter((m) => m.subject!.includes(n));
    expect(of(closed.number).map((m) => m.subject)).toEqual([
      `ITMall Enterprise: chúng tôi đã nhận yêu cầu đổi trả ${closed.number} của Quý khách`,
      `ITMall Enterprise: yêu cầu đổi trả ${closed.number} đã kết thúc`,
    ]);
    expect(of(closed.number)[1].text).toContain('lỗi đã được khắc phục từ xa');
    const l = of(late.number);
    expect(l.map((m) => m.subject)).toEqual([
      `ITMall Enterprise: chúng tôi đã nhận yêu cầu đổi trả ${late.number} của Quý khách`,
      `ITMall Enterprise: yêu cầu đổi trả ${late.number} đã được duyệt — vui lòng gửi sản phẩm trước 01/12/2026 10:00`,
      `ITMall Enterprise: vui lòng gửi trả sản phẩm của ${late.number} trước 01/12/2026 10:00`,
      `ITMall Enterprise: chúng tôi chưa nhận được sản phẩm của ${late.number}`,
      `ITMall Enterprise: áp dụng điều kiện trả hàng trễ cho ${late.number}`,
    ]);
    for (const m of l) {
      expect(m.text).toMatch(/^Kính gửi Quý khách Công ty Dữ liệu Sao Mai,\n\n/);
      expect(m.text).not.toMatch(/\bbạn\b/);
      expect(m.headers.get('content-language')).toBe('vi');
    }
    expect(l[4].text).toContain('Quý khách sẽ bị tính toàn bộ giá của mỗi sản phẩm chưa gửi trả');
  });

  test('English by SMS, as the client asked: the request and its cancellation', async () => {
    h.now = NOW;
    const r = await request(['N-EN-1']);
    await act(r.id, { action: 'cancel', reason: 'Raised twice' });
    await deliver();
    const mine = sms.filter((m) => m.to === '+6561234567').map((m) => m.body).sort().reverse();
    expect(mine).toEqual([
      `ITMall Enterprise: return request ${r.number} received. Follow it: https://portal.example/account/itmall?lang=en`,
      `ITMall Enterprise: return request ${r.number} cancelled.`,
    ]);
    expect(mailsTo('ops@lion-data.example.sg')).toEqual([]);
  });
});
