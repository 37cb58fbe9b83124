// "Plan about to expire" (ITS-3; issue 14): N days before a sold plan's coverage ends — N is the
// pack's settings.plans.expiryNoticeDays, the business's own setting (30 for iTS) — the client is told
// through the outbox, once per device and end, with the plans that extend it, by e-mail (real SMTP)
// or SMS (Twilio's wire format, to a local server) per the client's channel, in their language.
// Every moment is pinned: the job is run at explicit instants around the demo's coverage end.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config.ts';
import { DEMO_NOW, setupApp, type TestContext } from '../../../test/db.ts';
import { startSmtp, type Mailbox } from '../../../test/smtp.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';
import { noticeBeforeExpiry } from './plans.service.ts';

let t: TestContext;
let box: Mailbox;
let sms: http.Server;
let smsUrl: string;
const smsSeen: string[] = [];
const CLINIC = 'office@riverside-dental.example.com';
const SID = 'AC' + '0123456789abcdef'.repeat(2);

beforeAll(async () => {
  t = await setupApp({ now: () => DEMO_NOW });
  box = await startSmtp();
  sms = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      smsSeen.push(body);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: 'SM' + 'e'.repeat(32), status: 'queued' }));
    });
  });
  await new Promise<void>((r) => sms.listen(0, '127.0.0.1', r));
  smsUrl = `http://127.0.0.1:${(sms.address() as { port: number }).port}`;
});
afterAll(async () => {
  await box?.close();
  await new Promise<void>((r) => (sms ? sms.close(() => r()) : r()));
  await t?.close();
});

const config = (): Config => ({ ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test', publicUrl: 'https://its.example.com', sms: { provider: 'twilio', accountSid: SID, authToken: 'tok', from: '+15005550006', apiUrl: smsUrl } });
const deliver = async () => {
  const w = new DeliveryWorker(t.db, config());
  await w.runOnce();
  await w.stop();
};
const device = async (serial: string) => t.db.selectFrom('devices').select(['id', 'customer_id']).where('serial', '=', serial).executeTakeFirstOrThrow();
const endOf = async (serial: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/warranty?serial=${serial}&at=2026-11-21`, headers: { cookie: t.cookies.its['front-desk'] } })).json().coverage.device.end as string;
/** Noon in New York (the organization's zone) on a day `days` from `iso`. */
const noonNY = (iso: string, days: number) => new Date(Date.parse(`${iso}T17:00:00Z`) + days * 86400_000);
const notices = () => t.db.selectFrom('outbox').selectAll().where('topic', '=', 'plan.expiring').execute();

describe('a sold plan about to expire (ITS-3)', () => {
  it('is announced once, 30 days (the pack’s setting) before the coverage end the plan gave, with the plans that extend it', async () => {
    // DEMO-ITS-AP: installed 120 days before the demo moment (ITS-2: 90 days), extended by 6 months.
    const end = await endOf('DEMO-ITS-AP');
    const ap = await device('DEMO-ITS-AP');
    expect(end > '2027-01-01').toBe(true);
    expect(await noticeBeforeExpiry(t.db, DEMO_NOW)).toBe(0);
    expect(await noticeBeforeExpiry(t.db, noonNY(end, -31))).toBe(0);
    expect(await noticeBeforeExpiry(t.db, noonNY(end, -30))).toBe(1);
    // The job again, that day and later: nothing more.
    expect(await noticeBeforeExpiry(t.db, noonNY(end, -30))).toBe(0);
    expect(await noticeBeforeExpiry(t.db, noonNY(end, -5))).toBe(0);
    const [n] = await notices();
    expect(n).toMatchObject({ aggregate_type: 'device', aggregate_id: ap.id, dedupe_key: `plan-expiring:${ap.id}:${end}` });
    expect(n.payload).toMatchObject({ deviceId: ap.id, customerId: ap.customer_id, serial: 'DEMO-ITS-AP', end, daysLeft: 30, planId: 'plus-6-months', plans: ['plus-6-months', 'plus-12-months'], rule: 'ITS-3', portal: true });
    // Devices without a sold plan (DEMO-ITS-SERVER, DEMO-ITS-INSTALL) are never told.
    expect(await noticeBeforeExpiry(t.db, noonNY(await endOf('DEMO-ITS-SERVER'), -10))).toBe(0);
  });

  it('reaches the client by e-mail over SMTP in English, with the plans and the link to the device’s plans', async () => {
    await deliver();
    const [n] = await notices();
    const [sent] = await t.db.selectFrom('notifications').selectAll().where('outbox_id', '=', n.id).execute();
    expect(sent).toMatchObject({ status: 'sent', channel: 'email', recipient: CLINIC, language: 'en' });
    const mail = box.messages.get(`<${sent.message_key}>`)!;
    expect(mail.subject).toBe(`iTS Work: the warranty plan of DEMO-ITS-AP ends on ${(n.payload as { end: string }).end}`);
    expect(mail.text).toContain('Your plan “Extended warranty, 6 months” for Ubiquiti U6 Pro access point (DEMO-ITS-AP)');
    expect(mail.text).toContain('Extended warranty, 6 months, Extended warranty, 12 months');
    expect(mail.text).toContain(`https://its.example.com/account/its?lang=en&device=${(n.payload as { deviceId: string }).deviceId}`);
    expect(mail.text).not.toMatch(/\{\w+\}/);
  });

  it('in Bulgarian and Vietnamese, by SMS for a client who prefers it (Twilio’s form), and by e-mail', async () => {
    const ap = await device('DEMO-ITS-AP');
    const end = await endOf('DEMO-ITS-AP');
    const [n] = await notices();
    // The same notice in the client's other languages and channels (a copy of the outbox row per case).
    const put = async (language: string, channel: 'email' | 'sms') => {
      await t.db.updateTable('customers').set({ preferred_language: language, preferred_channel: channel }).where('id', '=', ap.customer_id!).execute();
      const id = await t.db.transaction().execute(async (tx) => (await (await import('../../core/outbox.ts')).enqueue(tx, { organizationId: t.orgs.its, topic: 'plan.expiring', aggregateType: 'device', aggregateId: ap.id, payload: n.payload as Record<string, unknown>, dedupeKey: `plan-expiring-test:${language}:${channel}` }))!);
      await deliver();
      return (await t.db.selectFrom('notifications').selectAll().where('outbox_id', '=', id).executeTakeFirstOrThrow());
    };
    const [y, m, d] = end.split('-');
    const bg = await put('bg', 'email');
    const bgMail = box.messages.get(`<${bg.message_key}>`)!;
    expect(bgMail.subject).toBe(`iTS Work: гаранционният план на DEMO-ITS-AP изтича на ${d}.${m}.${y}`);
    expect(bgMail.text).toContain('Планът „Удължена гаранция, 6 месеца“ за Ubiquiti U6 Pro access point (DEMO-ITS-AP)');
    expect(bgMail.text).toContain('профила Ви');
    const vi = await put('vi', 'email');
    const viMail = box.messages.get(`<${vi.message_key}>`)!;
    expect(viMail.text).toContain(`sẽ hết hạn vào ngày ${d}/${m}/${y}`);
    expect(viMail.text).toContain('Quý khách có thể gia hạn ngay (Bảo hành mở rộng, 6 tháng, Bảo hành mở rộng, 12 tháng)');
    const before = smsSeen.length;
    const bySms = await put('vi', 'sms');
    expect(bySms).toMatchObject({ status: 'sent', channel: 'sms', recipient: '+15550102233' });
    expect(smsSeen.length).toBe(before + 1);
    const form = new URLSearchParams(smsSeen[before]);
    expect(form.get('To')).toBe('+15550102233');
    expect(form.get('Body')).toBe(`iTS Work: bảo hành của DEMO-ITS-AP hết hạn ngày ${d}/${m}/${y}. Gia hạn: https://its.example.com/account/its?lang=vi&device=${ap.id}`);
  });
});
