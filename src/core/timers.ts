// Timers: the at-risk and due moments of the subjects' clocks. Their due times live in `timers`
// (a partial index on fire_at over the pending ones), written only here, inside the caller's
// transaction, so a rolled-back change schedules nothing. Every job runner polls the index
// (`pollDueTimers`, every second by default) and fires each due timer in its own transaction that
// locks the timer row (SKIP LOCKED) and sets fired_at: whichever runner gets it first acts, every
// other one skips it, so nothing fires twice however many server processes run, and a timer due
// while every process was down fires at the next start. What a timer does is the subject kind's
// handler (src/core/subjects.ts); the engine has the last word on whether the clock still runs.
//
// Why not one graphile-worker job per timer (as before): adding the jobs was ~48 % of the intake's
// write time (add_jobs plus its NOTIFY, which PostgreSQL serializes across committing transactions),
// and the index does the same work with one query per second per runner.
import { sql } from 'kysely';
import type { Db, Tx } from '../db/index.ts';
import { clockState, type Subject } from './clocks.ts';
import { orgAndPack } from './organization.ts';
import { subjectKind } from './subjects.ts';

export interface PlannedTimer {
  id: string;
  clock_row_id: string;
  /** 'escalation': a clock's escalation moment (ITM-12: past 20 days the consequence applies). */
  kind: 'at-risk' | 'due' | 'escalation';
  fire_at: Date;
}

/** The one insert of timer rows: a CTE inside the caller's statement (intake), or `insertTimers`. */
export function timersInsertSql(s: Subject, timers: readonly PlannedTimer[]) {
  return sql`insert into timers (id, organization_id, subject_type, subject_id, clock_row_id, kind, fire_at)
    select x.id, ${s.organizationId}, ${s.type}, ${s.id}, x.clock_row_id, x.kind, x.fire_at
    from jsonb_to_recordset(${JSON.stringify(timers)}::jsonb) as x(id uuid, clock_row_id uuid, kind text, fire_at timestamptz)`;
}

/** Schedules timers in the caller's transaction. */
export async function insertTimers(tx: Tx, s: Subject, timers: readonly PlannedTimer[]) {
  if (timers.length) await sql`${timersInsertSql(s, timers)}`.execute(tx);
}

/** Cancels a clock's pending timers (it was stopped, paused or recomputed). */
export async function cancelTimers(tx: Tx, orgId: string, clockRowId: string, moment: Date) {
  await tx
    .updateTable('timers')
    .set({ cancelled_at: moment })
    .where('organization_id', '=', orgId)
    .where('clock_row_id', '=', clockRowId)
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .execute();
}

export type FireResult = 'fired' | 'skipped' | 'not-due' | 'busy';

/** Fires one timer as of `moment`, once: its subject kind's handler acts in the same transaction. */
export async function fireTimer(db: Db, timerId: string, moment: Date): Promise<FireResult> {
  return db.transaction().execute(async (tx) => {
    const t = await tx.selectFrom('timers').selectAll().where('id', '=', timerId).forUpdate().skipLocked().executeTakeFirst();
    if (!t) return 'busy';
    if (t.fired_at || t.cancelled_at) return 'skipped';
    if (t.fire_at > moment) return 'not-due';
    const kind = subjectKind(t.subject_type);
    const subject = await kind.lock(tx, t.organization_id, t.subject_id);
    const { org, pack } = await orgAndPack(tx, t.organization_id);
    const { row: clock, state } = await clockState(tx, pack, t.organization_id, t.clock_row_id, moment);
    await tx.updateTable('timers').set({ fired_at: moment }).where('id', '=', t.id).execute();
    // The engine has the last word: a clock stopped or paused meanwhile raises nothing.
    if (!subject || clock.stopped_at || state.status === 'paused' || state.status === 'met' || state.status === 'met-late') return 'skipped';
    await kind.onTimer(tx, { subject, timer: { id: t.id, kind: t.kind as PlannedTimer['kind'] }, clock: { id: clock.clock_id, rule: clock.rule }, state, org, pack, moment });
    return 'fired';
  });
}

/** Fires every timer due at `moment`, oldest first (the poller; tests drive it with their own moment). */
export async function sweepDueTimers(db: Db, moment: Date, limit = 500): Promise<number> {
  // Across organizations by design (the runner serves them all); each timer is then handled only
  // within its own organization.
  const due = await db
    .selectFrom('timers')
    .select('id')
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('fire_at', '<=', moment)
    .orderBy('fire_at')
    .limit(limit)
    .execute();
  let fired = 0;
  // One timer that cannot fire (a bug in a handler, a kind no longer registered) must not hold up
  // the others: each is tried, and the failures are raised together at the end (the poller logs them
  // and tries again at the next poll).
  const errors: unknown[] = [];
  for (const t of due) {
    try {
      if ((await fireTimer(db, t.id, moment)) === 'fired') fired++;
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new AggregateError(errors, `${errors.length} timers could not fire`);
  return fired;
}

export interface TimerPoller {
  stop(): Promise<void>;
}

/** Polls the due timers every `intervalMs` until stopped (one loop per job runner). */
export function pollDueTimers(db: Db, opts: { intervalMs?: number; now?: () => Date; log?: (level: string, message: string) => void } = {}): TimerPoller {
  const interval = opts.intervalMs ?? 1000;
  const now = opts.now ?? (() => new Date());
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        // A full batch means more are due: go again at once.
        while (!stopped && (await sweepDueTimers(db, now(), 200)) >= 200);
      } catch (e) {
        opts.log?.('error', `timer poll failed: ${(e as Error).message}`);
      }
      if (stopped) break;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, interval).unref?.();
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
