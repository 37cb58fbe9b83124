// The device registration as a subject kind of the core (ITS-5): its table, the state in which it
// waits for the client (the fee), and what its payment clock's timers do: a reminder when at risk,
// the lapse to `expired` when due. The clock itself is the pack's (`registration.paymentClock`).
import { enqueue } from '../../core/outbox.ts';
import { systemActor } from '../../core/actor.ts';
import { lockById, registerSubjectKind, type TimerContext } from '../../core/subjects.ts';
import type { Tx } from '../../db/index.ts';
import { SUBJECT_TYPE, type RegistrationRow } from './repository.ts';
import { actOnRegistration } from './transitions.ts';

async function onTimer(tx: Tx, { subject: r, timer, clock, state, moment, pack }: TimerContext<RegistrationRow>) {
  const message = { organizationId: r.organization_id, aggregateType: SUBJECT_TYPE, aggregateId: r.id, dedupeKey: `timer:${timer.id}`, payload: { registrationId: r.id, number: r.number, customerId: r.customer_id, clock: clock.id, rule: clock.rule, due: state.due, amountMinor: r.fee_minor, currency: r.currency, portal: true } };
  if (r.state !== 'pending') return;
  if (timer.kind === 'at-risk') {
    await enqueue(tx, { ...message, topic: 'registration.payment-reminder' });
    return;
  }
  await actOnRegistration(tx, systemActor(r.organization_id, 'jobs'), r, 'expire', pack, moment, { outbox: [{ topic: 'registration.expired', payload: message.payload }] });
}

export const registrationKind = registerSubjectKind<RegistrationRow>({
  type: SUBJECT_TYPE,
  table: 'device_registrations',
  // Its one clock (the fee's) measures the client and starts with the case, already waiting: nothing pauses.
  waitingForClient: [],
  clientClocks: [],
  lock: lockById<RegistrationRow>('device_registrations'),
  onTimer,
});
