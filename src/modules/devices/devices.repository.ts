import type { Selectable } from 'kysely';
import { containsPattern } from '../../db/like.ts';
import type { Db, Tx } from '../../db/index.ts';
import type { DeviceEventsTable, DevicePartsTable, DevicesTable } from '../../db/schema.ts';

export type DeviceRow = Selectable<DevicesTable>;
export type PartRow = Selectable<DevicePartsTable>;
export type EventRow = Selectable<DeviceEventsTable>;

export interface DeviceFilter {
  serial?: string;
  /** Any part of the serial or the model, any case. */
  q?: string;
  manufacturer?: string;
  model?: string;
  category?: string;
  condition?: string;
  customerId?: string;
  after?: string;
  limit: number;
}

export function list(db: Db, orgId: string, f: DeviceFilter) {
  let q = db.selectFrom('devices').selectAll().where('organization_id', '=', orgId);
  if (f.serial) q = q.where('serial', '=', f.serial);
  if (f.q) {
    const like = containsPattern(f.q);
    q = q.where((eb) => eb.or([eb('serial', 'ilike', like), eb('model', 'ilike', like)]));
  }
  if (f.manufacturer) q = q.where((eb) => eb(eb.fn('lower', ['manufacturer']), '=', f.manufacturer!.toLowerCase()));
  if (f.model) q = q.where('model', '=', f.model);
  if (f.category) q = q.where('category', '=', f.category);
  if (f.condition) q = q.where('condition', '=', f.condition);
  if (f.customerId) q = q.where('customer_id', '=', f.customerId);
  if (f.after) q = q.where('id', '<', f.after);
  return q.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export const get = (db: Db | Tx, orgId: string, id: string) =>
  db.selectFrom('devices').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const lock = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('devices').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();

export const bySerial = (db: Db | Tx, orgId: string, serial: string, manufacturer?: string) => {
  let q = db.selectFrom('devices').selectAll().where('organization_id', '=', orgId).where('serial', '=', serial);
  if (manufacturer) q = q.where((eb) => eb(eb.fn('lower', ['manufacturer']), '=', manufacturer.toLowerCase()));
  return q.limit(10).execute();
};

export const partsOf = (db: Db | Tx, orgId: string, deviceIds: string[]) =>
  deviceIds.length === 0
    ? Promise.resolve([] as PartRow[])
    : db.selectFrom('device_parts').selectAll().where('organization_id', '=', orgId).where('device_id', 'in', deviceIds).orderBy('part_key').execute();

/** The device's history in date order; voided events (never deleted) only when asked for. */
export const eventsOf = (db: Db | Tx, orgId: string, deviceId: string, withVoided = false) =>
  db
    .selectFrom('device_events')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('device_id', '=', deviceId)
    .$if(!withVoided, (q) => q.where('voided_at', 'is', null))
    .orderBy('date')
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();

export const lockEvent = (tx: Tx, orgId: string, deviceId: string, eventId: string) =>
  tx.selectFrom('device_events').selectAll().where('organization_id', '=', orgId).where('device_id', '=', deviceId).where('id', '=', eventId).forUpdate().executeTakeFirst();
