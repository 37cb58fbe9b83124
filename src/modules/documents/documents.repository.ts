// What documents print about the business, the client and the sale. Every query takes the organization.
import type { Db, Tx } from '../../db/index.ts';

export const organizationBySlug = (db: Db | Tx, slug: string) =>
  db.selectFrom('organizations').select(['id', 'slug', 'name', 'pack_id', 'time_zone', 'languages', 'currency']).where('slug', '=', slug).executeTakeFirst();

export const organizationById = (db: Db | Tx, id: string) =>
  db.selectFrom('organizations').select(['id', 'slug', 'name', 'pack_id', 'time_zone', 'languages', 'currency']).where('id', '=', id).executeTakeFirst();

/** The business's first location: its address and phone go on every document. */
export const mainLocation = (db: Db | Tx, orgId: string) =>
  db.selectFrom('locations').select(['name', 'address', 'phone']).where('organization_id', '=', orgId).orderBy('id').limit(1).executeTakeFirst();

/** The business's order by its id (a download token names both). */
export const order = (db: Db | Tx, orgId: string, id: string) => db.selectFrom('service_orders').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const customer = (db: Db | Tx, orgId: string, id: string) =>
  db
    .selectFrom('customers')
    .select(['id', 'name', 'email', 'phone', 'address', 'preferred_language', 'preferred_channel'])
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();

/** The device's first sale on record (the card names the purchase document, ITEMA-10). */
export const firstPurchase = (db: Db | Tx, orgId: string, deviceId: string) =>
  db
    .selectFrom('purchases')
    .select(['document_type', 'document_number', 'sold_on', 'place'])
    .where('organization_id', '=', orgId)
    .where('device_id', '=', deviceId)
    .orderBy('sold_on')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();

/** A unit exchange of the device (its `device-replaced` event; without an id the latest), or undefined. */
export function replacementEvent(db: Db | Tx, orgId: string, deviceId: string, eventId?: string) {
  let q = db
    .selectFrom('device_events')
    .select(['id', 'date', 'note', 'order_ref', 'recorded_at'])
    .where('organization_id', '=', orgId)
    .where('device_id', '=', deviceId)
    .where('type', '=', 'device-replaced');
  if (eventId) q = q.where('id', '=', eventId);
  return q.orderBy('recorded_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The device's latest unit exchange made under a case (an order's or an RMA's number), or undefined. */
export const replacementEventOf = (db: Db | Tx, orgId: string, deviceId: string, caseNumber: string) =>
  db
    .selectFrom('device_events')
    .select(['id', 'recorded_at'])
    .where('organization_id', '=', orgId)
    .where('device_id', '=', deviceId)
    .where('type', '=', 'device-replaced')
    .where('order_ref', '=', caseNumber)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
