// The recipe for a new kind of case works: the test-only "loan device" kind (loan.kind.ts) gets its
// clocks from the pack, its timers fired once by the core's poller through its own handler, and
// every change written by the core's transition writer with audit and outbox rows.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemActor } from '../../src/core/actor.ts';
import { subjectClocks } from '../../src/core/clocks.ts';
import { orgAndPack } from '../../src/core/organization.ts';
import { sweepDueTimers } from '../../src/core/timers.ts';
import { setupApp, type TestContext } from '../db.ts';
import { actLoan, createLoansTable, lend, loanKind } from './loan.kind.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
  await createLoansTable(t.db);
});
afterAll(() => t?.close());

const LENT = new Date('2026-04-01T09:00:00Z'); // Singapore 17:00
const DAY = 86_400_000;

async function newLoan(serial: string) {
  const orgId = t.orgs.itmall;
  const customer = await t.db.selectFrom('customers').select('id').where('organization_id', '=', orgId).executeTakeFirstOrThrow();
  const actor = systemActor(orgId, 'api');
  const loan = await t.db.transaction().execute((tx) => lend(tx, actor, { customerId: customer.id, serial }, LENT));
  return { loan, actor, orgId };
}
const subject = (orgId: string, id: string) => ({ type: loanKind.type, id, organizationId: orgId });
const outboxOf = async (id: string) => (await t.db.selectFrom('outbox').select('topic').where('aggregate_id', '=', id).orderBy('created_at').execute()).map((r) => r.topic);
const auditOf = async (id: string) => (await t.db.selectFrom('audit_events').select('action').where('entity_id', '=', id).orderBy('id').execute()).map((r) => r.action);

describe('a new kind of case from the recipe: the loan device', () => {
  test("its clock comes from the pack (ITM-12's 10 days), is due on time, and its timers belong to the loan", async () => {
    const { loan, orgId } = await newLoan('LOAN-1');
    const { pack } = await orgAndPack(t.db, orgId);
    const [clock] = await subjectClocks(t.db, pack, subject(orgId, loan.id), new Date(LENT.getTime() + DAY));
    expect(clock).toMatchObject({ id: 'rma-return', rule: 'ITM-12', status: 'running' });
    expect(new Date(clock.due).getTime()).toBe(LENT.getTime() + 10 * DAY);
    const timers = await t.db.selectFrom('timers').select(['kind', 'subject_type']).where('subject_id', '=', loan.id).orderBy('fire_at').execute();
    expect(timers).toEqual([{ kind: 'at-risk', subject_type: 'loan' }, { kind: 'due', subject_type: 'loan' }, { kind: 'escalation', subject_type: 'loan' }]);
  });

  test('past its due time the handler marks it overdue, once, however many pollers run; the return then stops the clock', async () => {
    const { loan, actor, orgId } = await newLoan('LOAN-2');
    await sweepDueTimers(t.db, new Date(LENT.getTime() + 9 * DAY)); // the at-risk moment (2 days before)
    expect(await outboxOf(loan.id)).toEqual(['loan.return-due-soon']);
    const late = new Date(LENT.getTime() + 10 * DAY + 1000);
    await Promise.all([sweepDueTimers(t.db, late), sweepDueTimers(t.db, late), sweepDueTimers(t.db, late)]);
    const row = await t.db.selectFrom('loans' as never).selectAll().where('id' as never, '=', loan.id as never).executeTakeFirstOrThrow() as { state: string; version: number };
    expect(row).toMatchObject({ state: 'overdue', version: 2 });
    expect(await outboxOf(loan.id)).toEqual(['loan.return-due-soon', 'loan.overdue']);
    expect(await auditOf(loan.id)).toEqual(['loan.created', 'loan.mark-overdue']);

    // A stale version is refused and changes nothing; the right one returns the unit.
    await expect(actLoan(t.db, actor, loan.id, 'return', 1, late)).rejects.toMatchObject({ status: 409, code: 'version-conflict' });
    const back = await actLoan(t.db, actor, loan.id, 'return', 2, late);
    expect(back).toMatchObject({ state: 'returned', version: 3 });
    const { pack } = await orgAndPack(t.db, orgId);
    const [clock] = await subjectClocks(t.db, pack, subject(orgId, loan.id), late);
    expect(clock.stoppedAt).toBe(late.toISOString());
    expect(await auditOf(loan.id)).toEqual(['loan.created', 'loan.mark-overdue', 'loan.return']);
    expect(await outboxOf(loan.id)).toEqual(['loan.return-due-soon', 'loan.overdue', 'loan.returned']);
    // Not from the table: refused.
    await expect(actLoan(t.db, actor, loan.id, 'mark-overdue', 3, late)).rejects.toMatchObject({ status: 409, code: 'illegal-transition' });
  });

  test('returned in time: the timers are cancelled and nothing fires', async () => {
    const { loan, actor } = await newLoan('LOAN-3');
    await actLoan(t.db, actor, loan.id, 'return', 1, new Date(LENT.getTime() + 3 * DAY));
    // (LOAN-1's escalation, ITM-12's 20 days, is due by now too: only this loan's timers are looked at.)
    await sweepDueTimers(t.db, new Date(LENT.getTime() + 30 * DAY));
    expect(await t.db.selectFrom('timers').select('fired_at').where('subject_id', '=', loan.id).where('fired_at', 'is not', null).execute()).toEqual([]);
    expect(await outboxOf(loan.id)).toEqual(['loan.returned']);
  });
});
