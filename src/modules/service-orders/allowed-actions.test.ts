// The staff order detail carries the actions legal now, so the web app need not know the state machine.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { allowedActions, type State } from './state-machine.ts';
import { mayAct } from './roles.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

test('every order detail lists exactly the legal actions of its state that the role may take, and the list follows a move', async () => {
  const orders = await t.db.selectFrom('service_orders').innerJoin('organizations', 'organizations.id', 'service_orders.organization_id').select(['service_orders.id', 'state', 'slug']).execute();
  expect(orders.length).toBeGreaterThan(0);
  for (const o of orders) {
    const res = await t.app.inject({ url: `/api/v1/service-orders/${o.id}`, headers: { cookie: t.cookies[o.slug]['front-desk'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().allowedActions).toEqual(allowedActions(o.state as State));
    // Issue 16: the technician is offered only the workshop's steps.
    const tech = await t.app.inject({ url: `/api/v1/service-orders/${o.id}`, headers: { cookie: t.cookies[o.slug].technician } });
    expect(tech.json().allowedActions).toEqual(allowedActions(o.state as State).filter((a) => mayAct('technician', a)));
  }
  const cookie = t.cookies['service-center'].manager;
  const claim = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { cookie }, payload: { channel: 'phone', customer: { name: 'Allowed Actions', phone: '+49 30 111 333' }, device: { serial: 'SC-AA-1', manufacturer: 'HP', category: 'laptop' }, problem: 'Noise' } });
  expect(claim.statusCode).toBe(201);
  const id = claim.json().order.id;
  const before = (await t.app.inject({ url: `/api/v1/service-orders/${id}`, headers: { cookie } })).json();
  expect(before).toMatchObject({ state: 'claimed', allowedActions: ['authorize', 'open', 'cancel'] });
  const moved = await t.app.inject({ method: 'POST', url: `/api/v1/service-orders/${id}/actions`, headers: { cookie }, payload: { action: 'cancel', reason: 'test', version: before.version } });
  expect(moved.statusCode).toBe(200);
  const after = (await t.app.inject({ url: `/api/v1/service-orders/${id}`, headers: { cookie } })).json();
  expect(after).toMatchObject({ state: 'cancelled', allowedActions: [] });
});
