// Issue 15: a claim from the public web form is matched to nobody; the client who proves the
// address by the sign-in link (a verified channel) links their own claim to their record from their
// account, and the engine then decides. Nobody else's claim can be seen or linked that way.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { snapshot, type TestContext } from '../../../test/db.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';

let h: ClockedApp;
let t: TestContext;
beforeAll(async () => {
  h = await clockedApp(new Date('2026-11-23T09:00:00Z'));
  t = h.t;
});
afterAll(() => h?.close());

let ip = 0;
const webClaim = async (body: Json) => {
  const r = await h.app.inject({ method: 'POST', url: '/api/v1/web-claims/itema-pg', payload: body, remoteAddress: `10.16.0.${++ip}` });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as Json;
};
/** Signs in through the e-mailed link, as the client does; the client's cookie. */
async function signIn(email: string) {
  expect((await h.app.inject({ method: 'POST', url: '/api/v1/client/sign-in-link', payload: { organization: 'itema-pg', email }, remoteAddress: `10.16.1.${++ip}` })).statusCode).toBe(202);
  const w = new DeliveryWorker(t.db, t.config);
  await w.runOnce();
  await w.stop();
  const n = await t.db.selectFrom('notifications').selectAll().where('recipient', '=', email).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
  const token = decodeURIComponent(/\/account\/[a-z0-9-]+\?token=([^&\s]+)/.exec(n.body)![1]);
  const s = await h.app.inject({ method: 'POST', url: '/api/v1/client/session', payload: { token } });
  expect(s.statusCode).toBe(200);
  const c = s.cookies.find((x) => x.name === 'aftercare_client')!;
  return `${c.name}=${c.value}`;
}
const order = (number: string) => t.db.selectFrom('service_orders').selectAll().where('organization_id', '=', t.orgs['itema-pg']).where('number', '=', number).executeTakeFirstOrThrow();

describe("the client links their own web claim from their account (issue 15)", () => {
  test('signed in by the link sent to the address, the client sees and links the claim sent with it; the engine decides', async () => {
    const mine = await webClaim({ name: 'Иван', email: 'Ivan.Petrov@example.bg', phone: '+359 88 000 4444', serial: 'DEMO-ITEMA-LAPTOP', problem: 'Не зарежда' });
    const other = await webClaim({ name: 'Someone', email: 'someone.else@example.com', phone: '+359 88 000 5555', serial: 'DEMO-ITEMA-LAPTOP', problem: 'x' });
    expect((await order(mine.number)).awaiting_link).toBe(true);
    const cookie = await signIn('ivan.petrov@example.bg');

    const list = await h.call('GET', '/api/v1/client/claims', cookie);
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: Json) => x.number)).toEqual([mine.number]);
    expect(list.body.items[0]).toMatchObject({ serial: 'DEMO-ITEMA-LAPTOP', problem: 'Не зарежда' });

    // Someone else's claim (another e-mail) is not theirs to link: the same answer as no claim.
    const before = await snapshot(t.db);
    const foreign = await h.call('POST', `/api/v1/client/claims/${other.number}/link`, cookie, {});
    expect(foreign.body).toMatchObject({ status: 404, code: 'not-found' });
    const notMine = await h.call('POST', `/api/v1/client/claims/${mine.number}/link`, cookie, { deviceId: (await t.db.selectFrom('devices').select('id').where('serial', '=', 'DEMO-ITMALL-SWITCH').executeTakeFirstOrThrow()).id });
    expect(notMine.body).toMatchObject({ status: 422, code: 'unknown-reference', errors: [{ field: 'body.deviceId' }] });
    expect(await snapshot(t.db)).toEqual(before);

    const linked = await h.call('POST', `/api/v1/client/claims/${mine.number}/link`, cookie, {});
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body).toMatchObject({ number: mine.number, linked: true, device: 'DEMO-ITEMA-LAPTOP' });
    const o = await order(mine.number);
    const ivan = await t.db.selectFrom('customers').select('id').where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
    const laptop = await t.db.selectFrom('devices').select('id').where('serial', '=', 'DEMO-ITEMA-LAPTOP').executeTakeFirstOrThrow();
    expect(o).toMatchObject({ awaiting_link: false, customer_id: ivan.id, device_id: laptop.id });
    expect(o.decision).not.toBeNull(); // decided on the device's history, as after a link by staff
    const audit = await t.db.selectFrom('audit_events').selectAll().where('entity_id', '=', o.id).where('action', '=', 'service-order.linked').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_type: 'system', actor_id: 'client-account', channel: 'client-account' });
    // It is now among the orders of the client's device, and no longer waits.
    const account = (await h.call('GET', '/api/v1/client/account', cookie)).body;
    expect(account.devices.find((d: Json) => d.serial === 'DEMO-ITEMA-LAPTOP').orders.map((x: Json) => x.number)).toContain(mine.number);
    expect((await h.call('GET', '/api/v1/client/claims', cookie)).body.items).toEqual([]);
    expect((await h.call('POST', `/api/v1/client/claims/${mine.number}/link`, cookie, {})).body).toMatchObject({ status: 404 });
    // The other claim still waits for staff.
    expect((await order(other.number)).awaiting_link).toBe(true);
  });

  test('without a client session: 401, nothing listed or linked', async () => {
    const r = await webClaim({ name: 'A', email: 'ivan.petrov@example.bg', phone: '+359 88 000 6666', serial: 'X-1', problem: 'y' });
    expect((await h.call('GET', '/api/v1/client/claims')).body).toMatchObject({ status: 401, code: 'client-not-signed-in' });
    expect((await h.call('POST', `/api/v1/client/claims/${r.number}/link`, undefined, {})).body).toMatchObject({ status: 401, code: 'client-not-signed-in' });
    expect((await order(r.number)).awaiting_link).toBe(true);
  });
});
