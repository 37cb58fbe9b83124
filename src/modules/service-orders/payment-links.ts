// Stripe Payment Links for an order (issue 14; docs/payments.md "Payment Links"): the second card
// channel beside Checkout. Staff (front desk, manager, owner) send the client a link for what the
// order has due now, by the order's contact channel (e-mail or SMS) in the client's language, through
// the outbox (`order.payment-link`). Sending again while that link is active re-sends the same link;
// a balance that changed meanwhile switches the old link off in Stripe and makes a new one. The
// client pays on Stripe's page; the signed `checkout.session.completed` carrying the link records the
// payment in the ledger once (the order's own Stripe handler, src/modules/service-orders/online-payments.ts,
// amount and currency checked by the webhook), and the link is then switched off.
import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/index.ts';
import type { Actor } from '../../core/actor.ts';
import { notFound, problem, type ProblemCode } from '../../core/errors.ts';
import * as billing from '../billing/billing.service.ts';
import { BillingErrors } from '../billing/billing.errors.ts';
import { pickLang, t as docText } from '../documents/documents.i18n.ts';
import { orderPageLink } from '../documents/documents.service.ts';
import { StripeErrors } from '../stripe/stripe.errors.ts';
import { checkoutsOf, createPaymentLink, deactivatePaymentLink, PAYMENT_LINK_PROBLEMS, stripeEnabled, type CheckoutRow } from '../stripe/stripe.service.ts';
import { changeIn } from './changes.ts';
import { KIND } from './online-payments.ts';
import * as repo from './repository.ts';
import type { OrderRow } from './repository.ts';
import { ServiceOrderErrors } from './service-orders.errors.ts';

export const SEND_LINK_PROBLEMS = ['not-found', 'nothing-due', 'payment-link-unavailable', 'no-client-contact', ...PAYMENT_LINK_PROBLEMS] as const satisfies readonly ProblemCode[];

/** The keys of an order's links: `order-link:<order>:<n>:<amount>` (n: links made before it). */
const KEY = (o: OrderRow, n: number, amount: number) => `order-link:${o.id}:${n}:${amount}`;
const isLink = (o: OrderRow) => (c: CheckoutRow) => c.idempotency_key.startsWith(`order-link:${o.id}:`);

export type LinkState = 'sent' | 'paid' | 'deactivated' | 'mismatch';

export function linkView(c: CheckoutRow) {
  return {
    id: c.id,
    url: c.url,
    amountMinor: c.amount_minor,
    currency: c.currency,
    /** sent: active, waiting for the client; paid: Stripe confirmed it (then switched off); deactivated: switched off unpaid (the balance changed). */
    state: (c.state === 'open' ? 'sent' : c.state === 'paid' ? 'paid' : c.state === 'mismatch' ? 'mismatch' : 'deactivated') as LinkState,
    createdAt: c.created_at.toISOString(),
    paidAt: c.paid_at?.toISOString() ?? null,
  };
}

async function order(db: Db | Tx, actor: Actor, id: string) {
  const o = await repo.getOrder(db, actor.organizationId, id);
  if (!o) throw notFound('Service order');
  return o;
}

/** The order's Payment Links, newest first, and whether one can be sent (why not, when not). */
export async function paymentLinksOf(deps: { db: Db; config: Pick<Config, 'stripe'> }, actor: Actor, id: string) {
  const o = await order(deps.db, actor, id);
  const links = (await checkoutsOf(deps.db, actor.organizationId, { kind: KIND, id: o.id })).filter(isLink(o)).filter((c) => c.payment_link_id);
  const due = billing.balanceOf(await billing.ledgerRows(deps.db, o)).due;
  const unavailable = !stripeEnabled(deps.config) ? ('payment-link-unavailable' as const) : due <= 0 ? ('nothing-due' as const) : null;
  return { available: !unavailable, unavailable, dueMinor: due, currency: o.currency, links: links.map(linkView) };
}

/** Where the order's client is reached: its contact channel, else whichever address there is. */
async function contactOf(db: Db | Tx, o: OrderRow): Promise<{ channel: 'email' | 'sms' } | undefined> {
  const c = o.customer_id
    ? await db.selectFrom('customers').select(['email', 'phone']).where('organization_id', '=', o.organization_id).where('id', '=', o.customer_id).executeTakeFirst()
    : ((o.submitted ?? undefined) as { email?: string | null; phone?: string | null } | undefined);
  const email = c?.email?.trim();
  const phone = c?.phone?.trim();
  if (o.contact_channel === 'sms' && phone) return { channel: 'sms' };
  if (email) return { channel: 'email' };
  if (phone) return { channel: 'sms' };
  return undefined;
}

/**
 * Makes (or finds) the link for what is due now, outside any transaction (Stripe is asked with keys
 * derived from our records: a retry, or two staff at once, get the same link). Answers the link and
 * whether it was one already sent.
 */
export async function preparePaymentLink(deps: { db: Db; config: Config; now?: () => Date }, actor: Actor, id: string) {
  const o = await order(deps.db, actor, id);
  if (!stripeEnabled(deps.config)) {
    throw problem(StripeErrors, 'payment-link-unavailable', 'Online payment is not set up here (no Stripe keys): record the payment at the counter', { errors: [{ field: 'config.stripe', message: 'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are not set' }] });
  }
  const due = billing.balanceOf(await billing.ledgerRows(deps.db, o)).due;
  if (due <= 0) throw problem(BillingErrors, 'nothing-due', 'Nothing is due on this order now', { balanceMinor: due });
  const contact = await contactOf(deps.db, o);
  if (!contact) throw problem(ServiceOrderErrors, 'no-client-contact', 'The order has no e-mail address or phone number of its client', { errors: [{ field: 'customer.email', message: 'no e-mail address or phone number to send the link to' }] });
  const all = (await checkoutsOf(deps.db, o.organization_id, { kind: KIND, id: o.id })).filter(isLink(o));
  const active = all.filter((c) => c.state === 'open' && c.payment_link_id);
  const same = active.find((c) => c.amount_minor === due && c.currency === o.currency.toUpperCase());
  if (same) return { o, contact, link: same, reused: true };
  // The balance changed: the links for another amount are switched off before a new one goes out.
  for (const c of active) await deactivatePaymentLink(deps, o.organization_id, c.id);
  const lang = pickLang(o.language);
  const back = await orderPageLink(deps.db, deps.config, o.organization_id, o.id, lang);
  const made = await createPaymentLink(deps, {
    orgId: o.organization_id,
    subject: { kind: KIND, id: o.id },
    amountMinor: due,
    currency: o.currency,
    description: docText(lang, 'tax.line.payment', { number: o.number }),
    idempotencyKey: KEY(o, all.filter((c) => c.payment_link_id).length, due),
    redirectUrl: `${back}${back.includes('?') ? '&' : '?'}paid=1`,
  });
  const link = (await checkoutsOf(deps.db, o.organization_id, { kind: KIND, id: o.id })).find((c) => c.id === made.checkoutId)!;
  return { o, contact, link, reused: false };
}

/** The message with the link, by the order's channel in the client's language, written with the order's change (audit, version). */
export async function sendPaymentLinkIn(tx: Tx, actor: Actor, p: Awaited<ReturnType<typeof preparePaymentLink>>, now: Date) {
  const { o, contact, link, reused } = p;
  const after = await changeIn(tx, actor, o.id, undefined, now, async () => ({
    action: 'payment-link-sent',
    audit: { checkout: link.id, paymentLinkId: link.payment_link_id, amountMinor: link.amount_minor, currency: link.currency, channel: contact.channel, resent: reused },
    outbox: [
      {
        topic: 'order.payment-link',
        payload: { orderId: o.id, number: o.number, customerId: o.customer_id, language: o.language, channel: contact.channel, paymentUrl: link.url, amountMinor: link.amount_minor, currency: link.currency, checkoutId: link.id },
      },
    ],
  }));
  return { version: after.version, channel: contact.channel, resent: reused, link: linkView(link) };
}
