// The business's own message templates (issue 16): edited per language by owners and managers,
// validated (only the topic's placeholders), previewed with a sample order by the same renderer,
// versioned and audited, sent instead of the shipped text over real SMTP, and seen by no other business.
import { describe, expect, test } from 'vitest';
import type { Config } from '../../config.ts';
import { enqueue } from '../../core/outbox.ts';
import { uuidv7 } from '../../db/ids.ts';
import { type TestContext } from '../../../test/db.ts';
import type { Mailbox } from '../../../test/smtp.ts';
import { useAppWithMailbox } from '../../../test/mail-app.ts';
import { DeliveryWorker } from './delivery-worker.ts';

let t: TestContext;
let box: Mailbox;
useAppWithMailbox(undefined, (s) => ({ t, box } = s));

const as = (org: string, role: 'owner' | 'manager' | 'front-desk' | 'technician' = 'owner') => ({ cookie: t.cookies[org][role] });
const BG = {
  subject: '{business}: {number} е готова за получаване',
  body: '{greeting}\n\nРемонтът приключи. Можете да вземете устройството от сервиза ни на бул. Витоша 12.\nЗа плащане: {amount}.\n\n{link}\n\nЕкипът на {business}',
  sms: '{business}: {number} е готова. Дължимо: {amount}.',
};
const url = (topic: string, lang: string) => `/api/v1/message-templates/${topic}/${lang}`;

describe('editing a message', () => {
  test('lists every topic with the shipped text per language and the placeholders it offers', async () => {
    const r = await t.app.inject({ url: '/api/v1/message-templates', headers: as('itema-pg') });
    expect(r.statusCode).toBe(200);
    const ready = r.json().topics.find((x: { topic: string }) => x.topic === 'order.ready');
    expect(ready.audience).toBe('client');
    expect(ready.placeholders).toEqual(expect.arrayContaining(['amount', 'business', 'greeting', 'link', 'number']));
    expect(ready.languages.bg.default.subject).toContain('{number}');
    expect(ready.languages.bg.custom).toBeNull();
    const code = r.json().topics.find((x: { topic: string }) => x.topic === 'order.lookup-code');
    expect(code.required).toEqual([{ field: 'body', placeholder: 'code' }, { field: 'sms', placeholder: 'code' }]);
  });

  test('the preview is the text as sent, filled with a sample order in the language', async () => {
    const r = await t.app.inject({ method: 'POST', url: `${url('order.ready', 'bg')}/preview`, headers: as('itema-pg', 'manager'), payload: BG });
    expect(r.statusCode).toBe(200);
    expect(r.json().subject).toBe('ITEMA-PG: SO-2027-000123 е готова за получаване');
    expect(r.json().body).toContain('Здравейте, Мария Иванова');
    expect(r.json().body).toMatch(/За плащане: 123,45 (€|EUR)/);
    expect(r.json().body).toContain('/order/example?lang=bg');
    expect(r.json().sms).not.toMatch(/[{}]/);
  });

  test('an unknown placeholder or a broken brace is refused naming the field, and nothing is saved', async () => {
    const before = await t.db.selectFrom('message_templates').selectAll().execute();
    const bad = await t.app.inject({ method: 'PUT', url: url('order.ready', 'bg'), headers: as('itema-pg'), payload: { ...BG, body: 'Здравейте, {clientName}', version: 0 } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'body.body', code: 'unknown-placeholder', placeholder: 'clientName' })]);
    const broken = await t.app.inject({ method: 'PUT', url: url('order.ready', 'bg'), headers: as('itema-pg'), payload: { ...BG, sms: '{business: готово {number}', version: 0 } });
    expect(broken.statusCode).toBe(422);
    expect(broken.json().errors).toEqual([expect.objectContaining({ field: 'body.sms', code: 'broken-template' })]);
    // The one-time code cannot be left out of its own message.
    const code = await t.app.inject({ method: 'PUT', url: url('order.lookup-code', 'bg'), headers: as('itema-pg'), payload: { subject: 'Код', body: 'Вашият код', sms: 'Код: {code}', version: 0 } });
    expect(code.statusCode).toBe(422);
    expect(code.json().errors).toEqual([expect.objectContaining({ field: 'body.body', code: 'missing-placeholder', placeholder: 'code' })]);
    const preview = await t.app.inject({ method: 'POST', url: `${url('order.ready', 'bg')}/preview`, headers: as('itema-pg'), payload: { ...BG, subject: '{nope}' } });
    expect(preview.statusCode).toBe(422);
    expect(preview.json().errors[0].field).toBe('body.subject');
    expect(await t.db.selectFrom('message_templates').selectAll().execute()).toEqual(before);
  });

  test('technicians and the front desk may not edit the messages', async () => {
    for (const role of ['technician', 'front-desk'] as const) {
      const r = await t.app.inject({ method: 'PUT', url: url('order.ready', 'bg'), headers: as('itema-pg', role), payload: { ...BG, version: 0 } });
      expect(r.statusCode).toBe(403);
    }
  });

  test('saved with versions: a stale version is 409 and loses nothing; each save is audited', async () => {
    const first = await t.app.inject({ method: 'PUT', url: url('order.ready', 'bg'), headers: as('itema-pg'), payload: { ...BG, version: 0 } });
    expect(first.statusCode).toBe(200);
    expect(first.json().languages.bg.custom).toMatchObject({ ...BG, version: 1 });
    const stale = await t.app.inject({ method: 'PUT', url: url('order.ready', 'bg'), headers: as('itema-pg', 'manager'), payload: { ...BG, subject: 'друго', version: 0 } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current.languages.bg.custom.subject).toBe(BG.subject);
    const audit = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', t.orgs['itema-pg']).where('entity_type', '=', 'message-template').execute();
    expect(audit.map((a) => [a.action, a.entity_id])).toEqual([['message-template-saved', 'order.ready:bg']]);
    expect(audit[0].after).toMatchObject({ subject: BG.subject, version: 1 });
  });
});

describe('what is sent', () => {
  const withSmtp = (): Config => ({ ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test', publicUrl: 'https://shop.example' });

  test("an edited Bulgarian template is what arrives in the mailbox; the English message keeps the shipped text", async () => {
    const ivan = await t.db.selectFrom('customers').selectAll().where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
    const orderId = uuidv7();
    const put = (language: string) =>
      t.db.transaction().execute(async (tx) => (await enqueue(tx, { organizationId: t.orgs['itema-pg'], topic: 'order.ready', aggregateType: 'service-order', aggregateId: orderId, payload: { orderId, number: 'SO-2026-000777', customerId: ivan.id, language, channel: 'email', balanceDueMinor: 4990, currency: 'EUR', orderPageToken: 'tok-tpl' } }))!);
    const bg = await put('bg');
    const en = await put('en');
    const w = new DeliveryWorker(t.db, withSmtp());
    await w.runOnce();
    await w.stop();
    const mailOf = async (id: string) => {
      const [n] = await t.db.selectFrom('notifications').selectAll().where('outbox_id', '=', id).execute();
      expect(n.status).toBe('sent');
      return box.messages.get(`<${n.message_key}>`)!;
    };
    const mail = await mailOf(bg);
    expect(mail.subject).toBe('ITEMA-PG: SO-2026-000777 е готова за получаване');
    expect(mail.text).toContain('Здравейте, Иван Петров');
    expect(mail.text).toContain('Можете да вземете устройството от сервиза ни на бул. Витоша 12.');
    expect(mail.text).toMatch(/За плащане: 49,90 (€|EUR)/);
    expect(mail.text).toContain('Екипът на ITEMA-PG');
    expect((await mailOf(en)).text).not.toContain('Витоша');
  });

  test('another organization never sees it, and its messages keep the shipped text', async () => {
    const list = await t.app.inject({ url: '/api/v1/message-templates', headers: as('itmall') });
    const ready = list.json().topics.find((x: { topic: string }) => x.topic === 'order.ready');
    expect(ready.languages.bg.custom).toBeNull();
    expect(list.body).not.toContain('Витоша');
    // Its own save does not touch ITEMA-PG's text (the same topic and language).
    const own = await t.app.inject({ method: 'PUT', url: url('order.ready', 'bg'), headers: as('itmall'), payload: { ...BG, subject: 'ITMall {number}', version: 0 } });
    expect(own.statusCode).toBe(200);
    const reset = await t.app.inject({ method: 'DELETE', url: `${url('order.ready', 'bg')}?version=1`, headers: as('itmall') });
    expect(reset.json().languages.bg.custom).toBeNull();
    const itema = await t.app.inject({ url: '/api/v1/message-templates', headers: as('itema-pg') });
    expect(itema.json().topics.find((x: { topic: string }) => x.topic === 'order.ready').languages.bg.custom.subject).toBe(BG.subject);
  });

  test('reset to the default: the shipped text is sent again, the last text kept in the audit', async () => {
    const stale = await t.app.inject({ method: 'DELETE', url: `${url('order.ready', 'bg')}?version=7`, headers: as('itema-pg') });
    expect(stale.statusCode).toBe(409);
    const r = await t.app.inject({ method: 'DELETE', url: `${url('order.ready', 'bg')}?version=1`, headers: as('itema-pg', 'manager') });
    expect(r.statusCode).toBe(200);
    expect(r.json().languages.bg.custom).toBeNull();
    const a = await t.db.selectFrom('audit_events').selectAll().where('organization_id', '=', t.orgs['itema-pg']).where('action', '=', 'message-template-reset').executeTakeFirstOrThrow();
    expect(a.before).toMatchObject({ subject: BG.subject });
  });
});
