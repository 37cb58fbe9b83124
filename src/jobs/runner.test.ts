// Timers are polled from their indexed table (src/core/timers.ts): a poll before a timer is due
// fires nothing; a timer held by another runner is skipped without an error and fired by a later
// poll; several pollers on one database fire each timer once; intake adds no graphile-worker job.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../test/db.ts';
import { systemActor } from '../core/actor.ts';
import { pollDueTimers, sweepDueTimers } from '../core/timers.ts';
import { insertClaim } from '../modules/service-orders/service-orders.service.ts';
import { startJobRunner, taskList } from './runner.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t?.close();
});

const TAKEN = new Date('2026-03-02T09:00:00Z');
const DAY = 86_400_000;

async function claim(serial: string) {
  const dev = await t.db.selectFrom('devices').select(['id', 'customer_id', 'organization_id']).where('serial', '=', serial).executeTakeFirstOrThrow();
  const { order } = await t.db.transaction().execute((tx) => insertClaim(tx, systemActor(dev.organization_id, 'api'), { channel: 'api', deviceId: dev.id, customerId: dev.customer_id!, problem: 'x' }, TAKEN));
  const timers = await t.db.selectFrom('timers').select(['id', 'fire_at', 'fired_at', 'subject_type']).where('organization_id', '=', dev.organization_id).where('subject_id', '=', order.id).orderBy('fire_at').execute();
  return { order, timers, orgId: dev.organization_id };
}
const firedOf = async (orderId: string) => (await t.db.selectFrom('timers').select(['id', 'fired_at']).where('subject_id', '=', orderId).execute()).filter((x) => x.fired_at !== null).map((x) => x.id).sort();
const breachKeys = async (orderId: string) => (await t.db.selectFrom('outbox').select('dedupe_key').where('aggregate_id', '=', orderId).where('dedupe_key', 'like', 'timer:%').execute()).map((b) => b.dedupe_key).sort();

describe('timers: polled from their table, fired once (issue 10)', () => {
  test('intake writes its clocks and timers for the service-order subject and adds no job per timer', async () => {
    const { order, timers } = await claim('DEMO-ITEMA-LAPTOP');
    expect(timers.length).toBeGreaterThan(0);
    expect(new Set(timers.map((x) => x.subject_type))).toEqual(new Set(['service-order']));
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs where key like 'order-timer:%'`.execute(t.db);
    expect(jobs.rows[0].n).toBe(0);
    expect(await firedOf(order.id)).toEqual([]);
  });

  test('a poll before the due time fires nothing; a held timer is skipped quietly and fired once by a later poll', async () => {
    const { order, timers } = await claim('DEMO-ITEMA-LAPTOP');
    expect(await sweepDueTimers(t.db, new Date(TAKEN.getTime() + 1000))).toBe(0);
    expect(await firedOf(order.id)).toEqual([]);

    // Another runner holds the first timer: this poll leaves it for later and fires the others.
    const held = timers[0];
    let release!: () => void;
    const holding = t.db.transaction().execute(async (tx) => {
      await tx.selectFrom('timers').select('id').where('id', '=', held.id).forUpdate().execute();
      await new Promise<void>((r) => (release = r));
    });
    await new Promise((r) => setTimeout(r, 50));
    const later = new Date(TAKEN.getTime() + 90 * DAY);
    await sweepDueTimers(t.db, later);
    release();
    await holding;
    expect(await firedOf(order.id)).toEqual(timers.slice(1).map((x) => x.id).sort());

    // When it comes round it fires, once; a further poll does nothing more.
    await sweepDueTimers(t.db, later);
    await sweepDueTimers(t.db, later);
    expect(await firedOf(order.id)).toEqual(timers.map((x) => x.id).sort());
    expect(await breachKeys(order.id)).toEqual(timers.map((x) => `timer:${x.id}`).sort());
  });

  test('four pollers at once on one database: every timer fires exactly once', async () => {
    const orders = await Promise.all(['DEMO-ITEMA-LAPTOP', 'DEMO-VN-NAS', 'DEMO-ITEMA-LAPTOP'].map((s) => claim(s)));
    const later = new Date(TAKEN.getTime() + 90 * DAY);
    await Promise.all([0, 1, 2, 3].map(() => sweepDueTimers(t.db, later)));
    for (const o of orders) {
      expect(await firedOf(o.order.id)).toEqual(o.timers.map((x) => x.id).sort());
      expect(await breachKeys(o.order.id)).toEqual(o.timers.map((x) => `timer:${x.id}`).sort());
    }
  });

  test('the poller loop fires what is due and stops cleanly; a job added per timer before polling fires its timer once', async () => {
    const a = await claim('DEMO-VN-NAS');
    const poller = pollDueTimers(t.db, { intervalMs: 20, now: () => new Date(TAKEN.getTime() + 90 * DAY) });
    for (let i = 0; i < 200 && (await firedOf(a.order.id)).length < a.timers.length; i++) await new Promise((r) => setTimeout(r, 20));
    await poller.stop();
    expect(await firedOf(a.order.id)).toEqual(a.timers.map((x) => x.id).sort());

    const b = await claim('DEMO-VN-NAS');
    const task = taskList(t.db, () => new Date(TAKEN.getTime() + 90 * DAY))['order-timer']!;
    const helpers = {} as Parameters<typeof task>[1];
    await task({ timerId: b.timers[0].id }, helpers);
    await task({ timerId: b.timers[0].id }, helpers);
    expect(await firedOf(b.order.id)).toEqual([b.timers[0].id]);
    expect(await breachKeys(b.order.id)).toEqual([`timer:${b.timers[0].id}`]);
  });

  test('after a restart: a runner started once its timers are due fires them, once, and stops cleanly', async () => {
    // Taken in 2020 (a pinned moment long past): every timer of it is due whenever the test runs.
    const dev = await t.db.selectFrom('devices').select(['id', 'customer_id', 'organization_id']).where('serial', '=', 'DEMO-VN-NAS').executeTakeFirstOrThrow();
    const { order } = await t.db.transaction().execute((tx) => insertClaim(tx, systemActor(dev.organization_id, 'api'), { channel: 'api', deviceId: dev.id, customerId: dev.customer_id!, problem: 'x' }, new Date('2020-01-06T09:00:00Z')));
    const timers = await t.db.selectFrom('timers').select('id').where('subject_id', '=', order.id).execute();
    expect(timers.length).toBeGreaterThan(0);
    const runners = await Promise.all([0, 1].map(() => startJobRunner({ db: t.db, pool: t.pool, timerPollMs: 50, concurrency: 1 })));
    for (let i = 0; i < 200 && (await firedOf(order.id)).length < timers.length; i++) await new Promise((r) => setTimeout(r, 25));
    await Promise.all(runners.map((r) => r.stop()));
    expect(await firedOf(order.id)).toEqual(timers.map((x) => x.id).sort());
    expect(await breachKeys(order.id)).toEqual(timers.map((x) => `timer:${x.id}`).sort());
  });

  test('a timer that cannot fire (its kind is not registered) does not hold up the others, and is reported', async () => {
    const { order, timers, orgId } = await claim('DEMO-ITEMA-LAPTOP');
    const clockRow = await t.db.selectFrom('clocks').select('id').where('subject_id', '=', order.id).executeTakeFirstOrThrow();
    await t.db.insertInto('timers').values({ id: '01900000-0000-7000-8000-000000000001', organization_id: orgId, subject_type: 'no-such-kind', subject_id: order.id, clock_row_id: clockRow.id, kind: 'due', fire_at: new Date('2020-01-01T00:00:00Z') }).execute();
    await expect(sweepDueTimers(t.db, new Date(TAKEN.getTime() + 90 * DAY))).rejects.toThrow(/no subject kind "no-such-kind"/);
    expect(await firedOf(order.id)).toEqual(timers.map((x) => x.id).sort());
    await t.db.deleteFrom('timers').where('subject_type', '=', 'no-such-kind').execute();
  });
});
