// Claims and service orders: intake, the work order, diagnosis, quote, the client's decision, repair,
// test, pickup. Every change is one transaction: the new state, an append-only audit event, the
// order's clocks, device history events and outbox rows. Warranty answers come from the engine
// (decide, evaluatePackClock); nothing here computes a warranty date.
import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { DateTime } from 'luxon';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { ServiceOrdersTable } from '../../db/schema.ts';
import { decide, getShippedPack, PolicyInputError, versionAt, type ClaimInput, type CompiledPack, type Decision } from '../../policy/index.ts';
import { audit } from '../../server/audit.ts';
import { sha256 } from '../../server/auth.ts';
import type { Actor } from '../../server/context.ts';
import { AppError, badField, notFound, versionConflict } from '../../server/errors.ts';
import { decodeCursor, toPage } from '../../server/http.ts';
import * as customers from '../customers/customers.service.ts';
import * as devicesRepo from '../devices/devices.repository.ts';
import * as devices from '../devices/devices.service.ts';
import { enqueue } from '../outbox/outbox.repository.ts';
import { todayIn } from '../warranty/warranty.service.ts';
import { applyClockEvents, orderClocks, pauseClocks, planNewClocks, resumeClocks } from './clocks.ts';
import { CLOCK_EVENTS, transition, WAITING_FOR_CLIENT, type Action, type State } from './state-machine.ts';

export type OrderRow = Selectable<ServiceOrdersTable>;
export const INTAKE_CHANNELS = ['web-form', 'api', 'phone', 'email', 'walk-in'] as const;
export type IntakeChannel = (typeof INTAKE_CHANNELS)[number];
/** SC-7: how the client's consent or refusal reached us. */
export const DECISION_CHANNELS = ['order-page', 'email', 'phone', 'in-person'] as const;
export const PAYMENT_METHODS = ['cash', 'card-terminal'] as const;

export interface WorkOrder {
  termsAccepted: boolean; // SC-2, ITEMA-11
  accessories: string[];
  complete: boolean;
  visibleCondition: string;
  dataBackedUp: boolean; // ITEMA-29
  passwordsRemoved: boolean; // ITEMA-29
  problemInClientsWords: string;
  signedBy: string;
}

export interface ClaimFields {
  channel: IntakeChannel;
  customerId?: string;
  customer?: { name: string; email?: string | null; phone?: string | null; address?: string | null; preferredLanguage?: 'en' | 'bg' | 'vi' | null };
  deviceId?: string;
  device?: { serial: string; manufacturer?: string; model?: string | null; category?: string };
  purchase?: { date?: string; place?: string };
  problem: string;
  proofs?: ClaimInput['proofs'];
  workOrder?: WorkOrder;
}

interface Org {
  id: string;
  slug: string;
  pack_id: string;
  time_zone: string;
  currency: string;
}

const orgOf = (db: Db | Tx, id: string) => db.selectFrom('organizations').select(['id', 'slug', 'pack_id', 'time_zone', 'currency']).where('id', '=', id).executeTakeFirstOrThrow() as Promise<Org>;

const policyError = (e: unknown): never => {
  if (e instanceof PolicyInputError) {
    throw new AppError(422, 'policy-input-invalid', 'The order cannot be evaluated by its policy', { errors: e.issues.map((i) => ({ field: i.path, message: i.message })) });
  }
  throw e;
};

async function history(db: Db | Tx, orgId: string, deviceId: string) {
  const d = await devicesRepo.get(db, orgId, deviceId);
  if (!d) return undefined;
  const parts = await devicesRepo.partsOf(db, orgId, [deviceId]);
  const events = await devicesRepo.eventsOf(db, orgId, deviceId);
  return { device: devices.toDeviceInput(d, parts), events: devices.toDeviceEvents(events), row: d };
}

function claimInput(o: OrderRow, extra: Partial<ClaimInput> = {}): ClaimInput {
  return {
    date: o.claim_date,
    problem: o.problem,
    details: o.details as ClaimInput['details'],
    proofs: o.proofs as ClaimInput['proofs'],
    diagnosed: o.decision_final,
    findings: o.findings,
    ...(o.insignificant ? { insignificant: true } : {}),
    ...extra,
  };
}

/** Asks the engine; the decision is stored as JSON (texts serialize to { en, bg, vi }). */
async function decideFor(db: Db | Tx, o: OrderRow, pack: CompiledPack, org: Org, extra: Partial<ClaimInput>, moment: Date): Promise<Decision | undefined> {
  if (!o.device_id) return undefined;
  const h = await history(db, o.organization_id, o.device_id);
  if (!h) return undefined;
  try {
    return decide(claimInput(o, extra), h, pack, todayIn(org.time_zone, moment));
  } catch (e) {
    return policyError(e);
  }
}

const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const reasonsOf = (d: Decision | undefined) => (d ? d.reasons.map((r) => ({ rule: r.rule, code: r.code })) : []);

// ---------- views ----------

async function extras(db: Db | Tx, o: OrderRow) {
  const [charges, payments, parts] = await Promise.all([
    db.selectFrom('order_charges').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').execute(),
    db.selectFrom('order_payments').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').execute(),
    db.selectFrom('order_parts').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').execute(),
  ]);
  const charged = charges.reduce((s, c) => s + Number(c.amount_minor), 0);
  const paid = payments.reduce((s, p) => s + Number(p.amount_minor), 0);
  return { charges, payments, parts, balance: charged - paid, charged, paid };
}

export function orderView(o: OrderRow, x: Awaited<ReturnType<typeof extras>>) {
  return {
    id: o.id,
    number: o.number,
    state: o.state as State,
    channel: o.channel as IntakeChannel,
    customerId: o.customer_id,
    deviceId: o.device_id,
    language: o.language,
    problem: o.problem,
    claimDate: o.claim_date,
    details: o.details as Record<string, string>,
    proofs: o.proofs as Record<string, boolean>,
    missing: o.missing as { field: string; rule: string }[],
    preAuthorization: { required: o.pre_authorization_required, rule: o.pre_authorization_required ? 'ITEMA-28' : null, authorizedAt: o.pre_authorized_at?.toISOString() ?? null },
    decision: (o.decision ?? null) as Record<string, unknown> | null,
    decisionFinal: o.decision_final,
    insignificant: o.insignificant,
    underWarranty: o.under_warranty,
    findings: o.findings,
    workOrder: (o.work_order ?? null) as Record<string, unknown> | null,
    receivedOn: o.received_on,
    quote: (o.quote ?? null) as Record<string, unknown> | null,
    clientDecision: (o.client_decision ?? null) as Record<string, unknown> | null,
    testResult: (o.test_result ?? null) as Record<string, unknown> | null,
    findingsProtocol: o.findings_protocol,
    currency: o.currency,
    charges: x.charges.map((c) => ({ id: c.id, kind: c.kind, amountMinor: Number(c.amount_minor), currency: c.currency, rule: c.rule, note: c.note })),
    payments: x.payments.map((p) => ({ id: p.id, method: p.method, amountMinor: Number(p.amount_minor), currency: p.currency, receivedAt: p.created_at.toISOString() })),
    parts: x.parts.map((p) => ({ id: p.id, action: p.action, partId: p.part_id, replacesPartId: p.replaces_part_id, category: p.category, underWarranty: p.under_warranty, removedPartRetained: p.removed_part_retained })),
    balance: { charged: x.charged, paid: x.paid, due: x.balance, currency: o.currency },
    policyVersion: o.policy_version,
    version: o.version,
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}
export type OrderView = ReturnType<typeof orderView>;

const lockOrder = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('service_orders').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
const getOrder = (db: Db | Tx, orgId: string, id: string) =>
  db.selectFrom('service_orders').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export async function view(db: Db | Tx, o: OrderRow) {
  return orderView(o, await extras(db, o));
}

/** One order with its clocks, the client's rights as they stand, and its timeline. */
export async function get(db: Db, actor: Actor, id: string, now: Date) {
  const o = await getOrder(db, actor.organizationId, id);
  if (!o) throw notFound('Service order');
  return detail(db, o, now);
}

export async function detail(db: Db | Tx, o: OrderRow, now: Date) {
  const org = await orgOf(db, o.organization_id);
  const pack = getShippedPack(org.pack_id);
  const clocks = await orderClocks(db, pack, o.id, now);
  const rights = await rightsOf(db, o, pack, org, now, 'en');
  return { ...(await view(db, o)), clocks, rights, timeline: await timeline(db, o) };
}

/**
 * ITEMA-18/31 (a month without a fix), ITEMA-32 (a fourth fault after three repairs): the engine's
 * consumer remedies as of `now`, the fix being the ready notice; texts in `lang`.
 */
async function rightsOf(db: Db | Tx, o: OrderRow, pack: CompiledPack, org: Awaited<ReturnType<typeof orgOf>>, now: Date, lang: 'en' | 'bg' | 'vi') {
  if (!o.device_id || o.state === 'cancelled') return [];
  const ready = await db
    .selectFrom('device_events')
    .select('date')
    .where('organization_id', '=', o.organization_id)
    .where('order_ref', '=', o.number)
    .where('type', '=', 'repair-completed')
    .executeTakeFirst();
  const d = await decideFor(db, o, pack, org, ready ? { fixedOn: ready.date } : {}, now);
  const out: { type: 'terminate' | 'price-reduction' | 'refund'; rule: string; text: string }[] = [];
  for (const r of d?.remedies ?? []) {
    if (r.type === 'terminate' || r.type === 'price-reduction' || r.type === 'refund') out.push({ type: r.type, rule: r.rule, text: r.text[lang] ?? r.text.en });
  }
  return out;
}

export async function timeline(db: Db | Tx, o: OrderRow) {
  const rows = await db
    .selectFrom('audit_events')
    .select(['occurred_at', 'action', 'actor_type', 'actor_id', 'channel', 'before', 'after'])
    .where('organization_id', '=', o.organization_id)
    .where('entity_type', '=', 'service-order')
    .where('entity_id', '=', o.id)
    .orderBy('id')
    .execute();
  const entries = rows.map((r) => {
    const a = (r.after ?? {}) as { state?: string; via?: string; by?: string };
    const b = (r.before ?? {}) as { state?: string };
    return { at: r.occurred_at.toISOString(), action: r.action.replace(/^service-order\./, ''), from: b.state ?? null, to: a.state ?? null, channel: a.via ?? r.channel, by: a.by ?? `${r.actor_type}:${r.actor_id}` };
  });
  // Who, readable: the staff member's or API key's name (as it is now); a system actor keeps its id
  // ('order-page', 'jobs', ...), which the console words in the reader's language.
  const ids = (type: string) => [...new Set(entries.filter((e) => e.by.startsWith(`${type}:`)).map((e) => e.by.slice(type.length + 1)))].filter((x) => UUID.test(x));
  const [staff, keys] = [ids('staff'), ids('api-key')];
  const names = new Map<string, string>();
  if (staff.length) {
    for (const u of await db.selectFrom('staff_users').select(['id', 'name']).where('organization_id', '=', o.organization_id).where('id', 'in', staff).execute()) names.set(`staff:${u.id}`, u.name);
  }
  if (keys.length) {
    for (const k of await db.selectFrom('api_keys').select(['id', 'name']).where('organization_id', '=', o.organization_id).where('id', 'in', keys).execute()) names.set(`api-key:${k.id}`, k.name);
  }
  return entries.map((e) => ({ ...e, byName: names.get(e.by) ?? e.by.replace(/^system:/, '') }));
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------- intake ----------
//
// Intake is one read and one write (plus the caller's BEGIN / COMMIT): everything it needs from the
// database comes back from one query (the organization, the customer, the device with its parts,
// history and latest purchase), the engine decides and the clocks are planned in the process, and
// every row (order, clocks, timers and their graphile-worker jobs, the order-page token, the audit
// event, the outbox row) is written by one statement whose first step takes the number. Only a
// customer or device we have never seen costs extra round trips (they are created first).

type CustomerLite = { id: string; name: string; email: string | null; phone: string | null; address: string | null; preferred_language: string | null; preferred_channel: string | null };
type PurchaseLite = { device_id: string; document_type: string; sold_on: string; place: string | null };
type DeviceLite = devicesRepo.DeviceRow;

interface IntakeRead {
  org: Org | null;
  customer: CustomerLite | null;
  devices: DeviceLite[];
  parts: devicesRepo.PartRow[];
  events: devicesRepo.EventRow[];
  purchase: PurchaseLite | null;
}

/** One round trip: the organization, the customer (by id or e-mail), the device(s) by id or serial, and for those their parts, history and latest purchase. */
async function readIntake(tx: Tx, orgId: string, f: ClaimFields): Promise<IntakeRead> {
  const deviceId = f.deviceId ?? null;
  const serial = f.deviceId ? null : (f.device?.serial ?? null);
  const manufacturer = f.deviceId ? null : (f.device?.manufacturer?.toLowerCase() ?? null);
  const customerId = f.customerId ?? null;
  const email = f.customerId ? null : (f.customer?.email?.toLowerCase() ?? null);
  const r = await sql<IntakeRead>`/* prepared: intake-read */
    with d as (
      select * from devices
      where organization_id = ${orgId}
        and (case when ${deviceId}::uuid is not null then id = ${deviceId}::uuid
                  else ${serial}::text is not null and serial = ${serial}::text and (${manufacturer}::text is null or lower(manufacturer) = ${manufacturer}::text) end)
      limit 10)
    select
      (select to_jsonb(o) from (select id, slug, pack_id, time_zone, currency from organizations where id = ${orgId}) o) as org,
      (select to_jsonb(c) from (select id, name, email, phone, address, preferred_language, preferred_channel from customers
         where organization_id = ${orgId}
           and (case when ${customerId}::uuid is not null then id = ${customerId}::uuid else ${email}::text is not null and lower(email) = ${email}::text end)
         order by id limit 1) c) as customer,
      (select coalesce(jsonb_agg(to_jsonb(d)), '[]'::jsonb) from d) as devices,
      (select coalesce(jsonb_agg(to_jsonb(p) order by p.part_key), '[]'::jsonb) from device_parts p where p.organization_id = ${orgId} and p.device_id in (select id from d)) as parts,
      (select coalesce(jsonb_agg(to_jsonb(e) order by e.date, e.recorded_at, e.id), '[]'::jsonb) from device_events e where e.organization_id = ${orgId} and e.device_id in (select id from d)) as events,
      (select to_jsonb(p) from (select device_id, document_type, sold_on, place from purchases where organization_id = ${orgId} and device_id in (select id from d) order by sold_on desc limit 1) p) as purchase`.execute(tx);
  return r.rows[0];
}

async function intakeCustomer(tx: Tx, actor: Actor, f: ClaimFields, found: CustomerLite | null): Promise<CustomerLite> {
  if (f.customerId) {
    if (!found) throw new AppError(422, 'unknown-reference', 'No such customer', { errors: [{ field: 'body.customerId', message: 'no such customer' }] });
    return found;
  }
  if (!f.customer) throw badField('body.customer', 'give customerId or the customer (name and a phone or e-mail)', 'required');
  if (f.customer.email && found) return found;
  const v = await customers.insert(tx, actor, { ...f.customer, preferredChannel: f.customer.email ? 'email' : f.customer.phone ? 'phone' : null });
  return { id: v.id, name: v.name, email: v.email, phone: v.phone, address: v.address, preferred_language: v.preferredLanguage, preferred_channel: v.preferredChannel } as CustomerLite;
}

/** The device and whether it was registered just now (no parts, no history). */
async function intakeDevice(tx: Tx, actor: Actor, f: ClaimFields, found: DeviceLite[], customerId: string): Promise<{ device?: DeviceLite; created: boolean }> {
  if (f.deviceId) {
    if (!found.length) throw new AppError(422, 'unknown-reference', 'No such device', { errors: [{ field: 'body.deviceId', message: 'no such device' }] });
    return { device: found[0], created: false };
  }
  if (!f.device) return { created: false };
  if (found.length === 1) return { device: found[0], created: false };
  if (found.length > 1) throw badField('body.device.manufacturer', 'several manufacturers use this serial; name the manufacturer', 'ambiguous');
  // A device we never sold (a repair shop's usual case): registered with what the client told us.
  if (f.device.manufacturer && f.device.category) {
    const v = await devices.insert(tx, actor, { serial: f.device.serial, manufacturer: f.device.manufacturer, model: f.device.model ?? null, category: f.device.category, customerId });
    return { device: await devicesRepo.get(tx, actor.organizationId, v.id), created: true };
  }
  return { created: false };
}

export interface Intake {
  order: OrderView;
  orderPage: { token: string; path: string };
}

/** Inside a caller's transaction (the HTTP create with its Idempotency-Key, the web form, the demo seed). */
export async function insertClaim(tx: Tx, actor: Actor, f: ClaimFields, now: Date): Promise<Intake> {
  if (f.workOrder) checkWorkOrder(f.workOrder, 'body.workOrder');
  const read = await readIntake(tx, actor.organizationId, f);
  const org = read.org!;
  const pack = getShippedPack(org.pack_id);
  const v = versionAt(pack, now.toISOString());
  const customer = await intakeCustomer(tx, actor, f, read.customer);
  const { device, created } = await intakeDevice(tx, actor, f, read.devices, customer.id);
  const purchase = device && !created && read.purchase?.device_id === device.id ? read.purchase : undefined;
  const claimDate = todayIn(org.time_zone, now);
  // ITEMA-27: what the client gave, completed from our own records.
  const details: Record<string, string> = {};
  const put = (k: string, val: string | null | undefined) => {
    if (val !== null && val !== undefined && String(val).trim() !== '') details[k] = String(val);
  };
  put('name', customer.name);
  put('address', customer.address);
  put('email', customer.email);
  put('phone', customer.phone);
  put('model', device?.model ?? f.device?.model);
  put('serial', device?.serial ?? f.device?.serial);
  put('purchaseDate', f.purchase?.date ?? purchase?.sold_on);
  put('purchasePlace', f.purchase?.place ?? purchase?.place);
  put('description', f.problem);
  const proofs: Record<string, boolean> = { ...(f.proofs ?? {}) } as Record<string, boolean>;
  if (purchase) {
    // The payment document is on our own record (ITEMA-10, ITS-6).
    if (purchase.document_type === 'invoice') proofs.invoice = true;
    if (purchase.document_type === 'receipt') proofs.receipt = true;
    if (purchase.document_type === 'contract') proofs.serviceContract = true;
  }
  const id = uuidv7();
  const state: State = f.workOrder ? 'received' : 'claimed';
  const row: OrderRow = {
    id,
    organization_id: org.id,
    number: '', // taken by the write below, its first step
    state,
    channel: f.channel,
    customer_id: customer.id,
    device_id: device?.id ?? null,
    language: customer.preferred_language ?? v.raw.settings.languages[0] ?? 'en',
    contact_channel: customer.preferred_channel,
    problem: f.problem,
    claim_date: claimDate,
    details,
    proofs,
    missing: [],
    // ITEMA-28: contact before sending anything; a device not yet in our hands waits for it.
    pre_authorization_required: 'ITEMA-28' in v.raw.rules && !f.workOrder && f.channel !== 'walk-in',
    pre_authorized_at: null,
    decision: null,
    decision_final: false,
    under_warranty: null,
    findings: [],
    insignificant: false,
    work_order: f.workOrder ?? null,
    received_on: f.workOrder ? claimDate : null,
    quote: null,
    client_decision: null,
    test_result: null,
    findings_protocol: null,
    currency: v.raw.settings.currency,
    policy_version: v.version,
    version: 1,
    created_at: now,
    updated_at: now,
  };
  // The engine's provisional decision, once, from the history read above.
  let decision: Decision | undefined;
  if (device) {
    try {
      decision = decide(claimInput(row), { device: devices.toDeviceInput(device, created ? [] : read.parts), events: created ? [] : devices.toDeviceEvents(read.events) }, pack, claimDate);
    } catch (e) {
      policyError(e);
    }
  }
  const missing = decision ? decision.missing.map((m) => ({ field: m.field, rule: m.rule })) : requirementGaps(v.raw.requirements, details, proofs);
  if (!device) missing.unshift({ field: 'device', rule: v.raw.requirements.details?.rule ?? 'ITEMA-27' });
  row.missing = missing;
  row.decision = decision ? plain(decision) : null;
  row.policy_version = decision?.policyVersion ?? v.version;
  const { clocks, timers } = planNewClocks(pack, ['claim-received', ...(f.workOrder ? CLOCK_EVENTS.open! : [])], now);
  const token = crypto.randomBytes(32).toString('base64url');
  const year = Number(claimDate.slice(0, 4));
  const auditAfter = { state, via: f.channel, policyVersion: row.policy_version, outcome: decision?.outcome ?? null, provisional: decision?.provisional ?? true, reasons: reasonsOf(decision), missing };
  const payload = { orderId: id, customerId: customer.id, deviceId: device?.id ?? null, language: row.language, channel: row.contact_channel, missing, preAuthorizationRequired: row.pre_authorization_required, orderPageToken: token };
  const json = (x: unknown) => (x === null || x === undefined ? null : JSON.stringify(x));
  // One statement. Its first step takes the number: the counter row (organization, year) is locked by
  // the upsert and held only for the rest of this statement and the COMMIT. Foreign keys between the
  // rows written here are checked at its end. Every timer's job is added with its job_key, all in
  // one graphile_worker.add_jobs call (one call and one notification instead of one per timer).
  const r = await sql<{ number: string; jobs: number }>`/* prepared: intake-write */
    with n as (
      insert into order_counters (organization_id, year, last_number) values (${org.id}, ${year}, 1)
      on conflict (organization_id, year) do update set last_number = order_counters.last_number + 1
      returning 'SO-' || ${year}::text || '-' || lpad(last_number::text, 6, '0') as number),
    o as (
      insert into service_orders (id, organization_id, number, state, channel, customer_id, device_id, language, contact_channel, problem, claim_date,
        details, proofs, missing, pre_authorization_required, decision, decision_final, work_order, received_on, currency, policy_version, version, created_at, updated_at)
      select ${id}, ${org.id}, n.number, ${state}, ${f.channel}, ${customer.id}, ${row.device_id}, ${row.language}, ${row.contact_channel}, ${f.problem}, ${claimDate}::date,
        ${json(details)}::jsonb, ${json(proofs)}::jsonb, ${json(missing)}::jsonb, ${row.pre_authorization_required}, ${json(row.decision)}::jsonb, false, ${json(f.workOrder)}::jsonb,
        ${row.received_on}::date, ${row.currency}, ${row.policy_version}, 1, ${now}, ${now}
      from n returning id),
    c as (
      insert into order_clocks (id, organization_id, order_id, clock_id, rule, started_at, due_at, at_risk_at, policy_version)
      select x.id, ${org.id}, ${id}, x.clock_id, x.rule, x.started_at, x.due_at, x.at_risk_at, x.policy_version
      from jsonb_to_recordset(${json(clocks)}::jsonb) as x(id uuid, clock_id text, rule text, started_at timestamptz, due_at timestamptz, at_risk_at timestamptz, policy_version text)),
    t as (
      insert into order_timers (id, organization_id, order_id, clock_row_id, kind, fire_at)
      select x.id, ${org.id}, ${id}, x.clock_row_id, x.kind, x.fire_at
      from jsonb_to_recordset(${json(timers)}::jsonb) as x(id uuid, clock_row_id uuid, kind text, fire_at timestamptz)
      returning id, fire_at),
    ja as (
      select array_agg(row('order-timer', json_build_object('timerId', t.id::text), null, t.fire_at, 10, 'order-timer:' || t.id::text, null, null)::graphile_worker.job_spec) as specs
      from t),
    j as (
      select jobs.id from ja, graphile_worker.add_jobs(ja.specs) as jobs where ja.specs is not null),
    p as (
      insert into order_page_tokens (token_hash, organization_id, order_id) values (${sha256(token)}, ${org.id}, ${id})),
    a as (
      insert into audit_events (organization_id, actor_type, actor_id, channel, action, entity_type, entity_id, after)
      select ${actor.organizationId}, ${actor.type}, ${actor.id}, ${actor.channel}, 'service-order.created', 'service-order', ${id},
        ${json(auditAfter)}::jsonb || jsonb_build_object('number', n.number)
      from n),
    ob as (
      insert into outbox (id, organization_id, topic, aggregate_type, aggregate_id, payload)
      select ${uuidv7()}, ${org.id}, 'claim.received', 'service-order', ${id}, ${json(payload)}::jsonb || jsonb_build_object('number', n.number)
      from n)
    select n.number, (select count(*) from j)::int as jobs from n`.execute(tx);
  const number = r.rows[0].number;
  row.number = number;
  const out = orderView(row, { charges: [], payments: [], parts: [], balance: 0, charged: 0, paid: 0 });
  return { order: out, orderPage: { token, path: `/api/v1/order-page/${token}` } };
}

/**
 * Without a device on record the engine does not decide, but the claim's own gaps are listed all the
 * same (ITEMA-27 details, ITEMA-10 / ITS-5 / ITS-6 proofs, ITS-7), named as the engine names them.
 */
function requirementGaps(req: ReturnType<typeof versionAt>['raw']['requirements'], details: Record<string, string>, proofs: Record<string, boolean>) {
  const out: { field: string; rule: string }[] = [];
  for (const field of req.details?.fields ?? []) if (!details[field]) out.push({ field: `details.${field}`, rule: req.details!.rule });
  for (const p of req.proofs) if (!p.anyOf.some((k) => proofs[k] === true)) out.push({ field: `proofs.${p.anyOf.join('|')}`, rule: p.rule });
  return out;
}

function checkWorkOrder(w: WorkOrder, path: string) {
  // SC-2 / ITEMA-11: signing accepts the terms; ITEMA-29: the client confirms backup and passwords.
  // Every missing confirmation at once, so the clerk fixes the form in one go.
  const errors = [
    !w.termsAccepted && { field: `${path}.termsAccepted`, message: 'the signed work order accepts the terms (SC-2, ITEMA-11)', code: 'required' },
    !w.dataBackedUp && { field: `${path}.dataBackedUp`, message: 'the client confirms the data is backed up (ITEMA-29)', code: 'required' },
    !w.passwordsRemoved && { field: `${path}.passwordsRemoved`, message: 'the client confirms passwords are removed (ITEMA-29)', code: 'required' },
  ].filter((e) => e !== false);
  if (errors.length) throw new AppError(422, 'validation-failed', 'The request has invalid fields', { errors });
}

// ---------- order-page tokens ----------

/** ≥128 bits: 32 random bytes; only the sha256 is stored. */
export async function issueToken(tx: Tx, orgId: string, orderId: string) {
  const token = crypto.randomBytes(32).toString('base64url');
  await tx.insertInto('order_page_tokens').values({ token_hash: sha256(token), organization_id: orgId, order_id: orderId }).execute();
  return token;
}

export async function newPageToken(db: Db, actor: Actor, id: string) {
  return db.transaction().execute(async (tx) => {
    const o = await lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    const token = await issueToken(tx, o.organization_id, o.id);
    await audit(tx, actor, { action: 'service-order.page-link-issued', entityType: 'service-order', entityId: o.id, after: { state: o.state } });
    return { token, path: `/api/v1/order-page/${token}` };
  });
}

export async function revokePageTokens(db: Db, actor: Actor, id: string, now: Date) {
  return db.transaction().execute(async (tx) => {
    const o = await lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    const r = await tx.updateTable('order_page_tokens').set({ revoked_at: now }).where('order_id', '=', o.id).where('revoked_at', 'is', null).executeTakeFirst();
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
    await audit(tx, actor, { action: 'service-order.page-links-revoked', entityType: 'service-order', entityId: o.id, after: { state: o.state, revoked: Number(r.numUpdatedRows) } });
    return { revoked: Number(r.numUpdatedRows) };
  });
}

// ---------- transitions ----------

export type ActionBody =
  | { action: 'authorize' }
  | { action: 'open'; workOrder: WorkOrder }
  | { action: 'start-diagnosis' }
  | { action: 'diagnose'; findings: string[]; hardwareDefectConfirmed?: boolean; insignificant?: boolean; note?: string }
  | { action: 'approve-warranty' }
  | { action: 'quote'; amountMinor: number; currency?: string; duration: string; advice: string; worthRepairing: boolean }
  | { action: 'accept' | 'refuse'; via: (typeof DECISION_CHANNELS)[number]; note?: string }
  | { action: 'start-repair'; works?: string[] }
  | { action: 'start-testing' }
  | { action: 'test-failed' | 'test-passed'; report: string }
  | { action: 'hand-over'; findingsProtocol?: string }
  | { action: 'return' }
  | { action: 'mark-unclaimed'; clock?: string }
  | { action: 'dispose'; note?: string }
  | { action: 'cancel'; reason: string };

const pageVia = (actor: Actor) => (actor.id === 'order-page' ? 'order-page' : undefined);

/** One transition in one transaction. `version` is the version the caller read (409 when stale). */
export async function act(db: Db, actor: Actor, id: string, body: ActionBody & { version: number }, now: Date) {
  return db.transaction().execute(async (tx) => {
    const o = await lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    return actOn(tx, actor, o, body, now);
  });
}

export async function actOn(tx: Tx, actor: Actor, o: OrderRow, body: ActionBody & { version?: number }, now: Date) {
  if (body.version !== undefined && o.version !== body.version) throw versionConflict(await view(tx, o));
  const from = o.state as State;
  const t = transition(from, body.action as Action);
  if (!t.ok) throw new AppError(409, 'illegal-transition', t.message, { current: await view(tx, o), allowed: t.allowed });
  const to = t.to;
  const org = await orgOf(tx, o.organization_id);
  const pack = getShippedPack(org.pack_id);
  const today = todayIn(org.time_zone, now);
  const set: Partial<OrderRow> = {};
  let decision: Decision | undefined;
  const outbox: { topic: string; payload: Record<string, unknown> }[] = [];
  const base = { orderId: o.id, number: o.number, customerId: o.customer_id, language: o.language, channel: o.contact_channel };
  const data: Record<string, unknown> = {};

  const deviceEvent = async (type: 'repair-accepted' | 'repair-completed', date: string) => {
    if (!o.device_id) return;
    await devices.addEvent(tx, actor, o.device_id, { type, date, underWarranty: o.under_warranty ?? (set.under_warranty as boolean | undefined) ?? false, orderRef: o.number, note: `service order ${o.number}` });
  };

  switch (body.action) {
    case 'authorize':
      if (!o.pre_authorization_required || o.pre_authorized_at) throw new AppError(409, 'not-awaiting-authorization', 'This claim needs no (further) pre-authorization', { current: await view(tx, o) });
      set.pre_authorized_at = now;
      break;
    case 'open':
      // ITEMA-28: a claim that needs pre-authorization is not received (no work order, no device
      // taken in) until staff have authorized it.
      if (o.pre_authorization_required && !o.pre_authorized_at) {
        throw new AppError(409, 'pre-authorization-required', 'This claim needs pre-authorization (ITEMA-28) before the device is received; authorize it first', {
          current: await view(tx, o),
          rule: 'ITEMA-28',
          missing: ['preAuthorization.authorizedAt'],
          allowed: ['authorize', 'cancel'],
        });
      }
      checkWorkOrder(body.workOrder, 'body.workOrder');
      set.work_order = body.workOrder;
      set.received_on = today;
      break;
    case 'diagnose':
      if (!o.device_id) throw badField('deviceId', 'the order has no device on record; register the device first', 'required');
      decision = await decideFor(tx, { ...o, findings: body.findings, decision_final: true, insignificant: body.insignificant === true }, pack, org, { diagnosed: true, findings: body.findings, hardwareDefectConfirmed: body.hardwareDefectConfirmed }, now);
      set.findings = body.findings;
      set.insignificant = body.insignificant === true;
      if (body.insignificant) data.insignificant = true;
      set.decision = plain(decision);
      set.decision_final = true;
      set.under_warranty = decision!.outcome === 'covered';
      data.outcome = decision!.outcome;
      data.findings = body.findings;
      if (body.note) data.note = body.note;
      break;
    case 'approve-warranty': {
      const d = o.decision as { outcome?: string } | null;
      if (!o.decision_final || d?.outcome !== 'covered') {
        throw new AppError(422, 'not-under-warranty', 'Only a claim the engine decided as covered after diagnosis is a warranty repair; quote it instead', { current: await view(tx, o) });
      }
      set.under_warranty = true;
      // ITEMA-14: the term stands still from the day the order was accepted.
      await deviceEvent('repair-accepted', o.received_on ?? o.claim_date);
      break;
    }
    case 'quote':
      if (body.currency && body.currency !== o.currency) throw badField('body.currency', `the order is in ${o.currency}`, 'invalid');
      set.quote = { amountMinor: body.amountMinor, currency: o.currency, duration: body.duration, advice: body.advice, worthRepairing: body.worthRepairing, quotedAt: now.toISOString(), rule: 'SC-5' };
      set.under_warranty = false;
      outbox.push({ topic: 'order.quote-ready', payload: { ...base, amountMinor: body.amountMinor, currency: o.currency } });
      break;
    case 'accept':
    case 'refuse': {
      const clocks = await orderClocks(tx, pack, o.id, now);
      const window = clocks.find((c) => c.id === 'decision-window');
      if (body.action === 'accept' && window && (window.status === 'breached' || window.status === 'escalated')) {
        throw new AppError(422, 'decision-window-expired', `The decision window closed on ${window.due} (${window.rule}); the quote can no longer be accepted`, { current: await view(tx, o), rule: window.rule });
      }
      set.client_decision = { decision: body.action === 'accept' ? 'accepted' : 'refused', via: body.via, at: now.toISOString(), recordedBy: `${actor.type}:${actor.id}`, ...(body.note ? { note: body.note } : {}) };
      data.via = body.via;
      if (body.action === 'accept') {
        const q = o.quote as { amountMinor: number } | null;
        if (q && q.amountMinor > 0) await addCharge(tx, o, 'repair', q.amountMinor, o.currency, 'SC-5', 'accepted quote');
        set.under_warranty = false;
        // The paid repair enters the history (it suspends nothing: underWarranty false).
        await deviceEvent('repair-accepted', o.received_on ?? o.claim_date);
      } else {
        // ITEMA-22 / SC-12: what a refusal owes comes from the engine's charges.
        decision = await decideFor(tx, o, pack, org, { clientRefusesPaidRepair: true, diagnosed: true }, now);
        for (const c of decision?.charges ?? []) {
          if (c.payer !== 'client' || c.when !== 'on-refusal' || !c.amount) continue;
          // One currency per order: the pack's (settings.currency), as the quote. A pack charge in
          // another currency is a pack error, never mixed into the balance.
          if (c.currency && c.currency !== o.currency) throw new AppError(422, 'currency-mismatch', `The policy charges ${c.type} in ${c.currency}, the order is in ${o.currency}`, { rule: c.rule, current: await view(tx, o) });
          await addCharge(tx, o, c.type === 'diagnosis' ? 'diagnosis' : 'transport', c.amount, o.currency, (c.rules ?? [c.rule]).join(', '), c.text.en);
        }
      }
      outbox.push({ topic: 'order.decision-recorded', payload: { ...base, decision: body.action === 'accept' ? 'accepted' : 'refused', via: body.via } });
      break;
    }
    case 'start-repair':
      // The works agreed, kept in the audit event for the completion certificate (SC-8, SC-10).
      if (body.works?.length) data.works = body.works;
      break;
    case 'test-failed':
    case 'test-passed':
      set.test_result = { passed: body.action === 'test-passed', report: body.report, at: now.toISOString(), rule: 'SC-8' };
      if (body.action === 'test-passed') {
        // ITEMA-14 / ITS-2: the day the client is notified of the fix (SC-9).
        await deviceEvent('repair-completed', today);
        outbox.push({ topic: 'order.ready', payload: { ...base, balanceDueMinor: (await extras(tx, o)).balance, currency: o.currency } });
      }
      break;
    case 'hand-over':
    case 'return': {
      const x = await extras(tx, o);
      if (x.balance > 0) {
        throw new AppError(422, 'balance-due', `The client still owes ${x.balance} (minor units, ${o.currency}); handover only after full payment (SC-10)`, { current: await view(tx, o), balanceDue: x.balance });
      }
      // ITEMA-23: a disagreement at handover is written into a findings protocol.
      if (body.action === 'hand-over' && body.findingsProtocol) set.findings_protocol = body.findingsProtocol;
      break;
    }
    case 'mark-unclaimed':
      outbox.push({ topic: 'order.unclaimed', payload: { ...base, clock: body.clock ?? null } });
      break;
    case 'cancel':
      data.reason = body.reason;
      break;
    default:
      break;
  }

  const updated = await tx
    .updateTable('service_orders')
    .set({
      state: to,
      ...set,
      ...(set.work_order !== undefined ? { work_order: JSON.stringify(set.work_order) } : {}),
      ...(set.decision !== undefined ? { decision: JSON.stringify(set.decision) } : {}),
      ...(set.quote !== undefined ? { quote: JSON.stringify(set.quote) } : {}),
      ...(set.client_decision !== undefined ? { client_decision: JSON.stringify(set.client_decision) } : {}),
      ...(set.test_result !== undefined ? { test_result: JSON.stringify(set.test_result) } : {}),
      ...(decision ? { policy_version: decision.policyVersion } : {}),
      version: o.version + 1,
      updated_at: now,
    })
    .where('id', '=', o.id)
    .returningAll()
    .executeTakeFirstOrThrow();

  await applyClockEvents(tx, pack, o, CLOCK_EVENTS[body.action as Action] ?? [], now);
  const waitingBefore = WAITING_FOR_CLIENT.includes(from);
  const waitingAfter = WAITING_FOR_CLIENT.includes(to);
  if (!waitingBefore && waitingAfter) await pauseClocks(tx, pack, o, now);
  if (waitingBefore && !waitingAfter) await resumeClocks(tx, pack, o, now);

  await audit(tx, actor, {
    action: `service-order.${body.action}`,
    entityType: 'service-order',
    entityId: o.id,
    before: { state: from, version: o.version },
    after: { state: to, version: updated.version, via: data.via ?? pageVia(actor) ?? actor.channel, by: `${actor.type}:${actor.id}`, policyVersion: updated.policy_version, reasons: reasonsOf(decision), ...data },
  });
  for (const m of outbox) await enqueue(tx, { organizationId: o.organization_id, topic: m.topic, aggregateType: 'service-order', aggregateId: o.id, payload: m.payload });
  return view(tx, updated);
}

async function addCharge(tx: Tx, o: OrderRow, kind: string, amount: number, currency: string, rule: string | null, note: string | null) {
  await tx.insertInto('order_charges').values({ id: uuidv7(), organization_id: o.organization_id, order_id: o.id, kind, amount_minor: amount, currency, rule, note }).execute();
}

// ---------- parts and payments ----------

export interface PartFields {
  partId: string;
  replacesPartId?: string;
  category: string;
  term?: string;
  version: number;
}

/** A part used in the repair: the device history gets part-replaced / module-added (ITEMA-25, ITM-10). */
export async function addPart(db: Db, actor: Actor, id: string, p: PartFields, now: Date) {
  return db.transaction().execute(async (tx) => {
    const o = await lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    if (o.version !== p.version) throw versionConflict(await view(tx, o));
    if (o.state !== 'in-repair') throw new AppError(409, 'illegal-transition', `Parts are recorded while the order is in-repair, not ${o.state}`, { current: await view(tx, o) });
    if (!o.device_id) throw badField('deviceId', 'the order has no device on record', 'required');
    const org = await orgOf(tx, o.organization_id);
    const underWarranty = o.under_warranty === true;
    await devices.addEvent(tx, actor, o.device_id, {
      type: p.replacesPartId ? 'part-replaced' : 'module-added',
      date: todayIn(org.time_zone, now),
      partId: p.partId,
      replacesPartId: p.replacesPartId ?? null,
      category: p.category,
      underWarranty,
      term: p.term ?? null,
      orderRef: o.number,
    });
    await tx
      .insertInto('order_parts')
      .values({
        id: uuidv7(),
        organization_id: o.organization_id,
        order_id: o.id,
        action: p.replacesPartId ? 'replaced' : 'added',
        part_id: p.partId,
        replaces_part_id: p.replacesPartId ?? null,
        category: p.category,
        under_warranty: underWarranty,
        // ITEMA-23 / ITM-11: the removed part stays with the business.
        removed_part_retained: !!p.replacesPartId,
      })
      .execute();
    const updated = await tx.updateTable('service_orders').set({ version: o.version + 1, updated_at: now }).where('id', '=', o.id).returningAll().executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'service-order.part-recorded', entityType: 'service-order', entityId: o.id, before: { state: o.state, version: o.version }, after: { state: o.state, version: updated.version, part: p.partId, replaces: p.replacesPartId ?? null, removedPartRetained: !!p.replacesPartId } });
    return view(tx, updated);
  });
}

export async function addPayment(db: Db, actor: Actor, id: string, p: { amountMinor: number; method: (typeof PAYMENT_METHODS)[number]; currency?: string; version: number }, now: Date) {
  return db.transaction().execute(async (tx) => {
    const o = await lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    if (o.version !== p.version) throw versionConflict(await view(tx, o));
    if (['handed-over', 'returned', 'disposed', 'cancelled'].includes(o.state)) throw new AppError(409, 'illegal-transition', `The order is ${o.state}; no payment can be taken`, { current: await view(tx, o) });
    if (p.currency && p.currency !== o.currency) throw badField('body.currency', `the order is in ${o.currency}`);
    const x = await extras(tx, o);
    if (p.amountMinor > x.balance) throw badField('body.amountMinor', `more than the balance due (${x.balance})`, 'exceeds-balance');
    await tx.insertInto('order_payments').values({ id: uuidv7(), organization_id: o.organization_id, order_id: o.id, method: p.method, amount_minor: p.amountMinor, currency: o.currency, received_by: `${actor.type}:${actor.id}` }).execute();
    const updated = await tx.updateTable('service_orders').set({ version: o.version + 1, updated_at: now }).where('id', '=', o.id).returningAll().executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'service-order.payment-received', entityType: 'service-order', entityId: o.id, before: { state: o.state, version: o.version }, after: { state: o.state, version: updated.version, amountMinor: p.amountMinor, method: p.method } });
    return view(tx, updated);
  });
}

// ---------- courier deliveries (ITEMA-12) ----------

const NO_DELIVERY: readonly string[] = ['cancelled', 'disposed'];

/**
 * ITEMA-12: a courier delivery for the order starts the client's objection clock (the pack's
 * `courier-objection`, startsAt courier-delivered); an objection stops it (objection-received).
 */
export async function recordCourier(db: Db, actor: Actor, id: string, kind: 'delivery' | 'objection', p: { note?: string; version: number }, now: Date) {
  return db.transaction().execute(async (tx) => {
    const o = await lockOrder(tx, actor.organizationId, id);
    if (!o) throw notFound('Service order');
    if (o.version !== p.version) throw versionConflict(await view(tx, o));
    if (NO_DELIVERY.includes(o.state)) throw new AppError(409, 'illegal-transition', `The order is ${o.state}; no courier delivery is recorded for it`, { current: await view(tx, o) });
    const clock = await tx.selectFrom('order_clocks').select(['id', 'stopped_at']).where('order_id', '=', o.id).where('clock_id', '=', 'courier-objection').executeTakeFirst();
    if (kind === 'delivery' && clock) throw new AppError(409, 'already-recorded', 'A courier delivery is already recorded for this order (ITEMA-12)', { current: await view(tx, o), rule: 'ITEMA-12' });
    if (kind === 'objection' && (!clock || clock.stopped_at)) {
      throw new AppError(409, clock ? 'already-recorded' : 'no-courier-delivery', clock ? 'The objection is already recorded (ITEMA-12)' : 'Record the courier delivery first: the objection window runs from it (ITEMA-12)', { current: await view(tx, o), rule: 'ITEMA-12' });
    }
    const org = await orgOf(tx, o.organization_id);
    const pack = getShippedPack(org.pack_id);
    if (kind === 'objection') {
      // ITEMA-12: no objection within the day means the terms were accepted; a later one changes nothing.
      const window = (await orderClocks(tx, pack, o.id, now)).find((c) => c.id === 'courier-objection');
      if (window && (window.status === 'breached' || window.status === 'escalated')) {
        throw new AppError(422, 'objection-window-expired', `The objection window closed on ${window.due} (${window.rule}); the terms are accepted`, { current: await view(tx, o), rule: window.rule });
      }
    }
    await applyClockEvents(tx, pack, o, [kind === 'delivery' ? 'courier-delivered' : 'objection-received'], now);
    const updated = await tx.updateTable('service_orders').set({ version: o.version + 1, updated_at: now }).where('id', '=', o.id).returningAll().executeTakeFirstOrThrow();
    await audit(tx, actor, {
      action: `service-order.courier-${kind}`,
      entityType: 'service-order',
      entityId: o.id,
      before: { state: o.state, version: o.version },
      after: { state: o.state, version: updated.version, rule: 'ITEMA-12', by: `${actor.type}:${actor.id}`, ...(p.note ? { note: p.note } : {}) },
    });
    return view(tx, updated);
  });
}

// ---------- lists and queues ----------

export const QUEUES = ['new', 'in-work', 'due-today', 'at-risk', 'breached', 'awaiting-client', 'ready', 'unclaimed'] as const;
export type Queue = (typeof QUEUES)[number];

function queueFilter(orgId: string, tz: string, queue: Queue, now: Date) {
  const start = DateTime.fromJSDate(now).setZone(tz).startOf('day').toJSDate();
  const end = DateTime.fromJSDate(now).setZone(tz).endOf('day').toJSDate();
  const open = (cond: ReturnType<typeof sql>) =>
    sql`exists (select 1 from order_clocks c where c.order_id = o.id and c.organization_id = ${orgId} and c.stopped_at is null and c.due_at is not null and ${cond})`;
  switch (queue) {
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
      return open(sql`c.due_at between ${start} and ${end}`);
    case 'at-risk':
      return open(sql`c.at_risk_at <= ${now} and c.due_at >= ${now}`);
    case 'breached':
      return open(sql`c.due_at < ${now}`);
  }
}

const LIVE = sql`o.state not in ('handed-over', 'returned', 'disposed', 'cancelled')`;

export async function queues(db: Db, actor: Actor, now: Date) {
  const org = await orgOf(db, actor.organizationId);
  const out = {} as Record<Queue, number>;
  for (const q of QUEUES) {
    const r = await sql<{ n: string }>`select count(*) as n from service_orders o where o.organization_id = ${org.id} and ${LIVE} and ${queueFilter(org.id, org.time_zone, q, now)}`.execute(db);
    out[q] = Number(r.rows[0].n);
  }
  return out;
}

export async function list(db: Db, actor: Actor, f: { queue?: Queue; state?: State; deviceId?: string; number?: string; cursor?: string; limit: number }, now: Date) {
  const org = await orgOf(db, actor.organizationId);
  const after = decodeCursor(f.cursor);
  const conds = [sql`o.organization_id = ${org.id}`];
  if (f.queue) conds.push(LIVE, queueFilter(org.id, org.time_zone, f.queue, now));
  if (f.state) conds.push(sql`o.state = ${f.state}`);
  if (f.deviceId) conds.push(sql`o.device_id = ${f.deviceId}`);
  if (f.number) conds.push(sql`o.number = ${f.number}`);
  if (after) conds.push(sql`o.id < ${after}`);
  const rows = (await sql<OrderRow>`select o.* from service_orders o where ${sql.join(conds, sql` and `)} order by o.id desc limit ${f.limit + 1}`.execute(db)).rows;
  const page = toPage(rows, f.limit, (r) => r);
  return { items: await Promise.all(page.items.map((r) => view(db, r))), nextCursor: page.nextCursor };
}

// ---------- the client's order page ----------

export async function byToken(db: Db | Tx, token: string) {
  const t = await db.selectFrom('order_page_tokens').select(['order_id', 'organization_id']).where('token_hash', '=', sha256(token)).where('revoked_at', 'is', null).executeTakeFirst();
  if (!t) return undefined;
  return getOrder(db, t.organization_id, t.order_id);
}

const digits = (s: string) => s.replace(/\D/g, '');

/** Order number plus the client's phone or e-mail; a wrong pair is indistinguishable from no order. */
export async function byNumberAndContact(db: Db | Tx, number: string, contact: string) {
  const rows = await db
    .selectFrom('service_orders as o')
    .innerJoin('customers as c', (j) => j.onRef('c.id', '=', 'o.customer_id').onRef('c.organization_id', '=', 'o.organization_id'))
    .selectAll('o')
    .select(['c.email as c_email', 'c.phone as c_phone'])
    .where('o.number', '=', number)
    .execute();
  const want = contact.trim().toLowerCase();
  const hit = rows.find((r) => (r.c_email && r.c_email.toLowerCase() === want) || (r.c_phone && digits(want).length >= 6 && digits(r.c_phone) === digits(want)));
  if (!hit) return undefined;
  const { c_email: _e, c_phone: _p, ...o } = hit;
  return o as OrderRow;
}

/** What the client sees: nothing beyond this order, no staff names, no internal notes. */
export async function pageView(db: Db | Tx, o: OrderRow, now: Date) {
  const x = await extras(db, o);
  const org = await db.selectFrom('organizations').select(['name', 'pack_id']).where('id', '=', o.organization_id).executeTakeFirstOrThrow();
  const device = o.device_id ? await db.selectFrom('devices').select(['manufacturer', 'model', 'serial']).where('id', '=', o.device_id).executeTakeFirstOrThrow() : null;
  const tl = await timeline(db, o);
  const pack = getShippedPack(org.pack_id);
  const clocks = await orderClocks(db, pack, o.id, now);
  const window = clocks.find((c) => c.id === 'decision-window');
  // The client's rights as they arise (ITEMA-18/31, ITEMA-32), in the order's language.
  const lang = (['en', 'bg', 'vi'] as const).find((l) => l === o.language) ?? 'en';
  const rights = await rightsOf(db, o, pack, await orgOf(db, o.organization_id), now, lang);
  return {
    business: org.name,
    number: o.number,
    state: o.state as State,
    device: device ? { manufacturer: device.manufacturer, model: device.model, serial: device.serial } : null,
    problem: o.problem,
    underWarranty: o.under_warranty,
    quote: (o.quote ?? null) as Record<string, unknown> | null,
    decisionWindow: window ? { due: window.due, status: window.status, rule: window.rule } : null,
    canDecide: o.state === 'awaiting-decision',
    // SC-6: after the decision window the quote can no longer be accepted (refusing still can).
    canAccept: o.state === 'awaiting-decision' && !(window && (window.status === 'breached' || window.status === 'escalated')),
    rights,
    due: { charges: x.charges.map((c) => ({ kind: c.kind, amountMinor: Number(c.amount_minor), currency: c.currency, rule: c.rule })), paidMinor: x.paid, balanceMinor: x.balance, currency: o.currency },
    timeline: tl.map((e) => ({ at: e.at, step: e.action, state: e.to })),
    documents: [] as { id: string; kind: string; filename: string }[],
    version: o.version,
  };
}

export function clientActor(orgId: string): Actor {
  return { organizationId: orgId, role: 'front-desk', type: 'system', id: 'order-page', name: 'client (order page)', channel: 'order-page' };
}
