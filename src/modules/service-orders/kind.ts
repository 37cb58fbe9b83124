// The service order as a subject kind of the core: its table, the states in which it waits for the
// client, the clocks that measure the client, and what its timers do: at-risk warnings, breaches,
// the reminder before disposal and the move to `unclaimed` (SC-11, ITEMA-24).
import { enqueue } from '../../core/outbox.ts';
import { versionAt } from '../../policy/index.ts';
import { systemActor } from '../../core/actor.ts';
import { lockById, registerSubjectKind, type TimerContext } from '../../core/subjects.ts';
import { SUBJECT_TYPE, type OrderRow } from './repository.ts';
import { CLIENT_CLOCKS, WAITING_FOR_CLIENT } from './state-machine.ts';
import { actOn } from './transitions.ts';

/**
 * What a collection clock's end means, from the pack (`collection` on the clock): 'dispose' (SC-11:
 * the reminder warns of disposal) or 'liability-ends' (ITEMA-24: the reminder says only that the
 * business stops answering for the device). Undefined: not a collection clock.
 */
function collectionOf(pack: TimerContext['pack'], clockId: string, moment: Date) {
  return versionAt(pack, moment.toISOString()).raw.clocks.find((c) => c.id === clockId)?.collection;
}

async function onTimer(tx: Parameters<typeof actOn>[0], { subject: o, timer, clock, state, pack, moment }: TimerContext<OrderRow>) {
  const base = { orderId: o.id, number: o.number, customerId: o.customer_id, language: o.language, channel: o.contact_channel, clock: clock.id, rule: clock.rule, due: state.due };
  const collection = collectionOf(pack, clock.id, new Date(state.start));
  const message = { organizationId: o.organization_id, aggregateType: SUBJECT_TYPE, aggregateId: o.id, payload: base, dedupeKey: `timer:${timer.id}` };
  if (timer.kind === 'at-risk') {
    const topic = collection === 'dispose' ? 'order.disposal-reminder' : collection === 'liability-ends' ? 'order.collection-reminder' : 'deadline.at-risk';
    await enqueue(tx, { ...message, topic });
    return;
  }
  if (timer.kind === 'escalation') {
    // A clock's escalation moment (a pack's `escalation.after`): staff are told; nothing moves.
    await enqueue(tx, { ...message, topic: 'deadline.escalated' });
    return;
  }
  await enqueue(tx, { ...message, topic: 'deadline.breached' });
  if (collection && (o.state === 'ready' || o.state === 'refused')) {
    await actOn(tx, systemActor(o.organization_id, 'jobs'), o, { action: 'mark-unclaimed', clock: clock.id }, moment);
  }
}

export const serviceOrderKind = registerSubjectKind<OrderRow>({
  type: SUBJECT_TYPE,
  table: 'service_orders',
  waitingForClient: WAITING_FOR_CLIENT,
  clientClocks: CLIENT_CLOCKS,
  lock: lockById<OrderRow>('service_orders'),
  onTimer,
});
