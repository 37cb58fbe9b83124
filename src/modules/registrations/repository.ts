// The SQL of device registrations. Every query names the organization.
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import type { DeviceRegistrationsTable } from '../../db/schema.ts';

export const SUBJECT_TYPE = 'registration';
export type RegistrationRow = Selectable<DeviceRegistrationsTable>;

export interface ListedRow extends RegistrationRow {
  serial: string;
  manufacturer: string;
  model: string | null;
  customer_name: string;
  customer_email: string | null;
}

const listed = (db: Db | Tx, orgId: string) =>
  db
    .selectFrom('device_registrations as r')
    .innerJoin('devices as d', (j) => j.onRef('d.id', '=', 'r.device_id').onRef('d.organization_id', '=', 'r.organization_id'))
    .innerJoin('customers as c', (j) => j.onRef('c.id', '=', 'r.customer_id').onRef('c.organization_id', '=', 'r.organization_id'))
    .selectAll('r')
    .select(['d.serial', 'd.manufacturer', 'd.model', 'c.name as customer_name', 'c.email as customer_email'])
    .where('r.organization_id', '=', orgId);

export function list(db: Db | Tx, orgId: string, f: { state?: string; customerIds?: string[]; after?: string; limit: number }) {
  let q = listed(db, orgId);
  if (f.state) q = q.where('r.state', '=', f.state);
  if (f.customerIds) q = q.where('r.customer_id', 'in', f.customerIds.length ? f.customerIds : ['00000000-0000-0000-0000-000000000000']);
  if (f.after) q = q.where('r.id', '<', f.after);
  return q.orderBy('r.id', 'desc').limit(f.limit).execute() as Promise<ListedRow[]>;
}

export const get = (db: Db | Tx, orgId: string, id: string) => listed(db, orgId).where('r.id', '=', id).executeTakeFirst() as Promise<ListedRow | undefined>;

export const lock = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('device_registrations').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();

/** The open or valid registration of a device (at most one is kept: see the service). */
export const liveOfDevice = (tx: Tx, orgId: string, deviceId: string) =>
  tx.selectFrom('device_registrations').selectAll().where('organization_id', '=', orgId).where('device_id', '=', deviceId).where('state', 'in', ['pending', 'paid']).orderBy('id', 'desc').executeTakeFirst();

export async function counts(db: Db, orgId: string) {
  const rows = await db.selectFrom('device_registrations').select(['state', sql<number>`count(*)::int`.as('n')]).where('organization_id', '=', orgId).groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, r.n])) as Record<string, number>;
}

/** The proofs the device's valid registrations give (ITS-5, ITS-6). */
export async function proofsOfDevice(db: Db | Tx, orgId: string, deviceId: string): Promise<Record<string, boolean>> {
  const rows = await db.selectFrom('device_registrations').select('proofs').where('organization_id', '=', orgId).where('device_id', '=', deviceId).where('state', '=', 'paid').execute();
  return Object.assign({}, ...rows.map((r) => r.proofs));
}

export function insert(tx: Tx, v: Omit<RegistrationRow, 'number' | 'version' | 'proofs' | 'paid_at' | 'payment_method' | 'refusal_reason' | 'refund_failure_reason' | 'refund_failed_at' | 'document_filename' | 'document_content_type' | 'document_size_bytes' | 'document_sha256' | 'document_storage_key'>, numberSql: ReturnType<typeof sql<string>>) {
  return sql<RegistrationRow>`insert into device_registrations (id, organization_id, number, customer_id, device_id, state, channel, service_event, service_date, document_type, fee_minor, currency, rule, policy_version, created_at, updated_at)
    values (${v.id}, ${v.organization_id}, ${numberSql}, ${v.customer_id}, ${v.device_id}, ${v.state}, ${v.channel}, ${v.service_event}, ${v.service_date}, ${v.document_type}, ${v.fee_minor}, ${v.currency}, ${v.rule}, ${v.policy_version}, ${v.created_at}, ${v.updated_at})
    returning *`
    .execute(tx)
    .then((r) => r.rows[0]);
}
