// The order page's own SQL: the one-time codes that confirm a decision made on the page reached by
// order number and contact (table order_lookup_codes). Every query filters by organization.
import type { Db, Tx } from '../../db/index.ts';

export interface NewCode {
  id: string;
  organizationId: string;
  orderId: string;
  codeHash: string;
  via: 'email' | 'sms';
  createdAt: Date;
  expiresAt: Date;
}

export async function insertCode(tx: Tx, c: NewCode) {
  await tx
    .insertInto('order_lookup_codes')
    .values({ id: c.id, organization_id: c.organizationId, order_id: c.orderId, code_hash: c.codeHash, via: c.via, created_at: c.createdAt, expires_at: c.expiresAt })
    .execute();
}

/** Marks the code used in the same statement that checks it: a wrong, expired or used code changes nothing. */
export async function consumeCode(tx: Tx | Db, orgId: string, orderId: string, codeHash: string, now: Date) {
  const r = await tx
    .updateTable('order_lookup_codes')
    .set({ used_at: now })
    .where('organization_id', '=', orgId)
    .where('order_id', '=', orderId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst();
  return !!r;
}
