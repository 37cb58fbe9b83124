// From an outbox row to the messages it asks for: who receives it (the client, or the business's
// managers for deadline warnings), in which language (the order's, else the client's, else the
// business's first), through which channel (the client's preferred one when we have an address for
// it, else e-mail, else SMS), with the order page's link. Rendered once and stored.
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { fill, formatDate, formatMoney, formatTerm, pickLang, type DocLang } from '../documents/documents.i18n.ts';
import { clientPageUrl, portalLookupUrl, publicBaseUrl } from '../documents/documents.service.ts';
import type { OutboxRow } from './notifications.repository.ts';
import { customTemplate } from './message-templates.ts';
import { render, STAFF_TOPICS, word } from './notifications.templates.ts';
import { toE164 } from './sms.ts';

export interface Composed {
  audience: 'client' | 'staff';
  channel: 'email' | 'sms' | 'none';
  language: DocLang;
  recipient: string | null;
  subject: string;
  body: string;
  link: string | null;
  orderId: string | null;
  customerId: string | null;
}

type Payload = Record<string, unknown> & {
  orderId?: string;
  number?: string;
  customerId?: string | null;
  language?: string;
  channel?: string | null;
  orderPageToken?: string;
  amountMinor?: number;
  balanceDueMinor?: number;
  currency?: string;
  decision?: string;
  clock?: string;
  rule?: string;
  due?: string;
  version?: string;
  effective?: string;
  /** A text, or one per language ({ en, bg, vi }: a policy change's summary for the client's devices). */
  summary?: string | Record<string, string>;
  code?: string;
  to?: string;
};

const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));

function formatInstant(lang: DocLang, iso: string | undefined, timeZone: string) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${formatDate(lang, `${parts.year}-${parts.month}-${parts.day}`)} ${parts.hour}:${parts.minute}`;
}

/** The order page's link: the token the intake handed out (kept in its claim.received payload). */
async function orderLink(db: Db, config: Config, row: OutboxRow, p: Payload, orgSlug: string, lang: DocLang): Promise<string | null> {
  let token = p.orderPageToken;
  if (!token && p.orderId) {
    const first = await db
      .selectFrom('outbox')
      .select('payload')
      .where('organization_id', '=', row.organization_id)
      .where('aggregate_id', '=', p.orderId)
      .where('topic', '=', 'claim.received')
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    token = (first?.payload as Payload | undefined)?.orderPageToken;
  }
  if (token) return clientPageUrl(config, token, lang);
  // No link kept (revoked): the portal's lookup by order number and contact, for this business.
  return p.orderId ? portalLookupUrl(config, orgSlug, lang) : null;
}

export async function compose(db: Db, config: Config, row: OutboxRow): Promise<Composed[]> {
  const p = (row.payload ?? {}) as Payload;
  const org = await db.selectFrom('organizations').select(['id', 'slug', 'name', 'languages', 'time_zone']).where('id', '=', row.organization_id).executeTakeFirstOrThrow();
  const orderId = p.orderId ?? (row.aggregate_type === 'service-order' ? row.aggregate_id : null);

  if (STAFF_TOPICS.has(row.topic)) {
    const lang = pickLang(org.languages[0]);
    const staff = await db
      .selectFrom('staff_users')
      .select(['email'])
      .where('organization_id', '=', org.id)
      .where('role', 'in', ['owner', 'manager'])
      .where('disabled_at', 'is', null)
      .orderBy('id')
      .execute();
    const link = orderId ? `${publicBaseUrl(config)}/orders/${orderId}?lang=${lang}` : p.ticketId ? `${publicBaseUrl(config)}/support/tickets/${str(p.ticketId)}?lang=${lang}` : null;
    const clockName = (id: unknown) => word(lang, `clock.${str(id)}`).replace(/^clock\./, '');
    // Why the desk acted by itself, in the staff's language (a code and its values); a person's reason as they wrote it.
    const params = (p.reasonParams ?? {}) as Record<string, string>;
    const reason = p.reasonCode ? fill(word(lang, `support.reason.${str(p.reasonCode)}`), { ...params, clock: clockName(params.clock) }) : str(p.reason);
    const t = render(row.topic, lang, {
      business: org.name,
      number: str(p.number),
      // The clock by its name in the language, never its id ("first-response").
      clock: p.clock ? clockName(p.clock) : '',
      rule: str(p.rule),
      reason,
      summary: str(p.summary),
      due: formatInstant(lang, p.due, org.time_zone),
      link: link ?? '',
    }, await customTemplate(db, org.id, row.topic, lang))!;
    const to = staff.length ? staff.map((s) => s.email) : [null];
    return to.map((email) => ({ audience: 'staff', channel: email ? 'email' : 'none', language: lang, recipient: email, subject: t.subject, body: t.body, link, orderId, customerId: null }));
  }

  // A renewal reminder of a contract cancelled or renewed since it was written is stale: nothing goes out.
  if (row.topic === 'contract.renewal-reminder') {
    const c = await db.selectFrom('contracts').select(['state', 'renewal_on']).where('organization_id', '=', org.id).where('id', '=', row.aggregate_id).executeTakeFirst();
    if (!c || c.state === 'cancelled' || c.renewal_on !== str(p.renewalOn)) return [];
  }
  const customer = p.customerId
    ? await db
        .selectFrom('customers')
        .select(['id', 'name', 'email', 'phone', 'preferred_language', 'preferred_channel'])
        .where('organization_id', '=', org.id)
        .where('id', '=', p.customerId)
        .executeTakeFirst()
    : orderId
      ? await sentContact(db, org.id, orderId)
      : p.contact
        ? contactOf(p.contact as Record<string, unknown>, p.language)
        : undefined;
  const lang = pickLang(p.language, customer?.preferred_language, org.languages[0]);
  const link =
    row.topic === 'policy.changed'
      ? str(p.link) || publicBaseUrl(config)
      : row.topic === 'client.sign-in-link'
        ? `${publicBaseUrl(config)}/account/${org.slug}?token=${encodeURIComponent(str(p.signInToken))}&lang=${lang}`
        : row.topic === 'order.payment-link' && /^https?:\/\//.test(str(p.paymentUrl))
          ? // A Stripe Payment Link staff sent (issue 14): the client pays there.
            str(p.paymentUrl)
          : p.portal === true || row.aggregate_type === 'rma'
            ? // Registrations, plans and RMAs live in the client's account (it asks for a sign-in link when needed);
              // a plan about to expire opens on its device's plans.
              `${publicBaseUrl(config)}/account/${org.slug}?lang=${lang}${row.topic === 'plan.expiring' && str(p.deviceId) ? `&device=${encodeURIComponent(str(p.deviceId))}` : ''}`
            : await orderLink(db, config, row, p, org.slug, lang);
  const inLanguage = (x: unknown) => (x && typeof x === 'object' ? str((x as Record<string, string>)[lang] ?? (x as Record<string, string>).en) : str(x));
  const amountMinor = typeof p.amountMinor === 'number' ? p.amountMinor : typeof p.balanceDueMinor === 'number' ? p.balanceDueMinor : undefined;
  const t = render(row.topic, lang, {
    business: org.name,
    name: customer?.name ?? '',
    // "Hello Maria," — or, without a name, the language's greeting alone ("Здравейте,", "Kính gửi Quý khách,").
    greeting: customer?.name?.trim() ? fill(word(lang, 'greeting'), { name: customer.name.trim() }) : word(lang, 'greetingNoName'),
    number: str(p.number),
    link: link ?? '',
    amount: amountMinor !== undefined && p.currency ? formatMoney(lang, amountMinor, p.currency) : '',
    decision: p.decision ? word(lang, p.decision) : '',
    due: formatInstant(lang, p.due, org.time_zone),
    rule: str(p.rule) || (row.topic === 'policy.changed' ? 'ITS-11' : ''),
    clock: str(p.clock),
    version: str(p.version),
    effective: p.effective ? formatDate(lang, p.effective) : '',
    summary: p.summary && typeof p.summary === 'object' ? (p.summary[lang] ?? p.summary.en ?? '') : str(p.summary),
    code: str(p.code),
    // Registrations and plans (issue 14).
    serial: str(p.serial),
    device: str(p.device),
    plan: inLanguage(p.planName),
    plans: Array.isArray(p.planNames) ? p.planNames.map(inLanguage).join(', ') : '',
    duration: p.duration ? formatTerm(lang, str(p.duration)) : '',
    end: typeof p.end === 'string' ? formatDate(lang, p.end) : '',
    // RMAs (issue 12): a reason staff gave, the diagnosis or dispute outcome and the late-return consequence, in words.
    reason: str(p.reason),
    outcome: p.outcome ? word(lang, `rma.outcome.${str(p.outcome)}`) : '',
    consequence: p.consequence ? word(lang, `rma.consequence.${str(p.consequence)}`) : '',
    // A message staff wrote to the client on the order page (issue 16), as written.
    message: str(p.text),
  }, await customTemplate(db, org.id, row.topic, lang));
  if (!t) return [];
  // The client's channel: the order's contact channel, else their preference; only where we have an
  // address for it. 'phone', 'post' and 'in-person' clients still get an e-mail (or SMS) when we have one.
  const email = customer?.email ?? null;
  const phone = customer?.phone ? (toE164(customer.phone) ?? null) : null;
  const wanted = str(p.channel) || customer?.preferred_channel || 'email';
  let channel: Composed['channel'] = 'none';
  if (row.topic === 'client.sign-in-link') {
    // Only to the address the link was asked for: possession of that mailbox is the proof.
    const to = str(p.email) || null;
    return [{ audience: 'client', channel: to ? 'email' : 'none', language: lang, recipient: to, subject: t.subject, body: t.body, link, orderId: null, customerId: customer?.id ?? null }];
  }
  if (row.topic === 'order.lookup-code') {
    // Only to the contact the code was asked for (the one given with the order number): e-mail or SMS.
    const to = p.channel === 'sms' ? (toE164(str(p.to)) ?? null) : str(p.to) || null;
    const via = to ? (p.channel === 'sms' ? 'sms' : 'email') : 'none';
    return [{ audience: 'client', channel: via, language: lang, recipient: to, subject: t.subject, body: via === 'sms' ? t.sms : t.body, link: null, orderId, customerId: customer?.id ?? null }];
  }
  if (wanted === 'sms' && phone) channel = 'sms';
  else if (email) channel = 'email';
  else if (phone) channel = 'sms';
  const recipient = channel === 'email' ? email : channel === 'sms' ? phone : null;
  return [{ audience: 'client', channel, language: lang, recipient, subject: t.subject, body: channel === 'sms' ? t.sms : t.body, link, orderId, customerId: customer?.id ?? null }];
}

/**
 * A public web claim that staff have not linked yet has no customer record: its messages go to the
 * contact the client sent with it (issue 15).
 */
async function sentContact(db: Db, orgId: string, orderId: string) {
  const o = await db.selectFrom('service_orders').select(['submitted']).where('organization_id', '=', orgId).where('id', '=', orderId).where('customer_id', 'is', null).executeTakeFirst();
  const sent = o?.submitted as { name?: string; email?: string; phone?: string; language?: string } | null | undefined;
  if (!sent) return undefined;
  return { id: null, name: sent.name ?? '', email: sent.email ?? null, phone: sent.phone ?? null, preferred_language: sent.language ?? null, preferred_channel: sent.email ? 'email' : 'sms' };
}

/**
 * Someone who is not a client, writing to the online consultant (SC-1): the ticket's messages go to
 * the contact they gave (only to it).
 */
function contactOf(c: Record<string, unknown>, language: unknown) {
  const s = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return { id: null, name: s(c.name) ?? '', email: s(c.email), phone: s(c.phone), preferred_language: s(language), preferred_channel: s(c.email) ? 'email' : 'sms' };
}
