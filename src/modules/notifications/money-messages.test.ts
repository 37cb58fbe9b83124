// The messages of registrations and plans (issue 14: ITS-5, ITS-3, ITS-10) over real SMTP, in
// English, Bulgarian and Vietnamese: each topic's words filled from its outbox payload (the fee or
// the price in the language's format, the plan's name in the language, the dates), every
// placeholder filled, and the link to the client's account, where registrations and plans live.
import { describe, expect, test } from 'vitest';
import type { Config } from '../../config.ts';
import { uuidv7 } from '../../db/ids.ts';
import { type TestContext } from '../../../test/db.ts';
import type { Mailbox } from '../../../test/smtp.ts';
import { useAppWithMailbox } from '../../../test/mail-app.ts';
import { enqueue } from '../../core/outbox.ts';
import { DeliveryWorker } from './delivery-worker.ts';

let t: TestContext;
let box: Mailbox;
useAppWithMailbox(undefined, (s) => ({ t, box } = s));

const PLAN = { en: 'Extended warranty, 12 months', bg: 'Удължена гаранция, 12 месеца', vi: 'Gia hạn bảo hành 12 tháng' };
const payloads: Record<string, Record<string, unknown>> = {
  'registration.valid': { number: 'REG-2026-000042', rule: 'ITS-5', amountMinor: 1500, currency: 'USD' },
  'registration.payment-reminder': { number: 'REG-2026-000042', rule: 'ITS-5', amountMinor: 1500, currency: 'USD', due: '2026-11-28T15:00:00Z', clock: 'registration-payment' },
  'registration.expired': { number: 'REG-2026-000042', rule: 'ITS-5' },
  'registration.refused': { number: 'REG-2026-000042', rule: 'ITS-5' },
  'plan.purchased': { planId: 'plus-12-months', planName: PLAN, duration: '12 months', serial: 'DEMO-ITS-SERVER', device: 'Synology RS822+', amountMinor: 8900, currency: 'USD', rule: 'ITS-3' },
  'plan.after-expiry-offer': { serial: 'DEMO-ITS-SERVER', device: 'Synology RS822+', end: '2026-11-20', plans: ['plus-12-months'], planNames: [PLAN], rule: 'ITS-10' },
};
// What each says, by language: the words a native reader looks for.
const expected: Record<string, Record<'en' | 'bg' | 'vi', string[]>> = {
  'registration.valid': { en: ['is confirmed', '15.00', 'ITS-5'], bg: ['е потвърдена', '15,00', 'гаранцията му е валидна'], vi: ['đã được xác nhận', '15,00', 'bảo hành có hiệu lực'] },
  'registration.payment-reminder': { en: ['waiting for its fee', '15.00', '28'], bg: ['очаква плащане', '28.11.2026'], vi: ['chờ thanh toán', '28/11/2026'] },
  'registration.expired': { en: ['has lapsed'], bg: ['изтече'], vi: ['hết hiệu lực'] },
  'registration.refused': { en: ['could not accept', 'refunded to your card'], bg: ['не можем да приемем', 'възстановява по картата'], vi: ['chưa thể chấp nhận', 'hoàn về thẻ'] },
  'plan.purchased': { en: ['Extended warranty, 12 months', '12 months', '89.00'], bg: ['Удължена гаранция, 12 месеца', '12 месеца', '89,00'], vi: ['Gia hạn bảo hành 12 tháng', '12 tháng', '89,00'] },
  'plan.after-expiry-offer': { en: ['has ended', 'Extended warranty, 12 months', 'ITS-10'], bg: ['изтече на 20.11.2026', 'Удължена гаранция, 12 месеца'], vi: ['hết hạn vào ngày 20/11/2026', 'Gia hạn bảo hành 12 tháng'] },
};

describe('registration and plan messages over SMTP (issue 14)', () => {
  const cases = Object.keys(payloads).flatMap((topic) => (['en', 'bg', 'vi'] as const).map((lang) => [topic, lang] as const));
  test.each(cases)('%s in %s: its words, every placeholder filled, the account link', async (topic, lang) => {
    const clinic = await t.db.selectFrom('customers').select('id').where('email', '=', 'office@riverside-dental.example.com').executeTakeFirstOrThrow();
    const id = await t.db.transaction().execute(async (tx) => (await enqueue(tx, { organizationId: t.orgs.its, topic, aggregateType: 'device', aggregateId: uuidv7(), payload: { ...payloads[topic], customerId: clinic.id, language: lang, portal: true } }))!);
    const config: Config = { ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test', publicUrl: 'https://its.example.com' };
    const w = new DeliveryWorker(t.db, config);
    await w.runOnce();
    await w.stop();
    const [n] = await t.db.selectFrom('notifications').selectAll().where('outbox_id', '=', id).execute();
    expect(n).toMatchObject({ status: 'sent', channel: 'email', language: lang, recipient: 'office@riverside-dental.example.com' });
    const mail = box.messages.get(`<${n.message_key}>`)!;
    const text = `${mail.subject}\n${mail.text}`;
    for (const words of expected[topic][lang]) expect(text).toContain(words);
    expect(text).not.toMatch(/\{\w+\}/);
    expect(mail.text).toContain(`https://its.example.com/account/its?lang=${lang}`);
    expect(mail.headers.get('content-language')).toBe(lang);
  });
});
