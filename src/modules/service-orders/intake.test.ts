// Claim intake (issue 4): one read and one write inside the caller's transaction, with every
// guarantee kept: the order with its number, clocks, timers with their graphile-worker jobs
// (job_key), the order-page token, the audit event and the outbox row; a rollback leaves nothing.
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { systemActor } from '../../server/context.ts';
import { insertClaim } from './service-orders.service.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t?.close();
});

async function demoDevice(serial: string) {
  const d = await t.db.selectFrom('devices').select(['id', 'customer_id', 'organization_id']).where('serial', '=', serial).executeTakeFirstOrThrow();
  return { ...d, actor: systemActor(d.organization_id, 'api') };
}

describe('claim intake: round trips and guarantees (issue 4, ITEMA-27, ITEMA-28)', () => {
  test('an intake of a known customer and device is one read and one write, and writes every row with the number', async () => {
    const d = await demoDevice('DEMO-ITEMA-LAPTOP');
    const queries: string[] = [];
    const orig = pg.Client.prototype.query;
    const r = await t.db.transaction().execute(async (tx) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (pg.Client.prototype as any).query = function (this: unknown, ...args: any[]) {
        queries.push(typeof args[0] === 'string' ? args[0] : `${args[0]?.name} ${args[0]?.text}`);
        return (orig as any).apply(this, args); // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      try {
        return await insertClaim(tx, d.actor, { channel: 'api', deviceId: d.id, customerId: d.customer_id!, problem: 'Не зарежда', proofs: { warrantyCard: true } }, new Date());
      } finally {
        pg.Client.prototype.query = orig;
      }
    });
    expect(queries).toHaveLength(2);
    // Both are named prepared statements: parsed and planned once per connection.
    expect(queries.map((q) => q.split(' ')[0])).toEqual(['aftercare-intake-read', 'aftercare-intake-write']);
    const { order } = r;
    expect(order.number).toMatch(/^SO-\d{4}-\d{6}$/);
    expect(order.preAuthorization.required).toBe(true);
    const stored = await t.db.selectFrom('service_orders').select(['number', 'decision']).where('id', '=', order.id).executeTakeFirstOrThrow();
    expect(stored.number).toBe(order.number);
    expect(stored.decision).toMatchObject({ provisional: true });
    const audit = await t.db.selectFrom('audit_events').select(['action', 'after']).where('entity_id', '=', order.id).execute();
    expect(audit).toEqual([{ action: 'service-order.created', after: expect.objectContaining({ number: order.number, state: 'claimed', via: 'api' }) }]);
    const out = await t.db.selectFrom('outbox').select(['topic', 'payload']).where('aggregate_id', '=', order.id).execute();
    expect(out).toEqual([{ topic: 'claim.received', payload: expect.objectContaining({ number: order.number, orderId: order.id, orderPageToken: r.orderPage.token }) }]);
    const clocks = await t.db.selectFrom('order_clocks').select(['id', 'due_at']).where('order_id', '=', order.id).execute();
    expect(clocks.length).toBeGreaterThan(0);
    const timers = await t.db.selectFrom('order_timers').select('id').where('order_id', '=', order.id).execute();
    expect(timers.length).toBeGreaterThan(0);
    const jobs = await sql<{ key: string }>`select key from graphile_worker.jobs where key = any(${timers.map((x) => `order-timer:${x.id}`)})`.execute(t.db);
    expect(jobs.rows).toHaveLength(timers.length);
    const tokens = await t.db.selectFrom('order_page_tokens').select('order_id').where('order_id', '=', order.id).execute();
    expect(tokens).toHaveLength(1);
  });

  test('a rolled-back intake leaves no order, clock, timer, job, audit or outbox row, and the next number follows on', async () => {
    const d = await demoDevice('DEMO-ITEMA-LAPTOP');
    const count = async () => {
      const r = await sql<{ n: string }>`select (select count(*) from service_orders) + (select count(*) from order_clocks) + (select count(*) from order_timers)
        + (select count(*) from graphile_worker.jobs) + (select count(*) from audit_events) + (select count(*) from outbox) as n`.execute(t.db);
      return Number(r.rows[0].n);
    };
    const before = await count();
    const first = await t.db.transaction().execute((tx) => insertClaim(tx, d.actor, { channel: 'phone', deviceId: d.id, customerId: d.customer_id!, problem: 'x' }, new Date()));
    const mid = await count();
    await expect(
      t.db.transaction().execute(async (tx) => {
        await insertClaim(tx, d.actor, { channel: 'phone', deviceId: d.id, customerId: d.customer_id!, problem: 'y' }, new Date());
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await count()).toBe(mid);
    expect(mid).toBeGreaterThan(before);
    const next = await t.db.transaction().execute((tx) => insertClaim(tx, d.actor, { channel: 'phone', deviceId: d.id, customerId: d.customer_id!, problem: 'z' }, new Date()));
    const n = (s: string) => Number(s.slice(-6));
    expect(n(next.order.number)).toBe(n(first.order.number) + 1);
  });

  test('an intake without timers adds no job (add_jobs is not called with an empty list)', async () => {
    const r = await sql<{ n: number }>`with t as (select null::uuid as id, null::timestamptz as fire_at where false),
      ja as (select array_agg(row('order-timer', json_build_object('timerId', t.id::text), null, t.fire_at, 10, 'order-timer:' || t.id::text, null, null)::graphile_worker.job_spec) as specs from t),
      j as (select jobs.id from ja, graphile_worker.add_jobs(ja.specs) as jobs where ja.specs is not null)
      select (select count(*) from j)::int as n`.execute(t.db);
    expect(r.rows[0].n).toBe(0);
  });

  test('an unknown customer or device in another organization is a 422 naming the field, and writes nothing', async () => {
    const d = await demoDevice('DEMO-ITEMA-LAPTOP');
    const other = await t.db.selectFrom('organizations').select('id').where('id', '!=', d.organization_id).executeTakeFirstOrThrow();
    const actor = systemActor(other.id, 'api');
    await expect(t.db.transaction().execute((tx) => insertClaim(tx, actor, { channel: 'api', deviceId: d.id, customer: { name: 'X', phone: '+1 555 0100' }, problem: 'x' }, new Date()))).rejects.toMatchObject({
      status: 422,
      extra: { errors: [{ field: 'body.deviceId' }] },
    });
    await expect(t.db.transaction().execute((tx) => insertClaim(tx, actor, { channel: 'api', customerId: d.customer_id!, problem: 'x' }, new Date()))).rejects.toMatchObject({
      status: 422,
      extra: { errors: [{ field: 'body.customerId' }] },
    });
  });
});
