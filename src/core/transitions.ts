// The one writer of state. Every change of a case (a service order, an RMA, an incident ...) is a
// transition: what a kind's transition table and effect functions decide (the new state, column
// values, the pack clock events it produces, audit data, outbox messages) is written here, in the
// caller's transaction, in one order: the row (state, version + 1), the clocks (stopped, started,
// paused while the case waits for the client, resumed after; held, resumed or all stopped when the
// action asks; re-timed from a corrected start), the audit row, the outbox rows. A
// stale version is refused before anything is written (409 with the current state, by the caller's
// `conflict`). Nothing else updates a case's state.
import { sql } from 'kysely';
import type { Tx } from '../db/index.ts';
import type { CompiledPack } from '../policy/index.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit.ts';
import { applyClockEvents, pauseClocks, reopenClocks, resumeClocks, retimeClocks, stopClocks } from './clocks.ts';
import { enqueueMany, type OutboxMessage } from './outbox.ts';
import type { CaseRow, SubjectKind } from './subjects.ts';

export interface TransitionWrite {
  /** The action's name: audited as `<kind>.<action>`. */
  action: string;
  /** The new state (the same for a change that is not a move: a payment, a part, a courier event). */
  to: string;
  /** Column values to write with it, ready for the driver (jsonb columns as JSON text). */
  set?: Record<string, unknown>;
  /** Pack clock events the transition produces (each clock's startsAt / stopsAt). */
  clockEvents?: readonly string[];
  /**
   * A clock operation the action asks for beside its events: `hold` pauses the subject's running
   * clocks (the client's own included: staff hold a deadline, with the reason in the audit), `resume`
   * resumes them, `stop` stops every running clock and cancels its timers (a cancelled case).
   */
  clocks?: 'hold' | 'resume' | 'stop';
  /** Stopped clocks (pack clock ids) that run on again from where they stopped: a resolved case reopened. */
  reopenClocks?: readonly string[];
  /**
   * The clocks one event started run from another moment (a claim's receipt corrected, issue 11):
   * their due and at-risk times are recomputed from `start`, their pauses kept; the moves are audited.
   */
  retimeClocks?: { event: string; start: Date };
  /** Audit `after` beside state and version. */
  audit?: Record<string, unknown>;
  outbox?: readonly OutboxMessage[];
}

/** Writes a transition of `row` (already locked by the caller). Returns the updated row. */
export async function writeTransition<Row extends CaseRow>(tx: Tx, actor: Actor, kind: SubjectKind<Row>, row: Row, w: TransitionWrite, pack: CompiledPack, now: Date): Promise<Row> {
  const from = row.state;
  const cols = { ...(w.set ?? {}), state: w.to, version: row.version + 1, updated_at: now };
  const names = Object.keys(cols);
  const assignments = sql.join(names.map((n) => sql`${sql.ref(n)} = ${(cols as Record<string, unknown>)[n]}`));
  const updated = (
    await sql<Row>`update ${sql.table(kind.table)} set ${assignments}
      where organization_id = ${row.organization_id} and id = ${row.id} and version = ${row.version} returning *`.execute(tx)
  ).rows[0];
  // The caller locked the row and checked its version: a miss here is a bug, not a race.
  if (!updated) throw new Error(`${kind.type} ${row.id}: version ${row.version} changed under its lock`);

  const subject = { type: kind.type, id: row.id, organizationId: row.organization_id };
  await applyClockEvents(tx, pack, subject, w.clockEvents ?? [], now);
  if (w.clocks === 'stop') await stopClocks(tx, pack, subject, now);
  if (w.clocks === 'hold') await pauseClocks(tx, pack, subject, now, []);
  if (w.clocks === 'resume') await resumeClocks(tx, pack, subject, now);
  if (w.reopenClocks?.length) await reopenClocks(tx, pack, subject, w.reopenClocks, now);
  const retimed = w.retimeClocks ? await retimeClocks(tx, pack, subject, w.retimeClocks.event, w.retimeClocks.start, now) : undefined;
  const waitingBefore = kind.waitingForClient.includes(from);
  const waitingAfter = kind.waitingForClient.includes(w.to);
  if (!waitingBefore && waitingAfter) await pauseClocks(tx, pack, subject, now, kind.clientClocks);
  if (waitingBefore && !waitingAfter) await resumeClocks(tx, pack, subject, now);

  await audit(tx, actor, {
    action: `${kind.type}.${w.action}`,
    entityType: kind.type,
    entityId: row.id,
    before: { state: from, version: row.version },
    after: { state: w.to, version: updated.version, ...(w.audit ?? {}), ...(retimed ? { clocksRetimed: retimed } : {}) },
  });
  await enqueueMany(
    tx,
    (w.outbox ?? []).map((m) => ({ ...m, organizationId: row.organization_id, aggregateType: kind.type, aggregateId: row.id })),
  );
  return updated;
}
