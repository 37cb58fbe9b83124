// The support desk's kinds of case, registered with the core: incidents under a contract
// ('support-incident'), questions, advice and paid help ('support-question', the same table) and
// training sessions ('training-session'). Their timers: an at-risk clock warns the managers and
// raises the ticket's level as the pack says (ITM-2, VN-6); a due one reports the breach.
import { enqueue } from '../../core/outbox.ts';
import { lockById, registerSubjectKind, type TimerContext } from '../../core/subjects.ts';
import type { Tx } from '../../db/index.ts';
import { INCIDENT_TYPE, QUESTION_TYPE, TRAINING_TYPE, type TicketRow, type TrainingRow } from './repository.ts';
import { WAITING_FOR_CLIENT } from './state-machine.ts';
import { escalateAtRisk } from './tickets.ts';

async function onTimer(tx: Tx, { subject: t, timer, clock, state, org, pack, moment }: TimerContext<TicketRow>) {
  const message = {
    organizationId: t.organization_id,
    aggregateType: t.kind === 'incident' ? INCIDENT_TYPE : QUESTION_TYPE,
    aggregateId: t.id,
    payload: { ticketId: t.id, number: t.number, clock: clock.id, rule: clock.rule, due: state.due, level: t.level },
    dedupeKey: `timer:${timer.id}`,
  };
  if (timer.kind === 'at-risk') {
    await enqueue(tx, { ...message, topic: 'deadline.at-risk' });
    await escalateAtRisk(tx, t, org, pack, clock.id, moment);
    return;
  }
  await enqueue(tx, { ...message, topic: 'deadline.breached' });
}

const ticketKind = (type: string) =>
  registerSubjectKind<TicketRow>({
    type,
    table: 'support_tickets',
    waitingForClient: WAITING_FOR_CLIENT,
    clientClocks: [],
    lock: lockById<TicketRow>('support_tickets'),
    onTimer,
  });

export const incidentKind = ticketKind(INCIDENT_TYPE);
export const questionKind = ticketKind(QUESTION_TYPE);

export const TRAINING_TRANSITIONS = {
  attendance: { from: ['scheduled', 'held'], to: 'held' },
  cancel: { from: ['scheduled'], to: 'cancelled' },
} as const;
export type TrainingAction = keyof typeof TRAINING_TRANSITIONS;

export const trainingKind = registerSubjectKind<TrainingRow>({
  type: TRAINING_TYPE,
  table: 'training_sessions',
  waitingForClient: [],
  clientClocks: [],
  lock: lockById<TrainingRow>('training_sessions'),
  // No clocks: a session is a date, not a deadline.
  onTimer: async () => {},
});
