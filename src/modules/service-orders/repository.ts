// Service orders: every SQL statement of the feature. Every query filters by organization.
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { ServiceOrdersTable } from '../../db/schema.ts';
import type { Actor } from '../../core/actor.ts';
import { auditSql } from '../../core/audit.ts';
import { clocksInsertSql, type PlannedClock, type Subject } from '../../core/clocks.ts';
import { decodeCursor } from '../../core/cursors.ts';
import { caseNumberSql } from '../../core/numbers.ts';
import type { Org } from '../../core/organization.ts';
import { outboxSql } from '../../core/outbox.ts';
import { timersInsertSql, type PlannedTimer } from '../../core/timers.ts';
import { sha256 } from '../../core/tokens.ts';
import type * as devicesRepo from '../devices/devices.repository.ts';

export type OrderRow = Selectable<ServiceOrdersTable>;
export const SUBJECT_TYPE = 'service-order';
export const subjectOf = (o: Pick<OrderRow, 'id' | 'organization_id'>): Subject => ({ type: SUBJECT_TYPE, id: o.id, organizationId: o.organization_id });

export const lockOrder = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('service_orders').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
export const getOrder = (db: Db | Tx, orgId: string, id: string) =>
  db.selectFrom('service_orders').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();

// ---------- charges, payments, parts ----------

/** The parts used (the ledger, charges and payments, is billing's: src/modules/billing/ledger.ts). */
export async function extrasOf(db: Db | Tx, o: Pick<OrderRow, 'id' | 'organization_id'>) {
  const parts = await db.selectFrom('order_parts').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').execute();
  return { parts };
}


export async function insertPart(tx: Tx, o: OrderRow, p: { action: 'replaced' | 'added'; partId: string; replacesPartId: string | null; category: string; underWarranty: boolean; removedPartRetained: boolean }) {
  await tx
    .insertInto('order_parts')
    .values({ id: uuidv7(), organization_id: o.organization_id, order_id: o.id, action: p.action, part_id: p.partId, replaces_part_id: p.replacesPartId, category: p.category, under_warranty: p.underWarranty, removed_part_retained: p.removedPartRetained })
    .execute();
}

/** The day the order's repair was completed (its device event), if it was. */
export async function repairCompletedOn(db: Db | Tx, o: OrderRow) {
  const r = await db.selectFrom('device_events').select('date').where('organization_id', '=', o.organization_id).where('order_ref', '=', o.number).where('type', '=', 'repair-completed').where('voided_at', 'is', null).executeTakeFirst();
  return r?.date;
}

// ---------- timeline ----------

export function auditRowsOf(db: Db | Tx, o: OrderRow) {
  return db
    .selectFrom('audit_events')
    .select(['occurred_at', 'action', 'actor_type', 'actor_id', 'channel', 'before', 'after'])
    .where('organization_id', '=', o.organization_id)
    .where('entity_type', '=', SUBJECT_TYPE)
    .where('entity_id', '=', o.id)
    .orderBy('id')
    .execute();
}

/** Staff members' and API keys' names by id, as they are now. */
export async function actorNames(db: Db | Tx, orgId: string, staff: string[], keys: string[]) {
  const names = new Map<string, string>();
  if (staff.length) for (const u of await db.selectFrom('staff_users').select(['id', 'name']).where('organization_id', '=', orgId).where('id', 'in', staff).execute()) names.set(`staff:${u.id}`, u.name);
  if (keys.length) for (const k of await db.selectFrom('api_keys').select(['id', 'name']).where('organization_id', '=', orgId).where('id', 'in', keys).execute()) names.set(`api-key:${k.id}`, k.name);
  return names;
}

// ---------- intake ----------

export type CustomerLite = { id: string; name: string; email: string | null; phone: string | null; address: string | null; preferred_language: string | null; preferred_channel: string | null };
export type PurchaseLite = { device_id: string; document_type: string; sold_on: string; place: string | null };

export interface IntakeRead {
  org: Org | null;
  customer: CustomerLite | null;
  devices: devicesRepo.DeviceRow[];
  parts: devicesRepo.PartRow[];
  events: devicesRepo.EventRow[];
  purchase: PurchaseLite | null;
  /** Per device id: the claim proofs its valid registrations give (ITS-5, ITS-6). */
  registration_proofs: Record<string, Record<string, boolean>>;
}

/** One round trip: the organization, the customer (by id or e-mail), the device(s) by id or serial, and for those their parts, history and latest purchase. */
export async function readIntake(tx: Tx, orgId: string, q: { deviceId: string | null; serial: string | null; manufacturer: string | null; customerId: string | null; email: string | null }): Promise<IntakeRead> {
  const { deviceId, serial, manufacturer, customerId, email } = q;
  const r = await sql<IntakeRead>`/* prepared: intake-read */
    with d as (
      select * from devices
      where organization_id = ${orgId}
        and (case when ${deviceId}::uuid is not null then id = ${deviceId}::uuid
                  else ${serial}::text is not null and serial = ${serial}::text and (${manufacturer}::text is null or lower(manufacturer) = ${manufacturer}::text) end)
      limit 10)
    select
      (select to_jsonb(o) from (select id, slug, pack_id, policy_rev, time_zone, currency from organizations where id = ${orgId}) o) as org,
      (select to_jsonb(c) from (select id, name, email, phone, address, preferred_language, preferred_channel from customers
         where organization_id = ${orgId}
           and (case when ${customerId}::uuid is not null then id = ${customerId}::uuid else ${email}::text is not null and lower(email) = ${email}::text end)
         order by id limit 1) c) as customer,
      (select coalesce(jsonb_agg(to_jsonb(d)), '[]'::jsonb) from d) as devices,
      (select coalesce(jsonb_agg(to_jsonb(p) order by p.part_key), '[]'::jsonb) from device_parts p where p.organization_id = ${orgId} and p.device_id in (select id from d)) as parts,
      (select coalesce(jsonb_agg(to_jsonb(e) order by e.date, e.recorded_at, e.id), '[]'::jsonb) from device_events e where e.organization_id = ${orgId} and e.device_id in (select id from d) and e.voided_at is null) as events,
      (select to_jsonb(p) from (select device_id, document_type, sold_on, place from purchases where organization_id = ${orgId} and device_id in (select id from d) order by sold_on desc limit 1) p) as purchase,
      (select coalesce(jsonb_object_agg(r.device_id, r.proofs), '{}'::jsonb) from device_registrations r where r.organization_id = ${orgId} and r.device_id in (select id from d) and r.state = 'paid') as registration_proofs`.execute(tx);
  return r.rows[0];
}

export interface IntakeWrite {
  row: OrderRow;
  /** The decision as JSON text (serialized once by the caller). */
  decisionJson: string | null;
  year: number;
  clocks: PlannedClock[];
  timers: PlannedTimer[];
  token: string;
  audit: Record<string, unknown>;
  message: Record<string, unknown>;
}

const json = (x: unknown) => (x === null || x === undefined ? null : JSON.stringify(x));

/**
 * One statement. Its first step takes the number from the organization's sequence of the year (no
 * lock: numbers may have gaps). Foreign keys between the rows written here are checked at its end.
 * Clocks, timers, audit and outbox rows are written by the core's own inserts, here as CTEs.
 */
export async function writeIntake(tx: Tx, actor: Actor, w: IntakeWrite): Promise<string> {
  const o = w.row;
  const s = subjectOf(o);
  const number = sql`(select number from n)`;
  const r = await sql<{ number: string }>`/* prepared: intake-write */
    with n as (select ${caseNumberSql('so', 'SO', o.organization_id, w.year)} as number),
    o as (
      insert into service_orders (id, organization_id, number, state, channel, customer_id, device_id, language, contact_channel, problem, claim_date,
        details, proofs, missing, pre_authorization_required, pre_authorization_rule, decision, decision_final, work_order, received_on, currency, policy_version, version, created_at, updated_at,
        submitted, awaiting_link, claim_received_at)
      select ${o.id}, ${o.organization_id}, n.number, ${o.state}, ${o.channel}, ${o.customer_id}, ${o.device_id}, ${o.language}, ${o.contact_channel}, ${o.problem}, ${o.claim_date}::date,
        ${json(o.details)}::jsonb, ${json(o.proofs)}::jsonb, ${json(o.missing)}::jsonb, ${o.pre_authorization_required}, ${o.pre_authorization_rule}, ${w.decisionJson}::jsonb, false, ${json(o.work_order)}::jsonb,
        ${o.received_on}::date, ${o.currency}, ${o.policy_version}, 1, ${o.created_at}, ${o.updated_at},
        ${json(o.submitted)}::jsonb, ${o.awaiting_link}, ${o.claim_received_at}::timestamptz
      from n returning id),
    c as (${clocksInsertSql(s, w.clocks)}),
    t as (${timersInsertSql(s, w.timers)}),
    p as (insert into order_page_tokens (token_hash, organization_id, order_id, created_at) values (${sha256(w.token)}, ${o.organization_id}, ${o.id}, ${o.created_at})),
    a as (${auditSql(actor, [{ action: 'service-order.created', entityType: SUBJECT_TYPE, entityId: o.id, after: w.audit }], { extraAfter: sql`jsonb_build_object('number', ${number})` })}),
    ob as (${outboxSql([{ organizationId: o.organization_id, topic: 'claim.received', aggregateType: SUBJECT_TYPE, aggregateId: o.id, payload: w.message }], { extraPayload: sql`jsonb_build_object('number', ${number})` })})
    select n.number from n`.execute(tx);
  return r.rows[0].number;
}

// ---------- order-page tokens ----------

/** `now` is the application's clock: a link's lifetime after the order closes runs from it. */
export async function insertPageToken(tx: Tx, orgId: string, orderId: string, token: string, now: Date) {
  await tx.insertInto('order_page_tokens').values({ token_hash: sha256(token), organization_id: orgId, order_id: orderId, created_at: now }).execute();
}

export async function revokePageTokensOf(tx: Tx, o: OrderRow, now: Date) {
  const r = await tx.updateTable('order_page_tokens').set({ revoked_at: now }).where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).where('revoked_at', 'is', null).executeTakeFirst();
  // The intake's token is kept in its claim.received message so that documents and later messages
  // print the same link; once revoked it is dropped there too: nothing prints a dead link, and the
  // token is no longer stored in clear. Later prints show the page reached by number and contact.
  await tx
    .updateTable('outbox')
    .set({ payload: sql`payload - 'orderPageToken'` })
    .where('organization_id', '=', o.organization_id)
    .where('aggregate_id', '=', o.id)
    .where('topic', '=', 'claim.received')
    .execute();
  return Number(r.numUpdatedRows);
}

/** The order a link (not revoked) opens, when the link was issued, and the business's slug. */
export async function orderByToken(db: Db | Tx, token: string) {
  const r = await db
    .selectFrom('order_page_tokens as t')
    .innerJoin('service_orders as o', (j) => j.onRef('o.organization_id', '=', 't.organization_id').onRef('o.id', '=', 't.order_id'))
    .innerJoin('organizations as g', 'g.id', 'o.organization_id')
    .selectAll('o')
    .select(['t.created_at as link_issued_at', 'g.slug as org_slug'])
    .where('t.token_hash', '=', sha256(token))
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!r) return undefined;
  const { link_issued_at: issuedAt, org_slug: orgSlug, ...order } = r;
  return { order: order as OrderRow, issuedAt, orgSlug };
}

/**
 * The business's order with this number and its client's contacts (the lookup compares them): the
 * customer's, or for a public claim no one has linked yet, what the client sent.
 */
export function orderByNumber(db: Db | Tx, orgId: string, number: string) {
  return db
    .selectFrom('service_orders as o')
    .leftJoin('customers as c', (j) => j.onRef('c.id', '=', 'o.customer_id').onRef('c.organization_id', '=', 'o.organization_id'))
    .selectAll('o')
    .select(['c.email as c_email', 'c.phone as c_phone'])
    .where('o.organization_id', '=', orgId)
    .where('o.number', '=', number)
    .executeTakeFirst();
}

export const orgNameAndPack = (db: Db | Tx, orgId: string) => db.selectFrom('organizations').select(['id', 'name', 'pack_id', 'policy_rev']).where('id', '=', orgId).executeTakeFirstOrThrow();
export const deviceLabel = (db: Db | Tx, orgId: string, deviceId: string) =>
  db.selectFrom('devices').select(['manufacturer', 'model', 'serial']).where('organization_id', '=', orgId).where('id', '=', deviceId).executeTakeFirstOrThrow();

// ---------- lists and queues ----------

export const QUEUES = ['to-link', 'new', 'in-work', 'due-today', 'at-risk', 'breached', 'awaiting-client', 'ready', 'unclaimed'] as const;
export type Queue = (typeof QUEUES)[number];

/** `day` is the organization's day as [start, end] instants. */
function queueFilter(orgId: string, queue: Queue, now: Date, day: [Date, Date]) {
  const open = (cond: ReturnType<typeof sql>) =>
    sql`exists (select 1 from clocks c where c.organization_id = ${orgId} and c.subject_type = ${SUBJECT_TYPE} and c.subject_id = o.id and c.stopped_at is null and c.due_at is not null and ${cond})`;
  switch (queue) {
    case 'to-link':
      // Public claims waiting for staff to match them to a customer and device (issue 15).
      return sql`o.awaiting_link`;
    case 'new':
      return sql`o.state in ('claimed', 'received')`;
    case 'in-work':
      // In the workshop: from diagnosis to the test, whatever the deadlines say.
      return sql`o.state in ('diagnosing', 'warranty-approved', 'accepted', 'in-repair', 'testing')`;
    case 'awaiting-client':
      return sql`o.state = 'awaiting-decision'`;
    case 'ready':
      return sql`o.state = 'ready'`;
    case 'unclaimed':
      return sql`o.state = 'unclaimed'`;
    case 'due-today':
      return open(sql`c.due_at between ${day[0]} and ${day[1]}`);
    case 'at-risk':
      return open(sql`c.at_risk_at <= ${now} and c.due_at >= ${now}`);
    case 'breached':
      return open(sql`c.due_at < ${now}`);
  }
}

const LIVE = sql`o.state not in ('handed-over', 'returned', 'disposed', 'cancelled', 'settled')`;

export async function queueCount(db: Db, orgId: string, q: Queue, now: Date, day: [Date, Date]) {
  const r = await sql<{ n: string }>`select count(*) as n from service_orders o where o.organization_id = ${orgId} and ${LIVE} and ${queueFilter(orgId, q, now, day)}`.execute(db);
  return Number(r.rows[0].n);
}

export async function listOrders(db: Db, orgId: string, f: { queue?: Queue; state?: string; deviceId?: string; number?: string; cursor?: string; limit: number }, now: Date, day: [Date, Date]) {
  const after = decodeCursor(f.cursor);
  const conds = [sql`o.organization_id = ${orgId}`];
  if (f.queue) conds.push(LIVE, queueFilter(orgId, f.queue, now, day));
  if (f.state) conds.push(sql`o.state = ${f.state}`);
  if (f.deviceId) conds.push(sql`o.device_id = ${f.deviceId}`);
  if (f.number) conds.push(sql`o.number = ${f.number}`);
  if (after) conds.push(sql`o.id < ${after}`);
  return (await sql<OrderRow>`select o.* from service_orders o where ${sql.join(conds, sql` and `)} order by o.id desc limit ${f.limit + 1}`.execute(db)).rows;
}

// ---------- linking a public claim ----------

/** Customers and devices a public claim may be about: by the e-mail, phone and serial it names. */
export async function linkCandidates(db: Db | Tx, orgId: string, sent: { email?: string; phone?: string; serial?: string }) {
  const email = sent.email?.trim().toLowerCase() || null;
  const phone = sent.phone?.replace(/\D/g, '') || null;
  const customers = await db
    .selectFrom('customers')
    .select(['id', 'name', 'email', 'phone', 'address'])
    .where('organization_id', '=', orgId)
    .where((eb) => eb.or([eb(eb.fn('lower', ['email']), '=', email), eb(sql<string>`regexp_replace(phone, '[^0-9]', '', 'g')`, '=', phone)]))
    .orderBy('id')
    .limit(10)
    .execute();
  const owners = customers.map((c) => c.id);
  const devices = await db
    .selectFrom('devices')
    .select(['id', 'serial', 'manufacturer', 'model', 'category', 'customer_id'])
    .where('organization_id', '=', orgId)
    .where((eb) => eb.or([eb(eb.fn('lower', ['serial']), '=', sent.serial?.trim().toLowerCase() ?? null), ...(owners.length ? [eb('customer_id', 'in', owners)] : [])]))
    .orderBy('id')
    .limit(20)
    .execute();
  return { customers, devices };
}
