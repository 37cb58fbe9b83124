// A subject's clocks (a service order's, an RMA's, an incident's ...): started, paused, resumed and
// stopped by the subject's events (each clock's `startsAt` / `stopsAt` in the pack YAML), stored as
// rows keyed by (organization, subject type, subject id). Due times and statuses always come from
// the engine (evaluatePackClock); nothing here does deadline arithmetic. Every query filters by
// organization. Timers (the at-risk and due moments) are written by src/core/timers.ts only.
import { sql } from 'kysely';
import type { Db, Tx } from '../db/index.ts';
import { uuidv7 } from '../db/ids.ts';
import { evaluatePackClock, packClockRules, packClockTimes, versionAt, type CompiledPack, type PackClockState, type Texts } from '../policy/index.ts';
import { cancelTimers, insertTimers, type PlannedTimer } from './timers.ts';

/** What a clock belongs to. `type` is a registered subject kind ('service-order', ...). */
export interface Subject {
  type: string;
  id: string;
  organizationId: string;
}

type ClockRow = { id: string; clock_id: string; rule: string; started_at: Date; stopped_at: Date | null };

export interface PlannedClock {
  id: string;
  clock_id: string;
  rule: string;
  started_at: Date;
  due_at: Date | null;
  at_risk_at: Date | null;
  policy_version: string;
}

async function pausesOf(db: Tx | Db, orgId: string, ids: string[]) {
  const m = new Map<string, { from: string; to?: string }[]>();
  if (!ids.length) return m;
  const rows = await db.selectFrom('clock_pauses').selectAll().where('organization_id', '=', orgId).where('clock_row_id', 'in', ids).orderBy('paused_at').execute();
  for (const p of rows) {
    const list = m.get(p.clock_row_id) ?? [];
    list.push({ from: p.paused_at.toISOString(), ...(p.resumed_at ? { to: p.resumed_at.toISOString() } : {}) });
    m.set(p.clock_row_id, list);
  }
  return m;
}

function evaluate(pack: CompiledPack, c: ClockRow, pauses: { from: string; to?: string }[], moment: Date): PackClockState {
  return evaluatePackClock(pack, c.clock_id, clockInput(c, pauses), moment.toISOString());
}

const clockInput = (c: ClockRow, pauses: { from: string; to?: string }[]) => ({ start: c.started_at.toISOString(), pauses, ...(c.stopped_at ? { stoppedAt: c.stopped_at.toISOString() } : {}) });

function rule(pack: CompiledPack, c: ClockRow) {
  return packClockRules(versionAt(pack, c.started_at.toISOString())).find((r) => r.id === c.clock_id)!;
}

/**
 * The due and at-risk moments of a clock as of `moment`, or nulls when it has no deadline to watch.
 * Only the times and the status are written, so the engine is asked for those alone, as numbers
 * (`packClockTimes`: no reasons, no local ISO texts to print and read back; issue 10).
 */
function deadlines(pack: CompiledPack, c: ClockRow, pauses: { from: string; to?: string }[], moment: Date) {
  const t = packClockTimes(pack, c.clock_id, clockInput(c, pauses), moment.toISOString());
  // An 'earliest' clock has nothing to warn of; a 'target' (SC-4) is shown to staff but raises no
  // at-risk warning and no breach.
  const watch = !c.stopped_at && t.status !== 'paused' && t.status !== 'open' && t.status !== 'too-early' && t.kind !== 'earliest' && t.kind !== 'target';
  return watch ? { due: new Date(t.dueMs), atRisk: new Date(t.atRiskMs), escalation: t.escalationMs !== undefined ? new Date(t.escalationMs) : null } : { due: null, atRisk: null, escalation: null };
}

/** The at-risk and due timers, and the escalation timer of a clock that has one (ITM-12: past 20 days). */
function timersFor(clockRowId: string, due: Date | null, atRisk: Date | null, escalation: Date | null = null): PlannedTimer[] {
  if (!due || !atRisk) return [];
  const out: PlannedTimer[] = [];
  if (atRisk < due) out.push({ id: uuidv7(), clock_row_id: clockRowId, kind: 'at-risk', fire_at: atRisk });
  out.push({ id: uuidv7(), clock_row_id: clockRowId, kind: 'due', fire_at: due });
  if (escalation && escalation > due) out.push({ id: uuidv7(), clock_row_id: clockRowId, kind: 'escalation', fire_at: escalation });
  return out;
}

/** Recomputes a clock's due and at-risk times with the engine and replaces its pending timers. */
async function refresh(tx: Tx, pack: CompiledPack, s: Subject, c: ClockRow, moment: Date, fresh = false) {
  // A clock started just now has no timers and no pauses yet.
  if (!fresh) await cancelTimers(tx, s.organizationId, c.id, moment);
  const pauses = fresh ? [] : ((await pausesOf(tx, s.organizationId, [c.id])).get(c.id) ?? []);
  const { due, atRisk, escalation } = deadlines(pack, c, pauses, moment);
  await tx.updateTable('clocks').set({ due_at: due, at_risk_at: atRisk }).where('organization_id', '=', s.organizationId).where('id', '=', c.id).execute();
  await insertTimers(tx, s, timersFor(c.id, due, atRisk, escalation));
}

/**
 * The clocks a new subject starts with (the events it is created with) and their timers, computed by
 * the engine without touching the database: a clock started now has no pauses and no old timers.
 * The caller writes them with `newClocksSql` inside its own statement (intake writes all at once).
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
    const { due, atRisk, escalation } = deadlines(pack, row, [], moment);
    clocks.push({ id: row.id, clock_id: r.id, rule: r.rule, started_at: moment, due_at: due, at_risk_at: atRisk, policy_version: v.version });
    timers.push(...timersFor(row.id, due, atRisk, escalation));
  }
  return { clocks, timers };
}

const json = (x: unknown) => JSON.stringify(x);

/** The one insert of clock rows: a statement of its own, or a CTE inside the caller's statement. */
export function clocksInsertSql(s: Subject, clocks: readonly PlannedClock[]) {
  return sql`insert into clocks (id, organization_id, subject_type, subject_id, clock_id, rule, started_at, due_at, at_risk_at, policy_version)
    select x.id, ${s.organizationId}, ${s.type}, ${s.id}, x.clock_id, x.rule, x.started_at, x.due_at, x.at_risk_at, x.policy_version
    from jsonb_to_recordset(${json(clocks)}::jsonb) as x(id uuid, clock_id text, rule text, started_at timestamptz, due_at timestamptz, at_risk_at timestamptz, policy_version text)`;
}

/** Applies subject events (e.g. 'quoted', 'client-decided') to the subject's clocks: stops, then starts. */
export async function applyClockEvents(tx: Tx, pack: CompiledPack, s: Subject, events: readonly string[], moment: Date) {
  if (!events.length) return;
  const existing = await tx.selectFrom('clocks').selectAll().where('organization_id', '=', s.organizationId).where('subject_type', '=', s.type).where('subject_id', '=', s.id).execute();
  for (const c of existing) {
    if (c.stopped_at) continue;
    const r = rule(pack, c);
    if (r.stopsAt && events.includes(r.stopsAt)) {
      // A stop closes an open pause too.
      await tx.updateTable('clock_pauses').set({ resumed_at: moment }).where('organization_id', '=', s.organizationId).where('clock_row_id', '=', c.id).where('resumed_at', 'is', null).execute();
      await tx.updateTable('clocks').set({ stopped_at: moment }).where('organization_id', '=', s.organizationId).where('id', '=', c.id).execute();
      await refresh(tx, pack, s, { ...c, stopped_at: moment }, moment);
    }
  }
  const have = new Set(existing.map((c) => c.clock_id));
  const v = versionAt(pack, moment.toISOString());
  for (const r of packClockRules(v)) {
    if (have.has(r.id) || !events.includes(r.startsAt)) continue;
    have.add(r.id);
    const row = { id: uuidv7(), clock_id: r.id, rule: r.rule, started_at: moment, stopped_at: null };
    await sql`${clocksInsertSql(s, [{ ...row, due_at: null, at_risk_at: null, policy_version: v.version }])}`.execute(tx);
    await refresh(tx, pack, s, row, moment, true);
  }
}

/**
 * While the subject waits for the client the business's clocks stand still: not the ones in
 * `except` (the client's own), and not a not-before clock (ITEMA-20's 48 hours are the job's elapsed
 * time, the client's wait included).
 */
export async function pauseClocks(tx: Tx, pack: CompiledPack, s: Subject, moment: Date, except: readonly string[]) {
  const running = await tx.selectFrom('clocks').selectAll().where('organization_id', '=', s.organizationId).where('subject_type', '=', s.type).where('subject_id', '=', s.id).where('stopped_at', 'is', null).execute();
  for (const c of running) {
    if (except.includes(c.clock_id) || rule(pack, c).kind === 'earliest') continue;
    await tx.insertInto('clock_pauses').values({ id: uuidv7(), organization_id: s.organizationId, clock_row_id: c.id, paused_at: moment }).execute();
    // A paused clock has no deadline to watch: its timers are cancelled (the engine, asked at this
    // very moment, would not count a pause that starts now); resuming plans them again.
    await cancelTimers(tx, s.organizationId, c.id, moment);
    await tx.updateTable('clocks').set({ due_at: null, at_risk_at: null }).where('organization_id', '=', s.organizationId).where('id', '=', c.id).execute();
  }
}

export async function resumeClocks(tx: Tx, pack: CompiledPack, s: Subject, moment: Date) {
  const running = await tx.selectFrom('clocks').selectAll().where('organization_id', '=', s.organizationId).where('subject_type', '=', s.type).where('subject_id', '=', s.id).where('stopped_at', 'is', null).execute();
  for (const c of running) {
    const n = await tx.updateTable('clock_pauses').set({ resumed_at: moment }).where('organization_id', '=', s.organizationId).where('clock_row_id', '=', c.id).where('resumed_at', 'is', null).executeTakeFirst();
    if (Number(n.numUpdatedRows) > 0) await refresh(tx, pack, s, c, moment);
  }
}

/**
 * Runs the subject's stopped clocks named in `clockIds` on from where they stopped (a resolved case
 * reopened): the time each stood stopped counts as a pause, so the deadline moves by it, and the
 * engine plans its timers again. A clock that is running, or that the subject never had, is left alone.
 */
export async function reopenClocks(tx: Tx, pack: CompiledPack, s: Subject, clockIds: readonly string[], moment: Date) {
  if (!clockIds.length) return;
  const stopped = await tx.selectFrom('clocks').selectAll().where('organization_id', '=', s.organizationId).where('subject_type', '=', s.type).where('subject_id', '=', s.id).where('clock_id', 'in', [...clockIds]).where('stopped_at', 'is not', null).execute();
  for (const c of stopped) {
    await tx.insertInto('clock_pauses').values({ id: uuidv7(), organization_id: s.organizationId, clock_row_id: c.id, paused_at: c.stopped_at!, resumed_at: moment }).execute();
    await tx.updateTable('clocks').set({ stopped_at: null }).where('organization_id', '=', s.organizationId).where('id', '=', c.id).execute();
    await refresh(tx, pack, s, { ...c, stopped_at: null }, moment);
  }
}

/**
 * Moves the start of the subject's clocks that `event` started to `start` (a claim received earlier
 * or later than first recorded, issue 11): each keeps its pauses, its stop if it stopped, and the
 * engine recomputes its due and at-risk times from the new start and plans its timers again.
 * Clocks other events started are left alone. Returns each moved clock's old and new start.
 */
export async function retimeClocks(tx: Tx, pack: CompiledPack, s: Subject, event: string, start: Date, moment: Date) {
  const rows = await tx.selectFrom('clocks').selectAll().where('organization_id', '=', s.organizationId).where('subject_type', '=', s.type).where('subject_id', '=', s.id).execute();
  const moved: { clock: string; from: string; to: string }[] = [];
  for (const c of rows) {
    if (rule(pack, c).startsAt !== event || c.started_at.getTime() === start.getTime()) continue;
    await tx.updateTable('clocks').set({ started_at: start }).where('organization_id', '=', s.organizationId).where('id', '=', c.id).execute();
    await refresh(tx, pack, s, { ...c, started_at: start }, moment);
    moved.push({ clock: c.clock_id, from: c.started_at.toISOString(), to: start.toISOString() });
  }
  return moved;
}

/**
 * Stops every running clock of the subject (a case cancelled: nothing more is measured): an open
 * pause is closed, the pending timers are cancelled, so none of them fires.
 */
export async function stopClocks(tx: Tx, pack: CompiledPack, s: Subject, moment: Date) {
  const running = await tx.selectFrom('clocks').selectAll().where('organization_id', '=', s.organizationId).where('subject_type', '=', s.type).where('subject_id', '=', s.id).where('stopped_at', 'is', null).execute();
  for (const c of running) {
    await tx.updateTable('clock_pauses').set({ resumed_at: moment }).where('organization_id', '=', s.organizationId).where('clock_row_id', '=', c.id).where('resumed_at', 'is', null).execute();
    await tx.updateTable('clocks').set({ stopped_at: moment }).where('organization_id', '=', s.organizationId).where('id', '=', c.id).execute();
    await refresh(tx, pack, s, { ...c, stopped_at: moment }, moment);
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

/** The subject's clocks as of `moment`, computed by the engine. */
export async function subjectClocks(db: Db | Tx, pack: CompiledPack, s: Subject, moment: Date): Promise<ClockView[]> {
  const rows = await db
    .selectFrom('clocks')
    .selectAll()
    .where('organization_id', '=', s.organizationId)
    .where('subject_type', '=', s.type)
    .where('subject_id', '=', s.id)
    .orderBy('started_at')
    .orderBy('clock_id')
    .execute();
  const pauses = await pausesOf(db, s.organizationId, rows.map((r) => r.id));
  return rows.map((c) => {
    const st = evaluate(pack, c, pauses.get(c.id) ?? [], moment);
    return {
      id: c.clock_id,
      rule: c.rule,
      status: st.status,
      start: st.start,
      due: st.due,
      atRiskFrom: st.atRiskFrom,
      stoppedAt: c.stopped_at?.toISOString() ?? null,
      pausedMs: st.pausedMs,
      remainingMs: st.remainingMs,
      policyVersion: st.policyVersion,
      text: st.text,
      reasons: st.reasons.map((r) => ({ rule: r.rule, code: r.code, text: r.text })),
    };
  });
}

/** One clock row of a subject by its pack clock id (e.g. 'courier-objection'), or undefined. */
export function clockRow(db: Db | Tx, s: Subject, clockId: string) {
  return db
    .selectFrom('clocks')
    .select(['id', 'stopped_at'])
    .where('organization_id', '=', s.organizationId)
    .where('subject_type', '=', s.type)
    .where('subject_id', '=', s.id)
    .where('clock_id', '=', clockId)
    .executeTakeFirst();
}

/** A clock row and its state as of `moment` (the timer handler's view). */
export async function clockState(tx: Tx, pack: CompiledPack, orgId: string, clockRowId: string, moment: Date) {
  const c = await tx.selectFrom('clocks').selectAll().where('organization_id', '=', orgId).where('id', '=', clockRowId).executeTakeFirstOrThrow();
  const pauses = (await pausesOf(tx, orgId, [c.id])).get(c.id) ?? [];
  return { row: c, state: evaluate(pack, c, pauses, moment) };
}
