// A test-only kind of case, "loan device": a client gets a loan unit while theirs is away and must
// return it in time. It is the recipe of docs/adding-a-feature.md ("A new kind of case") done in
// full, small enough to read at once: a table, a transition table as data, a subject kind registered
// with the core (its clock handler), and every change through the core's transition writer.
//
// A real kind adds a migration; this one creates its table in the test. It borrows a clock the
// itmall pack ships (ITM-12 `rma-return`: 10 days from `rma-authorized`, stopped by
// `unit-received`), because clocks come from the business's policy, never from code.
import { sql } from 'kysely';
import type { Db, Tx } from '../../src/db/index.ts';
import { uuidv7 } from '../../src/db/ids.ts';
import { systemActor, type Actor } from '../../src/core/actor.ts';
import { audit } from '../../src/core/audit.ts';
import { clocksInsertSql, planNewClocks } from '../../src/core/clocks.ts';
import { CoreErrors, notFound, problem, versionConflict } from '../../src/core/errors.ts';
import { orgAndPack } from '../../src/core/organization.ts';
import { enqueue } from '../../src/core/outbox.ts';
import { lockById, registerSubjectKind, type CaseRow, type TimerContext } from '../../src/core/subjects.ts';
import { insertTimers } from '../../src/core/timers.ts';
import { writeTransition } from '../../src/core/transitions.ts';

// 1. The table (a real kind: src/db/migrations/NNNN_loans.sql).
export async function createLoansTable(db: Db) {
  await sql`create table if not exists loans (
    id uuid primary key, organization_id uuid not null references organizations(id), customer_id uuid not null,
    serial text not null, state text not null, version integer not null default 1,
    created_at timestamptz not null, updated_at timestamptz not null)`.execute(db);
}

export interface LoanRow extends CaseRow {
  customer_id: string;
  serial: string;
  created_at: Date;
  updated_at: Date;
}

// 2. The transitions, as data: from-states, the new state, and the pack clock events produced.
export const LOAN_TRANSITIONS = {
  return: { from: ['lent', 'overdue'], to: 'returned', clockEvents: ['unit-received'] },
  'mark-overdue': { from: ['lent'], to: 'overdue', clockEvents: [] },
} as const;
export type LoanAction = keyof typeof LOAN_TRANSITIONS;

// 3. The kind, registered once: its table, its waiting states and client clocks, its timer handler.
async function onTimer(tx: Tx, c: TimerContext<LoanRow>) {
  const message = { organizationId: c.subject.organization_id, aggregateType: 'loan', aggregateId: c.subject.id, payload: { loanId: c.subject.id, clock: c.clock.id, rule: c.clock.rule, due: c.state.due }, dedupeKey: `timer:${c.timer.id}` };
  if (c.timer.kind === 'at-risk') {
    await enqueue(tx, { ...message, topic: 'loan.return-due-soon' });
    return;
  }
  if (c.timer.kind === 'escalation') {
    // ITM-12's 20 days: the clock's escalation moment (the RMA charges the unit; the loan only says so).
    await enqueue(tx, { ...message, topic: 'loan.escalated' });
    return;
  }
  await enqueue(tx, { ...message, topic: 'loan.overdue' });
  await actOnLoan(tx, systemActor(c.subject.organization_id, 'jobs'), c.subject, 'mark-overdue', c.moment);
}

export const loanKind = registerSubjectKind<LoanRow>({
  type: 'loan',
  table: 'loans',
  waitingForClient: [],
  clientClocks: ['rma-return'],
  lock: lockById<LoanRow>('loans'),
  onTimer,
});

// 4. Creating a case: the row, its first clocks and timers, the audit row, in the caller's transaction.
export async function lend(tx: Tx, actor: Actor, f: { customerId: string; serial: string }, now: Date): Promise<LoanRow> {
  const { pack } = await orgAndPack(tx, actor.organizationId);
  const row: LoanRow = { id: uuidv7(), organization_id: actor.organizationId, customer_id: f.customerId, serial: f.serial, state: 'lent', version: 1, created_at: now, updated_at: now };
  await sql`insert into loans (id, organization_id, customer_id, serial, state, version, created_at, updated_at)
    values (${row.id}, ${row.organization_id}, ${row.customer_id}, ${row.serial}, ${row.state}, 1, ${now}, ${now})`.execute(tx);
  const subject = { type: loanKind.type, id: row.id, organizationId: row.organization_id };
  const { clocks, timers } = planNewClocks(pack, ['rma-authorized'], now);
  if (clocks.length) await sql`${clocksInsertSql(subject, clocks)}`.execute(tx);
  await insertTimers(tx, subject, timers);
  await audit(tx, actor, { action: 'loan.created', entityType: 'loan', entityId: row.id, after: { state: row.state, serial: row.serial } });
  return row;
}

// 5. Every change: check the table, then the one writer (state, clocks, audit, outbox).
export async function actOnLoan(tx: Tx, actor: Actor, loan: LoanRow, action: LoanAction, now: Date) {
  const t = LOAN_TRANSITIONS[action];
  if (!(t.from as readonly string[]).includes(loan.state)) throw problem(CoreErrors, 'illegal-transition', `Cannot ${action} a loan that is ${loan.state}`);
  const { pack } = await orgAndPack(tx, loan.organization_id);
  return writeTransition(tx, actor, loanKind, loan, { action, to: t.to, clockEvents: t.clockEvents, outbox: action === 'return' ? [{ topic: 'loan.returned', payload: { loanId: loan.id } }] : [] }, pack, now);
}

export async function actLoan(db: Db, actor: Actor, id: string, action: LoanAction, version: number, now: Date) {
  return db.transaction().execute(async (tx) => {
    const loan = await loanKind.lock(tx, actor.organizationId, id);
    if (!loan) throw notFound('Loan');
    if (loan.version !== version) throw versionConflict(loan);
    return actOnLoan(tx, actor, loan, action, now);
  });
}
