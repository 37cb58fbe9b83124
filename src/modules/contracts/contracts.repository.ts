// All SQL of contracts: the contract rows, their covered devices, and what a contract page shows.
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import type { ContractsTable } from '../../db/schema.ts';
import type { Selectable } from 'kysely';

export type ContractRow = Selectable<ContractsTable>;
export const SUBJECT_TYPE = 'contract';

export function get(db: Db | Tx, orgId: string, id: string) {
  return db.selectFrom('contracts').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function devicesOf(db: Db | Tx, orgId: string, contractIds: readonly string[]) {
  if (!contractIds.length) return Promise.resolve([]);
  return db
    .selectFrom('contract_devices as cd')
    .innerJoin('devices as d', (j) => j.onRef('d.organization_id', '=', 'cd.organization_id').onRef('d.id', '=', 'cd.device_id'))
    .select(['cd.contract_id', 'd.id', 'd.serial', 'd.manufacturer', 'd.model', 'd.category'])
    .where('cd.organization_id', '=', orgId)
    .where('cd.contract_id', 'in', contractIds)
    .orderBy('d.serial')
    .execute();
}

export function customerNames(db: Db | Tx, orgId: string, ids: readonly string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('customers').select(['id', 'name', 'email', 'preferred_language']).where('organization_id', '=', orgId).where('id', 'in', ids).execute();
}

export interface ContractFilter {
  customerId?: string;
  deviceId?: string;
  email?: string;
  limit: number;
  after?: string;
}

export function list(db: Db | Tx, orgId: string, f: ContractFilter) {
  let q = db.selectFrom('contracts as c').selectAll('c').where('c.organization_id', '=', orgId);
  if (f.customerId) q = q.where('c.customer_id', '=', f.customerId);
  if (f.email) q = q.where('c.customer_id', 'in', db.selectFrom('customers').select('id').where('organization_id', '=', orgId).where(sql<boolean>`lower(email) = ${f.email.toLowerCase()}`));
  if (f.deviceId) q = q.where('c.id', 'in', db.selectFrom('contract_devices').select('contract_id').where('organization_id', '=', orgId).where('device_id', '=', f.deviceId));
  if (f.after) q = q.where('c.id', '<', f.after);
  return q.orderBy('c.id', 'desc').limit(f.limit + 1).execute();
}

/** The customer's contracts whose scope holds the device (or that name no devices at all). */
export function contractsForDevice(db: Db | Tx, orgId: string, customerId: string, deviceId: string | null) {
  return db
    .selectFrom('contracts as c')
    .selectAll('c')
    .select((eb) => [
      eb.exists(eb.selectFrom('contract_devices as cd').select('cd.device_id').whereRef('cd.organization_id', '=', 'c.organization_id').whereRef('cd.contract_id', '=', 'c.id').where('cd.device_id', '=', deviceId ?? '00000000-0000-0000-0000-000000000000')).as('has_device'),
      eb.exists(eb.selectFrom('contract_devices as cd').select('cd.device_id').whereRef('cd.organization_id', '=', 'c.organization_id').whereRef('cd.contract_id', '=', 'c.id')).as('scoped'),
    ])
    .where('c.organization_id', '=', orgId)
    .where('c.customer_id', '=', customerId)
    .orderBy('c.ends_on', 'desc')
    .execute();
}

export function device(db: Db | Tx, orgId: string, id: string) {
  return db.selectFrom('devices').select(['id', 'customer_id', 'serial', 'category', 'model', 'manufacturer']).where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function deviceEventDate(db: Db | Tx, orgId: string, deviceId: string, types: readonly string[]) {
  return db
    .selectFrom('device_events')
    .select(['type', 'date'])
    .where('organization_id', '=', orgId)
    .where('device_id', '=', deviceId)
    .where('type', 'in', types)
    .where('voided_at', 'is', null)
    .orderBy('date')
    .execute();
}

export async function nextNumber(tx: Tx, kind: string, prefix: string, orgId: string, year: number, expr: (k: string, p: string, o: string, y: number) => ReturnType<typeof sql>) {
  return (await sql<{ n: string }>`select ${expr(kind, prefix, orgId, year)} as n`.execute(tx)).rows[0].n;
}
