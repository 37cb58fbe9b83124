// A message per step of a service order (issue 16), by the order's channel set at intake: a
// warranty repair approved, the repair started, ready, handed over; returned unrepaired; cancelled.
// E-mail over a real SMTP server, SMS through Twilio's wire format to a local stand-in, in en/bg/vi.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../config.ts';
import { DEMO_NOW, setupApp, type TestContext } from '../../../test/db.ts';
import { startSmtp, type Mailbox } from '../../../test/smtp.ts';
import { DeliveryWorker } from './delivery-worker.ts';
import { systemActor } from '../../core/actor.ts';
import * as customers from '../customers/customers.service.ts';
import * as devices from '../devices/devices.service.ts';
import * as purchases from '../purchases/purchases.service.ts';

let t: TestContext;
let box: Mailbox;
let server: http.Server;
const sms: URLSearchParams[] = [];
const SID = 'AC' + '0123456789abcdef'.repeat(2);
let config: Config;

beforeAll(async () => {
  t = await setupApp({ now: () => DEMO_NOW });
  box = await startSmtp();
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      sms.push(new URLSearchParams(body));
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${String(sms.length).padStart(32, '0')}`, status: 'queued' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  config = { ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test', publicUrl: 'https://shop.example', sms: { provider: 'twilio', accountSid: SID, authToken: 'secret-token', from: '+15005550006', apiUrl } };
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await box?.close();
  await t?.close();
});

const call = async (method: string, url: string, payload?: object) => {
  const r = await t.app.inject({ method: method as 'POST', url, headers: { cookie: t.cookies['service-center'].owner }, payload });
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.json();
};
async function intake(language: string, contact: { email?: string; phone?: string; preferredChannel: 'email' | 'sms' }, serial: string) {
  return (
    await call('POST', '/api/v1/claims', {
      channel: 'walk-in',
      customer: { name: 'Client Step', ...contact, preferredLanguage: language },
      device: { serial, manufacturer: 'Samsung', model: 'Galaxy S21', category: 'phone' },
      problem: 'Broken screen',
      // The channel for this order's messages, set at intake on the workshop card.
      workshop: { contactChannel: contact.preferredChannel },
      workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'cracked', dataBackedUp: true, passwordsRemoved: false, problemInClientsWords: 'Broken screen', signedBy: 'Client Step' },
    })
  ).order as { id: string; number: string };
}
async function steps(id: string, list: object[]) {
  let v = (await call('GET', `/api/v1/service-orders/${id}`)).version;
  for (const s of list) v = (await call('POST', `/api/v1/service-orders/${id}/actions`, { ...s, version: v })).version;
}
async function deliver() {
  const w = new DeliveryWorker(t.db, config);
  while ((await w.runOnce()) > 0);
  await w.stop();
}
const topics = async (orderId: string) => (await t.db.selectFrom('notifications').select(['topic', 'channel', 'status']).where('order_id', '=', orderId).orderBy('created_at').orderBy('seq').execute());

const REPAIR = [
  { action: 'start-diagnosis' },
  { action: 'diagnose', findings: [] },
  { action: 'quote', amountMinor: 5000, duration: 'P2D', advice: 'new screen', worthRepairing: true },
  { action: 'accept', via: 'phone' },
  { action: 'start-repair' },
  { action: 'start-testing' },
  { action: 'test-passed', report: 'ok' },
];

describe('a message per step (issue 16)', () => {
  test('by e-mail in Bulgarian: received, quote, decision, repair started, ready, handed over — each once, in order', async () => {
    const o = await intake('bg', { email: 'step.bg@example.bg', preferredChannel: 'email' }, 'STEP-BG-1');
    await steps(o.id, REPAIR);
    await call('POST', `/api/v1/service-orders/${o.id}/payments`, { amountMinor: 5000, method: 'cash', version: (await call('GET', `/api/v1/service-orders/${o.id}`)).version });
    await steps(o.id, [{ action: 'hand-over' }]);
    await deliver();
    expect((await topics(o.id)).map((n) => n.topic)).toEqual(['claim.received', 'order.quote-ready', 'order.decision-recorded', 'order.repair-started', 'order.ready', 'order.handed-over']);
    expect((await topics(o.id)).every((n) => n.channel === 'email' && n.status === 'sent')).toBe(true);
    const mail = [...box.messages.values()].filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0].address === 'step.bg@example.bg');
    const subjects = mail.map((m) => m.subject);
    expect(subjects).toContain(`City Service Center: ремонтът по ${o.number} започна`);
    expect(subjects).toContain(`City Service Center: ${o.number} е предадена — благодарим Ви`);
    const handed = mail.find((m) => m.subject?.includes('е предадена'))!;
    expect(handed.text).toContain('Удостоверението за извършен ремонт, разписката за плащане и гаранционната карта са на страницата на поръчката');
    expect(handed.text).toMatch(/https:\/\/shop\.example\/order\/[\w-]+\?lang=bg/);
  });

  test("a warranty claim's approval sends 'warranty repair approved' by e-mail in Bulgarian: nothing to pay, the repair starts, the order's link (ITEMA)", async () => {
    const org = t.orgs['itema-pg'];
    const cookie = t.cookies['itema-pg'].manager;
    const itema = async (method: string, url: string, payload?: object) => {
      const r = await t.app.inject({ method: method as 'POST', url, headers: { cookie }, payload });
      expect(r.statusCode, r.body).toBeLessThan(300);
      return r.json();
    };
    // A laptop sold here 60 days ago (within its warranty) to a Bulgarian client who wants e-mail.
    const soldOn = new Date(DEMO_NOW.getTime() - 60 * 86_400_000).toISOString().slice(0, 10);
    const dev = await t.db.transaction().execute(async (tx) => {
      const a = systemActor(org, 'test');
      const c = await customers.insert(tx, a, { name: 'Петър Георгиев', email: 'petar.approved@example.bg', phone: '+359888123321', address: 'ул. Раковски 5, София', preferredLanguage: 'bg', preferredChannel: 'email' });
      const d = await devices.insert(tx, a, { serial: 'STEP-WARRANTY-1', manufacturer: 'Dell', model: 'Latitude 5490', category: 'laptop', condition: 'new', term: '24 months', customerId: c.id });
      await purchases.insert(tx, a, { deviceId: d.id, customerId: c.id, documentType: 'invoice', documentNumber: 'W-1', soldOn, place: 'ITEMA-PG Sofia' });
      return { id: d.id, customerId: c.id };
    });
    const { order } = await itema('POST', '/api/v1/claims', {
      channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Не стартира', proofs: { warrantyCard: true },
      workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'без забележки', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не стартира', signedBy: 'Петър Георгиев' },
    });
    let v = order.version;
    for (const s of [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [], hardwareDefectConfirmed: true }, { action: 'approve-warranty' }]) v = (await itema('POST', `/api/v1/service-orders/${order.id}/actions`, { ...s, version: v })).version;
    await deliver();
    const sent = await t.db.selectFrom('notifications').select(['topic', 'channel', 'status', 'message_key']).where('order_id', '=', order.id).where('topic', '=', 'order.warranty-approved').execute();
    expect(sent.map((n) => `${n.channel}:${n.status}`)).toEqual(['email:sent']);
    const mail = box.messages.get(`<${sent[0].message_key}>`)!;
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value[0].address).toBe('petar.approved@example.bg');
    expect(mail.subject).toBe(`ITEMA-PG: ${order.number} ще бъде ремонтирана по гаранция`);
    expect(mail.text).toContain('Здравейте, Петър Георгиев');
    expect(mail.text).toContain(`Диагностиката на ${order.number} приключи: ремонтът се покрива от гаранцията и не дължите нищо за него. Започваме ремонта и ще Ви уведомим, когато устройството е готово.`);
    expect(mail.text).toMatch(/https:\/\/shop\.example\/order\/[\w-]+\?lang=bg/);
    expect(mail.text).not.toMatch(/\{\w+\}|warranty-approved/);
  });

  test('by SMS in Vietnamese when the client chose SMS at intake: repair started and ready arrive as SMS', async () => {
    const o = await intake('vi', { phone: '+84 90 123 4567', email: 'step.vi@example.vn', preferredChannel: 'sms' }, 'STEP-VI-1');
    sms.length = 0;
    await steps(o.id, REPAIR);
    await deliver();
    const ns = await topics(o.id);
    expect(ns.map((n) => n.topic)).toEqual(['claim.received', 'order.quote-ready', 'order.decision-recorded', 'order.repair-started', 'order.ready']);
    // Every step follows the channel of the workshop card set at intake, the intake's own "received" too.
    expect(ns.map((n) => `${n.channel}:${n.status}`)).toEqual(ns.map(() => 'sms:sent'));
    const bodies = sms.filter((f) => f.get('To') === '+84901234567').map((f) => f.get('Body') ?? '');
    expect(bodies).toContain(`City Service Center: đã bắt đầu sửa chữa ${o.number}. Chúng tôi sẽ báo khi xong. ${bodies.find((b) => b.includes('bắt đầu'))?.split(' ').pop()}`);
    expect(bodies.some((b) => b.includes(`${o.number} đã sẵn sàng để nhận`))).toBe(true);
  });

  test('in English: a refused quote returned unrepaired; a cancelled order, without the reason staff gave', async () => {
    const r = await intake('en', { email: 'step.en@example.de', preferredChannel: 'email' }, 'STEP-EN-1');
    await steps(r.id, [{ action: 'start-diagnosis' }, { action: 'diagnose', findings: [] }, { action: 'quote', amountMinor: 5000, duration: 'P2D', advice: 'x', worthRepairing: false }, { action: 'refuse', via: 'phone' }]);
    const owed = (await call('GET', `/api/v1/service-orders/${r.id}`)) as { version: number; balance: { due: number } };
    const balance = owed.balance.due;
    if (balance > 0) await call('POST', `/api/v1/service-orders/${r.id}/payments`, { amountMinor: balance, method: 'cash', version: owed.version });
    await steps(r.id, [{ action: 'return' }]);
    const c = await intake('en', { email: 'step.en2@example.de', preferredChannel: 'email' }, 'STEP-EN-2');
    await steps(c.id, [{ action: 'cancel', reason: 'client changed their mind' }]);
    await deliver();
    expect((await topics(r.id)).map((n) => n.topic)).toEqual(['claim.received', 'order.quote-ready', 'order.decision-recorded', 'order.returned']);
    expect((await topics(c.id)).map((n) => n.topic)).toEqual(['claim.received', 'order.cancelled']);
    const cancelled = [...box.messages.values()].find((m) => m.subject === `City Service Center: ${c.number} is cancelled`)!;
    expect(cancelled.text).toContain('If you did not expect this, please contact us.');
    expect(cancelled.text).not.toContain('changed their mind'); // the reason stays with staff
  });
});
