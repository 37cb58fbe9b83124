// An order's clocks from its pack: started, paused, resumed and stopped by the order's events (each
// clock's `startsAt` / `stopsAt` in the pack YAML), stored as rows. Due times and statuses always
// come from the engine (evaluatePackClock); nothing here does deadline arithmetic.
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { evaluatePackClock, packClockRules, versionAt, type CompiledPack, type PackClockState, type Texts } from '../../policy/index.ts';
import { CLIENT_CLOCKS } from './state-machine.ts';

export interface ClockOrder {
  id: string;
  organization_id: string;
}

type ClockRow = { id: string; clock_id: string; rule: string; started_at: Date; stopped_at: Date | null };

async function pausesOf(tx: Tx | Db, ids: string[]) {
  if (!ids.length) return new Map<string, { from: string; to?: string }[]>();
  const rows = await tx.selectFrom('order_clock_pauses').selectAll().where('clock_row_id', 'in', ids).orderBy('paused_at').execute();
  const m = new Map<string, { from: string; to?: string }[]>();
  for (const p of rows) {
    const list = m.get(p.clock_row_id) ?? [];
    list.push({ from: p.paused_at.toISOString(), ...(p.resumed_at ? { to: p.resumed_at.toISOString() } : {}) });
    m.set(p.clock_row_id, list);
  }
  return m;
}

function evaluate(pack: CompiledPack, c: ClockRow, pauses: { from: string; to?: string }[], moment: Date): PackClockState {
  return evaluatePackClock(
    pack,
    c.clock_id,
    { start: c.started_at.toISOString(), pauses, ...(c.stopped_at ? { stoppedAt: c.stopped_at.toISOString() } : {}) },
    moment.toISOString(),
  );
}

/** Schedules a timer row and its graphile-worker job in the caller's transaction (job_key: never twice). */
async function schedule(tx: Tx, o: ClockOrder, clockRowId: string, kind: 'at-risk' | 'due', fireAt: Date) {
  const id = uuidv7();
  await sql`with t as (insert into order_timers (id, organization_id, order_id, clock_row_id, kind, fire_at)
                       values (${id}, ${o.organization_id}, ${o.id}, ${clockRowId}, ${kind}, ${fireAt}) returning id)
            select graphile_worker.add_job('order-timer', json_build_object('timerId', t.id::text), run_at := ${fireAt}, job_key := 'order-timer:' || t.id::text, max_attempts := 10) from t`.execute(tx);
}

/** Recomputes a clock's due and at-risk times with the engine and reschedules its timers. */
async function refresh(tx: Tx, pack: CompiledPack, o: ClockOrder, c: ClockRow, moment: Date, fresh = false) {
  // A clock started just now has no timers and no pauses yet.
  if (!fresh) await tx.updateTable('order_timers').set({ cancelled_at: moment }).where('clock_row_id', '=', c.id).where('fired_at', 'is', null).where('cancelled_at', 'is', null).execute();
  const pauses = fresh ? [] : ((await pausesOf(tx, [c.id])).get(c.id) ?? []);
  const s = evaluate(pack, c, pauses, moment);
  const open = !c.stopped_at && s.status !== 'paused';
  const deadline = !['open', 'too-early'].includes(s.status) && rule(pack, c).kind !== 'earliest';
  const due = open && deadline ? new Date(s.due) : null;
  const atRisk = open && deadline ? new Date(s.atRiskFrom) : null;
  await tx.updateTable('order_clocks').set({ due_at: due, at_risk_at: atRisk }).where('id', '=', c.id).execute();
  if (due && atRisk) {
    if (atRisk < due) await schedule(tx, o, c.id, 'at-risk', atRisk);
    await schedule(tx, o, c.id, 'due', due);
  }
}

function rule(pack: CompiledPack, c: ClockRow) {
  return packClockRules(versionAt(pack, c.started_at.toISOString())).find((r) => r.id === c.clock_id)!;
}

export interface PlannedClock {
  id: string;
  clock_id: string;
  rule: string;
  started_at: Date;
  due_at: Date | null;
  at_risk_at: Date | null;
  policy_version: string;
}
export interface PlannedTimer {
  id: string;
  clock_row_id: string;
  kind: 'at-risk' | 'due';
  fire_at: Date;
}

/**
 * The clocks a new order starts with (the events it is created with) and their timers, computed by
 * the engine without touching the database: a clock started now has no pauses and no old timers.
 * The caller writes them in its own statement (intake writes everything at once).
 */
export function planNewClocks(pack: CompiledPack, events: readonly string[], moment: Date): { clocks: PlannedClock[]; timers: PlannedTimer[] } {
  const clocks: PlannedClock[] = [];
  const timers: PlannedTimer[] = [];
  const v = versionAt(pack, moment.toISOString());
  const seen = new Set<string>();
  for (const r of packClockRules(v)) {
    if (seen.has(r.id) || !events.includes(r.startsAt)) continue;
    seen.add(r.id);
    const row = { id: uuidv7(), clock_id: r.id, rule: r.rule, started_at: moment, stopped_at: null };
    const s = evaluate(pack, row, [], moment);
    const deadline = s.status !== 'paused' && !['open', 'too-early'].includes(s.status) && rule(pack, row).kind !== 'earliest';
    const due = deadline ? new Date(s.due) : null;
    const atRisk = deadline ? new Date(s.atRiskFrom) : null;
    clocks.push({ id: row.id, clock_id: r.id, rule: r.rule, started_at: moment, due_at: due, at_risk_at: atRisk, policy_version: v.version });
    if (due && atRisk) {
      if (atRisk < due) timers.push({ id: uuidv7(), clock_row_id: row.id, kind: 'at-risk', fire_at: atRisk });
      timers.push({ id: uuidv7(), clock_row_id: row.id, kind: 'due', fire_at: due });
    }
  }
  return { clocks, timers };
}

/** Applies order events (e.g. 'quoted', 'client-decided') to the order's clocks: stops, then starts. */
export async function applyClockEvents(tx: Tx, pack: CompiledPack, o: ClockOrder, events: readonly string[], moment: Date, isNew = false) {
  if (!events.length) return;
  const existing = isNew ? [] : await tx.selectFrom('order_clocks').selectAll().where('order_id', '=', o.id).execute();
  for (const c of existing) {
    if (c.stopped_at) continue;
    const r = rule(pack, c);
    if (r.stopsAt && events.includes(r.stopsAt)) {
      // A stop closes an open pause too.
      await tx.updateTable('order_clock_pauses').set({ resumed_at: moment }).where('clock_row_id', '=', c.id).where('resumed_at', 'is', null).execute();
      await tx.updateTable('order_clocks').set({ stopped_at: moment }).where('id', '=', c.id).execute();
      await refresh(tx, pack, o, { ...c, stopped_at: moment }, moment);
    }
  }
  const have = new Set(existing.map((c) => c.clock_id));
  const v = versionAt(pack, moment.toISOString());
  for (const r of packClockRules(v)) {
    if (have.has(r.id) || !events.includes(r.startsAt)) continue;
    const row = { id: uuidv7(), clock_id: r.id, rule: r.rule, started_at: moment, stopped_at: null };
    await tx.insertInto('order_clocks').values({ ...row, organization_id: o.organization_id, order_id: o.id, policy_version: v.version }).execute();
    await refresh(tx, pack, o, row, moment, true);
  }
}

/**
 * While the order waits for the client the business's clocks stand still (not the client's own, and
 * not a not-before clock: ITEMA-20's 48 hours are the job's elapsed time, the client's wait included).
 */
export async function pauseClocks(tx: Tx, pack: CompiledPack, o: ClockOrder, moment: Date) {
  const running = await tx.selectFrom('order_clocks').selectAll().where('order_id', '=', o.id).where('stopped_at', 'is', null).execute();
  for (const c of running) {
    if (CLIENT_CLOCKS.includes(c.clock_id) || rule(pack, c).kind === 'earliest') continue;
    await tx.insertInto('order_clock_pauses').values({ id: uuidv7(), organization_id: o.organization_id, clock_row_id: c.id, paused_at: moment }).execute();
    await refresh(tx, pack, o, c, moment);
  }
}

export async function resumeClocks(tx: Tx, pack: CompiledPack, o: ClockOrder, moment: Date) {
  const running = await tx.selectFrom('order_clocks').selectAll().where('order_id', '=', o.id).where('stopped_at', 'is', null).execute();
  for (const c of running) {
    const n = await tx.updateTable('order_clock_pauses').set({ resumed_at: moment }).where('clock_row_id', '=', c.id).where('resumed_at', 'is', null).executeTakeFirst();
    if (Number(n.numUpdatedRows) > 0) await refresh(tx, pack, o, c, moment);
  }
}

export interface ClockView {
  id: string;
  rule: string;
  status: string;
  start: string;
  due: string;
  atRiskFrom: string;
  stoppedAt: string | null;
  pausedMs: number;
  remainingMs: number;
  policyVersion: string;
  /** What the deadline is, in the pack's words (en, and bg / vi where the pack has them). */
  text: Texts;
  reasons: { rule: string; code: string; text: string }[];
}

/** The order's clocks as of `moment`, computed by the engine. */
export async function orderClocks(db: Db | Tx, pack: CompiledPack, orderId: string, moment: Date): Promise<ClockView[]> {
  const rows = await db.selectFrom('order_clocks').selectAll().where('order_id', '=', orderId).orderBy('started_at').orderBy('clock_id').execute();
  const pauses = await pausesOf(db, rows.map((r) => r.id));
  return rows.map((c) => {
    const s = evaluate(pack, c, pauses.get(c.id) ?? [], moment);
    return {
      id: c.clock_id,
      rule: c.rule,
      status: s.status,
      start: s.start,
      due: s.due,
      atRiskFrom: s.atRiskFrom,
      stoppedAt: c.stopped_at?.toISOString() ?? null,
      pausedMs: s.pausedMs,
      remainingMs: s.remainingMs,
      policyVersion: s.policyVersion,
      text: s.text,
      reasons: s.reasons.map((r) => ({ rule: r.rule, code: r.code, text: r.text })),
    };
  });
}

export async function clockState(tx: Tx, pack: CompiledPack, clockRowId: string, moment: Date) {
  const c = await tx.selectFrom('order_clocks').selectAll().where('id', '=', clockRowId).executeTakeFirstOrThrow();
  const pauses = (await pausesOf(tx, [c.id])).get(c.id) ?? [];
  return { row: c, state: evaluate(pack, c, pauses, moment) };
}
