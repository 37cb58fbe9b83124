import type { Selectable } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import type { DocumentsTable, PurchasesTable } from '../../db/schema.ts';

export type PurchaseRow = Selectable<PurchasesTable>;
export type DocumentRow = Selectable<DocumentsTable>;

export interface PurchaseFilter {
  deviceId?: string;
  customerId?: string;
  documentNumber?: string;
  soldFrom?: string;
  soldTo?: string;
  after?: string;
  limit: number;
}

export function list(db: Db, orgId: string, f: PurchaseFilter) {
  let q = db.selectFrom('purchases').selectAll().where('organization_id', '=', orgId);
  if (f.deviceId) q = q.where('device_id', '=', f.deviceId);
  if (f.customerId) q = q.where('customer_id', '=', f.customerId);
  if (f.documentNumber) q = q.where('document_number', '=', f.documentNumber);
  if (f.soldFrom) q = q.where('sold_on', '>=', f.soldFrom);
  if (f.soldTo) q = q.where('sold_on', '<=', f.soldTo);
  if (f.after) q = q.where('id', '<', f.after);
  return q.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export const get = (db: Db | Tx, orgId: string, id: string) =>
  db.selectFrom('purchases').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
export const lock = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('purchases').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();

export const documentsOf = (db: Db | Tx, orgId: string, purchaseIds: string[]) =>
  purchaseIds.length === 0
    ? Promise.resolve([] as DocumentRow[])
    : db.selectFrom('documents').selectAll().where('organization_id', '=', orgId).where('purchase_id', 'in', purchaseIds).orderBy('id').execute();

export const getDocument = (db: Db, orgId: string, id: string) =>
  db.selectFrom('documents').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
