// The RMA as a subject kind of the core: its table, and what its timers do. The return clock
// (the pack's `rma.returnClock`, ITM-12) measures the client: at-risk → a reminder; due → the RMA
// is a late return; its escalation (past 20 days) → the pack's consequence, once.
import type { Tx } from '../../db/index.ts';
import { enqueue } from '../../core/outbox.ts';
import { lockById, registerSubjectKind, type TimerContext } from '../../core/subjects.ts';
import { RMA_SUBJECT, type RmaRow } from './repository.ts';
import { RMA_WAITING_FOR_CLIENT } from './state-machine.ts';
import { systemAct } from './transitions.ts';

const WAITING_FOR_RETURN = ['authorized', 'return-late'];

async function onTimer(tx: Tx, { subject: r, timer, clock, state, moment }: TimerContext<RmaRow>) {
  // Received or cancelled meanwhile: the clock was stopped and the core skips it; any other state waits for nothing.
  if (!WAITING_FOR_RETURN.includes(r.state)) return;
  const message = { organizationId: r.organization_id, aggregateType: RMA_SUBJECT, aggregateId: r.id, dedupeKey: `timer:${timer.id}`, payload: { rmaId: r.id, number: r.number, customerId: r.customer_id, language: r.language, clock: clock.id, rule: clock.rule, due: state.due } };
  if (timer.kind === 'at-risk') {
    await enqueue(tx, { ...message, topic: 'rma.return-due-soon' });
    return;
  }
  if (timer.kind === 'due') {
    await enqueue(tx, { ...message, topic: 'rma.return-late' });
    if (r.state === 'authorized') await systemAct(tx, r, 'mark-late', moment);
    return;
  }
  // The escalation moment (ITM-12: past 20 days).
  const row = r.state === 'authorized' ? await systemAct(tx, r, 'mark-late', moment) : r;
  await systemAct(tx, row, 'apply-late-consequence', moment);
}

export const rmaKind = registerSubjectKind<RmaRow>({
  type: RMA_SUBJECT,
  table: 'rmas',
  waitingForClient: RMA_WAITING_FOR_CLIENT,
  clientClocks: [],
  lock: lockById<RmaRow>('rmas'),
  onTimer,
});
