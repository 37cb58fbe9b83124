// Issue 16 "Roles": a technician diagnoses, repairs and tests; quoting a price, recording the client's
// decision, cancelling and taking payments need the front desk or a manager. Table-driven over the
// action table; each refusal is 403 forbidden and changes nothing.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { ROLES, type Role } from '../../core/actor.ts';
import { ACTIONS } from './state-machine.ts';
import { actionRoles, mayAct } from './roles.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const workshop = ['start-diagnosis', 'diagnose', 'start-repair', 'start-testing', 'test-failed', 'test-passed'];

describe('the action × role matrix', () => {
  test.each(ACTIONS.map((a) => [a]))('%s', (action) => {
    const expected: Role[] = workshop.includes(action) ? [...ROLES] : ['owner', 'manager', 'front-desk'];
    expect([...actionRoles(action)]).toEqual(expected);
  });
});

const org = 'service-center';
const call = (role: Role, method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: { cookie: t.cookies[org][role] }, payload });

test('a technician diagnoses, repairs and tests, but the quote, the decision, cancelling and payments are refused (403, nothing changes)', async () => {
  const claim = await call('front-desk', 'POST', '/api/v1/claims', {
    channel: 'walk-in',
    customer: { name: 'Roles Test', phone: '+44 20 7946 0001' },
    device: { serial: 'ROLES-1', manufacturer: 'HP', category: 'laptop' },
    problem: 'No power',
    workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: 'ok', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'No power', signedBy: 'R. Test' },
  });
  expect(claim.statusCode, claim.body).toBe(201);
  const id = claim.json().order.id;
  const act = async (role: Role, body: object) => {
    const cur = (await call('front-desk', 'GET', `/api/v1/service-orders/${id}`)).json();
    return call(role, 'POST', `/api/v1/service-orders/${id}/actions`, { version: cur.version, ...body });
  };
  const version = async () => (await call('front-desk', 'GET', `/api/v1/service-orders/${id}`)).json().version as number;
  expect((await act('technician', { action: 'start-diagnosis' })).statusCode).toBe(200);
  expect((await act('technician', { action: 'diagnose', findings: [] })).statusCode).toBe(200);
  const quote = { action: 'quote', lines: [{ kind: 'labour', description: 'Board repair', quantity: 1, unitMinor: 9000 }], duration: '3 days', advice: 'Worth it', worthRepairing: true };
  for (const body of [quote, { action: 'cancel', reason: 'no' }]) {
    const before = await version();
    const r = await act('technician', body);
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().code).toBe('forbidden');
    expect(await version()).toBe(before);
  }
  const tech = (await call('technician', 'GET', `/api/v1/service-orders/${id}`)).json();
  expect(tech.allowedActions).toEqual(['diagnose']); // diagnosing: quote, approve, cancel and remedies are the office's
  expect((await act('front-desk', quote)).statusCode).toBe(200);
  for (const body of [{ action: 'accept', via: 'phone' }, { action: 'refuse', via: 'phone' }]) expect((await act('technician', body)).statusCode).toBe(403);
  const pay = await call('technician', 'POST', `/api/v1/service-orders/${id}/payments`, { amountMinor: 100, method: 'cash', kind: 'deposit', version: await version() });
  expect(pay.statusCode).toBe(403);
  expect((await act('manager', { action: 'accept', via: 'phone' })).statusCode).toBe(200);
  for (const action of ['start-repair', 'start-testing']) expect((await act('technician', { action })).statusCode).toBe(200);
  expect((await act('technician', { action: 'test-passed', report: 'stress test passed' })).statusCode).toBe(200);
  expect(mayAct('technician', 'hand-over')).toBe(false);
});
