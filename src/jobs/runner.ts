// The durable job runner: graphile-worker on the same PostgreSQL for the recurring jobs (its crontab),
// and the core's timer poller (src/core/timers.ts) for the clocks' at-risk and due moments: their due
// times live in the indexed `timers` table, polled every second by every runner and fired under a
// row lock, so each fires once however many server processes run. The graphile-worker SQL is only
// here and in graphile-worker itself; features never add jobs.
import { Logger, run, runMigrations, runOnce, type Runner, type TaskList } from 'graphile-worker';
import type pg from 'pg';
import type { Db } from '../db/index.ts';
import { fireTimer, pollDueTimers, sweepDueTimers } from '../core/timers.ts';
import '../modules/subject-kinds.ts';
import { deleteExpired } from './cleanup.ts';
import { sealAudit } from '../core/audit.ts';
import { noticeBeforeExpiry, offerAfterExpiry } from '../modules/plans/plans.service.ts';

type Log = (level: string, message: string) => void;

const logger = (log: Log) => new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') log(level, message);
});

export function taskList(db: Db, now: () => Date = () => new Date()): TaskList {
  return {
    // Jobs added per timer before timers were polled (migration 0010): they fire their timer once,
    // like the poller would; a timer that is not due yet or held elsewhere is left to the poller.
    'order-timer': async (payload) => {
      await fireTimer(db, (payload as { timerId: string }).timerId, now());
    },
    // Safety net beside the poller: whatever is due and was missed fires now.
    'sweep-timers': async () => {
      await sweepDueTimers(db, now());
    },
    // Expired sessions, sign-in links and sign-in attempt windows (cleanup.ts).
    'delete-expired': async () => {
      await deleteExpired(db, now());
    },
    // The audit rows written since the last run chained into their organization's hash chain (issue 15).
    'audit-seal': async () => {
      await sealAudit(db);
    },
    // ITS-10: plans offered to clients whose devices just left coverage (once per device and end).
    'plan-offers': async () => {
      await offerAfterExpiry(db, now());
    },
    // ITS-3: a sold plan's coverage about to end (the pack's settings.plans.expiryNoticeDays), once per device and end.
    'plan-expiry-notices': async () => {
      await noticeBeforeExpiry(db, now());
    },
  };
}

/**
 * The recurring jobs. graphile-worker adds each tick's job once across all runners (it records the
 * tick in _private_known_crontabs before adding the job), so nothing here runs twice per tick.
 */
export const CRONTAB = [
  '* * * * * sweep-timers ?max=1',
  '*/15 * * * * delete-expired ?max=3',
  '7 * * * * plan-offers ?max=1',
  '17 * * * * plan-expiry-notices ?max=1',
  '* * * * * audit-seal ?max=1',
].join('\n');

/** Installs graphile-worker's own schema (graphile_worker.*); called by the migrator. */
export async function installJobSchema(connectionString: string) {
  await runMigrations({ connectionString, logger: logger(() => {}) });
}

export interface JobRunner {
  stop(): Promise<void>;
}

export async function startJobRunner(opts: { db: Db; pool: pg.Pool; log?: Log; concurrency?: number; timerPollMs?: number }): Promise<JobRunner> {
  const runner: Runner = await run({
    pgPool: opts.pool,
    taskList: taskList(opts.db),
    concurrency: opts.concurrency ?? 2,
    noHandleSignals: true,
    pollInterval: 2000,
    crontab: CRONTAB,
    logger: logger(opts.log ?? (() => {})),
  });
  const timers = pollDueTimers(opts.db, { intervalMs: opts.timerPollMs, log: opts.log });
  return {
    async stop() {
      await timers.stop();
      await runner.stop();
    },
  };
}

/** Fires every timer and runs every job that is due now, then returns (tests, and the two-runner proof). */
export async function runJobsOnce(db: Db, pool: pg.Pool) {
  await sweepDueTimers(db, new Date());
  await runOnce({ pgPool: pool, taskList: taskList(db), noHandleSignals: true, logger: logger(() => {}) });
}
