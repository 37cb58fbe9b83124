// The job runner's normal outcomes are quiet: a timer job that runs before its timer is due (a
// skewed clock) is rescheduled for the timer's time, and one whose timer is held by another runner
// is looked at again later; neither logs an error nor counts as a failed attempt, and the timer
// still fires once.
import { Logger, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../test/db.ts';
import { insertClaim } from '../modules/service-orders/service-orders.service.ts';
import { systemActor } from '../server/context.ts';
import { taskList } from './runner.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t?.close();
});

const logs: { level: string; message: string }[] = [];
const logger = new Logger(() => (level, message) => {
  logs.push({ level, message });
});
const run = (now: () => Date) => runOnce({ pgPool: t.pool, taskList: taskList(t.db, now), noHandleSignals: true, logger });
const jobsOf = async (timerIds: string[]) =>
  (await sql<{ key: string; run_at: Date; attempts: number; last_error: string | null }>`select key, run_at, attempts, last_error from graphile_worker.jobs where key = any(${timerIds.map((id) => `order-timer:${id}`)})`.execute(t.db)).rows;

describe('job runner: early and held timers are normal outcomes (issue 4)', () => {
  test('a timer job that runs early is rescheduled quietly for the timer; a held timer is looked at later; each timer fires once', async () => {
    const dev = await t.db.selectFrom('devices').select(['id', 'customer_id', 'organization_id']).where('serial', '=', 'DEMO-ITEMA-LAPTOP').executeTakeFirstOrThrow();
    // Taken 90 days ago: its timers' jobs are due by the database's clock.
    const taken = new Date(Date.now() - 90 * 86_400_000);
    const { order } = await t.db.transaction().execute((tx) => insertClaim(tx, systemActor(dev.organization_id, 'api'), { channel: 'api', deviceId: dev.id, customerId: dev.customer_id!, problem: 'x' }, taken));
    const timers = await t.db.selectFrom('order_timers').select(['id', 'fire_at']).where('order_id', '=', order.id).orderBy('fire_at').execute();
    expect(timers.length).toBeGreaterThan(0);
    await sql`update graphile_worker._private_jobs set run_at = now() - interval '1 minute' where key = any(${timers.map((x) => `order-timer:${x.id}`)})`.execute(t.db);

    // The runner's clock says it is still the intake moment: nothing is due yet.
    logs.length = 0;
    await run(() => taken);
    expect(logs.filter((l) => l.level === 'error' || l.level === 'warning')).toEqual([]);
    let jobs = await jobsOf(timers.map((x) => x.id));
    expect(jobs).toHaveLength(timers.length);
    for (const j of jobs) expect(j).toMatchObject({ attempts: 0, last_error: null });
    expect((await t.db.selectFrom('order_timers').select('fired_at').where('order_id', '=', order.id).execute()).every((x) => x.fired_at === null)).toBe(true);

    // Another runner holds the first timer: this one leaves it quietly for later.
    const held = timers[0];
    await sql`update graphile_worker._private_jobs set run_at = now() - interval '1 minute' where key = any(${timers.map((x) => `order-timer:${x.id}`)})`.execute(t.db);
    let release!: () => void;
    const holding = t.db.transaction().execute(async (tx) => {
      await tx.selectFrom('order_timers').select('id').where('id', '=', held.id).forUpdate().execute();
      await new Promise<void>((r) => (release = r));
    });
    await new Promise((r) => setTimeout(r, 50));
    logs.length = 0;
    await run(() => new Date());
    release();
    await holding;
    expect(logs.filter((l) => l.level === 'error' || l.level === 'warning')).toEqual([]);
    const heldJob = (await jobsOf([held.id]))[0];
    expect(heldJob).toMatchObject({ attempts: 0, last_error: null });
    expect(heldJob.run_at.getTime()).toBeGreaterThan(Date.now());
    // The others fired; the held one has not yet.
    const fired = await t.db.selectFrom('order_timers').select(['id', 'fired_at']).where('order_id', '=', order.id).execute();
    expect(fired.filter((x) => x.fired_at !== null).map((x) => x.id).sort()).toEqual(timers.slice(1).map((x) => x.id).sort());

    // When it comes round it fires, once; a further run does nothing more.
    await sql`update graphile_worker._private_jobs set run_at = now() - interval '1 minute' where key = ${`order-timer:${held.id}`}`.execute(t.db);
    await run(() => new Date());
    await run(() => new Date());
    jobs = await jobsOf(timers.map((x) => x.id));
    expect(jobs).toEqual([]);
    expect((await t.db.selectFrom('order_timers').select('fired_at').where('id', '=', held.id).executeTakeFirstOrThrow()).fired_at).not.toBeNull();
    const breaches = await t.db.selectFrom('outbox').select('dedupe_key').where('aggregate_id', '=', order.id).where('dedupe_key', 'like', 'timer:%').execute();
    expect(breaches.map((b) => b.dedupe_key).sort()).toEqual(timers.map((x) => `timer:${x.id}`).sort());
    expect(logs.filter((l) => l.level === 'error' || l.level === 'warning')).toEqual([]);
  });
});
