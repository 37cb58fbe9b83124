// After the fix: a client's answer to a resolved ticket reopens it through the transition writer
// (audit, the resolution clock running on, the desk told), a closed ticket takes no reply; the desk's
// own reasons (a clock at risk) reach every reader in their language; the client opens the files of
// their own thread. On the real database, mail over the app's own SMTP receiver; every moment pinned.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sweepDueTimers } from '../../core/timers.ts';
import { newToken, sha256 } from '../../core/tokens.ts';
import { buildApp } from '../../server/app.ts';
import { DiskStorage } from '../../storage/index.ts';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { compose } from '../notifications/notifications.compose.ts';
import { startMailIn, type MailIn } from './support.service.ts';

let t: TestContext;
let app: Awaited<ReturnType<typeof buildApp>>;
let mailIn: MailIn;
let clock = new Date('2026-11-23T02:00:00Z');
const at = (iso: string) => (clock = new Date(iso));
let cookie: string;
let client: { cookie: string };
const vn = () => t.orgs.vn;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await setupApp();
  const storage = new DiskStorage(t.config.filesDir);
  app = await buildApp({ db: t.db, pool: t.pool, config: t.config, storage, now: () => clock });
  await app.ready();
  mailIn = await startMailIn({ db: t.db, storage, host: '127.0.0.1', port: 0, now: () => clock });
  cookie = t.cookies.vn.manager;
  ids.an = (await t.db.selectFrom('customers').select('id').where('organization_id', '=', vn()).where('email', '=', 'an.nguyen@example.vn').executeTakeFirstOrThrow()).id;
  ids.nas = (await t.db.selectFrom('devices').select('id').where('organization_id', '=', vn()).where('serial', '=', 'DEMO-VN-NAS').executeTakeFirstOrThrow()).id;
  const token = newToken();
  await t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: vn(), email: 'an.nguyen@example.vn', expires_at: new Date('2199-01-01T00:00:00Z') }).execute();
  client = { cookie: `aftercare_client=${token}` };
  const k = await call('POST', '/api/v1/contracts', { customerId: ids.an, tier: 'standard', startsOn: '2026-01-01', endsOn: '2027-12-31', priceMinor: 24000000, included: [{ service: 'incident-fixing' }], deviceIds: [ids.nas] });
  expect(k.status).toBe(201);
});
afterAll(async () => {
  await mailIn?.close();
  await app?.close();
  await t?.close();
});

async function call(method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = { cookie }) {
  const r = await app.inject({ method, url, payload, headers });
  return { status: r.statusCode, body: String(r.headers['content-type'] ?? '').includes('json') ? r.json() : r.body, headers: r.headers };
}
const ticket = async (id: string) => (await call('GET', `/api/v1/support-tickets/${id}`)).body;
const act = async (id: string, body: object) => call('POST', `/api/v1/support-tickets/${id}/actions`, { version: (await ticket(id)).version, ...body });
const reply = (id: string, text: string, key: string) => call('POST', `/api/v1/client/support/tickets/${id}/replies`, { body: text }, { ...client, 'idempotency-key': key });
const resolution = (d: { clocks: { id: string; status: string; due: string; pausedMs: number }[] }) => d.clocks.find((c) => c.id === 'incident-resolution')!;
const outbox = (id: string, topic: string) => t.db.selectFrom('outbox').selectAll().where('aggregate_id', '=', id).where('topic', '=', topic).orderBy('created_at').execute();

async function resolvedIncident(subject: string) {
  const r = await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: ids.an, deviceId: ids.nas, subject, description: 'Mô tả sự cố.' });
  expect(r.status).toBe(201);
  expect((await act(r.body.id, { action: 'reply', body: 'Kỹ sư đang kiểm tra.' })).status).toBe(200);
  const done = await act(r.body.id, { action: 'resolve', summary: 'Đã khắc phục.' });
  expect(done.body).toMatchObject({ state: 'resolved' });
  return done.body as { id: string; number: string; version: number; clocks: { id: string; status: string; due: string; pausedMs: number; stoppedAt: string | null }[] };
}

describe('a client answers a resolved ticket: it is reopened (VN-6)', () => {
  test("the client's portal reply reopens it through the transition writer: in progress, audited, the resolution clock running on without the resolved time, the desk told", async () => {
    at('2026-11-23T02:00:00Z'); // Monday 09:00 in Hà Nội
    const d = await resolvedIncident('Máy chủ NAS khởi động lại liên tục');
    ids.first = d.id;
    const stopped = resolution(d);
    expect(stopped.status).toBe('met');
    at('2026-11-24T02:00:00Z'); // a day later, the fault is back
    const r = await reply(d.id, 'Sự cố lại xảy ra sáng nay.', 'reopen-1');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ state: 'in-progress', resolvedAt: null, canReply: true });
    const again = await reply(d.id, 'Sự cố lại xảy ra sáng nay.', 'reopen-1'); // a retry adds nothing
    expect(again.body).toEqual(r.body);

    const staff = await ticket(d.id);
    expect(staff).toMatchObject({ state: 'in-progress', resolvedAt: null });
    expect(staff.allowedActions).toContain('resolve');
    // The clock runs on from where it stopped: the day it stood resolved is not the desk's time.
    const running = resolution(staff);
    expect(running.status).toBe('running');
    expect(running.pausedMs).toBe(24 * 3600_000);
    expect(new Date(running.due).getTime()).toBeGreaterThan(clock.getTime());
    const timers = await t.db.selectFrom('timers').innerJoin('clocks', 'clocks.id', 'timers.clock_row_id').select(['timers.kind']).where('clocks.subject_id', '=', d.id).where('clocks.clock_id', '=', 'incident-resolution').where('timers.fired_at', 'is', null).where('timers.cancelled_at', 'is', null).execute();
    expect(timers.map((x) => x.kind).sort()).toEqual(['at-risk', 'due']);
    // The thread: the client's message, then the desk's event.
    const last = staff.thread.slice(-2);
    expect(last[0]).toMatchObject({ direction: 'in', channel: 'portal', body: 'Sự cố lại xảy ra sáng nay.' });
    expect(last[1]).toMatchObject({ direction: 'event', data: { reopened: true, by: 'client' } });
    // Once, through the core: one audit row of the transition, from resolved.
    const audits = await t.db.selectFrom('audit_events').selectAll().where('entity_id', '=', d.id).where('action', '=', 'support-incident.client-replied').execute();
    expect(audits).toHaveLength(1);
    expect(audits[0].before).toMatchObject({ state: 'resolved' });
    expect(audits[0].after).toMatchObject({ state: 'in-progress', reopened: true, by: 'client' });
    // The desk hears of it, in the business's language (Vietnamese), with a link to the ticket.
    const told = await outbox(d.id, 'support.reopened');
    expect(told).toHaveLength(1);
    const mails = await compose(t.db, t.config, told[0]);
    expect(mails.length).toBeGreaterThan(0);
    expect(mails[0]).toMatchObject({ audience: 'staff', language: 'vi' });
    expect(mails[0].subject).toContain(d.number);
    expect(mails[0].subject).toContain('mở lại');
    expect(mails[0].body).toContain(`/support/tickets/${d.id}`);
  });

  test('a reply by e-mail to a resolved ticket, through the real SMTP receiver, reopens it the same way', async () => {
    at('2026-11-25T02:00:00Z');
    const d = await resolvedIncident('Sao lưu bị lỗi');
    at('2026-11-25T05:00:00Z');
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: mailIn.port, secure: false, ignoreTLS: true });
    await mailer.sendMail({ from: 'Nguyễn Văn An <an.nguyen@example.vn>', to: 'support+vn@aftercare.test', subject: `Re: [${d.number}] Sao lưu bị lỗi`, text: 'Vẫn còn lỗi.' });
    const staff = await ticket(d.id);
    expect(staff.state).toBe('in-progress');
    expect(resolution(staff)).toMatchObject({ status: 'running', pausedMs: 3 * 3600_000 });
    expect(staff.thread.at(-1)).toMatchObject({ direction: 'event', data: { reopened: true, by: 'client' } });
  });

  test('staff reopen a resolved ticket with a reason: the resolution clock runs on in the same way', async () => {
    at('2026-11-26T02:00:00Z');
    const d = await resolvedIncident('Mất kết nối VPN');
    at('2026-11-26T04:00:00Z');
    const r = await act(d.id, { action: 'reopen', reason: 'khách hàng gọi điện báo lỗi lại' });
    expect(r.status).toBe(200);
    expect(r.body.state).toBe('in-progress');
    expect(resolution(r.body)).toMatchObject({ status: 'running', pausedMs: 2 * 3600_000 });
    expect(r.body.thread.at(-1)).toMatchObject({ direction: 'event', data: { reopened: true, by: 'staff', reason: 'khách hàng gọi điện báo lỗi lại' } });
  });

  test('a closed ticket takes no reply: 409 ticket-closed with a clear message, and nothing changes', async () => {
    at('2026-11-27T02:00:00Z');
    const d = await resolvedIncident('Máy in mạng không in');
    expect((await act(d.id, { action: 'close' })).body.state).toBe('closed');
    const before = await ticket(d.id);
    const view = await call('GET', `/api/v1/client/support/tickets/${d.id}`, undefined, client);
    expect(view.body.canReply).toBe(false);
    const r = await reply(d.id, 'Máy in lại lỗi.', 'closed-1');
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'ticket-closed', current: { state: 'closed' } });
    expect(r.body.detail).toContain('open a new request');
    const after = await ticket(d.id);
    expect(after.version).toBe(before.version);
    expect(after.thread).toHaveLength(before.thread.length);
    // Mail to it is not lost: it waits in the triage list.
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: mailIn.port, secure: false, ignoreTLS: true });
    await mailer.sendMail({ from: 'an.nguyen@example.vn', to: 'support+vn@aftercare.test', subject: `Re: [${d.number}] Máy in mạng không in`, text: 'Máy in lại lỗi.' });
    const triage = (await call('GET', '/api/v1/support-triage?limit=100')).body.items;
    expect(triage.find((m: { subject: string }) => m.subject.includes(d.number))).toMatchObject({ triage: { state: 'open', reason: 'ticket-closed' } });
  });
});

describe("the desk's own reasons in the reader's language (VN-6)", () => {
  test('an escalation at risk stores a code and its values; the staff e-mail says it in Vietnamese, with the clock by its name', async () => {
    at('2026-11-30T02:00:00Z'); // Monday 09:00
    const r = await call('POST', '/api/v1/support-tickets', { kind: 'incident', channel: 'phone', customerId: ids.an, deviceId: ids.nas, subject: 'Tường lửa chặn truy cập', description: 'Không truy cập được máy chủ.' });
    expect(r.status).toBe(201);
    // 24 h, at risk 4 h before: Tuesday 05:00 Hà Nội.
    await sweepDueTimers(t.db, new Date('2026-11-30T22:30:00Z'));
    const d = await ticket(r.body.id);
    expect(d.level).toBe('L2');
    const event = d.thread.find((m: { direction: string; data: { to?: string } | null }) => m.direction === 'event' && m.data?.to === 'L2');
    expect(event.data).toMatchObject({ reasonCode: 'clock-at-risk', reasonParams: { clock: 'maintenance-incident', rule: 'VN-6' } });
    const [row] = await outbox(r.body.id, 'support.escalated');
    expect(row.payload).toMatchObject({ reasonCode: 'clock-at-risk', reasonParams: { clock: 'maintenance-incident', rule: 'VN-6' } });
    const [mail] = await compose(t.db, t.config, row);
    expect(mail.language).toBe('vi');
    expect(mail.body).toContain('thời hạn sự cố bảo trì sắp bị trễ (VN-6)');
    expect(mail.body).not.toContain('at risk');
  });
});

describe("the client opens the files of their own thread (portal attachments)", () => {
  test('a file that came by mail downloads from the portal as an attachment with the sandboxing CSP; another ticket, an internal note or no session gets nothing', async () => {
    at('2026-12-01T02:00:00Z');
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: mailIn.port, secure: false, ignoreTLS: true });
    const first = await ticket(ids.first);
    await mailer.sendMail({ from: 'an.nguyen@example.vn', to: 'support+vn@aftercare.test', subject: `Re: [${first.number}] log`, text: 'Nhật ký đính kèm.', attachments: [{ filename: 'nhật-ký.log', content: 'disk 2: I/O error\n' }] });
    const view = (await call('GET', `/api/v1/client/support/tickets/${ids.first}`, undefined, client)).body;
    const m = view.thread.find((x: { attachments: unknown[] }) => x.attachments.length);
    expect(m.attachments[0]).toMatchObject({ filename: 'nhật-ký.log', id: expect.any(String) });
    const url = `/api/v1/client/support/tickets/${ids.first}/messages/${m.id}/attachments/${m.attachments[0].id}`;
    const file = await call('GET', url, undefined, client);
    expect(file.status).toBe(200);
    expect(file.body).toBe('disk 2: I/O error\n');
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(String(file.headers['content-disposition'])).toMatch(/^attachment;/);
    expect(file.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    // Through another ticket's address (of the same client): not found.
    const other = await resolvedIncident('Khác');
    expect((await call('GET', `/api/v1/client/support/tickets/${other.id}/messages/${m.id}/attachments/${m.attachments[0].id}`, undefined, client)).status).toBe(404);
    // Another client's ticket: not found; no session: 401.
    const someone = newToken();
    await t.db.insertInto('client_sessions').values({ token_hash: sha256(someone), organization_id: vn(), email: 'someone.else@example.vn', expires_at: new Date('2199-01-01T00:00:00Z') }).execute();
    expect((await call('GET', url, undefined, { cookie: `aftercare_client=${someone}` })).status).toBe(404);
    expect((await call('GET', url, undefined, {})).status).toBe(401);
    // Bad input names the field.
    const bad = await call('GET', `/api/v1/client/support/tickets/${ids.first}/messages/${m.id}/attachments/nope`, undefined, client);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toContain('attachmentId');
  });
});
