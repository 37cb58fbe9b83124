// The client's order page reached by order number and contact (issue 15): a one-time code sent to
// the contact on the order (through the outbox: topic order.lookup-code) confirms that whoever
// accepts or refuses the quote there can read that mailbox or phone. The page link needs none: it
// was sent to the client. Codes are 6 digits, 10 minutes, single use; only their hash is stored.
import crypto from 'node:crypto';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { problem } from '../../core/errors.ts';
import { enqueue } from '../../core/outbox.ts';
import { sha256 } from '../../core/tokens.ts';
import * as orders from '../service-orders/service-orders.service.ts';
import { OrderPageErrors } from './order-page.errors.ts';
import * as repo from './order-page.repository.ts';

export const CODE_TTL_MS = 10 * 60_000;

const hashOf = (orderId: string, code: string) => sha256(`${orderId}:${code}`);

/** Sends a new code to the contact that matched (`to`, by e-mail or SMS). */
export async function sendCode(db: Db, o: orders.OrderRow, matched: { via: 'email' | 'sms'; to: string }, now: Date) {
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  await db.transaction().execute(async (tx) => {
    await repo.insertCode(tx, { id: uuidv7(), organizationId: o.organization_id, orderId: o.id, codeHash: hashOf(o.id, code), via: matched.via, createdAt: now, expiresAt });
    // Like the sign-in link's token, the code travels in the payload: the worker needs it to write
    // the message; it is short-lived and single use.
    await enqueue(tx, {
      organizationId: o.organization_id,
      topic: 'order.lookup-code',
      aggregateType: 'service-order',
      aggregateId: o.id,
      payload: { orderId: o.id, number: o.number, customerId: o.customer_id, language: o.language, channel: matched.via, to: matched.to, code },
    });
  });
  return { sentVia: matched.via, expiresAt: expiresAt.toISOString() };
}

/** A guard for the decision's transaction: the code is used up only if the decision is written. */
export const codeGuard = (code: string, now: Date) => async (tx: Tx, o: orders.OrderRow) => {
  if (!(await repo.consumeCode(tx, o.organization_id, o.id, hashOf(o.id, code), now))) {
    throw problem(OrderPageErrors, 'invalid-code', 'This code is wrong, expired or already used; ask for a new one', { errors: [{ field: 'body.code', message: 'wrong, expired or already used' }] });
  }
};
