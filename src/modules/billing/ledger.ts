// An order's ledger: what it charges (charges; a credit note adds a negative `credit` charge), what
// was paid (payments, deposits) and given back (refunds), and the balance. The writes here run in the
// caller's transaction on an order the caller has locked (the service order's changes and
// transitions: src/modules/service-orders/changes.ts, transitions.ts), which then writes the
// transition (version, audit, outbox) through the core. Under the order's lock a payment and a refund
// serialize: each is checked against the ledger as the other left it.
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { badField, problem } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { BillingErrors } from './billing.errors.ts';
import { pickLang, t as docText } from '../documents/documents.i18n.ts';
import { combine, grossOf, price, type Line, type LineInput, type Priced } from './money.ts';
import { issue, issueCreditNote, taxSetting, type Subject } from './tax-documents.ts';

export const PAYMENT_METHODS = ['cash', 'card-terminal', 'bank-transfer'] as const;
/** How money is given back: the way it came, or at the counter. */
export const REFUND_METHODS = ['cash', 'card-terminal', 'bank-transfer', 'stripe'] as const;
export const PAYMENT_KINDS = ['payment', 'deposit'] as const;
export const REFUND_KINDS = ['credit', 'overpayment'] as const;

/** What the ledger needs of an order. */
export interface LedgerOrder {
  id: string;
  organization_id: string;
  number: string;
  currency: string;
  customer_id: string | null;
  language: string;
  state: string;
}

const subjectOf = (o: LedgerOrder): Subject => ({ type: 'service-order', id: o.id, number: o.number });

export async function ledgerRows(db: Db | Tx, o: Pick<LedgerOrder, 'id' | 'organization_id'>) {
  const [charges, payments, refunds] = await Promise.all([
    db.selectFrom('order_charges').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('order_payments').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('order_refunds').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').orderBy('id').execute(),
  ]);
  return { charges, payments, refunds };
}
export type LedgerRows = Awaited<ReturnType<typeof ledgerRows>>;

/**
 * The balance: charged (credits included, negative) − (paid − refunded). `due` < 0 is money the
 * client has in credit (a deposit over the charges). A remedy's payout is not the order's money.
 */
export function balanceOf(x: LedgerRows) {
  const chargedRows = x.charges.reduce((s, c) => s + Number(c.amount_minor), 0);
  const received = x.payments.reduce((s, p) => s + Number(p.amount_minor), 0);
  const refunded = x.refunds.filter((r) => r.kind !== 'remedy' && r.status !== 'failed').reduce((s, r) => s + Number(r.amount_minor), 0);
  // A credit refund on its way back through Stripe lowers the charges already (its credit note is
  // issued when Stripe confirms): the balance does not swing while the money travels.
  const charged = chargedRows - x.refunds.filter((r) => r.kind === 'credit' && r.status === 'pending' && !r.credit_note_id).reduce((s, r) => s + Number(r.amount_minor), 0);
  const paid = received - refunded;
  return { charged, paid, received, refunded, due: charged - paid };
}

/** The order's states between the client's acceptance of the quote and the work done: a deposit asked then. */
const DEPOSIT_STATES = ['accepted', 'in-repair', 'testing'];

/**
 * The deposit the business asks (its pack's `settings.deposit`: a percent of the accepted quote's
 * total, rounded to the minor unit) and what of it is still to pay: what was paid so far counts
 * toward it, and it is never more than the balance due. Null when the business asks none, or the
 * order is not between acceptance and the work done.
 */
export function depositAsked(settings: { deposit?: { percent: number } }, o: { state: string; quote: unknown }, x: LedgerRows) {
  const d = settings.deposit;
  const total = (o.quote as { amountMinor?: number } | null)?.amountMinor;
  if (!d || !total || total <= 0 || !DEPOSIT_STATES.includes(o.state)) return null;
  const amountMinor = Math.round((total * d.percent) / 100);
  const b = balanceOf(x);
  return { percent: d.percent, amountMinor, dueMinor: Math.max(0, Math.min(amountMinor - b.paid, b.due)) };
}

/** What is left of a payment to refund. */
export function refundable(x: LedgerRows, paymentId: string) {
  const p = x.payments.find((y) => y.id === paymentId);
  if (!p) return undefined;
  return Number(p.amount_minor) - x.refunds.filter((r) => r.payment_id === paymentId && r.status !== 'failed').reduce((s, r) => s + Number(r.amount_minor), 0);
}

export interface PaymentFields {
  amountMinor: number;
  method: (typeof PAYMENT_METHODS)[number] | 'stripe';
  kind?: (typeof PAYMENT_KINDS)[number];
  currency?: string;
  /** The payment's reference outside (a Stripe payment intent): one record per reference. */
  externalRef?: string;
  /** Money already taken (confirmed by Stripe): recorded even over the balance, which leaves the client in credit for staff to refund. */
  taken?: boolean;
  /** The receipt's line; default "Payment <order number>" in the order's language. */
  description?: string;
}

const BEFORE_WORK_DONE = ['claimed', 'received', 'diagnosing', 'warranty-approved', 'awaiting-decision', 'accepted', 'in-repair', 'testing'];

/**
 * Records a payment (or a deposit) and issues its receipt. A payment is at most the balance due; a
 * deposit (taken at intake or before the work is done) may exceed it and leaves the client in credit.
 */
export async function recordPayment(tx: Tx, actor: Actor, o: LedgerOrder, p: PaymentFields, now: Date) {
  if (p.currency && p.currency !== o.currency) throw badField('body.currency', `the order is in ${o.currency}`);
  const kind = p.kind ?? 'payment';
  const x = await ledgerRows(tx, o);
  const b = balanceOf(x);
  if (kind === 'deposit' && !BEFORE_WORK_DONE.includes(o.state)) throw problem(BillingErrors, 'deposit-not-allowed', `The order is ${o.state}: take a payment against the balance (${b.due})`);
  if (kind === 'payment' && !p.taken && p.amountMinor > b.due) throw badField('body.amountMinor', `more than the balance due (${Math.max(b.due, 0)})`, 'exceeds-balance');
  const { pack } = await orgAndPack(tx, o.organization_id);
  const receipt = await issue(
    tx,
    actor,
    { kind: 'receipt', subject: subjectOf(o), customerId: o.customer_id, language: o.language, currency: o.currency, priced: grossOf('other', p.amountMinor, p.description ?? docText(pickLang(o.language), kind === 'deposit' ? 'tax.line.deposit' : 'tax.line.payment', { number: o.number }), taxSetting(pack, now)) },
    now,
  );
  const row = await tx
    .insertInto('order_payments')
    .values({ id: uuidv7(), organization_id: o.organization_id, order_id: o.id, method: p.method, kind, amount_minor: p.amountMinor, currency: o.currency, received_by: `${actor.type}:${actor.id}`, external_ref: p.externalRef ?? null, receipt_id: receipt.id, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { payment: row, receipt };
}

export interface RefundFields {
  paymentId: string;
  amountMinor: number;
  /** `credit` (default): of what was charged, with a credit note; `overpayment`: a deposit over the charges. */
  kind?: (typeof REFUND_KINDS)[number];
  reason: string;
  /** Default: the way it was paid. */
  method?: (typeof REFUND_METHODS)[number];
  /** Set by the caller once the money went back outside (a Stripe refund id). */
  externalRef?: string;
  /** `pending`: the money goes back through Stripe; the credit note is issued when Stripe confirms (completeRefund). */
  status?: 'pending' | 'done';
}

/**
 * Gives back (part of) a payment. A refund of what was charged issues a credit note (naming the
 * order's invoice, else the payment's receipt) and lowers the charges by it; a refund of an
 * overpayment only lowers what was paid.
 */
export async function recordRefund(tx: Tx, actor: Actor, o: LedgerOrder, r: RefundFields, now: Date) {
  const x = await ledgerRows(tx, o);
  const left = refundable(x, r.paymentId);
  if (left === undefined) throw badField('body.paymentId', 'no such payment on this order', 'unknown');
  if (r.amountMinor > left) throw problem(BillingErrors, 'refund-over-payment', `At most ${left} is left of this payment to refund`, { refundableMinor: left, errors: [{ field: 'body.amountMinor', message: `at most ${left}`, code: 'exceeds-payment' }] });
  const b = balanceOf(x);
  const kind = r.kind ?? 'credit';
  const payment = x.payments.find((p) => p.id === r.paymentId)!;
  const method = r.method ?? (payment.method as (typeof REFUND_METHODS)[number]);
  // Money paid through Stripe goes back through Stripe: pending until Stripe confirms (completeRefund).
  const status = r.status ?? (method === 'stripe' && !r.externalRef ? 'pending' : 'done');
  let creditNoteId: string | null = null;
  if (kind === 'overpayment') {
    const credit = Math.max(0, -b.due);
    if (r.amountMinor > credit) throw problem(BillingErrors, 'no-overpayment', `Only ${credit} was paid over the charges`, { creditMinor: credit, errors: [{ field: 'body.amountMinor', message: `at most ${credit} as overpayment`, code: 'exceeds-credit' }] });
  } else {
    if (r.amountMinor > b.charged) throw problem(BillingErrors, 'refund-exceeds-charges', `The order charges ${b.charged}; no more can be credited`, { chargedMinor: b.charged, errors: [{ field: 'body.amountMinor', message: `at most ${b.charged}`, code: 'exceeds-charges' }] });
  }
  if (kind === 'credit' && status !== 'pending') {
    const invoice = await tx.selectFrom('tax_documents').select('id').where('organization_id', '=', o.organization_id).where('subject_type', '=', 'service-order').where('subject_id', '=', o.id).where('kind', '=', 'invoice').executeTakeFirst();
    const note = await issueCreditNote(tx, actor, { subject: subjectOf(o), customerId: o.customer_id, language: o.language, currency: o.currency, amountMinor: r.amountMinor, description: r.reason, reason: r.reason, refersTo: invoice?.id ?? payment.receipt_id }, now);
    creditNoteId = note.id;
    await insertCredit(tx, o, r.amountMinor, note.id, r.reason, null, now);
  }
  return tx
    .insertInto('order_refunds')
    .values({
      id: uuidv7(),
      organization_id: o.organization_id,
      order_id: o.id,
      payment_id: r.paymentId,
      kind,
      amount_minor: r.amountMinor,
      currency: o.currency,
      method,
      reason: r.reason,
      credit_note_id: creditNoteId,
      external_ref: r.externalRef ?? null,
      status,
      refunded_by: `${actor.type}:${actor.id}`,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A refund that went back through Stripe is confirmed: marked done with Stripe's id and, for a
 * refund of what was charged, its credit note issued and the charges lowered (once: a done refund
 * is left as it is).
 */
export async function completeRefund(tx: Tx, actor: Actor, o: LedgerOrder, refundId: string, externalRef: string | null, now: Date) {
  const r = await tx.selectFrom('order_refunds').selectAll().where('organization_id', '=', o.organization_id).where('id', '=', refundId).forUpdate().executeTakeFirst();
  if (!r || r.status === 'done' || r.status === 'failed') return r;
  let creditNoteId = r.credit_note_id;
  if (r.kind === 'credit' && !creditNoteId) {
    const payment = await tx.selectFrom('order_payments').select('receipt_id').where('id', '=', r.payment_id!).executeTakeFirstOrThrow();
    const invoice = await tx.selectFrom('tax_documents').select('id').where('organization_id', '=', o.organization_id).where('subject_type', '=', 'service-order').where('subject_id', '=', o.id).where('kind', '=', 'invoice').executeTakeFirst();
    const note = await issueCreditNote(tx, actor, { subject: subjectOf(o), customerId: o.customer_id, language: o.language, currency: o.currency, amountMinor: Number(r.amount_minor), description: r.reason, reason: r.reason, refersTo: invoice?.id ?? payment.receipt_id }, now);
    creditNoteId = note.id;
    await insertCredit(tx, o, Number(r.amount_minor), note.id, r.reason, null, now);
  }
  return tx.updateTable('order_refunds').set({ status: 'done', credit_note_id: creditNoteId, external_ref: externalRef ?? r.external_ref }).where('id', '=', r.id).returningAll().executeTakeFirstOrThrow();
}

/**
 * A refund through Stripe that Stripe did not make (refused, failed or canceled): it gives nothing
 * back and no longer counts, so the balance is what it was before it. Pending, it had issued no
 * credit note. Done (Stripe had reported it succeeded, then failed), its credit note's credit is
 * taken back by a charge that names the note, so the charges are as before too. Once: a failed
 * refund is left as it is. Answers undefined when there was nothing to fail.
 */
export async function failRefund(tx: Tx, o: LedgerOrder, refundId: string, reason: string, now: Date) {
  const r = await tx.selectFrom('order_refunds').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).where('id', '=', refundId).forUpdate().executeTakeFirst();
  if (!r || r.status === 'failed' || r.kind === 'remedy') return undefined;
  let reversed: string | null = null;
  if (r.status === 'done' && r.kind === 'credit' && r.credit_note_id) {
    const note = await tx.selectFrom('tax_documents').select('number').where('id', '=', r.credit_note_id).executeTakeFirst();
    reversed = note?.number ?? null;
    const text = docText(pickLang(o.language), 'tax.reason.refundFailed', { number: reversed ?? '', reason });
    await tx.insertInto('order_charges').values({ id: uuidv7(), organization_id: o.organization_id, order_id: o.id, kind: 'credit', amount_minor: Number(r.amount_minor), currency: o.currency, rule: null, note: text, credit_note_id: r.credit_note_id, created_at: now }).execute();
  }
  const row = await tx.updateTable('order_refunds').set({ status: 'failed', failure_reason: reason, failed_at: now }).where('id', '=', r.id).returningAll().executeTakeFirstOrThrow();
  return { refund: row, was: r.status as 'pending' | 'done', creditNoteReversed: reversed };
}

async function insertCredit(tx: Tx, o: LedgerOrder, amountMinor: number, creditNoteId: string, note: string, rule: string | null, now: Date) {
  await tx.insertInto('order_charges').values({ id: uuidv7(), organization_id: o.organization_id, order_id: o.id, kind: 'credit', amount_minor: -amountMinor, currency: o.currency, rule, note, credit_note_id: creditNoteId, created_at: now }).execute();
}

export async function insertCharge(tx: Tx, o: LedgerOrder, c: { kind: string; amountMinor: number; rule: string | null; note: string | null }, now: Date) {
  await tx.insertInto('order_charges').values({ id: uuidv7(), organization_id: o.organization_id, order_id: o.id, kind: c.kind, amount_minor: c.amountMinor, currency: o.currency, rule: c.rule, note: c.note, created_at: now }).execute();
}

/**
 * Money paid out under a remedy (a price reduction, a termination, a buy-back, a refund after
 * repairs): of the purchase price, not of the order's payments, so it leaves the order's balance as
 * it is. Its credit note says what it is for and cites the rule.
 */
export async function remedyPayout(tx: Tx, actor: Actor, o: LedgerOrder, p: { amountMinor: number; method: (typeof REFUND_METHODS)[number]; remedy: string; rule: string; description: string; reason: string }, now: Date) {
  const note = await issueCreditNote(tx, actor, { subject: subjectOf(o), customerId: o.customer_id, language: o.language, currency: o.currency, amountMinor: p.amountMinor, description: p.description, reason: p.reason, rule: p.rule }, now);
  const refund = await tx
    .insertInto('order_refunds')
    .values({ id: uuidv7(), organization_id: o.organization_id, order_id: o.id, payment_id: null, kind: 'remedy', amount_minor: p.amountMinor, currency: o.currency, method: p.method, reason: p.reason, remedy: p.remedy, credit_note_id: note.id, status: 'done', refunded_by: `${actor.type}:${actor.id}`, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { refund, creditNote: note };
}

/**
 * The order's invoice for what it charges: the accepted quote's lines, then the other charges (fees,
 * surcharges) as lines; credits are their credit notes'. One per order.
 */
export async function issueInvoice(tx: Tx, actor: Actor, o: LedgerOrder & { quote: unknown }, now: Date) {
  const existing = await tx.selectFrom('tax_documents').select(['id', 'number']).where('organization_id', '=', o.organization_id).where('subject_type', '=', 'service-order').where('subject_id', '=', o.id).where('kind', '=', 'invoice').executeTakeFirst();
  if (existing) throw problem(BillingErrors, 'already-invoiced', `The order has its invoice ${existing.number}`, { invoice: existing.number });
  const x = await ledgerRows(tx, o);
  // The accepted quote as it was priced (its lines, net, tax and total: the tax of the day it was
  // quoted); every other charge is an amount the client owes, tax included. The invoice's total is
  // what the order charged.
  const q = o.quote as QuotePriced | null;
  let quoted: Priced | undefined;
  const fees: LineInput[] = [];
  for (const c of x.charges) {
    if (c.kind === 'credit') continue;
    if (c.kind === 'repair' && q?.lines?.length && !quoted) quoted = { lines: q.lines, netMinor: q.netMinor, taxMinor: q.taxMinor, totalMinor: q.amountMinor, tax: q.tax };
    else fees.push({ kind: c.kind === 'surcharge' ? 'surcharge' : 'fee', description: c.note ?? docText(pickLang(o.language), `charge.${c.kind}`), unitMinor: Number(c.amount_minor) });
  }
  if (!quoted && !fees.length) throw problem(BillingErrors, 'nothing-to-invoice', `Order ${o.number} charges nothing yet`);
  const { pack } = await orgAndPack(tx, o.organization_id);
  const tax = taxSetting(pack, now);
  const feesPriced = price(fees, { ...tax, pricesInclude: true });
  const priced: Priced = quoted ? combine(quoted, feesPriced) : feesPriced;
  return issue(tx, actor, { kind: 'invoice', subject: subjectOf(o), customerId: o.customer_id, language: o.language, currency: o.currency, priced }, now);
}

/** A quote priced by `priceQuote`: what the order's `quote` column keeps besides duration and advice. */
export interface QuotePriced {
  lines: Line[];
  netMinor: number;
  taxMinor: number;
  /** The total the client pays (tax included): the accepted quote's charge. */
  amountMinor: number;
  tax: Priced['tax'];
}

/**
 * A quote's price (SC-5): its lines under the business's tax on the day; or, for a quote given as one
 * amount, that amount as the total (tax included).
 */
export function priceQuote(tax: import('./money.ts').TaxSetting, q: { lines?: LineInput[]; amountMinor?: number }): QuotePriced {
  const p = q.lines?.length ? price(q.lines, tax) : grossOf('labour', q.amountMinor ?? 0, 'Repair', tax);
  if (p.totalMinor < 0) throw badField('body.lines', 'the quote\'s total is negative: a discount cannot exceed the rest', 'negative-total');
  return { lines: q.lines?.length ? p.lines : [], netMinor: p.netMinor, taxMinor: p.taxMinor, amountMinor: p.totalMinor, tax: p.tax };
}
