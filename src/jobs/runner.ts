// The durable job runner: graphile-worker on the same PostgreSQL. Jobs are added with SQL
// (graphile_worker.add_job) inside the transaction that makes them necessary, with a job_key, so a
// rolled-back change schedules nothing and nothing is scheduled twice. Several server processes can
// run it at once: graphile-worker hands each job to one worker (SKIP LOCKED), and the timers
// themselves are fired under a row lock (src/modules/service-orders/timers.ts).
import { Logger, run, runMigrations, runOnce, type Runner, type TaskList } from 'graphile-worker';
import type pg from 'pg';
import type { Db } from '../db/index.ts';
import { fireTimer, sweepDueTimers } from '../modules/service-orders/timers.ts';

type Log = (level: string, message: string) => void;

const logger = (log: Log) => new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') log(level, message);
});

export function taskList(db: Db, now: () => Date = () => new Date()): TaskList {
  return {
    'order-timer': async (payload) => {
      const { timerId } = payload as { timerId: string };
      const r = await fireTimer(db, timerId, now());
      // Fired early (clock skew) or held by another runner: try again shortly.
      if (r === 'not-due' || r === 'busy') throw new Error(`timer ${timerId} ${r}; retrying`);
    },
    // Safety net: whatever is due and was missed (e.g. a job added before a restore) fires now.
    'sweep-timers': async () => {
      await sweepDueTimers(db, now());
    },
  };
}

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
    crontab: '* * * * * sweep-timers ?max=1',
    logger: logger(opts.log ?? (() => {})),
  });
  return { stop: () => runner.stop() };
}

/** Runs every job that is due now, then returns (tests, and the two-runner proof). */
export async function runJobsOnce(db: Db, pool: pg.Pool) {
  await runOnce({ pgPool: pool, taskList: taskList(db), noHandleSignals: true, logger: logger(() => {}) });
}
