// Issue 11: staff correct when a claim was actually received on an order already open (a phone call
// or an e-mail entered later). The clocks the receipt started run from the new moment, keeping the
// time they stood paused; the others stay as they were; the audit keeps the old and the new moment
// beside the moment the order was entered. Optimistic version, Idempotency-Key, office roles; a
// moment in the future, after the entry, before the purchase, or on a closed order is refused on
// the field with nothing changed.
import { describe, expect, test } from 'vitest';
import { snapshot } from '../../../test/db.ts';
import type { Json } from '../../../test/app.ts';
import { act, at, DAY, get, h, HOUR, later, quoted, staff, t, useAuditApp, walkIn } from './rules-audit.harness.ts';

useAuditApp();

const put = (org: string, id: string, body: Json, opts: { cookie?: string; key?: string } = {}) =>
  h.call('PUT' as 'POST', `/api/v1/service-orders/${id}/received-at`, opts.cookie ?? staff(org), body, opts.key ? { 'idempotency-key': opts.key } : {});
const clockOf = (o: Json, id: string): Json => (o.clocks as Json[]).find((c) => c.id === id)!;

describe('changing when the claim was received on an open order', () => {
  test('re-times the clocks the receipt started (ITEMA-31), keeps their paused time, leaves ITEMA-2 alone, and the audit keeps both moments', async () => {
    at('2026-03-04T09:00:00Z');
    const { order } = await walkIn('itema-pg');
    // Waiting for the client's decision for a day: the conformity clock stands still meanwhile.
    await quoted('itema-pg', order.id);
    later(DAY);
    await act('itema-pg', order.id, { action: 'accept', via: 'in-person' });
    later(HOUR);
    const before = await get('itema-pg', order.id);
    const conformity = clockOf(before, 'conformity');
    const maxRepair = clockOf(before, 'max-repair');
    expect(conformity.pausedMs).toBeGreaterThanOrEqual(DAY);

    // The call came in two days before the order was entered.
    const r = await put('itema-pg', order.id, { receivedAt: '2026-03-02T09:00:00Z', version: before.version }, { key: `recv-${order.id}` });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const after = await get('itema-pg', order.id);
    expect(after.claimReceivedAt).toBe('2026-03-02T09:00:00.000Z');
    expect(after.claimDate).toBe('2026-03-02');
    expect(after.createdAt).toBe(before.createdAt);
    expect(after.version).toBe(before.version + 1);
    const moved = clockOf(after, 'conformity');
    expect(Date.parse(moved.start)).toBe(Date.parse('2026-03-02T09:00:00Z'));
    expect(moved.pausedMs).toBe(conformity.pausedMs);
    // One calendar month from two days earlier (both dues in summer time): two days earlier.
    expect(Date.parse(conformity.due) - Date.parse(moved.due)).toBe(2 * DAY);
    expect(Date.parse(conformity.atRiskFrom) - Date.parse(moved.atRiskFrom)).toBe(2 * DAY);
    // The work order's clock (ITEMA-2) runs from the order's acceptance, not from the receipt.
    expect(clockOf(after, 'max-repair')).toMatchObject({ start: maxRepair.start, due: maxRepair.due });

    // The pending timers follow the new due and at-risk moments.
    const row = await t.db.selectFrom('clocks').select(['id', 'due_at', 'at_risk_at']).where('subject_id', '=', order.id).where('clock_id', '=', 'conformity').executeTakeFirstOrThrow();
    expect(row.due_at!.toISOString()).toBe(new Date(moved.due).toISOString());
    const pending = await t.db.selectFrom('timers').select(['kind', 'fire_at']).where('clock_row_id', '=', row.id).where('cancelled_at', 'is', null).where('fired_at', 'is', null).orderBy('kind').execute();
    expect(pending.map((p) => [p.kind, new Date(p.fire_at as Date).toISOString()])).toEqual([
      ['at-risk', new Date(moved.atRiskFrom).toISOString()],
      ['due', new Date(moved.due).toISOString()],
    ]);

    // The audit: the old and the new moment, when it was entered, which clocks moved.
    const a = await t.db.selectFrom('audit_events').select('after').where('entity_id', '=', order.id).where('action', '=', 'service-order.claim-received-changed').execute();
    expect(a).toHaveLength(1);
    expect(a[0]!.after).toMatchObject({
      receivedAt: { from: '2026-03-04T09:00:00.000Z', to: '2026-03-02T09:00:00.000Z' },
      enteredAt: '2026-03-04T09:00:00.000Z',
      claimDate: { from: '2026-03-04', to: '2026-03-02' },
      clocksRetimed: [{ clock: 'conformity', from: '2026-03-04T09:00:00.000Z', to: '2026-03-02T09:00:00.000Z' }],
    });

    // A retry with the same key gets the same answer and changes nothing more.
    const again = await put('itema-pg', order.id, { receivedAt: '2026-03-02T09:00:00Z', version: before.version }, { key: `recv-${order.id}` });
    expect(again.status).toBe(200);
    expect((await get('itema-pg', order.id)).version).toBe(after.version);
    // A stale version is refused.
    const stale = await put('itema-pg', order.id, { receivedAt: '2026-03-03T09:00:00Z', version: before.version });
    expect(stale.status).toBe(409);
  });

  test.each([
    ['in the future', () => new Date(h.now.getTime() + HOUR).toISOString(), 'in-future'],
    ['after the order was entered', () => new Date(h.now.getTime() - HOUR).toISOString(), 'after-entered'],
    ['more than 30 days before the entry', () => '2026-02-01T09:00:00Z', 'too-old'],
    ['before the purchase', () => '2026-03-07T21:59:00Z', 'before-purchase'],
    ['not an instant', () => 'yesterday', 'invalid'],
  ])('a moment %s is refused on the field, and nothing changes', async (_what, value, code) => {
    at('2026-03-10T12:00:00Z');
    // Bought on 8 March in Sofia (UTC+2): 21:59 UTC on the 7th is still the 7th there.
    const { order } = await walkIn('itema-pg', { purchase: { date: '2026-03-08' } });
    later(2 * HOUR);
    const cur = await get('itema-pg', order.id);
    const before = await snapshot(t.db);
    const r = await put('itema-pg', order.id, { receivedAt: value(), version: cur.version });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'body.receivedAt', code })]);
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('the day of the purchase itself, in the business’s time zone, is allowed', async () => {
    at('2026-03-10T12:00:00Z');
    const { order } = await walkIn('itema-pg', { purchase: { date: '2026-03-08' } });
    const r = await put('itema-pg', order.id, { receivedAt: '2026-03-07T22:30:00Z', version: (await get('itema-pg', order.id)).version });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await get('itema-pg', order.id)).claimDate).toBe('2026-03-08');
  });

  test('a closed order is refused, and nothing changes', async () => {
    at('2026-03-12T12:00:00Z');
    const { order } = await walkIn('itema-pg');
    await act('itema-pg', order.id, { action: 'cancel', reason: 'client withdrew' });
    const cur = await get('itema-pg', order.id);
    const before = await snapshot(t.db);
    const r = await put('itema-pg', order.id, { receivedAt: '2026-03-12T08:00:00Z', version: cur.version });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('illegal-transition');
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('the front desk and managers may, a technician may not', async () => {
    at('2026-03-13T12:00:00Z');
    const { order } = await walkIn('itema-pg');
    const v = (await get('itema-pg', order.id)).version;
    expect((await put('itema-pg', order.id, { receivedAt: '2026-03-13T08:00:00Z', version: v }, { cookie: t.cookies['itema-pg'].technician })).status).toBe(403);
    expect((await put('itema-pg', order.id, { receivedAt: '2026-03-13T08:00:00Z', version: v }, { cookie: t.cookies['itema-pg'].manager })).status).toBe(200);
    expect((await put('itema-pg', order.id, { receivedAt: '2026-03-13T07:00:00Z', version: v + 1 })).status).toBe(200);
  });
});
