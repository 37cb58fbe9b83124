// Clocks: deadlines (and not-before times) as rules of the pack, evaluated on the business calendar.
// Pure: no database, no network, no Date.now(); the moment is always an argument. Time zones and DST
// are luxon's; days off and holidays are the calendar's (calendar.ts). docs/policy-clocks.md has the
// same semantics with examples.
//
// Durations ('24 hours', '2 working days', '30 days', '6 months', '1 day'):
// - minutes / hours are elapsed time. Across a DST change a 24-hour clock ends at a different
//   wall-clock hour (ITS-8 "24 calendar hours" is 24 elapsed hours).
// - days / weeks / months / years are calendar units in the calendar's time zone: the same wall-clock
//   time N days / months later (luxon `plus` in that zone; 31 August + 6 months = 28 February; a
//   wall-clock time that does not exist on the target day is moved forward by the DST gap).
// - working days skip weekly days off and public holidays (calendar.addWorkingDays). From a working
//   day: the same wall-clock time N working days later. From a day off: counting starts at 00:00 of the
//   next working day, so the clock ends at the end of the N-th working day. On a 24/7 calendar
//   (ITM-2) a working day is a calendar day.
//
// Off-day rule (VN-2, VN-6, reading in RULES.md): with `offDayDuration`, a clock that starts on a day
// off, or whose normal due time falls on a day off, gets `offDayDuration` (48 h) from the start
// instead. The 48 h are taken literally even when they end on a day off again (a Friday 10:00 report
// is due Sunday 10:00): the seed says 48 h, not "the next working day". On a 24/7 calendar there are
// no days off, so the normal duration always applies (ITM-2).
//
// Pauses (waiting for the client): the clock stands still while paused, so each pause that starts
// before the (already shifted) due time moves the due time, the at-risk time and the escalation time
// by its length. A pause that starts at or after the due time moves nothing (the clock had run out).
// An open pause (no `to`) moves them by the time paused so far, and the status is 'paused'.
// Overlapping pauses are merged. Paused time is elapsed time, also for working-day clocks.
//
// The evaluation is as of `moment`: a stop or a pause that happens after the moment is not known yet
// (a stop after the moment is ignored; a pause ending after the moment is still open).
//
// Status of a deadline: 'met' (stoppedAt ≤ due) / 'met-late' (stoppedAt > due); otherwise 'escalated'
// (moment > escalationAt, ITM-12), 'breached' (moment > due), 'paused' (an open pause; a paused clock
// is never 'at-risk': the ball is in the client's court and remaining time is frozen), 'at-risk'
// (moment ≥ atRiskFrom), 'running'. The due instant itself is still on time.
// Status of an 'earliest' clock (ITEMA-20): 'too-early' (stopped before due), 'met' (stopped at or
// after due, or the due time has passed), 'open' (not yet due).
import { DateTime } from 'luxon';
import { zoneOf } from './zone.ts';
import { describeDayOff, type Calendar } from './calendar.ts';
import { PolicyInputError, type InputIssue } from './errors.ts';

// ---------- durations ----------

export type DurationUnit = 'minutes' | 'hours' | 'days' | 'working days' | 'weeks' | 'months' | 'years';

export interface ClockDuration {
  amount: number;
  unit: DurationUnit;
  /** The text as written ('2 working days'). */
  text: string;
}

const UNITS: Record<string, DurationUnit> = {
  minute: 'minutes',
  minutes: 'minutes',
  hour: 'hours',
  hours: 'hours',
  day: 'days',
  days: 'days',
  'working day': 'working days',
  'working days': 'working days',
  week: 'weeks',
  weeks: 'weeks',
  month: 'months',
  months: 'months',
  year: 'years',
  years: 'years',
};
const MAX_AMOUNT = 100_000;
const MAX_WORKING_DAYS = 3_660;
const EXAMPLE = 'like "24 hours", "2 working days", "30 days" or "6 months"';

/**
 * Parses a clock duration strictly: a whole, non-negative number, optional spaces, and a unit (minutes,
 * hours, days, working days, weeks, months, years; singular or plural). Throws PolicyInputError at
 * `path` with a readable reason: '3 mnths' (unknown unit), '-2 days' (negative), '1.5 days' (not whole).
 */
export function parseDuration(s: string, path = 'duration'): ClockDuration {
  // Every evaluation parses its rule's durations again: the few texts a pack writes are read once.
  const hit = typeof s === 'string' ? parsedDurations.get(s) : undefined;
  if (hit) return hit;
  const d = Object.freeze(readDuration(s, path));
  if (parsedDurations.size >= 1_000) parsedDurations.clear();
  parsedDurations.set(s, d);
  return d;
}
const parsedDurations = new Map<string, ClockDuration>();

function readDuration(s: string, path: string): ClockDuration {
  const fail = (why: string): never => {
    throw new PolicyInputError([{ path, message: why }]);
  };
  if (typeof s !== 'string') return fail(`${JSON.stringify(s) ?? String(s)} is not a duration ${EXAMPLE}`);
  const text = s.trim();
  if (!text) return fail(`a duration is required, ${EXAMPLE}`);
  // '24 hours' and '24hours' (as the pack schema and warranty terms accept); '24h' is an unknown unit.
  const m = /^([-+]?\d+(?:[.,]\d+)?)\s*([^\d\s].*)$/.exec(text) ?? /^(\S+)\s+(.+)$/.exec(text);
  if (!m) return fail(`"${s}" is not a duration ${EXAMPLE}: it needs a number and a unit`);
  const [, num, rawUnit] = m;
  const unit = UNITS[rawUnit.toLowerCase().replace(/\s+/g, ' ')];
  if (/^-\d+(\.\d+)?$/.test(num)) return fail(`"${s}" is negative; a duration counts forward from the start`);
  if (/^\d+[.,]\d+$/.test(num)) return fail(`"${s}" is not a whole number of ${unit ?? 'units'}; write e.g. "36 hours" instead of "1.5 days"`);
  if (!/^\d+$/.test(num)) return fail(`"${s}" is not a duration ${EXAMPLE}: "${num}" is not a whole number`);
  if (!unit) {
    return fail(`"${s}" is not a duration ${EXAMPLE}: unknown unit "${rawUnit}" (use minutes, hours, days, working days, weeks, months or years)`);
  }
  const amount = Number(num);
  const max = unit === 'working days' ? MAX_WORKING_DAYS : MAX_AMOUNT;
  if (amount > max) return fail(`"${s}" is too long (at most ${max} ${unit})`);
  return { amount, unit, text };
}

/** Adds a duration to an instant on the calendar (see the file header for the semantics). */
export function addDuration(start: DateTime, d: ClockDuration, calendar: Calendar): DateTime {
  const s = calendar.inZone(start);
  switch (d.unit) {
    case 'minutes':
      return s.plus({ minutes: d.amount });
    case 'hours':
      return s.plus({ hours: d.amount });
    case 'days':
      return s.plus({ days: d.amount });
    case 'weeks':
      return s.plus({ weeks: d.amount });
    case 'months':
      return s.plus({ months: d.amount });
    case 'years':
      return s.plus({ years: d.amount });
    case 'working days':
      return calendar.addWorkingDays(s, d.amount);
  }
}

function subtractDuration(end: DateTime, d: ClockDuration, calendar: Calendar): DateTime {
  const e = calendar.inZone(end);
  switch (d.unit) {
    case 'minutes':
      return e.minus({ minutes: d.amount });
    case 'hours':
      return e.minus({ hours: d.amount });
    case 'days':
      return e.minus({ days: d.amount });
    case 'weeks':
      return e.minus({ weeks: d.amount });
    case 'months':
      return e.minus({ months: d.amount });
    case 'years':
      return e.minus({ years: d.amount });
    case 'working days':
      // Rejected when the rule is validated; kept for exhaustiveness.
      throw new PolicyInputError([{ path: 'rule.atRisk', message: 'use hours or days, not working days' }]);
  }
}

// ---------- instants ----------

const UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

/**
 * Parses an ISO instant with an offset ('2026-03-06T15:00:00+07:00', '...Z'). Rejects a missing
 * offset (ambiguous) and impossible dates and times (2026-02-30T10:00:00Z) at `path`.
 */
export function parseInstant(s: string, path: string): DateTime {
  if (typeof s !== 'string' || !INSTANT.test(s)) {
    const shown = typeof s === 'string' ? `"${s}"` : String(s);
    const why = typeof s === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/.test(s) ? ': it needs a time and an offset (Z or +07:00)' : '';
    throw new PolicyInputError([{ path, message: `${shown} is not an instant like "2026-03-06T15:00:00+07:00"${why}` }]);
  }
  // The form every stored moment has (Date#toISOString: UTC, milliseconds or none): read by the
  // platform's own parser and checked by printing it back (it rolls 02-30 over to 03-02), a tenth
  // of the cost of luxon's ISO parser on the intake's hot path (issue 10). Anything else, and
  // anything that does not print back the same, is luxon's.
  if (UTC_MS.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === s.slice(0, 19)) return DateTime.fromMillis(ms, { zone: 'utc' });
  }
  const dt = DateTime.fromISO(s, { setZone: true });
  if (!dt.isValid) {
    throw new PolicyInputError([{ path, message: `"${s}" is not a real date and time: ${whyInvalid(s) ?? dt.invalidExplanation ?? dt.invalidReason}` }]);
  }
  return dt;
}

function whyInvalid(s: string): string | undefined {
  const [y, mo, d, h, mi, se] = s.split(/[-T:.Z+]/).map(Number);
  if (mo < 1 || mo > 12) return `there is no month ${mo}`;
  const days = DateTime.fromObject({ year: y, month: mo }, { zone: 'UTC' }).daysInMonth!;
  if (d < 1 || d > days) return `${y}-${String(mo).padStart(2, '0')} has ${days} days, not ${d}`;
  if (h > 23) return `there is no hour ${h}`;
  if (mi > 59) return `there is no minute ${mi}`;
  if (se > 59) return `there is no second ${se}`;
  return undefined;
}

// ---------- clocks ----------

export interface ClockRule {
  /** 'first-response', 'diagnosis', 'min-job', 'max-repair', 'decision-window', 'disposal', 'rma-return', 'courier-objection' */
  id: string;
  /** The rule id from RULES.md, e.g. 'VN-2'. */
  rule: string;
  /**
   * 'earliest' = not before (ITEMA-20 minimum job length 48 h). 'target' = an aim shown to staff
   * (SC-4 "1–2 days on average"): past it the status is 'over-target', never 'breached'.
   * Default 'deadline'.
   */
  kind?: 'deadline' | 'earliest' | 'target';
  /** '24 hours', '2 working days', '30 days', '6 months', '1 day'. */
  duration: string;
  /** VN-2 / VN-6: '48 hours' when the start or the normal due time falls on a day off. */
  offDayDuration?: string;
  /** Warn this long before due, e.g. '4 hours'; default 25 % of the clock's span. */
  atRisk?: string;
  /** ITM-12: due at 10 days, penalty after 20 days. */
  escalation?: { after: string; rule: string; code: string };
}

export interface ClockInput {
  rule: ClockRule;
  /** ISO instant with offset. */
  start: string;
  /** Waiting for the client; `to` undefined = paused now. */
  pauses?: { from: string; to?: string }[];
  /** The clock's goal was met at this instant (e.g. responded). */
  stoppedAt?: string;
}

export type ClockStatus = 'running' | 'paused' | 'at-risk' | 'breached' | 'escalated' | 'met' | 'met-late' | 'too-early' | 'open' | 'over-target';

export interface ClockReason {
  rule: string;
  code: string;
  text: string;
}

export interface ClockState {
  id: string;
  rule: string;
  /** ISO instants in the calendar's zone, with offset. */
  start: string;
  due: string;
  atRiskFrom: string;
  escalationAt?: string;
  status: ClockStatus;
  /** Paused time that moved the due time (up to the moment, or the stop). */
  pausedMs: number;
  /** Due minus the stop (when stopped) or the moment; negative when overdue. */
  remainingMs: number;
  /** Why this due date and this status, each citing a rule id. */
  reasons: ClockReason[];
}

interface Span {
  from: number;
  to: number;
  open: boolean;
}

/** Collects the issues of several parses so a bad input lists every problem at once. */
function collect<T>(issues: InputIssue[], f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof PolicyInputError) {
      issues.push(...e.issues);
      return undefined;
    }
    throw e;
  }
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

export interface EvaluateOptions {
  /**
   * false: leave `reasons` empty; every other field is the same. For callers that only want the
   * times and the status (writing a new clock's due and at-risk moments): the texts are the costly
   * part (local times formatted through luxon, the days off described).
   */
  reasons?: boolean;
}

/**
 * Evaluates a clock at `moment` (an ISO instant) on the calendar: due time, at-risk time, escalation,
 * status, paused and remaining time, and the reasons. Throws PolicyInputError listing every problem
 * with the input (paths like 'rule.duration', 'pauses[0].to', 'moment').
 */
export function evaluateClock(input: ClockInput, calendar: Calendar, moment: string, opts: EvaluateOptions = {}): ClockState {
  const c = computeClock(input, calendar, moment, opts);
  const zone = zoneOf(calendar.timeZone);
  const iso = (ms: number) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
  const state: ClockState = {
    id: c.id,
    rule: c.rule,
    start: iso(c.startMs),
    due: iso(c.dueMs),
    atRiskFrom: iso(c.atRiskMs),
    status: c.status,
    pausedMs: c.pausedMs,
    remainingMs: c.remainingMs,
    reasons: c.reasons,
  };
  if (c.escalationMs !== undefined) state.escalationAt = iso(c.escalationMs);
  return state;
}

/** A clock's times as epoch milliseconds, and its status: what `evaluateClock` says, before the times are written as local ISO text. */
export interface ClockTimes {
  status: ClockStatus;
  startMs: number;
  dueMs: number;
  atRiskMs: number;
  escalationMs?: number;
}

/**
 * The clock's times and status without its reasons and without writing the times as text: for the
 * callers that store them (a new clock's due, at-risk and escalation moments, issue 10). The same
 * numbers `evaluateClock(…, { reasons: false })` writes (pack-clocks.property.test.ts).
 */
export function clockTimes(input: ClockInput, calendar: Calendar, moment: string): ClockTimes {
  const c = computeClock(input, calendar, moment, { reasons: false });
  return { status: c.status, startMs: c.startMs, dueMs: c.dueMs, atRiskMs: c.atRiskMs, ...(c.escalationMs !== undefined ? { escalationMs: c.escalationMs } : {}) };
}

interface Computed {
  id: string;
  rule: string;
  status: ClockStatus;
  startMs: number;
  dueMs: number;
  atRiskMs: number;
  escalationMs: number | undefined;
  pausedMs: number;
  remainingMs: number;
  reasons: ClockReason[];
}

function computeClock(input: ClockInput, calendar: Calendar, moment: string, opts: EvaluateOptions): Computed {
  const issues: InputIssue[] = [];
  if (input === null || typeof input !== 'object') throw new PolicyInputError([{ path: '', message: 'a clock input is required' }]);
  const rule = input.rule;
  if (rule === null || typeof rule !== 'object') throw new PolicyInputError([{ path: 'rule', message: 'a clock rule is required' }]);

  if (!nonEmpty(rule.id)) issues.push({ path: 'rule.id', message: 'a clock id is required, e.g. "first-response"' });
  if (!nonEmpty(rule.rule)) issues.push({ path: 'rule.rule', message: 'a rule id is required, e.g. "VN-2"' });
  const kind = rule.kind ?? 'deadline';
  if (kind !== 'deadline' && kind !== 'earliest' && kind !== 'target') {
    issues.push({ path: 'rule.kind', message: `"${String(rule.kind)}" is not a clock kind; use "deadline", "earliest" or "target"` });
  }
  const duration = collect(issues, () => parseDuration(rule.duration, 'rule.duration'));
  const offDay = rule.offDayDuration === undefined ? undefined : collect(issues, () => parseDuration(rule.offDayDuration!, 'rule.offDayDuration'));
  const atRisk = rule.atRisk === undefined ? undefined : collect(issues, () => parseDuration(rule.atRisk!, 'rule.atRisk'));
  if (atRisk?.unit === 'working days') issues.push({ path: 'rule.atRisk', message: `"${atRisk.text}": use hours or days before the due time, not working days` });
  let escalationAfter: ClockDuration | undefined;
  if (rule.escalation !== undefined) {
    const esc = rule.escalation;
    if (esc === null || typeof esc !== 'object') {
      issues.push({ path: 'rule.escalation', message: 'must be { after, rule, code }' });
    } else {
      escalationAfter = collect(issues, () => parseDuration(esc.after, 'rule.escalation.after'));
      if (!nonEmpty(esc.rule)) issues.push({ path: 'rule.escalation.rule', message: 'a rule id is required, e.g. "ITM-12"' });
      if (!nonEmpty(esc.code)) issues.push({ path: 'rule.escalation.code', message: 'a code is required, e.g. "unit-charged"' });
      if (kind !== 'deadline') issues.push({ path: 'rule.escalation', message: `a "${kind}" clock cannot escalate; escalation is for deadlines` });
    }
  }

  const start = collect(issues, () => calendar.inZone(parseInstant(input.start, 'start')));
  const now = collect(issues, () => parseInstant(moment, 'moment'));
  const stopped = input.stoppedAt === undefined ? undefined : collect(issues, () => parseInstant(input.stoppedAt!, 'stoppedAt'));
  if (start && stopped && stopped < start) {
    issues.push({ path: 'stoppedAt', message: `"${input.stoppedAt}" is before the clock's start (${input.start})` });
  }

  const rawPauses: Span[] = [];
  if (input.pauses !== undefined && !Array.isArray(input.pauses)) {
    issues.push({ path: 'pauses', message: 'must be a list of { from, to? }' });
  } else {
    (input.pauses ?? []).forEach((p, i) => {
      if (p === null || typeof p !== 'object') {
        issues.push({ path: `pauses[${i}]`, message: 'must be { from, to? }' });
        return;
      }
      const from = collect(issues, () => parseInstant(p.from, `pauses[${i}].from`));
      const to = p.to === undefined ? undefined : collect(issues, () => parseInstant(p.to!, `pauses[${i}].to`));
      if (from && to && to < from) {
        issues.push({ path: `pauses[${i}].to`, message: `the pause ends (${p.to}) before it starts (${p.from})` });
      } else if (from && start && from < start) {
        issues.push({ path: `pauses[${i}].from`, message: `the pause starts (${p.from}) before the clock's start (${input.start})` });
      } else if (from && (p.to === undefined || to)) {
        rawPauses.push({ from: from.toMillis(), to: to ? to.toMillis() : Infinity, open: p.to === undefined });
      }
    });
  }
  if (issues.length) throw new PolicyInputError(issues);

  // After validation every parse succeeded.
  const s = start!;
  const nowMs = now!.toMillis();
  const stopMs = stopped && stopped.toMillis() <= nowMs ? stopped.toMillis() : undefined;
  const horizon = stopMs ?? nowMs;
  const zone = zoneOf(calendar.timeZone);
  const local = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd HH:mm ZZ");
  const reasons: ClockReason[] = [];
  const explain = opts.reasons !== false;
  const ruleId = rule.rule;

  // ---- the base due time ----
  let d = duration!;
  let base = addDuration(s, d, calendar);
  if (offDay) {
    if (calendar.mode === '24/7') {
      if (explain) reasons.push({ rule: ruleId, code: 'no-days-off', text: `24/7 calendar (ITM-2): no days off, so ${d.text} applies, not ${offDay.text}` });
    } else {
      const startDate = calendar.localDate(s);
      const startOff = calendar.dayOffReason(startDate);
      const dueDate = calendar.localDate(base);
      const dueOff = startOff ? undefined : calendar.dayOffReason(dueDate);
      if (startOff || dueOff) {
        if (explain) {
          const why = startOff
            ? `received on a day off: ${describeDayOff(startDate, startOff)}`
            : `the ${d.text} deadline (${local(base.toMillis())}) falls on a day off: ${describeDayOff(dueDate, dueOff!)}`;
          reasons.push({ rule: ruleId, code: startOff ? 'started-on-day-off' : 'due-on-day-off', text: `${offDay.text} instead of ${d.text}, ${why} (${ruleId})` });
        }
        d = offDay;
        base = addDuration(s, d, calendar);
      }
    }
  }
  const baseMs = base.toMillis();
  const startMs = s.toMillis();
  if (explain) {
    reasons.unshift({ rule: ruleId, code: kind === 'earliest' ? 'not-before' : 'duration', text: durationText(d, s, base, calendar, kind, ruleId) });
    if (d.unit === 'working days') reasons.push(...workingDayReasons(s, base, calendar, ruleId));
    const dst = dstReason(d, s, base, ruleId);
    if (dst) reasons.push(dst);
  }

  // ---- pauses ----
  const pauses = mergePauses(rawPauses, horizon);
  const pausedNow = stopMs === undefined && pauses.some((p) => p.open);
  const shifted = shiftByPauses(baseMs, pauses);
  const dueMs = shifted.at;
  for (const p of pauses) {
    const counted = p.from < shifted.cutoff;
    if (!explain) continue;
    if (counted) {
      const len = p.to - p.from;
      reasons.push(
        p.open
          ? { rule: ruleId, code: 'paused-now', text: `paused since ${local(p.from)} (waiting for the client): the due time moves by the ${formatMs(len)} paused so far` }
          : { rule: ruleId, code: 'paused', text: `paused ${local(p.from)} – ${local(p.to)} (waiting for the client): the due time moves by ${formatMs(len)}` },
      );
    } else {
      reasons.push({ rule: ruleId, code: 'pause-after-due', text: `the pause from ${local(p.from)} started after the due time and does not move it` });
    }
  }

  // ---- at risk and escalation ----
  let atRiskMs: number;
  if (kind === 'earliest' || kind === 'target') {
    atRiskMs = dueMs; // a not-before time, or a target (SC-4), has no warning window
  } else if (atRisk) {
    atRiskMs = subtractDuration(DateTime.fromMillis(dueMs, { zone }), atRisk, calendar).toMillis();
  } else {
    atRiskMs = dueMs - Math.round((baseMs - startMs) * 0.25);
  }
  atRiskMs = Math.max(Math.min(atRiskMs, dueMs), startMs);

  let escalationMs: number | undefined;
  if (escalationAfter && rule.escalation) {
    const escBase = addDuration(s, escalationAfter, calendar).toMillis();
    escalationMs = Math.max(shiftByPauses(escBase, pauses).at, dueMs);
  }

  // ---- status ----
  let status: ClockStatus;
  if (kind === 'earliest') {
    if (stopMs !== undefined) status = stopMs < dueMs ? 'too-early' : 'met';
    else status = nowMs >= dueMs ? 'met' : 'open';
    if (status === 'too-early') {
      if (explain) reasons.push({ rule: ruleId, code: 'too-early', text: `finished at ${local(stopMs!)}, ${formatMs(dueMs - stopMs!)} before the earliest time ${local(dueMs)} (${ruleId})` });
    }
  } else if (stopMs !== undefined) {
    status = stopMs <= dueMs ? 'met' : 'met-late';
    if (status === 'met-late' && kind === 'target') {
      if (explain) reasons.push({ rule: ruleId, code: 'over-target', text: `done at ${local(stopMs)}, ${formatMs(stopMs - dueMs)} past the target: a target shown to staff, not a breach (${ruleId})` });
    } else if (status === 'met-late') {
      if (explain) reasons.push({ rule: ruleId, code: 'met-late', text: `met at ${local(stopMs)}, ${formatMs(stopMs - dueMs)} after the due time (${ruleId})` });
      // ITM-12: met only after the escalation time: the penalty applied all the same.
      if (escalationMs !== undefined && stopMs > escalationMs) {
        const esc = rule.escalation!;
        if (explain) reasons.push({ rule: esc.rule, code: esc.code, text: `met more than ${escalationAfter!.text} after the start (${local(escalationMs)} passed): ${esc.code} (${esc.rule})` });
      }
    }
  } else if (nowMs > dueMs) {
    if (escalationMs !== undefined && nowMs > escalationMs) {
      status = 'escalated';
      const esc = rule.escalation!;
      if (explain) reasons.push({ rule: esc.rule, code: esc.code, text: `more than ${escalationAfter!.text} since the start (${local(escalationMs)} passed): ${esc.code} (${esc.rule})` });
    } else if (kind === 'target') {
      // SC-4: an average, not a promise: past it staff see it, the client is owed nothing.
      status = 'over-target';
      if (explain) reasons.push({ rule: ruleId, code: 'over-target', text: `past the target by ${formatMs(nowMs - dueMs)}: a target shown to staff, not a breach (${ruleId})` });
    } else {
      status = 'breached';
      if (explain) reasons.push({ rule: ruleId, code: 'breached', text: `overdue by ${formatMs(nowMs - dueMs)} (${ruleId})` });
    }
  } else if (pausedNow) {
    status = 'paused';
  } else if (nowMs >= atRiskMs && kind !== 'target') {
    status = 'at-risk';
  } else {
    status = 'running';
  }

  return { id: rule.id, rule: ruleId, status, startMs, dueMs, atRiskMs, escalationMs, pausedMs: shifted.pausedMs, remainingMs: dueMs - horizon, reasons };
}

/** Sorts, clips to the horizon (pauses after it are not known yet) and merges overlapping pauses. */
function mergePauses(raw: Span[], horizon: number): Span[] {
  const known = raw
    .filter((p) => p.from < horizon)
    .map((p) => ({ from: p.from, to: Math.min(p.to, horizon), open: p.open || p.to > horizon }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Span[] = [];
  for (const p of known) {
    const last = out[out.length - 1];
    if (last && p.from <= last.to) {
      if (p.to > last.to) {
        last.to = p.to;
        last.open = p.open;
      } else if (p.to === last.to) {
        last.open ||= p.open;
      }
    } else {
      out.push({ ...p });
    }
  }
  return out;
}

/**
 * Moves a due time by the pauses that start before it: the clock stands still while paused, so the
 * due time grows by each pause's length, and a later pause counts if it starts before the grown due
 * time. `cutoff` is the final due time: pauses starting at or after it moved nothing.
 */
function shiftByPauses(baseMs: number, pauses: Span[]): { at: number; pausedMs: number; cutoff: number } {
  let at = baseMs;
  let pausedMs = 0;
  for (const p of pauses) {
    if (p.from >= at) break;
    const len = p.to - p.from;
    at += len;
    pausedMs += len;
  }
  return { at, pausedMs, cutoff: at };
}

function durationText(d: ClockDuration, start: DateTime, due: DateTime, cal: Calendar, kind: string, ruleId: string): string {
  const unitWord =
    d.unit === 'hours' || d.unit === 'minutes'
      ? 'elapsed time'
      : d.unit === 'working days'
        ? cal.mode === '24/7'
          ? 'calendar days on a 24/7 calendar'
          : 'working days, days off skipped'
        : `calendar ${d.unit} in ${cal.timeZone}`;
  const what = kind === 'earliest' ? 'not before' : 'due';
  return `${what} ${d.text} (${unitWord}) after ${start.toFormat('yyyy-MM-dd HH:mm ZZ')}: ${due.toFormat('yyyy-MM-dd HH:mm ZZ')} (${ruleId})`;
}

function workingDayReasons(start: DateTime, due: DateTime, cal: Calendar, ruleId: string): ClockReason[] {
  if (cal.mode === '24/7') return [];
  const out: ClockReason[] = [];
  const startDate = cal.localDate(start);
  const off = cal.dayOffReason(startDate);
  if (off) {
    out.push({ rule: ruleId, code: 'counting-from-next-working-day', text: `${describeDayOff(startDate, off)}: counting starts at 00:00 of the next working day` });
  }
  const skipped: string[] = [];
  let day = start.startOf('day');
  const last = cal.localDate(due.minus({ milliseconds: 1 }));
  for (let i = 0; i < 3_700 && day.toISODate()! <= last; i++) {
    const date = day.toISODate()!;
    const why = date === startDate ? undefined : cal.dayOffReason(date);
    if (why) skipped.push(describeDayOff(date, why));
    day = day.plus({ days: 1 });
  }
  if (skipped.length) {
    const shown = skipped.length > 10 ? [...skipped.slice(0, 10), `and ${skipped.length - 10} more`] : skipped;
    out.push({ rule: ruleId, code: 'days-off-skipped', text: `not counted: ${shown.join('; ')}` });
  }
  return out;
}

function dstReason(d: ClockDuration, start: DateTime, due: DateTime, ruleId: string): ClockReason | undefined {
  if (start.offset === due.offset) return undefined;
  if (d.unit === 'hours' || d.unit === 'minutes') {
    return {
      rule: ruleId,
      code: 'dst-elapsed',
      text: `a daylight-saving change (${start.toFormat('ZZ')} → ${due.toFormat('ZZ')}) lies in between: ${d.text} are elapsed time, so the clock ends at ${due.toFormat('HH:mm')} local time`,
    };
  }
  return {
    rule: ruleId,
    code: 'dst-calendar',
    text: `a daylight-saving change (${start.toFormat('ZZ')} → ${due.toFormat('ZZ')}) lies in between: ${d.text} keep the wall-clock time, so ${formatMs(due.toMillis() - start.toMillis())} elapse`,
  };
}

/** '2 d 3 h 15 min' */
export function formatMs(ms: number): string {
  const neg = ms < 0;
  let rest = Math.round(Math.abs(ms) / 60_000);
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  const hours = Math.floor(rest / 60);
  const mins = rest - hours * 60;
  const parts = [days ? `${days} d` : '', hours ? `${hours} h` : '', mins ? `${mins} min` : ''].filter(Boolean);
  return (neg ? '-' : '') + (parts.join(' ') || '0 min');
}
