// The durable job runner: graphile-worker on the same PostgreSQL. Jobs are added with SQL
// (graphile_worker.add_job) inside the transaction that makes them necessary, with a job_key, so a
// rolled-back change schedules nothing and nothing is scheduled twice. Several server processes can
// run it at once: graphile-worker hands each job to one worker (SKIP LOCKED), and the timers
// themselves are fired under a row lock (src/modules/service-orders/timers.ts).
import { Logger, run, runMigrations, runOnce, type Runner, type TaskList } from 'graphile-worker';
import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from '../db/index.ts';
import { fireTimer, sweepDueTimers } from '../modules/service-orders/timers.ts';
import { deleteExpired } from './cleanup.ts';

type Log = (level: string, message: string) => void;

/** How soon a timer held by another runner is looked at again. */
const RECHECK_MS = 10_000;

const logger = (log: Log) => new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') log(level, message);
});

export function taskList(db: Db, now: () => Date = () => new Date()): TaskList {
  return {
    'order-timer': async (payload) => {
      const { timerId } = payload as { timerId: string };
      const moment = now();
      const r = await fireTimer(db, timerId, moment);
      // Normal outcomes, not errors: a job that ran early (clock skew) is rescheduled for the timer's
      // own time; a timer held by another runner is looked at again shortly (that runner has fired it
      // by then, so this one finds it fired and does nothing). The same job_key replaces this job, so
      // there is never more than one job per timer, and fired_at under the row lock keeps "fires once".
      if (r === 'not-due' || r === 'busy') {
        const later = r === 'busy' ? RECHECK_MS : 0;
        // Never sooner than a second from the database's now: a skewed clock cannot make it spin.
        await sql`select graphile_worker.add_job('order-timer', json_build_object('timerId', ${timerId}::text),
                    run_at := greatest((select fire_at from order_timers where id = ${timerId}::uuid), now()) + make_interval(secs => ${Math.max(1, later / 1000)}),
                    job_key := 'order-timer:' || ${timerId}::text, max_attempts := 10)`.execute(db);
      }
    },
    // Safety net: whatever is due and was missed (e.g. a job added before a restore) fires now.
    'sweep-timers': async () => {
      await sweepDueTimers(db, now());
    },
    // Expired sessions, sign-in links and sign-in attempt windows (cleanup.ts).
    'delete-expired': async () => {
      await deleteExpired(db, now());
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
].join('\n');

/** Installs graphile-worker's own schema (graphile_worker.*); called by the migrator. */
export async function installJobSchema(connectionString: string) {
  await runMigrations({ connectionString, logger: logger(() => {}) });
}

export interface JobRunner {
  stop(): Promise<void>;
}

export async function startJobRunner(opts: { db: Db; pool: pg.Pool; log?: Log; concurrency?: number }): Promise<JobRunner> {
  const runner: Runner = await run({
    pgPool: opts.pool,
    taskList: taskList(opts.db),
    concurrency: opts.concurrency ?? 2,
    noHandleSignals: true,
    pollInterval: 2000,
    crontab: CRONTAB,
    logger: logger(opts.log ?? (() => {})),
  });
  return { stop: () => runner.stop() };
}

/** Runs every job that is due now, then returns (tests, and the two-runner proof). */
export async function runJobsOnce(db: Db, pool: pg.Pool) {
  await runOnce({ pgPool: pool, taskList: taskList(db), noHandleSignals: true, logger: logger(() => {}) });
}
