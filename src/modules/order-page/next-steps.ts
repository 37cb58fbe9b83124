// Issue 16, "clear next steps for the client": what happens after the client accepts or refuses the
// quote on the order page, from the order and the business's policy, never from which pack it is.
// Accepting: the repair starts and a message follows when it is ready, expected by the date staff
// promised at intake, else the quote's duration counted on the business's calendar from the
// acceptance (or from now, before it). Refusing: the device goes back unrepaired; what the policy
// charges then (the engine's on-refusal charges: SC-12, ITEMA-22; once refused, the charges
// recorded) and where to collect it (the business's location, as its documents print it).
import { DateTime, Duration } from 'luxon';
import type { Db, Tx } from '../../db/index.ts';
import { orgAndPack } from '../../core/organization.ts';
import { addDuration, parseDuration } from '../../policy/clocks.ts';
import { versionAt, versionCalendar } from '../../policy/pack-clocks.ts';
import * as orders from '../service-orders/service-orders.service.ts';

export interface NextSteps {
  accept: { expectedBy: string | null };
  refuse: { fees: { kind: string; amountMinor: number; currency: string; rule: string | null }[]; pickup: { name: string; address: string | null; phone: string | null; openingHours: string | null } | null };
}

const AFTER_REFUSAL: readonly string[] = ['refused', 'returned', 'unclaimed', 'disposed'];

export async function nextSteps(db: Db | Tx, o: orders.OrderRow, view: { state: string; quote: Record<string, unknown> | null; due: { charges: { kind: string; amountMinor: number; currency: string; rule: string | null }[] } }, now: Date): Promise<NextSteps | null> {
  // The client's decision as recorded (its moment is the app's clock, as every transition's).
  const decided = o.client_decision as { decision: 'accepted' | 'refused'; at: string } | null;
  if (!view.quote || (!decided && view.state !== 'awaiting-decision')) return null;
  const { org, pack } = await orgAndPack(db, o.organization_id);
  // Accepting: the promised date, else the quote's duration from the acceptance.
  const ws = await db.selectFrom('order_workshop').select('promised_on').where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).executeTakeFirst();
  let expectedBy = ws?.promised_on ?? null;
  const duration = typeof view.quote.duration === 'string' ? view.quote.duration : null;
  if (!expectedBy && duration) {
    const acceptedAt = decided?.decision === 'accepted' ? decided.at : now.toISOString();
    const start = DateTime.fromISO(acceptedAt).setZone(org.time_zone);
    const iso = Duration.fromISO(duration);
    let end: DateTime | null = iso.isValid ? start.plus(iso) : null;
    if (!end) {
      try {
        end = addDuration(start, parseDuration(duration), versionCalendar(versionAt(pack, acceptedAt)));
      } catch {
        end = null; // free text ("about a week"): no date promised
      }
    }
    expectedBy = end?.setZone(org.time_zone).toISODate() ?? null;
  }
  // Refusing: what the policy charges then; once refused, what was charged.
  let fees: NextSteps['refuse']['fees'];
  if (AFTER_REFUSAL.includes(view.state)) {
    fees = view.due.charges.filter((c) => c.kind === 'diagnosis' || c.kind === 'transport');
  } else {
    const d = await orders.decideFor(db, o, pack, org, { clientRefusesPaidRepair: true, diagnosed: true }, now);
    fees = (d?.charges ?? []).filter((c) => c.payer === 'client' && c.when === 'on-refusal' && c.amount).map((c) => ({ kind: c.type === 'diagnosis' ? 'diagnosis' : 'transport', amountMinor: c.amount!, currency: c.currency ?? o.currency, rule: (c.rules ?? [c.rule]).join(', ') }));
  }
  // Where the documents say the business is: its first location.
  const where = await db.selectFrom('locations').select(['name', 'address', 'phone', 'opening_hours']).where('organization_id', '=', o.organization_id).orderBy('id').limit(1).executeTakeFirst();
  return { accept: { expectedBy }, refuse: { fees, pickup: where ? { name: where.name, address: where.address, phone: where.phone, openingHours: where.opening_hours } : null } };
}
