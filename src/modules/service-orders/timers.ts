// Firing an order's timers: at-risk warnings, breaches, the reminder before disposal and the move
// to `unclaimed` (SC-11, ITEMA-24). Each timer is fired in its own transaction that locks its row
// (SKIP LOCKED) and sets fired_at: whichever runner gets it first acts, every other one skips it,
// so nothing fires twice however many server processes run. The moment is an argument.
import type { Db } from '../../db/index.ts';
import { getShippedPack } from '../../policy/index.ts';
import { systemActor } from '../../server/context.ts';
import { enqueue } from '../outbox/outbox.repository.ts';
import { clockState } from './clocks.ts';
import { actOn, type OrderRow } from './service-orders.service.ts';

const COLLECTION_CLOCKS = ['disposal', 'collection'];

export type FireResult = 'fired' | 'skipped' | 'not-due' | 'busy';

export async function fireTimer(db: Db, timerId: string, moment: Date): Promise<FireResult> {
  return db.transaction().execute(async (tx) => {
    const t = await tx.selectFrom('order_timers').selectAll().where('id', '=', timerId).forUpdate().skipLocked().executeTakeFirst();
    if (!t) return 'busy';
    if (t.fired_at || t.cancelled_at) return 'skipped';
    if (t.fire_at > moment) return 'not-due';
    const o = (await tx.selectFrom('service_orders').selectAll().where('id', '=', t.order_id).forUpdate().executeTakeFirstOrThrow()) as OrderRow;
    const org = await tx.selectFrom('organizations').select(['pack_id']).where('id', '=', o.organization_id).executeTakeFirstOrThrow();
    const pack = getShippedPack(org.pack_id);
    const { row: clock, state } = await clockState(tx, pack, t.clock_row_id, moment);
    await tx.updateTable('order_timers').set({ fired_at: moment }).where('id', '=', t.id).execute();
    // The engine has the last word: a clock stopped or paused meanwhile raises nothing.
    if (clock.stopped_at || state.status === 'paused' || state.status === 'met' || state.status === 'met-late') return 'skipped';
    const base = { orderId: o.id, number: o.number, customerId: o.customer_id, language: o.language, channel: o.contact_channel, clock: clock.clock_id, rule: clock.rule, due: state.due };
    const collection = COLLECTION_CLOCKS.includes(clock.clock_id);
    if (t.kind === 'at-risk') {
      await enqueue(tx, {
        organizationId: o.organization_id,
        topic: collection ? 'order.disposal-reminder' : 'deadline.at-risk',
        aggregateType: 'service-order',
        aggregateId: o.id,
        payload: base,
        dedupeKey: `timer:${t.id}`,
      });
      return 'fired';
    }
    await enqueue(tx, { organizationId: o.organization_id, topic: 'deadline.breached', aggregateType: 'service-order', aggregateId: o.id, payload: base, dedupeKey: `timer:${t.id}` });
    if (collection && (o.state === 'ready' || o.state === 'refused')) {
      await actOn(tx, systemActor(o.organization_id, 'jobs'), o, { action: 'mark-unclaimed', clock: clock.clock_id }, moment);
    }
    return 'fired';
  });
}

/** Fires every timer due at `moment` (the safety net beside the per-timer jobs; tests drive it). */
export async function sweepDueTimers(db: Db, moment: Date, limit = 500): Promise<number> {
  const due = await db
    .selectFrom('order_timers')
    .select('id')
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('fire_at', '<=', moment)
    .orderBy('fire_at')
    .limit(limit)
    .execute();
  let fired = 0;
  for (const t of due) if ((await fireTimer(db, t.id, moment)) === 'fired') fired++;
  return fired;
}
