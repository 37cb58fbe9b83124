// The Vietnamese supplier's week at the support desk (VN-1..8), through the API on the real database,
// with e-mail arriving over SMTP at the app's own receiver (smtp-server + mailparser) sent by nodemailer.
// Every moment is pinned: the app's clock is the test's.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sweepDueTimers } from '../../core/timers.ts';
import { buildApp } from '../../server/app.ts';
import { DiskStorage } from '../../storage/index.ts';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { startMailIn, type MailIn } from './support.service.ts';
import { newToken, sha256 } from '../../core/tokens.ts';
import { startSmtp } from '../../../test/smtp.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';

let t: TestContext;
let app: Awaited<ReturnType<typeof buildApp>>;
let mailIn: MailIn;
let clock = new Date('2026-11-23T02:00:00Z');
const at = (iso: string) => (clock = new Date(iso));
let cookie: string;
const vn = () => t.orgs.vn;

beforeAll(async () => {
  t = await setupApp();
  const storage = new DiskStorage(t.config.filesDir);
  app = await buildApp({ db: t.db, pool: t.pool, config: t.config, storage, now: () => clock });
  await app.ready();
  mailIn = await startMailIn({ db: t.db, storage, host: '127.0.0.1', port: 0, now: () => clock });
  cookie = t.cookies.vn.manager;
});
afterAll(async () => {
  await mailIn?.close();
  await app?.close();
  await t?.close();
});

const call = async (method: 'GET' | 'POST', url: string, payload?: object, who = cookie) => {
  const r = await app.inject({ method, url, payload, headers: { cookie: who } });
  return { status: r.statusCode, body: String(r.headers['content-type'] ?? '').includes('json') ? r.json() : r.body };
};
const act = async (id: string, body: object) => {
  const cur = (await call('GET', `/api/v1/support-tickets/${id}`)).body;
  return call('POST', `/api/v1/support-tickets/${id}/actions`, { version: cur.version, ...body });
};
const mailer = () => nodemailer.createTransport({ host: '127.0.0.1', port: mailIn.port, secure: false, ignoreTLS: true });

const ids: Record<string, string> = {};

beforeAll(async () => {
  const an = await t.db.selectFrom('customers').select('id').where('organization_id', '=', vn()).where('email', '=', 'an.nguyen@example.vn').executeTakeFirstOrThrow();
  ids.an = an.id;
  ids.nas = (await t.db.selectFrom('devices').select('id').where('organization_id', '=', vn()).where('serial', '=', 'DEMO-VN-NAS').executeTakeFirstOrThrow()).id;
  const other = await call('POST', '/api/v1/devices', { serial: 'VN-UPS-77', manufacturer: 'APC', model: 'Smart-UPS 1500', category: 'ups', customerId: an.id });
  expect(other.status).toBe(201);
  ids.ups = other.body.id;
});

describe("the Vietnamese supplier's week (VN-1..8)", () => {
  test('a maintenance contract: scope, term, tier, included services; its renewal reminder waits in the outbox (VN-5)', async () => {
    at('2026-11-23T02:00:00Z'); // Monday 09:00 in Hà Nội
    const r = await call('POST', '/api/v1/contracts', {
      customerId: ids.an, tier: 'standard', startsOn: '2026-01-01', endsOn: '2026-12-31', priceMinor: 24000000,
      included: [{ service: 'incident-fixing' }, { service: 'training-sessions', quantity: 2 }, { service: 'operating-questions' }], deviceIds: [ids.nas],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'active', tier: { id: 'standard', calendar: 'business' }, currency: 'VND', devices: [{ serial: 'DEMO-VN-NAS' }] });
    ids.contract = r.body.id;
    const reminder = await t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', r.body.id).where('topic', '=', 'contract.renewal-reminder').executeTakeFirstOrThrow();
    // 30 days before the renewal date, at 09:00 in Hà Nội (VN-5 reading).
    expect(reminder.available_at.toISOString()).toBe('2026-12-01T02:00:00.000Z');
  });

  test('an incident on Friday evening is due within 48 h over the weekend (VN-2, VN-6) and answered in time', async () => {
    at('2026-11-27T11:30:00Z'); // Friday 18:30 in Hà Nội: 24 h would end on Saturday, a day off
    const r = await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: ids.an, deviceId: ids.nas, subject: 'NAS không truy cập được', description: 'Ổ đĩa mạng không truy cập được từ văn phòng.' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'incident', state: 'open', level: 'L1', tier: 'standard', contract: { id: ids.contract } });
    ids.incident = r.body.id;
    const d = (await call('GET', `/api/v1/support-tickets/${ids.incident}`)).body;
    const response = d.clocks.find((c: { id: string }) => c.id === 'maintenance-incident');
    expect(response).toMatchObject({ rule: 'VN-6', status: 'running' });
    expect(new Date(response.due).toISOString()).toBe('2026-11-29T11:30:00.000Z'); // Sunday 18:30: 48 h
    expect(response.reasons.map((x: { rule: string }) => x.rule)).toContain('VN-6');

    // Saturday: the L1 engineer hands it to L2 by hand.
    at('2026-11-28T03:00:00Z');
    expect((await act(ids.incident, { action: 'escalate', reason: 'needs the storage engineer' })).body).toMatchObject({ level: 'L2' });
  });

  test('when its clock is at risk the incident is escalated to L3, and who was told is recorded (VN-6)', async () => {
    const fired = await sweepDueTimers(t.db, new Date('2026-11-29T07:30:00Z')); // 4 h before due
    expect(fired).toBeGreaterThanOrEqual(1);
    const d = (await call('GET', `/api/v1/support-tickets/${ids.incident}`)).body;
    expect(d.level).toBe('L3');
    const event = d.thread.find((m: { direction: string; data: { to?: string } | null }) => m.direction === 'event' && m.data?.to === 'L3');
    expect(event.data).toMatchObject({ from: 'L2', to: 'L3' });
    expect(event.data.told.map((x: { email: string }) => x.email)).toEqual(expect.arrayContaining(['owner@vn.example', 'manager@vn.example']));
    const topics = (await t.db.selectFrom('outbox').select('topic').where('aggregate_id', '=', ids.incident).execute()).map((x) => x.topic);
    expect(topics).toEqual(expect.arrayContaining(['deadline.at-risk', 'support.escalated']));
  });

  test('answered on Sunday within the 48 h; the client is asked for root-cause data and the fix clock waits (VN-6)', async () => {
    at('2026-11-29T09:00:00Z');
    const r = await act(ids.incident, { action: 'reply', body: 'Kỹ sư L3 đang kiểm tra từ xa.' });
    expect(r.status).toBe(200);
    expect(r.body.clocks.find((c: { id: string }) => c.id === 'maintenance-incident').status).toBe('met');
    at('2026-11-30T02:00:00Z'); // Monday
    const w = await act(ids.incident, { action: 'request-data', body: 'Quý khách vui lòng gửi nhật ký hệ thống (system log).' });
    expect(w.body.state).toBe('awaiting-client');
    at('2026-11-30T03:00:00Z');
    const later = (await call('GET', `/api/v1/support-tickets/${ids.incident}`)).body;
    expect(later.clocks.find((c: { id: string }) => c.id === 'incident-resolution').status).toBe('paused');
  });

  test('the client answers by e-mail through the real SMTP receiver: the reply threads on the ticket, with its attachment, and the clock resumes', async () => {
    at('2026-11-30T08:00:00Z');
    const d = (await call('GET', `/api/v1/support-tickets/${ids.incident}`)).body;
    await mailer().sendMail({ from: 'Nguyễn Văn An <an.nguyen@example.vn>', to: 'support+vn@aftercare.test', subject: `Re: [${d.number}] NAS không truy cập được`, text: 'Nhật ký hệ thống đính kèm.', attachments: [{ filename: 'system.log', content: 'disk 2: I/O error\n' }] });
    const after = (await call('GET', `/api/v1/support-tickets/${ids.incident}`)).body;
    expect(after).toMatchObject({ state: 'in-progress', rootCauseData: true });
    const mail = after.thread.find((m: { channel: string; direction: string; from: string | null }) => m.direction === 'in' && m.from === 'an.nguyen@example.vn');
    expect(mail.attachments).toEqual([expect.objectContaining({ filename: 'system.log' })]);
    const file = await app.inject({ url: `/api/v1/support-messages/${mail.id}/attachments/${mail.attachments[0].id}`, headers: { cookie } });
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('disk 2: I/O error\n');
    const res = after.clocks.find((c: { id: string }) => c.id === 'incident-resolution');
    expect(res.status).toBe('running');
    expect(res.pausedMs).toBe(6 * 3600_000);
  });

  test("the client reads the ticket's thread in the portal and answers there; the desk's notes stay internal (VN-6)", async () => {
    at('2026-12-01T04:00:00Z'); // after the SLA test's period
    // A second incident waiting for the client's data.
    const r = await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: ids.an, deviceId: ids.nas, subject: 'Chậm khi sao lưu', description: 'Sao lưu chạy rất chậm.' });
    await act(r.body.id, { action: 'note', body: 'internal: probably disk 3' });
    await act(r.body.id, { action: 'request-data', body: 'Quý khách vui lòng gửi ảnh chụp màn hình tác vụ sao lưu.' });
    const token = newToken();
    await t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: vn(), email: 'an.nguyen@example.vn', expires_at: new Date('2199-01-01T00:00:00Z') }).execute();
    const client = { cookie: `aftercare_client=${token}` };
    const view = await app.inject({ url: `/api/v1/client/support/tickets/${r.body.id}`, headers: client });
    expect(view.statusCode).toBe(200);
    const v = view.json();
    expect(v).toMatchObject({ number: r.body.number, state: 'awaiting-client', canReply: true });
    expect(v.thread.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out']);
    expect(JSON.stringify(v)).not.toContain('internal: probably disk 3');
    const send = () => app.inject({ method: 'POST', url: `/api/v1/client/support/tickets/${r.body.id}/replies`, headers: { ...client, 'idempotency-key': 'reply-1' }, payload: { body: 'Ảnh chụp: tác vụ dừng ở 43%.' } });
    const [a, b] = [await send(), await send()];
    expect(a.statusCode).toBe(201);
    expect(b.json()).toEqual(a.json()); // a retry adds nothing
    expect(a.json()).toMatchObject({ state: 'in-progress', thread: [{ direction: 'in' }, { direction: 'out' }, { direction: 'in', channel: 'portal', body: 'Ảnh chụp: tác vụ dừng ở 43%.' }] });
    const staff = (await call('GET', `/api/v1/support-tickets/${r.body.id}`)).body;
    expect(staff).toMatchObject({ state: 'in-progress', rootCauseData: true });
    expect(staff.clocks.find((c: { id: string }) => c.id === 'incident-resolution').status).not.toBe('paused');
    // Bad input: an empty reply names the field; another client's ticket is not found; no session is 401.
    const empty = await app.inject({ method: 'POST', url: `/api/v1/client/support/tickets/${r.body.id}/replies`, headers: client, payload: { body: ' ' } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('body.body');
    const theirs = (await t.db.selectFrom('support_tickets').select('id').where('organization_id', '=', vn()).where('customer_id', '!=', ids.an).executeTakeFirstOrThrow()).id;
    expect((await app.inject({ url: `/api/v1/client/support/tickets/${theirs}`, headers: client })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/client/support/tickets/${r.body.id}` })).statusCode).toBe(401);
  });

  test('resolved in time', async () => {
    at('2026-12-01T03:00:00Z');
    const r = await act(ids.incident, { action: 'resolve', summary: 'Đã thay ổ đĩa 2 và khôi phục RAID.' });
    expect(r.body).toMatchObject({ state: 'resolved' });
    expect(r.body.clocks.find((c: { id: string }) => c.id === 'incident-resolution').status).toBe('met');
  });

  test('a question by e-mail from a known client opens a ticket through the SMTP receiver, and is answered (VN-5)', async () => {
    at('2026-11-25T02:00:00Z'); // Wednesday 09:00
    const info = await mailer().sendMail({ from: 'an.nguyen@example.vn', to: 'support+vn@aftercare.test', subject: 'Cách tạo tài khoản người dùng mới?', text: 'Xin hướng dẫn cách tạo tài khoản trên NAS.' });
    const q = await t.db.selectFrom('support_messages').select(['ticket_id']).where('message_id', '=', info.messageId).executeTakeFirstOrThrow();
    ids.question = q.ticket_id!;
    let d = (await call('GET', `/api/v1/support-tickets/${ids.question}`)).body;
    expect(d).toMatchObject({ kind: 'question', channel: 'email', contract: { id: ids.contract }, state: 'open' });
    expect(d.clocks[0]).toMatchObject({ id: 'question-response', rule: 'VN-5' });
    at('2026-11-26T03:00:00Z'); // Thursday 10:00: 25 h later, late
    d = (await act(ids.question, { action: 'reply', body: 'Quý khách vào Control Panel > User để tạo tài khoản.' })).body;
    expect(d.clocks[0].status).toBe('met-late');
    const out = await t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', ids.question).where('topic', '=', 'support.reply').executeTakeFirstOrThrow();
    expect(out.payload).toMatchObject({ number: d.number, customerId: ids.an, language: 'vi' });
  });

  test('mail from an unknown sender, or a reply that matches no ticket, lands in the triage list: never dropped', async () => {
    at('2026-11-25T04:00:00Z');
    const before = await t.db.selectFrom('support_tickets').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await mailer().sendMail({ from: 'stranger@example.com', to: 'support+vn@aftercare.test', subject: 'Báo giá?', text: 'Xin báo giá bảo trì.' });
    await mailer().sendMail({ from: 'an.nguyen@example.vn', to: 'support+vn@aftercare.test', subject: 'Re: old thread', text: 'Reply to something', inReplyTo: '<nothing@elsewhere>', references: ['<nothing@elsewhere>'] });
    type M = { id: string; from: string; triage: { reason: string } };
    const mine = (items: M[]) => items.filter((m) => ['stranger@example.com', 'an.nguyen@example.vn'].includes(m.from));
    const triage = mine((await call('GET', '/api/v1/support-triage')).body.items);
    expect(triage.map((m: { triage: { reason: string } }) => m.triage.reason).sort()).toEqual(['unknown-sender', 'unmatched']);
    const after = await t.db.selectFrom('support_tickets').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // Staff open a ticket from the stranger's mail once they know who it is; it leaves the list.
    const stranger = triage.find((m) => m.from === 'stranger@example.com')!;
    const r = await call('POST', `/api/v1/support-triage/${stranger.id}`, { action: 'open-ticket', customerId: ids.an });
    expect(r.body.triage.state).toBe('opened');
    const opened = await t.db.selectFrom('support_messages').select('ticket_id').where('id', '=', stranger.id).executeTakeFirstOrThrow();
    expect((await act(opened.ticket_id!, { action: 'reply', body: 'Chúng tôi gửi báo giá qua e-mail.' })).status).toBe(200);
    expect(mine((await call('GET', '/api/v1/support-triage')).body.items)).toHaveLength(1);
    expect((await call('POST', `/api/v1/support-triage/${stranger.id}`, { action: 'dismiss', reason: 'again' })).status).toBe(409);
    // The stranger gets a clear answer by e-mail, over real SMTP, in the business's language; automatic mail gets none.
    await mailer().sendMail({ from: 'mailer-daemon@example.com', to: 'support+vn@aftercare.test', subject: 'Undeliverable', text: 'bounce' });
    await mailer().sendMail({ from: 'robot@example.com', to: 'support+vn@aftercare.test', subject: 'Out of office', text: 'away', headers: { 'Auto-Submitted': 'auto-replied' } });
    const acks = await t.db.selectFrom('outbox').select(['payload']).where('organization_id', '=', vn()).where('topic', '=', 'support.mail-triaged').execute();
    expect(acks.map((a) => (a.payload as { contact: { email: string } }).contact.email).sort()).toEqual(['an.nguyen@example.vn', 'stranger@example.com']);
    const box = await startSmtp();
    try {
      const w = new DeliveryWorker(t.db, { ...t.config, smtp: box.config, mailFrom: 'desk@aftercare.test', publicUrl: 'https://shop.example' }, { batchSize: 500 });
      while ((await w.runOnce()) > 0);
      await w.stop();
      const ack = [...box.messages.values()].find((m) => m.to && !Array.isArray(m.to) && m.to.value[0].address === 'stranger@example.com');
      expect(ack?.subject).toContain('chúng tôi đã nhận thư của Quý khách');
      expect(ack?.text).toContain('Báo giá?');
      expect([...box.messages.values()].some((m) => m.to && !Array.isArray(m.to) && ['robot@example.com', 'mailer-daemon@example.com'].includes(m.to.value[0].address ?? ''))).toBe(false);
    } finally {
      await box.close();
    }
    // Mail for no business is refused at RCPT TO: the sender's server says so.
    await expect(mailer().sendMail({ from: 'an.nguyen@example.vn', to: 'nobody@aftercare.test', subject: 'x', text: 'x' })).rejects.toThrow(/550|No support desk/);
  });

  test('a training session on a working day with attendance; on a day off it is refused (VN-5)', async () => {
    at('2026-11-23T03:00:00Z');
    const bad = await call('POST', '/api/v1/training-sessions', { contractId: ids.contract, topic: 'Quản trị NAS', channel: 'online', startsAt: '2026-11-28T09:00:00+07:00', durationMinutes: 90 });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'day-off', rule: 'VN-5', reason: 'weekly-day-off', errors: [{ field: 'body.startsAt' }] });
    const ok = await call('POST', '/api/v1/training-sessions', { contractId: ids.contract, topic: 'Quản trị NAS', channel: 'online', startsAt: '2026-11-26T09:00:00+07:00', durationMinutes: 90, attendees: [{ name: 'Nguyễn Văn An' }, { name: 'Trần Thị Bình' }] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ date: '2026-11-26', state: 'scheduled', rule: 'VN-5' });
    const held = await call('POST', `/api/v1/training-sessions/${ok.body.id}/actions`, { action: 'attendance', version: 1, attendees: [{ name: 'Nguyễn Văn An', attended: true }, { name: 'Trần Thị Bình', attended: false }] });
    expect(held.body).toMatchObject({ state: 'held', attendees: [{ attended: true }, { attended: false }] });
  });

  test('SLA compliance of the contract: first answers and fixes within their clocks, on the page and as CSV', async () => {
    at('2026-12-02T02:00:00Z');
    const r = await call('GET', `/api/v1/contracts/${ids.contract}/sla?from=2026-11-25&to=2026-11-30&window=week`);
    expect(r.status).toBe(200);
    // The incident and the triaged mail answered in time, the question late: 2 of 3; the incident fixed in time: 1 of 1.
    expect(r.body.total.response).toMatchObject({ met: 2, late: 1, breached: 0, compliance: 66.7 });
    expect(r.body.total.resolution).toMatchObject({ met: 1, compliance: 100 });
    const csv = await app.inject({ url: `/api/v1/contracts/${ids.contract}/sla.csv?from=2026-11-25&to=2026-11-30`, headers: { cookie } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('66.7% (2/3)');
    expect(csv.body).toContain('maintenance-incident');
  });

  test('a severe incident is recorded with advice on recovery and on limiting the downtime (VN-7)', async () => {
    at('2026-11-24T02:00:00Z');
    const r = await call('POST', '/api/v1/support-tickets', { kind: 'incident', customerId: ids.an, deviceId: ids.nas, subject: 'RAID hỏng', description: 'Hai ổ đĩa hỏng, mất dữ liệu.', severity: 'severe' });
    const d = await act(r.body.id, { action: 'record-severe', recoveryAdvice: 'Khôi phục từ bản sao lưu ngoài.', downtimeAdvice: 'Chuyển sang ổ chia sẻ tạm thời.' });
    expect(d.body).toMatchObject({ severity: 'severe', advice: { rule: 'VN-7', recovery: 'Khôi phục từ bản sao lưu ngoài.' } });
    expect(d.body.clocks.find((c: { id: string }) => c.id === 'maintenance-incident').status).toBe('met');
  });

  test('signs of self-intervention make the incident paid help at the tier price (VN-3, VN-4); paid help is priced per started hour (VN-4)', async () => {
    at('2026-11-24T03:00:00Z');
    const r = await call('POST', '/api/v1/support-tickets', { kind: 'incident', customerId: ids.an, deviceId: ids.nas, subject: 'Quạt kêu', description: 'Quạt kêu to.' });
    const f = await act(r.body.id, { action: 'record-finding', finding: 'self-intervention' });
    expect(f.body.findings).toEqual([{ finding: 'self-intervention', rule: 'VN-3', effect: 'void' }]);
    expect(f.body.billing).toMatchObject({ billable: true, rule: 'VN-4', hourlyPriceMinor: 500000 });
    const p = await call('POST', '/api/v1/support-tickets', { kind: 'paid-help', customerId: ids.an, subject: 'Khôi phục dữ liệu do xoá nhầm', description: 'Xoá nhầm thư mục.' });
    expect(p.body.billing).toMatchObject({ billable: true, rule: 'VN-4', hourlyPriceMinor: 500000, currency: 'VND' });
    const done = await act(p.body.id, { action: 'resolve', summary: 'Đã khôi phục từ snapshot.', billableMinutes: 90 });
    expect(done.body.billing.amountMinor).toBe(1000000);
    // A covered incident has nothing to bill.
    const covered = await call('POST', '/api/v1/support-tickets', { kind: 'incident', customerId: ids.an, deviceId: ids.nas, subject: 'x', description: 'x' });
    expect((await act(covered.body.id, { action: 'resolve', summary: 'ok', billableMinutes: 30 })).body.code).toBe('not-billable');
  });

  test('an incident linked to a service order through the intake, whose warranty decision cites the manufacturer term (VN-1)', async () => {
    at('2026-11-24T04:00:00Z');
    const r = await call('POST', '/api/v1/support-tickets', { kind: 'incident', customerId: ids.an, deviceId: ids.nas, subject: 'Nguồn hỏng', description: 'Không lên nguồn.' });
    const d = await act(r.body.id, { action: 'open-service-order' });
    expect(d.status).toBe(200);
    const so = await t.db.selectFrom('service_orders').selectAll().where('id', '=', d.body.serviceOrderId).executeTakeFirstOrThrow();
    expect(so).toMatchObject({ customer_id: ids.an, device_id: ids.nas, state: 'claimed' });
    expect(JSON.stringify(so.decision)).toContain('VN-1');
    expect(d.body.thread.at(-1).body).toContain(so.number);
  });

  test('bad input gets a clear answer and changes nothing: a device outside the contract, an expired contract (VN-8)', async () => {
    at('2026-11-24T05:00:00Z');
    const before = await snapshot(t.db);
    const outside = await call('POST', '/api/v1/support-tickets', { kind: 'incident', customerId: ids.an, deviceId: ids.ups, subject: 'UPS', description: 'UPS kêu bíp.' });
    expect(outside.status).toBe(422);
    expect(outside.body).toMatchObject({ code: 'outside-contract-scope', errors: [{ field: 'body.deviceId' }], offer: { rule: 'VN-8' } });
    expect(await snapshot(t.db)).toEqual(before);
    // An old contract of the UPS, ended in June: it covers no new incident (its history stays).
    const old = await call('POST', '/api/v1/contracts', { customerId: ids.an, tier: 'standard', startsOn: '2025-07-01', endsOn: '2026-06-30', deviceIds: [ids.ups] });
    expect(old.body.status).toBe('expired');
    const mid = await snapshot(t.db);
    const expired = await call('POST', '/api/v1/support-tickets', { kind: 'incident', customerId: ids.an, deviceId: ids.ups, subject: 'UPS', description: 'UPS kêu bíp.' });
    expect(expired.status).toBe(422);
    expect(expired.body).toMatchObject({ code: 'contract-expired', endsOn: '2026-06-30', offer: { rule: 'VN-8' } });
    const named = await call('POST', '/api/v1/support-tickets', { kind: 'incident', customerId: ids.an, deviceId: ids.ups, contractId: old.body.id, subject: 'UPS', description: 'x' });
    expect(named.body).toMatchObject({ code: 'contract-expired', errors: [{ field: 'body.contractId' }] });
    const training = await call('POST', '/api/v1/training-sessions', { contractId: old.body.id, topic: 'x', channel: 'online', startsAt: '2026-11-26T09:00:00+07:00', durationMinutes: 60 });
    expect(training.body.code).toBe('contract-expired');
    expect(await snapshot(t.db)).toEqual(mid);
  });

  test('free advice through the online consultant (VN-1), stale versions and retries', async () => {
    const offer = await app.inject({ url: '/api/v1/consultant/vn?lang=vi' });
    expect(offer.json()).toMatchObject({ available: true, rule: 'VN-1' });
    const ask = await app.inject({ method: 'POST', url: '/api/v1/consultant/vn', payload: { name: 'Lê Minh', email: 'minh@example.vn', question: 'NAS nào phù hợp cho văn phòng 10 người?' } });
    expect(ask.statusCode).toBe(201);
    expect(ask.json()).toMatchObject({ rule: 'VN-1', sent: { name: 'Lê Minh' } });
    // A stale version is refused with the current state.
    const stale = await call('POST', `/api/v1/support-tickets/${ids.question}/actions`, { action: 'note', version: 1, body: 'x' });
    expect(stale.status).toBe(409);
    // A retried create with its Idempotency-Key creates once.
    const send = () => app.inject({ method: 'POST', url: '/api/v1/support-tickets', headers: { cookie, 'idempotency-key': 'q-1' }, payload: { kind: 'question', customerId: ids.an, subject: 'retry', description: 'retry' } });
    const [a, b] = [await send(), await send()];
    expect(b.json().id).toBe(a.json().id);
  });
});
