// The SQL of online payments. Every query names the organization, except the two lookups by
// Stripe's own ids (globally unique), which the webhook uses before it knows the organization.
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import type { StripeCheckoutsTable, StripeRefundsTable } from '../../db/schema.ts';
import type { Selectable } from 'kysely';

export type CheckoutRow = Selectable<StripeCheckoutsTable>;
export type RefundRow = Selectable<StripeRefundsTable>;

/** Inserts the checkout unless the organization used this key before; returns the key's row either way. */
export async function claimCheckout(db: Db, v: Pick<CheckoutRow, 'id' | 'organization_id' | 'subject_kind' | 'subject_id' | 'amount_minor' | 'currency' | 'description' | 'idempotency_key'>) {
  await db.insertInto('stripe_checkouts').values(v).onConflict((oc) => oc.columns(['organization_id', 'idempotency_key']).doNothing()).execute();
  return db.selectFrom('stripe_checkouts').selectAll().where('organization_id', '=', v.organization_id).where('idempotency_key', '=', v.idempotency_key).executeTakeFirstOrThrow();
}

export async function setSession(db: Db, orgId: string, id: string, sessionId: string, url: string) {
  await db.updateTable('stripe_checkouts').set({ session_id: sessionId, url, updated_at: new Date() }).where('organization_id', '=', orgId).where('id', '=', id).execute();
}

export async function setPaymentLink(db: Db, orgId: string, id: string, linkId: string, url: string) {
  await db.updateTable('stripe_checkouts').set({ payment_link_id: linkId, url, updated_at: new Date() }).where('organization_id', '=', orgId).where('id', '=', id).execute();
}

export const checkoutById = (db: Db | Tx, orgId: string, id: string) =>
  db.selectFrom('stripe_checkouts').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();

/** By Stripe's plink_... (globally unique; the webhook's lookup before it knows the organization). */
export const lockCheckoutByPaymentLink = (tx: Tx, linkId: string) =>
  tx.selectFrom('stripe_checkouts').selectAll().where('payment_link_id', '=', linkId).forUpdate().executeTakeFirst();

export const lockCheckout = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('stripe_checkouts').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();

export const lockCheckoutByPaymentIntent = (tx: Tx, pi: string) =>
  tx.selectFrom('stripe_checkouts').selectAll().where('payment_intent_id', '=', pi).forUpdate().executeTakeFirst();

export async function markCheckout(tx: Tx, id: string, set: Partial<Omit<CheckoutRow, 'id' | 'organization_id' | 'version'>>) {
  return tx
    .updateTable('stripe_checkouts')
    .set({ ...set, version: sql`version + 1` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function addRefunded(tx: Tx, id: string, amount: number, now: Date) {
  await tx.updateTable('stripe_checkouts').set({ amount_refunded_minor: sql`amount_refunded_minor + ${amount}`, version: sql`version + 1`, updated_at: now }).where('id', '=', id).execute();
}

export const checkoutsOf = (db: Db | Tx, orgId: string, s: { kind: string; id: string }) =>
  db.selectFrom('stripe_checkouts').selectAll().where('organization_id', '=', orgId).where('subject_kind', '=', s.kind).where('subject_id', '=', s.id).orderBy('id', 'desc').execute();

export const refundByKey = (tx: Tx, orgId: string, key: string) =>
  tx.selectFrom('stripe_refunds').selectAll().where('organization_id', '=', orgId).where('idempotency_key', '=', key).executeTakeFirst();
export const refundByStripeId = (tx: Tx, refundId: string) => tx.selectFrom('stripe_refunds').selectAll().where('refund_id', '=', refundId).executeTakeFirst();
export const refundById = (tx: Tx, orgId: string, id: string) =>
  /^[0-9a-f-]{36}$/i.test(id) ? tx.selectFrom('stripe_refunds').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst() : Promise.resolve(undefined);

/** What is already refunded or on its way (failed and canceled refunds give their amount back). */
export async function refundsClaimedMinor(tx: Tx, orgId: string, checkoutId: string) {
  const r = await tx
    .selectFrom('stripe_refunds')
    .select(sql<number>`coalesce(sum(amount_minor), 0)::int`.as('n'))
    .where('organization_id', '=', orgId)
    .where('checkout_id', '=', checkoutId)
    .where('state', 'not in', ['failed', 'canceled'])
    .executeTakeFirstOrThrow();
  return r.n;
}

export async function insertRefund(tx: Tx, v: Pick<RefundRow, 'id' | 'organization_id' | 'checkout_id' | 'refund_id' | 'idempotency_key' | 'amount_minor' | 'state'> & { failure_reason?: string | null }) {
  return tx.insertInto('stripe_refunds').values(v).returningAll().executeTakeFirstOrThrow();
}

export async function updateRefund(tx: Tx, id: string, set: Partial<Pick<RefundRow, 'refund_id' | 'state' | 'applied_at' | 'updated_at' | 'failure_reason'>>) {
  return tx.updateTable('stripe_refunds').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export const unappliedRefunds = (tx: Tx, orgId: string, checkoutId: string) =>
  tx.selectFrom('stripe_refunds').selectAll().where('organization_id', '=', orgId).where('checkout_id', '=', checkoutId).where('state', '=', 'succeeded').where('applied_at', 'is', null).orderBy('id').execute();

/** Stores the event's id; false when it was stored before (the delivery is a repeat). */
export async function claimEvent(tx: Tx, id: string, type: string, now: Date) {
  const r = await tx.insertInto('stripe_events').values({ id, type, outcome: 'processing', received_at: now }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
  return !!r;
}

export async function finishEvent(tx: Tx, id: string, outcome: string, orgId: string | null) {
  await tx.updateTable('stripe_events').set({ outcome, organization_id: orgId }).where('id', '=', id).execute();
}
