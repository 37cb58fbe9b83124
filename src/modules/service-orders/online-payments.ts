// An order paid online (issue 14): the client pays what is due from the order page by Stripe
// Checkout; Stripe's signed webhook records the payment in the order's ledger (with its receipt) once,
// keyed by the PaymentIntent. A refund of an online payment goes back through Stripe: the ledger's
// refund is written pending (checked under the order's lock against what is left), Stripe is asked
// with a key derived from it, and its confirmation (the answer or the webhook, whichever comes first,
// once) completes the refund and issues its credit note. A refund made in Stripe's dashboard is
// recorded too. See docs/billing.md and docs/payments.md.
import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/index.ts';
import { systemActor, type Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { problem, type ProblemCode } from '../../core/errors.ts';
import * as billing from '../billing/billing.service.ts';
import { BillingErrors } from '../billing/billing.errors.ts';
import { pickLang, t as docText } from '../documents/documents.i18n.ts';
import { StripeErrors } from '../stripe/stripe.errors.ts';
import { CHECKOUT_PROBLEMS, checkoutOfPaymentIntent, createCheckout, createRefund, onStripePaid, onStripeRefundFailed, onStripeRefunded, stripeEnabled, type PaidContext, type RefundedContext, type RefundFailedContext } from '../stripe/stripe.service.ts';
import { orgAndPack } from '../../core/organization.ts';
import { versionAt } from '../../policy/index.ts';
import { changeIn } from './changes.ts';
import type { OrderRow } from './repository.ts';

export const KIND = 'service-order';
/** A deposit paid online (issue 14): the same order, recorded as a deposit. */
export const DEPOSIT_KIND = 'service-order-deposit';
export const ORDER_CHECKOUT_PROBLEMS = [...CHECKOUT_PROBLEMS, 'nothing-due'] as const satisfies readonly ProblemCode[];

/**
 * The Stripe Checkout page for what the order has due now, or for what is left of the deposit the
 * business asks (`what: 'deposit'`, its pack's settings.deposit); the same page for a retry of the
 * same amount at the same version.
 */
export async function startOrderCheckout(deps: { db: Db; config: Pick<Config, 'stripe'>; now?: () => Date }, o: OrderRow, urls: { successUrl: string; cancelUrl: string }, what: 'due' | 'deposit' = 'due') {
  const x = await billing.ledgerRows(deps.db, o);
  const b = billing.balanceOf(x);
  let amount = b.due;
  if (what === 'deposit') {
    const { pack } = await orgAndPack(deps.db, o.organization_id);
    const d = billing.depositAsked(versionAt(pack, (deps.now?.() ?? new Date()).toISOString()).raw.settings as { deposit?: { percent: number } }, o, x);
    if (!d || d.dueMinor <= 0) throw problem(BillingErrors, 'nothing-due', d ? 'The deposit is paid' : 'No deposit is asked on this order now', { balanceMinor: d?.dueMinor ?? 0, errors: [{ field: 'body.what', message: d ? 'the deposit is paid' : 'no deposit is asked now' }] });
    amount = d.dueMinor;
  }
  if (amount <= 0) throw problem(BillingErrors, 'nothing-due', 'Nothing is due on this order now', { balanceMinor: b.due });
  if (!stripeEnabled(deps.config)) throw problem(StripeErrors, 'stripe-not-configured', 'Online payment is not set up here; pay at the counter');
  const lang = pickLang(o.language);
  return createCheckout(deps, {
    orgId: o.organization_id,
    subject: { kind: what === 'deposit' ? DEPOSIT_KIND : KIND, id: o.id },
    amountMinor: amount,
    currency: o.currency,
    description: docText(lang, what === 'deposit' ? 'tax.line.deposit' : 'tax.line.payment', { number: o.number }),
    idempotencyKey: `order:${o.id}:v${o.version}:${what === 'deposit' ? 'deposit' : 'due'}:${amount}`,
    successUrl: urls.successUrl,
    cancelUrl: urls.cancelUrl,
  });
}

// What Stripe's confirmation does: the payment in the ledger, with its receipt, through the order's
// one writer. Money already taken is recorded even if the balance moved meanwhile (the client is
// then in credit, for staff to give back); the PaymentIntent is the payment's external reference
// (unique), so a payment is never recorded twice. A deposit is recorded as one while the work is not
// done yet, else as a payment (the money was taken either way).
const paid = (deposit: boolean) => async (tx: Tx, p: PaidContext) => {
  const actor = systemActor(p.orgId, 'stripe');
  await changeIn(tx, actor, p.subject.id, undefined, p.paidAt, async (tx, o) => {
    const asDeposit = deposit && DEPOSIT_OK.includes(o.state);
    const { payment, receipt } = await billing.recordPayment(
      tx,
      actor,
      o,
      { amountMinor: p.amountMinor, method: 'stripe', kind: asDeposit ? 'deposit' : 'payment', externalRef: p.paymentIntentId ?? `checkout:${p.checkoutId}`, taken: true, ...(asDeposit ? {} : { description: docText(pickLang(o.language), 'tax.line.online', { number: o.number }) }) },
      p.paidAt,
    );
    return { action: 'payment-received', audit: { amountMinor: p.amountMinor, method: 'stripe', kind: payment.kind, payment: payment.id, receipt: receipt.number, checkout: p.checkoutId } };
  });
};
const DEPOSIT_OK = ['claimed', 'received', 'diagnosing', 'warranty-approved', 'awaiting-decision', 'accepted', 'in-repair', 'testing'];
onStripePaid(KIND, paid(false));
onStripePaid(DEPOSIT_KIND, paid(true));

const OUR_REFUND = 'order-refund:';

const refunded = async (tx: Tx, r: RefundedContext) => {
  const actor = systemActor(r.orgId, 'stripe');
  const ours = r.idempotencyKey?.startsWith(OUR_REFUND) ? r.idempotencyKey.slice(OUR_REFUND.length) : undefined;
  await changeIn(tx, actor, r.subject.id, undefined, r.at, async (tx, o) => {
    if (ours) {
      const done = await billing.completeRefund(tx, actor, o, ours, r.stripeRefundId, r.at);
      const note = done?.credit_note_id ? await billing.documentById(tx, o.organization_id, done.credit_note_id) : undefined;
      return { action: 'refund-made', audit: { amountMinor: r.amountMinor, refund: ours, stripeRefund: r.stripeRefundId, creditNote: note?.number ?? null, confirmedBy: 'stripe' } };
    }
    return dashboardRefund(tx, actor, o, r);
  });
};
onStripeRefunded(KIND, refunded);
onStripeRefunded(DEPOSIT_KIND, refunded);

// A refund Stripe did not make (refund.failed, or refund.updated / charge.refund.updated failed or
// canceled; or refused outright when asked): the order's refund is marked failed with Stripe's reason
// (the console shows "refund failed: <reason>" and offers to try again, a new refund with a new key),
// no credit note is issued for it (one issued when Stripe had first said succeeded is taken back), and
// the balance is what it was before it. Through the order's one writer, once.
const refundFailed = async (tx: Tx, r: RefundFailedContext) => {
  const actor = systemActor(r.orgId, 'stripe');
  const ours = r.idempotencyKey?.startsWith(OUR_REFUND) ? r.idempotencyKey.slice(OUR_REFUND.length) : undefined;
  await changeIn(tx, actor, r.subject.id, undefined, r.at, async (tx, o) => {
    const target =
      ours ?? (r.stripeRefundId ? (await tx.selectFrom('order_refunds').select('id').where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).where('external_ref', '=', r.stripeRefundId).executeTakeFirst())?.id : undefined);
    const failed = target ? await billing.failRefund(tx, o, target, r.reason, r.at) : undefined;
    return {
      action: 'refund-failed',
      audit: { amountMinor: r.amountMinor, refund: failed?.refund.id ?? target ?? null, stripeRefund: r.stripeRefundId, reason: r.reason, was: failed?.was ?? null, creditNoteReversed: failed?.creditNoteReversed ?? null },
    };
  });
};
onStripeRefundFailed(KIND, refundFailed);
onStripeRefundFailed(DEPOSIT_KIND, refundFailed);

/** A refund made in Stripe's dashboard: recorded against the payment it came from, as a credit when the order still charges that much. */
async function dashboardRefund(tx: Tx, actor: Actor, o: OrderRow, r: { orgId: string; checkoutId: string; stripeRefundId: string | null; amountMinor: number; at: Date }) {
  const checkout = await tx.selectFrom('stripe_checkouts').select('payment_intent_id').where('organization_id', '=', r.orgId).where('id', '=', r.checkoutId).executeTakeFirst();
  const x = await billing.ledgerRows(tx, o);
  const payment = x.payments.find((p) => p.method === 'stripe' && p.external_ref === (checkout?.payment_intent_id ?? `checkout:${r.checkoutId}`));
  const b = billing.balanceOf(x);
  const left = payment ? billing.refundable(x, payment.id)! : 0;
  const kind = r.amountMinor <= b.charged ? 'credit' : r.amountMinor <= -b.due ? 'overpayment' : undefined;
  if (!payment || r.amountMinor > left || !kind) {
    // Stripe gave back more than the order can account for: kept for staff to look at, never lost.
    await audit(tx, actor, { action: 'stripe.refund-unmatched', entityType: KIND, entityId: o.id, after: { checkoutId: r.checkoutId, stripeRefundId: r.stripeRefundId, amountMinor: r.amountMinor } });
    return { action: 'refund-unmatched', audit: { stripeRefund: r.stripeRefundId, amountMinor: r.amountMinor } };
  }
  const reason = docText(pickLang(o.language), 'tax.reason.stripeDashboard');
  const refund = await billing.recordRefund(tx, actor, o, { paymentId: payment.id, amountMinor: r.amountMinor, kind, reason, method: 'stripe', externalRef: r.stripeRefundId ?? undefined, status: 'done' }, r.at);
  return { action: 'refund-made', audit: { amountMinor: r.amountMinor, kind, refund: refund.id, stripeRefund: r.stripeRefundId, confirmedBy: 'stripe-dashboard' } };
}

export const STRIPE_REFUND_PROBLEMS = ['stripe-not-configured', 'stripe-unavailable'] as const satisfies readonly ProblemCode[];

/**
 * Asks Stripe for the order's refunds still pending (the one just recorded, or one a crash or a
 * timeout left behind): each with the key `order-refund:<our id>`, so asking again never refunds
 * twice. A refund Stripe refuses outright is failed (through createRefund's failure handler, with
 * Stripe's code; it no longer counts) and the problem is raised; one that was not ours to ask
 * (no such online payment) is failed here. Answers how many it asked for.
 */
export async function settleStripeRefunds(deps: { db: Db; config: Pick<Config, 'stripe'>; now?: () => Date }, orgId: string, orderId: string) {
  const pending = await deps.db
    .selectFrom('order_refunds as r')
    .innerJoin('order_payments as p', 'p.id', 'r.payment_id')
    .select(['r.id', 'r.amount_minor', 'p.external_ref'])
    .where('r.organization_id', '=', orgId)
    .where('r.order_id', '=', orderId)
    .where('r.method', '=', 'stripe')
    .where('r.status', '=', 'pending')
    .orderBy('r.created_at')
    .execute();
  const now = deps.now ?? (() => new Date());
  for (const r of pending) {
    const checkout = r.external_ref ? await checkoutOfPaymentIntent(deps.db, orgId, r.external_ref) : undefined;
    if (!checkout) {
      const actor = systemActor(orgId, 'stripe');
      await deps.db.transaction().execute((tx) =>
        changeIn(tx, actor, orderId, undefined, now(), async (tx, o) => {
          await billing.failRefund(tx, o, r.id, 'not-paid-online', now());
          return { action: 'refund-failed', audit: { amountMinor: Number(r.amount_minor), refund: r.id, reason: 'not-paid-online' } };
        }),
      );
      throw problem(BillingErrors, 'refund-over-payment', 'This payment was not made through Stripe here; refund it at the counter', { refundableMinor: 0 });
    }
    await createRefund(deps, { orgId, checkoutId: checkout.id, amountMinor: Number(r.amount_minor), idempotencyKey: `${OUR_REFUND}${r.id}` });
  }
  return pending.length;
}
