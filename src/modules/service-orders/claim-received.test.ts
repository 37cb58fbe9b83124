// Staff record when a claim actually reached the business (a phone call or an e-mail entered later):
// the claim's date and clocks run from that moment, and the audit keeps both moments (issue 11).
import { describe, expect, test } from 'vitest';
import { snapshot } from '../../../test/db.ts';
import type { Json } from '../../../test/app.ts';
import { at, call, claim, clock, DAY, get, h, HOUR, serial, staff, t, useAuditApp } from './rules-audit.harness.ts';

useAuditApp();

const phoneClaim = (org: string, extra: Json = {}) => ({
  channel: 'phone',
  customer: { name: 'Late Entry', email: `${serial('late').toLowerCase()}@example.com`, phone: '+1 212 555 0101' },
  device: { serial: serial('LATE'), manufacturer: 'Dell', category: 'pc' },
  problem: 'Backups fail',
  ...extra,
});

describe('a claim entered after it was received', () => {
  test.each([
    // org, clock, received, entered, due (from the receipt), status when entered
    ['its', 'first-response', 'ITS-8', '2026-03-02T09:00:00Z', '2026-03-02T20:00:00Z', '2026-03-03T09:00:00Z', 'running'],
    ['its', 'first-response', 'ITS-8', '2026-03-02T09:00:00Z', '2026-03-03T06:00:00Z', '2026-03-03T09:00:00Z', 'at-risk'], // 4 hours before due
    ['its', 'first-response', 'ITS-8', '2026-03-02T09:00:00Z', '2026-03-03T10:00:00Z', '2026-03-03T09:00:00Z', 'breached'],
    // One calendar month in Sofia: 11:00 local on 2 March (EET) to 11:00 local on 2 April (EEST).
    ['itema-pg', 'conformity', 'ITEMA-31', '2026-03-02T09:00:00Z', '2026-03-04T09:00:00Z', '2026-04-02T08:00:00Z', 'running'],
  ])('%s: the %s clock (%s) runs from the receipt %s, entered %s: due %s, %s', async (org, clockId, rule, received, entered, due, status) => {
    at(entered);
    const { order } = await claim(org, phoneClaim(org, { receivedAt: received }));
    expect(order.claimReceivedAt).toBe(new Date(received).toISOString());
    expect(order.createdAt).toBe(new Date(entered).toISOString());
    expect(order.claimDate).toBe(received.slice(0, 10));
    const c = await clock(org, order.id, clockId);
    expect(c.rule).toBe(rule);
    expect(Date.parse(c.start)).toBe(Date.parse(received));
    expect(Date.parse(c.due)).toBe(Date.parse(due));
    expect(c.status).toBe(status);
    // The audit keeps both moments: when it was received and when it was entered.
    const a = await t.db.selectFrom('audit_events').select(['after', 'occurred_at']).where('entity_id', '=', order.id).where('action', '=', 'service-order.created').executeTakeFirstOrThrow();
    expect(a.after).toMatchObject({ receivedAt: new Date(received).toISOString(), enteredAt: new Date(entered).toISOString() });
  });

  test('without receivedAt the claim was received when it was entered', async () => {
    at('2026-03-05T12:00:00Z');
    const { order } = await claim('its', phoneClaim('its'));
    expect(order.claimReceivedAt).toBe(order.createdAt);
    expect(Date.parse((await clock('its', order.id, 'first-response')).start)).toBe(h.now.getTime());
  });

  test('a receipt before the purchase is refused on the field, and nothing is saved', async () => {
    at('2026-03-10T12:00:00Z');
    const before = await snapshot(t.db);
    const r = await call('POST', '/api/v1/claims', staff('its'), phoneClaim('its', { receivedAt: '2026-03-05T09:00:00Z', purchase: { date: '2026-03-08' } }));
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'body.receivedAt', code: 'before-purchase' })]);
    expect(await snapshot(t.db)).toEqual(before);
  });

  test.each([
    ['in the future', () => new Date(h.now.getTime() + HOUR).toISOString(), 'in-future'],
    ['more than 30 days back', () => new Date(h.now.getTime() - 31 * DAY).toISOString(), 'too-old'],
    ['not an instant', () => 'yesterday', 'invalid'],
  ])('a receipt moment %s is refused on the field, and nothing is saved', async (_what, value, code) => {
    at('2026-03-10T12:00:00Z');
    const before = await snapshot(t.db);
    const r = await call('POST', '/api/v1/claims', staff('its'), phoneClaim('its', { receivedAt: value() }));
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'body.receivedAt', code })]);
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('the order shows when the claim was received (staff view)', async () => {
    at('2026-03-11T12:00:00Z');
    const { order } = await claim('its', phoneClaim('its', { receivedAt: '2026-03-11T08:30:00Z' }));
    expect((await get('its', order.id)).claimReceivedAt).toBe('2026-03-11T08:30:00.000Z');
  });
});
