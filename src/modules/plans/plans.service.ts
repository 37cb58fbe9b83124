// Warranty plans (ITS-3, ITS-10, ITEMA-29; issue 14). The business defines them in its pack
// (`extensionPlans`: duration, price, which devices, when buyable: at sale, during coverage, after
// expiry); the engine says which a device can be sold now (`planOffers`). Staff sell one at the
// counter (paid on the spot), or the client buys it in the portal through Stripe Checkout (paid when
// the signed webhook confirms). A paid plan becomes the device event the engine already applies
// (`extension-purchased` with the plan's id), so the coverage end moves. Clients whose devices have
// just left coverage are offered the plans buyable after expiry, through the outbox (a job).
import { sql } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { systemActor, type Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { notFound, problem, type ProblemCode } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { enqueue } from '../../core/outbox.ts';
import { todayIn } from '../../core/day.ts';
import { computeCoverage, planOffers, PolicyInputError, versionAt, versionOf, type PlanOffer } from '../../policy/index.ts';
import { WarrantyErrors } from '../warranty/warranty.errors.ts';
import * as devices from '../devices/devices.service.ts';
import * as devicesRepo from '../devices/devices.repository.ts';
import { CHECKOUT_PROBLEMS, createCheckout, onStripePaid, onStripeRefundFailed, onStripeRefunded } from '../stripe/stripe.service.ts';
import { PlanErrors } from './plans.errors.ts';

export const SUBJECT_KIND = 'plan-sale';

type SaleRow = Awaited<ReturnType<typeof saleRow>>;
const saleRow = (db: Db | Tx, orgId: string, id: string) => db.selectFrom('plan_sales').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirstOrThrow();

export function saleView(s: NonNullable<SaleRow>) {
  return {
    id: s.id,
    deviceId: s.device_id,
    planId: s.plan_id,
    window: s.buy_window,
    priceMinor: s.price_minor,
    currency: s.currency,
    channel: s.channel,
    state: s.state as 'pending' | 'paid' | 'refunded' | 'cancelled',
    paymentMethod: s.payment_method,
    paidOn: s.paid_on,
    deviceEventId: s.device_event_id,
    /** A refund of the price Stripe did not make (refund.failed): Stripe's reason and when; null otherwise. */
    refundFailure: s.refund_failed_at ? { reason: s.refund_failure_reason ?? 'unknown', at: s.refund_failed_at.toISOString() } : null,
    createdAt: s.created_at.toISOString(),
  };
}

/** The device's coverage today (or `at`) and the plans it can be sold, as the engine says. */
async function offersOf(db: Db | Tx, orgId: string, deviceId: string, now: Date, lock = false) {
  const d = lock ? await devicesRepo.lock(db as Tx, orgId, deviceId) : await devicesRepo.get(db, orgId, deviceId);
  if (!d) throw notFound('Device');
  const [{ org, pack }, parts, events] = await Promise.all([orgAndPack(db, orgId), devicesRepo.partsOf(db, orgId, [deviceId]), devicesRepo.eventsOf(db, orgId, deviceId)]);
  const today = todayIn(org.time_zone, now);
  let coverage;
  try {
    coverage = computeCoverage(devices.toDeviceInput(d, parts), devices.toDeviceEvents(events), pack, today);
  } catch (e) {
    if (!(e instanceof PolicyInputError)) throw e;
    throw problem(WarrantyErrors, 'policy-input-invalid', 'The device record cannot be evaluated by its policy', { errors: e.issues.map((i) => ({ field: i.path, message: i.message })) });
  }
  const offers = planOffers(pack, { kind: d.kind as 'device', category: d.category }, coverage);
  const plans = versionOf(pack, coverage).raw.extensionPlans;
  return { device: d, org, pack, today, coverage, offers, plans };
}

/** Why a plan cannot be sold now, naming `body.planId`. */
function pick(o: Awaited<ReturnType<typeof offersOf>>, planId: string): PlanOffer {
  const offer = o.offers.find((x) => x.id === planId);
  if (offer) {
    if (offer.priceMinor === undefined) throw problem(PlanErrors, 'plan-not-offered', `Plan ${planId} has no price in the policy`, { errors: [{ field: 'body.planId', message: 'has no price' }] });
    return offer;
  }
  const plan = o.plans.find((p) => p.id === planId);
  const why = plan ? `not sold ${o.coverage.device.status === 'expired' ? 'after expiry' : 'now'} for this device (buyable: ${plan.buyable.join(', ')})` : 'no such plan in the policy';
  throw problem(PlanErrors, 'plan-not-offered', `Plan ${planId}: ${why}`, { errors: [{ field: 'body.planId', message: why }], offered: o.offers.map((x) => x.id) });
}

export async function forDevice(db: Db, orgId: string, deviceId: string, now: Date) {
  const o = await offersOf(db, orgId, deviceId, now);
  const sales = await db.selectFrom('plan_sales').selectAll().where('organization_id', '=', orgId).where('device_id', '=', deviceId).orderBy('id', 'desc').execute();
  // What set the end it has now (the term's rule, or the last plan's: ITS-3), to cite beside it.
  const last = o.coverage.device.changes.filter((c) => c.newEnd !== undefined).at(-1);
  return {
    at: o.today,
    coverage: { status: o.coverage.device.status, end: o.coverage.device.end ?? null, rule: last?.rule ?? null },
    offers: o.offers,
    sales: sales.map((x) => ({ ...saleView(x), ...planOf(o.pack, x.plan_id) })),
  };
}

/** A sold plan's name, duration and rule from the policy (the newest version naming it), so a plan no longer offered is not shown by its id. */
function planOf(pack: Awaited<ReturnType<typeof orgAndPack>>['pack'], id: string) {
  for (let i = pack.versions.length - 1; i >= 0; i--) {
    const p = pack.versions[i].raw.extensionPlans.find((x) => x.id === id);
    if (p) return { name: p.name, duration: p.duration, rule: p.rule };
  }
  return { name: { en: id }, duration: null, rule: null };
}

export const SELL_PROBLEMS = ['not-found', 'plan-not-offered', 'history-invalid', 'policy-input-invalid', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];

/** Staff sell a plan at the counter, paid on the spot (cash or card terminal): the extension applies at once. */
export async function sellAtCounter(tx: Tx, actor: Actor, deviceId: string, f: { planId: string; method: 'cash' | 'card-terminal' }, now: Date) {
  const o = await offersOf(tx, actor.organizationId, deviceId, now, true);
  const offer = pick(o, f.planId);
  const id = uuidv7();
  await tx
    .insertInto('plan_sales')
    .values({ id, organization_id: actor.organizationId, device_id: deviceId, customer_id: o.device.customer_id, plan_id: offer.id, buy_window: offer.window, price_minor: offer.priceMinor!, currency: offer.currency, channel: 'counter', state: 'pending', created_at: now, updated_at: now })
    .execute();
  return saleView(await applyPaid(tx, actor, id, f.method, now));
}

/** The sale paid: the device event the engine applies (ITS-3), once. */
async function applyPaid(tx: Tx, actor: Actor, id: string, method: string, now: Date) {
  const s = await tx.selectFrom('plan_sales').selectAll().where('organization_id', '=', actor.organizationId).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
  if (s.state !== 'pending') return s;
  const { org, pack } = await orgAndPack(tx, actor.organizationId);
  const today = todayIn(org.time_zone, now);
  const ev = await devices.addEvent(tx, actor, s.device_id, { type: 'extension-purchased', date: today, planId: s.plan_id, note: `plan sale ${s.id}` });
  const paid = await tx
    .updateTable('plan_sales')
    .set({ state: 'paid', payment_method: method, paid_on: today, paid_at: now, device_event_id: ev.id, version: sql`version + 1`, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await audit(tx, actor, { action: 'plan.sold', entityType: 'device', entityId: s.device_id, after: { saleId: s.id, planId: s.plan_id, window: s.buy_window, priceMinor: s.price_minor, currency: s.currency, method, deviceEventId: ev.id } });
  if (s.customer_id) {
    // The message names the plan (in the client's language) and the device.
    const plan = versionAt(pack, now.toISOString()).raw.extensionPlans?.find((p) => p.id === s.plan_id);
    const d = await tx.selectFrom('devices').select(['serial', 'manufacturer', 'model']).where('organization_id', '=', s.organization_id).where('id', '=', s.device_id).executeTakeFirst();
    const payload = { saleId: s.id, deviceId: s.device_id, customerId: s.customer_id, planId: s.plan_id, planName: plan?.name ?? { en: s.plan_id }, duration: plan?.duration ?? '', serial: d?.serial ?? '', device: [d?.manufacturer, d?.model].filter(Boolean).join(' '), amountMinor: s.price_minor, currency: s.currency, rule: plan?.rule ?? '', portal: true };
    await enqueue(tx, { organizationId: s.organization_id, topic: 'plan.purchased', aggregateType: 'device', aggregateId: s.device_id, payload, dedupeKey: `plan-sale:${s.id}` });
  }
  return paid;
}

export const ONLINE_PROBLEMS = ['not-found', 'plan-not-offered', 'policy-input-invalid', ...CHECKOUT_PROBLEMS] as const satisfies readonly ProblemCode[];

/** The client buys a plan for a device of theirs: a pending sale and its Stripe Checkout page (the same for a retry). */
export async function buyOnline(deps: { db: Db; config: Pick<Config, 'stripe'> }, c: { organization_id: string; email: string }, deviceId: string, planId: string, urls: { base: string; slug: string }, now: Date) {
  const sale = await deps.db.transaction().execute(async (tx) => {
    const own = await tx
      .selectFrom('devices as d')
      .innerJoin('customers as c', (j) => j.onRef('c.id', '=', 'd.customer_id').onRef('c.organization_id', '=', 'd.organization_id'))
      .select('d.id')
      .where('d.organization_id', '=', c.organization_id)
      .where('d.id', '=', deviceId)
      .where((eb) => eb(eb.fn('lower', ['c.email']), '=', c.email))
      .executeTakeFirst();
    if (!own) throw notFound('Device');
    const o = await offersOf(tx, c.organization_id, deviceId, now, true);
    const offer = pick(o, planId);
    const open = await tx.selectFrom('plan_sales').selectAll().where('organization_id', '=', c.organization_id).where('device_id', '=', deviceId).where('plan_id', '=', planId).where('state', '=', 'pending').where('channel', '=', 'portal').executeTakeFirst();
    if (open) return open;
    const id = uuidv7();
    await tx
      .insertInto('plan_sales')
      .values({ id, organization_id: c.organization_id, device_id: deviceId, customer_id: o.device.customer_id, plan_id: offer.id, buy_window: offer.window, price_minor: offer.priceMinor!, currency: offer.currency, channel: 'portal', state: 'pending', created_at: now, updated_at: now })
      .execute();
    await audit(tx, systemActor(c.organization_id, 'portal'), { action: 'plan.checkout-started', entityType: 'device', entityId: deviceId, after: { saleId: id, planId, window: offer.window, priceMinor: offer.priceMinor, currency: offer.currency } });
    return saleRow(tx, c.organization_id, id);
  });
  const d = await devicesRepo.get(deps.db, c.organization_id, deviceId);
  const back = `${urls.base}/account/${urls.slug}?device=${deviceId}`;
  return createCheckout(deps, {
    orgId: c.organization_id,
    subject: { kind: SUBJECT_KIND, id: sale.id },
    amountMinor: sale.price_minor,
    currency: sale.currency,
    description: `Warranty plan ${sale.plan_id} for ${d!.manufacturer} ${d!.serial}`,
    idempotencyKey: `plan-sale:${sale.id}`,
    successUrl: `${back}&paid=1`,
    cancelUrl: back,
    customerEmail: c.email,
  });
}

onStripePaid(SUBJECT_KIND, async (tx, p) => {
  await applyPaid(tx, systemActor(p.orgId, 'stripe'), p.subject.id, 'stripe', p.paidAt);
});

// A plan refunded in full no longer extends the warranty: its event is withdrawn (audited).
onStripeRefunded(SUBJECT_KIND, async (tx, r) => {
  if (!r.fullyRefunded) return;
  const s = await tx.selectFrom('plan_sales').selectAll().where('organization_id', '=', r.orgId).where('id', '=', r.subject.id).forUpdate().executeTakeFirst();
  if (!s || s.state !== 'paid') return;
  const actor = systemActor(r.orgId, 'stripe');
  if (s.device_event_id) await tx.deleteFrom('device_events').where('organization_id', '=', r.orgId).where('id', '=', s.device_event_id).execute();
  await tx.updateTable('plan_sales').set({ state: 'refunded', version: sql`version + 1`, updated_at: r.at }).where('id', '=', s.id).execute();
  await audit(tx, actor, { action: 'plan.refunded', entityType: 'device', entityId: s.device_id, after: { saleId: s.id, planId: s.plan_id, deviceEventId: s.device_event_id, amountMinor: r.amountMinor } });
});

// A refund of the price Stripe did not make (refund.failed): the sale keeps Stripe's reason (the
// console shows "refund failed: <reason>"). One that had succeeded first (the plan was refunded and its
// event withdrawn) gives the price back to the business: the sale is paid again and the plan extends
// the warranty again (a new extension-purchased event, audited).
onStripeRefundFailed(SUBJECT_KIND, async (tx, f) => {
  const s = await tx.selectFrom('plan_sales').selectAll().where('organization_id', '=', f.orgId).where('id', '=', f.subject.id).forUpdate().executeTakeFirst();
  if (!s) return;
  const actor = systemActor(f.orgId, 'stripe');
  let eventId = s.device_event_id;
  let state = s.state;
  if (f.wasApplied && s.state === 'refunded') {
    const ev = await devices.addEvent(tx, actor, s.device_id, { type: 'extension-purchased', date: s.paid_on ?? todayIn((await orgAndPack(tx, f.orgId)).org.time_zone, f.at), planId: s.plan_id, note: `plan sale ${s.id} (refund failed)` });
    eventId = ev.id;
    state = 'paid';
  }
  await tx.updateTable('plan_sales').set({ state, device_event_id: eventId, refund_failure_reason: f.reason, refund_failed_at: f.at, version: sql`version + 1`, updated_at: f.at }).where('id', '=', s.id).execute();
  await audit(tx, actor, { action: 'plan.refund-failed', entityType: 'device', entityId: s.device_id, after: { saleId: s.id, planId: s.plan_id, refundId: f.refundId, stripeRefundId: f.stripeRefundId, amountMinor: f.amountMinor, reason: f.reason, wasApplied: f.wasApplied, state, deviceEventId: eventId } });
});

// ---------- after expiry (ITS-10) ----------

/** How recently a device must have left coverage to be offered a plan. */
export const OFFER_WINDOW_DAYS = 7;

/**
 * Offers the plans buyable after expiry to the clients whose devices left coverage in the last
 * OFFER_WINDOW_DAYS days, through the outbox: once per device and coverage end (dedupe key), however
 * often the job runs. Only organizations whose pack both has such plans and lists an
 * `extension-offer` after expiry (ITS-10) are looked at. Returns the messages written.
 */
export async function offerAfterExpiry(db: Db, now: Date, batch = 500): Promise<number> {
  let written = 0;
  for (const o of await db.selectFrom('organizations').select(['id']).execute()) {
    const { org, pack } = await orgAndPack(db, o.id);
    const today = todayIn(org.time_zone, now);
    const raw = pack.versions[pack.versions.length - 1].raw;
    const rule = raw.afterExpiry.find((x) => x.type === 'extension-offer')?.rule;
    if (!rule || !pack.versions.some((v) => v.raw.extensionPlans.some((p) => p.buyable.includes('after-expiry')))) continue;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = (await db.selectFrom('devices').select('id').where('organization_id', '=', o.id).where('customer_id', 'is not', null).where('id', '>', after).orderBy('id').limit(batch).execute()).map((x) => x.id);
      if (!ids.length) break;
      after = ids[ids.length - 1];
      const [rows, parts, events] = await Promise.all([
        db.selectFrom('devices').selectAll().where('organization_id', '=', o.id).where('id', 'in', ids).execute(),
        devicesRepo.partsOf(db, o.id, ids),
        db.selectFrom('device_events').selectAll().where('organization_id', '=', o.id).where('device_id', 'in', ids).where('voided_at', 'is', null).orderBy('date').orderBy('recorded_at').execute(),
      ]);
      for (const d of rows) {
        let cov;
        try {
          cov = computeCoverage(devices.toDeviceInput(d as never, parts.filter((p) => p.device_id === d.id)), devices.toDeviceEvents(events.filter((e) => e.device_id === d.id)), pack, today);
        } catch {
          continue; // a history the engine cannot read is reported where it is read (the lookup), not here
        }
        const end = cov.device.end;
        if (cov.device.status !== 'expired' || !end) continue;
        const days = (Date.parse(today) - Date.parse(end)) / 86400_000;
        if (days < 1 || days > OFFER_WINDOW_DAYS) continue;
        const offers = planOffers(pack, { kind: d.kind as 'device', category: d.category }, cov).filter((x) => x.window === 'after-expiry');
        if (!offers.length) continue;
        const id = await db.transaction().execute((tx) =>
          enqueue(tx, {
            organizationId: o.id,
            topic: 'plan.after-expiry-offer',
            aggregateType: 'device',
            aggregateId: d.id,
            dedupeKey: `plan-offer:${d.id}:${end}`,
            payload: { deviceId: d.id, customerId: d.customer_id, serial: d.serial, device: [d.manufacturer, d.model].filter(Boolean).join(' '), end, plans: offers.map((x) => x.id), planNames: offers.map((x) => x.name), rule, portal: true },
          }),
        );
        if (id) written++;
      }
    }
  }
  return written;
}


// ---------- before expiry (ITS-3) ----------

/**
 * Tells the clients whose sold plans' coverage ends within the pack's `settings.plans.expiryNoticeDays`
 * (the business's own setting) that it is about to end, with the plans that extend it now, through
 * the outbox (`plan.expiring`, e-mail or SMS by the client's channel, linking the device's plans in
 * their account): once per device and coverage end (dedupe key `plan-expiring:<device>:<end>`),
 * however often the job runs; a coverage end that moves (another plan bought) is a new notice. The
 * day is the organization's, from `now` (the job runner's clock). Returns the messages written.
 */
export async function noticeBeforeExpiry(db: Db, now: Date, batch = 500): Promise<number> {
  let written = 0;
  for (const o of await db.selectFrom('organizations').select(['id']).execute()) {
    const { org, pack } = await orgAndPack(db, o.id);
    const today = todayIn(org.time_zone, now);
    const days = (versionAt(pack, now.toISOString()).raw.settings as { plans?: { expiryNoticeDays?: number } }).plans?.expiryNoticeDays;
    if (!days) continue;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      // Devices with a client and a paid plan, a batch at a time.
      const ids = (
        await db
          .selectFrom('plan_sales')
          .select('device_id')
          .distinct()
          .where('organization_id', '=', o.id)
          .where('state', '=', 'paid')
          .where('customer_id', 'is not', null)
          .where('device_id', '>', after)
          .orderBy('device_id')
          .limit(batch)
          .execute()
      ).map((x) => x.device_id);
      if (!ids.length) break;
      after = ids[ids.length - 1];
      const [rows, parts, events, sold] = await Promise.all([
        db.selectFrom('devices').selectAll().where('organization_id', '=', o.id).where('id', 'in', ids).where('customer_id', 'is not', null).execute(),
        devicesRepo.partsOf(db, o.id, ids),
        db.selectFrom('device_events').selectAll().where('organization_id', '=', o.id).where('device_id', 'in', ids).where('voided_at', 'is', null).orderBy('date').orderBy('recorded_at').execute(),
        db.selectFrom('plan_sales').select(['device_id', 'plan_id', 'paid_at']).where('organization_id', '=', o.id).where('device_id', 'in', ids).where('state', '=', 'paid').orderBy('paid_at', 'desc').execute(),
      ]);
      for (const d of rows) {
        let cov;
        try {
          cov = computeCoverage(devices.toDeviceInput(d as never, parts.filter((p) => p.device_id === d.id)), devices.toDeviceEvents(events.filter((e) => e.device_id === d.id)), pack, today);
        } catch {
          continue; // reported where the history is read (the lookup), not here
        }
        const end = cov.device.end;
        if (cov.device.status === 'expired' || !end) continue;
        const left = (Date.parse(end) - Date.parse(today)) / 86400_000;
        if (left < 0 || left > days) continue;
        const last = sold.find((x) => x.device_id === d.id)!;
        const plan = versionOf(pack, cov).raw.extensionPlans.find((p) => p.id === last.plan_id);
        const offers = planOffers(pack, { kind: d.kind as 'device', category: d.category }, cov);
        const id = await db.transaction().execute((tx) =>
          enqueue(tx, {
            organizationId: o.id,
            topic: 'plan.expiring',
            aggregateType: 'device',
            aggregateId: d.id,
            dedupeKey: `plan-expiring:${d.id}:${end}`,
            payload: {
              deviceId: d.id,
              customerId: d.customer_id,
              serial: d.serial,
              device: [d.manufacturer, d.model].filter(Boolean).join(' '),
              end,
              daysLeft: left,
              planId: last.plan_id,
              planName: plan?.name ?? { en: last.plan_id },
              plans: offers.map((x) => x.id),
              planNames: offers.map((x) => x.name),
              rule: plan?.rule ?? 'ITS-3',
              portal: true,
            },
          }),
        );
        if (id) written++;
      }
    }
  }
  return written;
}
