// Claim intake (issue 4): one read and one write inside the caller's transaction, with every
// guarantee kept: the order with its number, clocks, timers with their graphile-worker jobs
// (job_key), the order-page token, the audit event and the outbox row; a rollback leaves nothing.
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from '../../../test/db.ts';
import { systemActor } from '../../core/actor.ts';
import { insertClaim } from './service-orders.service.ts';

let t: TestContext;
/** The intakes' moment, pinned. */
const AT = DEMO_NOW; // the day the demo data is anchored to
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
        return await insertClaim(tx, d.actor, { channel: 'api', deviceId: d.id, customerId: d.customer_id!, problem: 'Не зарежда', proofs: { warrantyCard: true } }, AT);
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
    const clocks = await t.db.selectFrom('clocks').select(['id', 'due_at']).where('subject_type', '=', 'service-order').where('subject_id', '=', order.id).execute();
    expect(clocks.length).toBeGreaterThan(0);
    const timers = await t.db.selectFrom('timers').select('id').where('subject_type', '=', 'service-order').where('subject_id', '=', order.id).execute();
    expect(timers.length).toBeGreaterThan(0);
    // Timers are polled from their table: intake adds no graphile-worker job.
    const jobs = await sql<{ key: string }>`select key from graphile_worker.jobs`.execute(t.db);
    expect(jobs.rows).toEqual([]);
    const tokens = await t.db.selectFrom('order_page_tokens').select('order_id').where('order_id', '=', order.id).execute();
    expect(tokens).toHaveLength(1);
  });

  test('a rolled-back intake leaves no order, clock, timer, job, audit or outbox row; its number is skipped (case numbers may have gaps)', async () => {
    const d = await demoDevice('DEMO-ITEMA-LAPTOP');
    const count = async () => {
      const r = await sql<{ n: string }>`select (select count(*) from service_orders) + (select count(*) from clocks) + (select count(*) from timers)
        + (select count(*) from graphile_worker.jobs) + (select count(*) from audit_events) + (select count(*) from outbox) as n`.execute(t.db);
      return Number(r.rows[0].n);
    };
    const before = await count();
    const first = await t.db.transaction().execute((tx) => insertClaim(tx, d.actor, { channel: 'phone', deviceId: d.id, customerId: d.customer_id!, problem: 'x' }, AT));
    const mid = await count();
    await expect(
      t.db.transaction().execute(async (tx) => {
        await insertClaim(tx, d.actor, { channel: 'phone', deviceId: d.id, customerId: d.customer_id!, problem: 'y' }, AT);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await count()).toBe(mid);
    expect(mid).toBeGreaterThan(before);
    const next = await t.db.transaction().execute((tx) => insertClaim(tx, d.actor, { channel: 'phone', deviceId: d.id, customerId: d.customer_id!, problem: 'z' }, AT));
    const n = (s: string) => Number(s.slice(-6));
    // The sequence does not wait for the rolled-back transaction: its number is a gap.
    expect(n(next.order.number)).toBe(n(first.order.number) + 2);
  });

  test('an unknown customer or device in another organization is a 422 naming the field, and writes nothing', async () => {
    const d = await demoDevice('DEMO-ITEMA-LAPTOP');
    const other = await t.db.selectFrom('organizations').select('id').where('id', '!=', d.organization_id).executeTakeFirstOrThrow();
    const actor = systemActor(other.id, 'api');
    await expect(t.db.transaction().execute((tx) => insertClaim(tx, actor, { channel: 'api', deviceId: d.id, customer: { name: 'X', phone: '+1 555 0100' }, problem: 'x' }, AT))).rejects.toMatchObject({
      status: 422,
      extra: { errors: [{ field: 'body.deviceId' }] },
    });
    await expect(t.db.transaction().execute((tx) => insertClaim(tx, actor, { channel: 'api', customerId: d.customer_id!, problem: 'x' }, AT))).rejects.toMatchObject({
      status: 422,
      extra: { errors: [{ field: 'body.customerId' }] },
    });
  });
});

describe('case numbers (issue 10): per organization and year, from a sequence that never waits', () => {
  test('concurrent intakes of one business get distinct numbers in order, in every year, and businesses count on their own', async () => {
    const d = await demoDevice('DEMO-ITEMA-LAPTOP');
    const take = (at: string) => t.db.transaction().execute((tx) => insertClaim(tx, d.actor, { channel: 'phone', deviceId: d.id, customerId: d.customer_id!, problem: 'x' }, new Date(at)));
    const many = await Promise.all(Array.from({ length: 12 }, () => take('2031-05-01T09:00:00Z')));
    const numbers = many.map((r) => r.order.number);
    expect(new Set(numbers).size).toBe(12);
    expect(numbers.every((x) => /^SO-2031-\d{6}$/.test(x))).toBe(true);
    expect(numbers.map((x) => Number(x.slice(-6))).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // A new year starts again at 1; another business keeps its own count.
    expect((await take('2032-01-01T09:00:00Z')).order.number).toBe('SO-2032-000001');
    const vn = await demoDevice('DEMO-VN-NAS');
    const other = await t.db.transaction().execute((tx) => insertClaim(tx, vn.actor, { channel: 'phone', deviceId: vn.id, customerId: vn.customer_id!, problem: 'x' }, new Date('2031-05-01T09:00:00Z')));
    expect(other.order.number).toBe('SO-2031-000001');
  });
});
