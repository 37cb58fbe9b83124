// Maintenance contracts, the public face other features use (the support desk asks `coverageFor`
// whether a contract covers an incident): a customer's contract with its scope (devices, sites),
// term and renewal date, tier (the pack's `support.tiers`), price and included services; the
// maintenance included with qualified hardware (ITM-1); renewal reminders through the outbox. See
// docs/support.md.
import { DateTime } from 'luxon';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { decodeCursor, toPage } from '../../core/cursors.ts';
import { todayIn } from '../../core/day.ts';
import { badField, CoreErrors, notFound, problem, versionConflict, type ProblemCode } from '../../core/errors.ts';
import { caseNumberSql } from '../../core/numbers.ts';
import { orgAndPack, type Org } from '../../core/organization.ts';
import { enqueue } from '../../core/outbox.ts';
import { writeTransition } from '../../core/transitions.ts';
import { versionAt, type CompiledPack } from '../../policy/index.ts';
import { ContractErrors } from './contracts.errors.ts';
import * as repo from './contracts.repository.ts';
import { CONTRACT_TRANSITIONS, contractKind, type ContractAction } from './kind.ts';

export { contractKind } from './kind.ts';
export type { ContractRow } from './contracts.repository.ts';

export const INCLUDED_SERVICES = ['incident-fixing', 'training-sessions', 'operating-questions', 'remote-support', 'on-site-visits', 'new-feature-support', 'advice'] as const;
export type IncludedService = (typeof INCLUDED_SERVICES)[number];

type Support = NonNullable<ReturnType<typeof versionAt>['raw']['support']>;
export type SupportPolicy = Support;
export type SupportTier = Support['tiers'][number];

/** The pack's support section in force at `moment`, or 422 support-not-offered. */
export function supportOf(pack: CompiledPack, moment: Date, what = 'a support desk'): Support {
  const s = versionAt(pack, moment.toISOString()).raw.support;
  if (!s) throw problem(ContractErrors, 'support-not-offered', `The business's policy offers no ${what}`);
  return s;
}

export function tierOf(s: Support, id: string, field = 'body.tier'): SupportTier {
  const t = s.tiers.find((x) => x.id === id);
  if (!t) throw badField(field, `is not one of the tiers: ${s.tiers.map((x) => x.id).join(', ')}`, 'unknown-tier');
  return t;
}

export type ContractStatus = 'active' | 'expired' | 'not-started' | 'cancelled';
export function statusOf(c: Pick<repo.ContractRow, 'state' | 'starts_on' | 'ends_on'>, today: string): ContractStatus {
  if (c.state === 'cancelled') return 'cancelled';
  if (today < c.starts_on) return 'not-started';
  if (today > c.ends_on) return 'expired';
  return 'active';
}

type DeviceLite = { id: string; serial: string; manufacturer: string; model: string | null; category: string };

export function contractView(c: repo.ContractRow, today: string, extra: { customer?: { id: string; name: string }; devices?: DeviceLite[]; tier?: SupportTier }) {
  return {
    id: c.id,
    number: c.number,
    customer: extra.customer ?? { id: c.customer_id, name: '' },
    tier: { id: c.tier, name: extra.tier?.name ?? { en: c.tier }, calendar: extra.tier?.calendar ?? 'business', rule: extra.tier?.rule ?? null },
    startsOn: c.starts_on,
    endsOn: c.ends_on,
    renewalOn: c.renewal_on,
    status: statusOf(c, today),
    priceMinor: c.price_minor,
    currency: c.currency,
    included: c.included,
    sites: c.sites,
    devices: (extra.devices ?? []).map((d) => ({ id: d.id, serial: d.serial, manufacturer: d.manufacturer, model: d.model, category: d.category })),
    source: c.source as 'sold' | 'included',
    rule: c.rule,
    note: c.note,
    version: c.version,
    createdAt: c.created_at.toISOString(),
  };
}
export type ContractView = ReturnType<typeof contractView>;

async function views(db: Db | Tx, org: Org, pack: CompiledPack, rows: repo.ContractRow[], now: Date) {
  const today = todayIn(org.time_zone, now);
  const [devs, custs] = await Promise.all([repo.devicesOf(db, org.id, rows.map((r) => r.id)), repo.customerNames(db, org.id, [...new Set(rows.map((r) => r.customer_id))])]);
  const support = versionAt(pack, now.toISOString()).raw.support;
  return rows.map((c) =>
    contractView(c, today, {
      customer: custs.find((x) => x.id === c.customer_id),
      devices: devs.filter((d) => d.contract_id === c.id),
      tier: support?.tiers.find((t) => t.id === c.tier),
    }),
  );
}

export async function get(db: Db | Tx, actor: Actor, id: string, now = new Date()) {
  const c = await repo.get(db, actor.organizationId, id);
  if (!c) throw notFound('Contract');
  const { org, pack } = await orgAndPack(db, actor.organizationId);
  return (await views(db, org, pack, [c], now))[0];
}

export async function list(db: Db, actor: Actor, f: Omit<repo.ContractFilter, 'after'> & { cursor?: string }, now = new Date()) {
  const rows = await repo.list(db, actor.organizationId, { ...f, after: decodeCursor(f.cursor) });
  const { org, pack } = await orgAndPack(db, actor.organizationId);
  const page = toPage(rows, f.limit, (r) => r);
  return { items: await views(db, org, pack, page.items, now), nextCursor: page.nextCursor };
}

export interface ContractFields {
  customerId: string;
  tier: string;
  startsOn: string;
  endsOn: string;
  renewalOn?: string;
  priceMinor?: number;
  included?: { service: IncludedService; quantity?: number | null }[];
  deviceIds?: string[];
  sites?: string[];
  note?: string | null;
}

export const CREATE_PROBLEMS = ['validation-failed', 'unknown-reference', 'support-not-offered'] as const satisfies readonly ProblemCode[];

/** The renewal reminder (an outbox message due `before` the renewal date, at 09:00 the business's time), once per contract and date. */
async function remindRenewal(tx: Tx, org: Org, support: Support, c: repo.ContractRow) {
  const r = support.renewalReminder;
  if (!r) return;
  const m = /^(\d+) (day|week|month|year)s?$/.exec(r.before);
  if (!m) return;
  const at = DateTime.fromISO(c.renewal_on, { zone: org.time_zone }).set({ hour: 9 }).minus({ [`${m[2]}s`]: Number(m[1]) });
  await enqueue(tx, {
    organizationId: c.organization_id,
    topic: 'contract.renewal-reminder',
    aggregateType: repo.SUBJECT_TYPE,
    aggregateId: c.id,
    payload: { contractId: c.id, number: c.number, customerId: c.customer_id, renewalOn: c.renewal_on, endsOn: c.ends_on, due: DateTime.fromISO(c.renewal_on, { zone: org.time_zone }).set({ hour: 9 }).toUTC().toISO(), rule: r.rule },
    dedupeKey: `renewal:${c.id}:${c.renewal_on}`,
    availableAt: at.toJSDate(),
  });
}

async function checkScope(tx: Tx, orgId: string, customerId: string, deviceIds: readonly string[]) {
  for (const [i, id] of deviceIds.entries()) {
    const d = await repo.device(tx, orgId, id);
    if (!d) throw problem(CoreErrors, 'unknown-reference', 'No such device', { errors: [{ field: `body.deviceIds.${i}`, message: 'no such device' }] });
    if (d.customer_id && d.customer_id !== customerId) throw badField(`body.deviceIds.${i}`, "is another customer's device", 'not-the-customers');
  }
}

/** Inside a caller's transaction (the HTTP create with its Idempotency-Key, the demo seed). */
export async function insert(tx: Tx, actor: Actor, f: ContractFields & { source?: 'sold' | 'included'; rule?: string | null }, now = new Date()) {
  const { org, pack } = await orgAndPack(tx, actor.organizationId);
  const support = supportOf(pack, now, 'maintenance contracts');
  tierOf(support, f.tier);
  if (f.endsOn < f.startsOn) throw badField('body.endsOn', 'must not be before startsOn', 'before-start');
  const renewalOn = f.renewalOn ?? f.endsOn;
  const customer = await tx.selectFrom('customers').select('id').where('organization_id', '=', org.id).where('id', '=', f.customerId).executeTakeFirst();
  if (!customer) throw problem(CoreErrors, 'unknown-reference', 'No such customer', { errors: [{ field: 'body.customerId', message: 'no such customer' }] });
  const deviceIds = [...new Set(f.deviceIds ?? [])];
  await checkScope(tx, org.id, f.customerId, deviceIds);
  const number = await repo.nextNumber(tx, 'ct', 'CT', org.id, Number(f.startsOn.slice(0, 4)), caseNumberSql);
  const row = await tx
    .insertInto('contracts')
    .values({
      id: uuidv7(),
      organization_id: org.id,
      number,
      customer_id: f.customerId,
      tier: f.tier,
      starts_on: f.startsOn,
      ends_on: f.endsOn,
      renewal_on: renewalOn,
      price_minor: f.priceMinor ?? 0,
      currency: org.currency,
      included: JSON.stringify((f.included ?? []).map((s) => ({ service: s.service, quantity: s.quantity ?? null }))),
      sites: [...new Set((f.sites ?? []).map((s) => s.trim()).filter(Boolean))],
      source: f.source ?? 'sold',
      rule: f.rule ?? null,
      note: f.note ?? null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (deviceIds.length) await tx.insertInto('contract_devices').values(deviceIds.map((d) => ({ organization_id: org.id, contract_id: row.id, device_id: d }))).execute();
  await audit(tx, actor, { action: 'contract.created', entityType: repo.SUBJECT_TYPE, entityId: row.id, after: { number, customerId: f.customerId, tier: f.tier, startsOn: f.startsOn, endsOn: f.endsOn, renewalOn, deviceIds, sites: row.sites, source: row.source, rule: row.rule } });
  await remindRenewal(tx, org, support, row);
  return (await views(tx, org, pack, [row], now))[0];
}

export type ContractActionBody =
  | { action: 'renew'; version: number; endsOn: string; renewalOn?: string; priceMinor?: number }
  | { action: 'cancel'; version: number; reason: string };

export const ACT_PROBLEMS = ['not-found', 'version-conflict', 'illegal-transition', 'validation-failed', 'support-not-offered'] as const satisfies readonly ProblemCode[];

export async function act(db: Db, actor: Actor, id: string, b: ContractActionBody, now = new Date()) {
  return db.transaction().execute((tx) => actIn(tx, actor, id, b, now));
}

/** Renews or cancels in the caller's transaction (the HTTP route's, with its Idempotency-Key). */
export async function actIn(tx: Tx, actor: Actor, id: string, b: ContractActionBody, now = new Date()) {
  {
    const c = await contractKind.lock(tx, actor.organizationId, id);
    if (!c) throw notFound('Contract');
    const { org, pack } = await orgAndPack(tx, actor.organizationId);
    if (c.version !== b.version) throw versionConflict((await views(tx, org, pack, [c], now))[0]);
    const t = CONTRACT_TRANSITIONS[b.action as ContractAction];
    if (!(t.from as readonly string[]).includes(c.state)) throw problem(CoreErrors, 'illegal-transition', `A ${c.state} contract cannot be ${b.action === 'renew' ? 'renewed' : 'cancelled'}`, { current: (await views(tx, org, pack, [c], now))[0] });
    let updated: repo.ContractRow;
    if (b.action === 'renew') {
      if (b.endsOn <= c.ends_on) throw badField('body.endsOn', `must be after the current end ${c.ends_on}`, 'not-later');
      const renewalOn = b.renewalOn ?? b.endsOn;
      updated = await writeTransition(tx, actor, contractKind, c, { action: 'renew', to: t.to, set: { ends_on: b.endsOn, renewal_on: renewalOn, price_minor: b.priceMinor ?? c.price_minor }, audit: { endsOn: b.endsOn, renewalOn, previousEnd: c.ends_on, priceMinor: b.priceMinor ?? c.price_minor }, outbox: [{ topic: 'contract.renewed', payload: { contractId: c.id, number: c.number, customerId: c.customer_id, endsOn: b.endsOn } }] }, pack, now);
      await remindRenewal(tx, org, supportOf(pack, now), updated);
    } else {
      updated = await writeTransition(tx, actor, contractKind, c, { action: 'cancel', to: t.to, audit: { reason: b.reason } }, pack, now);
    }
    return (await views(tx, org, pack, [updated], now))[0];
  }
}

/** What the policy offers outside a contract (VN-8), for the refusals below. */
function offer(support: Support) {
  return support.outsideScope ? { rule: support.outsideScope.rule, text: support.outsideScope.text } : support.paidHelp ? { rule: support.paidHelp.rule, text: support.paidHelp.text } : null;
}

/**
 * The contract that covers a new incident of `customerId` on `deviceId` (or at `site`) today, or a
 * clear refusal: an expired or cancelled contract covers no new incident (its history stays), a
 * device or site outside every active contract's scope is outside the maintenance (VN-8).
 */
export async function coverageFor(tx: Tx | Db, org: Org, pack: CompiledPack, q: { contractId?: string | null; customerId: string; deviceId?: string | null; site?: string | null }, now: Date) {
  const support = supportOf(pack, now);
  const today = todayIn(org.time_zone, now);
  const all = await repo.contractsForDevice(tx, org.id, q.customerId, q.deviceId ?? null);
  const covers = (c: (typeof all)[number]) => {
    const scoped = c.scoped || c.sites.length > 0;
    if (!scoped) return true;
    if (q.deviceId && c.has_device) return true;
    return !!q.site && c.sites.map((s) => s.toLowerCase()).includes(q.site.trim().toLowerCase());
  };
  const field = q.deviceId ? 'body.deviceId' : q.site ? 'body.site' : 'body.customerId';
  if (q.contractId) {
    const c = all.find((x) => x.id === q.contractId);
    if (!c) throw problem(CoreErrors, 'unknown-reference', "No such contract of this customer", { errors: [{ field: 'body.contractId', message: "no such contract of this customer" }] });
    const status = statusOf(c, today);
    if (status === 'expired' || status === 'cancelled') throw problem(ContractErrors, 'contract-expired', `Contract ${c.number} ${status === 'cancelled' ? 'was cancelled' : `ended on ${c.ends_on}`}: it covers no new incident`, { errors: [{ field: 'body.contractId', message: status }], endsOn: c.ends_on, offer: offer(support) });
    if (status === 'not-started') throw problem(ContractErrors, 'contract-not-started', `Contract ${c.number} starts on ${c.starts_on}`, { errors: [{ field: 'body.contractId', message: 'not started' }], startsOn: c.starts_on });
    if (!covers(c)) throw problem(ContractErrors, 'outside-contract-scope', `Contract ${c.number} does not cover this ${q.deviceId ? 'device' : 'site'}`, { errors: [{ field, message: 'outside the contract' }], offer: offer(support) });
    return c;
  }
  const active = all.filter((c) => statusOf(c, today) === 'active' && covers(c));
  if (active.length) return active[0];
  const lapsed = all.find((c) => covers(c) && ['expired', 'cancelled'].includes(statusOf(c, today)));
  if (lapsed) throw problem(ContractErrors, 'contract-expired', `Contract ${lapsed.number} ended on ${lapsed.ends_on}: it covers no new incident`, { errors: [{ field, message: 'the contract covering it has ended' }], endsOn: lapsed.ends_on, offer: offer(support) });
  throw problem(ContractErrors, 'outside-contract-scope', `No active contract of this customer covers this ${q.deviceId ? 'device' : q.site ? 'site' : 'request'}`, { errors: [{ field, message: 'outside every active contract' }], offer: offer(support) });
}

/** The customer's active contract (the latest ending), whatever its scope: a question runs on its tier. */
export async function activeContractOf(tx: Tx | Db, org: Org, customerId: string, now: Date) {
  const today = todayIn(org.time_zone, now);
  return (await repo.contractsForDevice(tx, org.id, customerId, null)).find((c) => statusOf(c, today) === 'active');
}

export const INCLUDED_PROBLEMS = ['not-found', 'support-not-offered', 'not-qualified', 'already-exists'] as const satisfies readonly ProblemCode[];

/**
 * The maintenance included with qualified hardware (ITM-1): a contract of the pack's tier and term,
 * from the device's commencement event (shipping), covering the device. Once per device.
 */
export async function includeMaintenance(tx: Tx, actor: Actor, deviceId: string, now = new Date()) {
  return includedMaintenanceFor(tx, actor, deviceId, now);
}

/**
 * At the sale (ITM-1): when a purchase records the commencement event (shipping) of a device the
 * pack's `support.includedMaintenance` qualifies, its contract is made there and then. Anything that
 * does not qualify (no such section, another category, no commencement yet, no customer, made
 * already) makes nothing and says why, so the sale itself never fails on it.
 */
export async function includeAtSale(tx: Tx, actor: Actor, deviceId: string, now = new Date()): Promise<{ contract: ContractView | null; reason: string | null }> {
  const { pack } = await orgAndPack(tx, actor.organizationId);
  if (!versionAt(pack, now.toISOString()).raw.support?.includedMaintenance) return { contract: null, reason: 'support-not-offered' };
  try {
    return { contract: await includedMaintenanceFor(tx, actor, deviceId, now, true), reason: null };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'not-qualified' || code === 'already-exists') return { contract: null, reason: code };
    throw e;
  }
}

async function includedMaintenanceFor(tx: Tx, actor: Actor, deviceId: string, now: Date, atSale = false) {
  const { org, pack } = await orgAndPack(tx, actor.organizationId);
  const inc = supportOf(pack, now).includedMaintenance;
  if (!inc) throw problem(ContractErrors, 'support-not-offered', "The business's policy includes no maintenance with its hardware");
  const d = await repo.device(tx, org.id, deviceId);
  if (!d) throw notFound('Device');
  if (!inc.categories.includes(d.category)) throw problem(ContractErrors, 'not-qualified', `A ${d.category} is not qualified hardware for the included maintenance (${inc.rule})`, { rule: inc.rule, errors: [{ field: 'body.deviceId', message: 'not qualified' }] });
  if (!d.customer_id) throw problem(ContractErrors, 'not-qualified', 'The device has no customer on record', { rule: inc.rule, errors: [{ field: 'body.deviceId', message: 'no customer' }] });
  const events = await repo.deviceEventDate(tx, org.id, d.id, inc.commencement);
  const start = events[0]?.date;
  if (!start) throw problem(ContractErrors, 'not-qualified', `The device has no ${inc.commencement.join(' or ')} date on record: the included maintenance starts then (${inc.rule})`, { rule: inc.rule, errors: [{ field: 'body.deviceId', message: 'no commencement' }] });
  const existing = await tx.selectFrom('contract_devices as cd').innerJoin('contracts as c', (j) => j.onRef('c.organization_id', '=', 'cd.organization_id').onRef('c.id', '=', 'cd.contract_id')).select('c.number').where('cd.organization_id', '=', org.id).where('cd.device_id', '=', d.id).where('c.source', '=', 'included').where('c.state', '!=', 'cancelled').executeTakeFirst();
  if (existing) throw problem(CoreErrors, 'already-exists', `The device's included maintenance is contract ${existing.number}`);
  const m = /^(\d+) (day|week|month|year)s?$/.exec(inc.duration)!;
  const end = DateTime.fromISO(start).plus({ [`${m[2]}s`]: Number(m[1]) }).minus({ days: 1 }).toISODate()!;
  return insert(tx, actor, { customerId: d.customer_id, tier: inc.tier, startsOn: start, endsOn: end, deviceIds: [d.id], included: [{ service: 'incident-fixing' }, { service: 'remote-support' }], source: 'included', rule: inc.rule, note: atSale ? `${inc.text.en} (made at the sale)` : inc.text.en }, now);
}
