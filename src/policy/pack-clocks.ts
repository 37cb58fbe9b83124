// A pack's clocks on the pack's calendar: the bridge between the clock rules written in a pack
// (first response, diagnosis, decision window, disposal, ...) and evaluateClock.
import { DateTime } from 'luxon';
import { zoneOf } from './zone.ts';
import { makeCalendar, type Calendar } from './calendar.ts';
import { clockTimes, evaluateClock, type ClockInput, type ClockRule, type ClockState, type ClockTimes, type EvaluateOptions } from './clocks.ts';
import { tryParseDate } from './dates.ts';
import { PolicyInputError } from './errors.ts';
import { selectVersion, type CompiledPack, type CompiledVersion } from './pack.ts';
import type { Texts } from './types.ts';

const calendars = new WeakMap<CompiledVersion, Calendar>();

/** The business calendar of a pack version (time zone, working days, holidays, or 24/7). */
export function versionCalendar(v: CompiledVersion): Calendar {
  let c = calendars.get(v);
  if (!c) {
    const s = v.raw.settings;
    c = makeCalendar({ timeZone: s.timeZone, mode: s.calendar.mode, workingDays: s.calendar.workingDays, holidays: s.calendar.holidays }, 'settings.calendar');
    calendars.set(v, c);
  }
  return c;
}

/** The version in force when a clock starts (an ISO instant): the business's local date picks it. */
export function versionAt(pack: CompiledPack, instant: string): CompiledVersion {
  // A new case asks this several times for the same instant (its clocks, the decision, the row):
  // the last answer per pack is kept (a compiled pack never changes).
  const last = lastVersionAt.get(pack);
  if (last && last.instant === instant) return last.version;
  const zone = zoneOf(pack.versions[pack.versions.length - 1].raw.settings.timeZone);
  const day = localDayOf(instant, zone);
  if (day === undefined) throw new PolicyInputError([{ path: 'start', message: `"${instant}" is not an instant like 2026-03-02T09:00:00Z` }]);
  const version = selectVersion(pack, day, day);
  lastVersionAt.set(pack, { instant, version });
  return version;
}
const lastVersionAt = new WeakMap<CompiledPack, { instant: string; version: CompiledVersion }>();

// An instant as the app writes it (`Date#toISOString`, or with an explicit offset).
const PLAIN_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The zone's calendar day at an instant. Every clock, intake and decision asks this several times,
 * so the usual shape is read without luxon: the epoch milliseconds from `Date.parse` (checked to be
 * the date written, so "02-30" is not read as March) and the zone's offset, computed once per day
 * (zone.ts). Any other shape goes through luxon's ISO reading, as before (the property test in
 * pack-clocks.property.test.ts holds both to the same answer).
 */
export function localDayOf(instant: string, zone: ReturnType<typeof zoneOf>) {
  const m = PLAIN_INSTANT.exec(instant);
  if (m && zone.isValid) {
    const ms = Date.parse(instant);
    const mo = +m[2];
    const d = +m[3];
    if (Number.isFinite(ms) && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(+m[1], mo, 0)).getUTCDate() && +m[4] < 24 && +m[5] < 60 && +(m[6] ?? 0) < 60) {
      const local = new Date(ms + zone.offset(ms) * 60_000);
      if (local.getUTCFullYear() >= 1000 && local.getUTCFullYear() <= 9999) return tryParseDate(local.toISOString().slice(0, 10));
    }
  }
  return luxonDayOf(instant, zone);
}

export function luxonDayOf(instant: string, zone: ReturnType<typeof zoneOf>) {
  const dt = DateTime.fromISO(instant, { zone, setZone: false });
  return dt.isValid ? tryParseDate(dt.setZone(zone).toISODate()) : undefined;
}

export interface PackClockRule extends ClockRule {
  startsAt: string;
  stopsAt?: string;
  text: Texts;
}

export function packClockRules(v: CompiledVersion): PackClockRule[] {
  return v.raw.clocks.map((c) => ({ ...c }));
}

export interface PackClockState extends ClockState {
  text: Texts;
  policyVersion: string;
}

/**
 * Evaluates the pack's clock `clockId` (e.g. 'first-response') started at `input.start`, as of
 * `moment`, on the pack's calendar. `opts.reasons: false`: the times and status without the reasons.
 */
export function evaluatePackClock(pack: CompiledPack, clockId: string, input: Omit<ClockInput, 'rule'>, moment: string, opts: EvaluateOptions = {}): PackClockState {
  const { v, rule } = packClock(pack, clockId, input.start);
  const state = evaluateClock({ ...input, rule }, versionCalendar(v), moment, opts);
  return { ...state, text: rule.text, policyVersion: v.version };
}

export interface PackClockTimes extends ClockTimes {
  /** The clock's kind as the pack writes it (undefined: a deadline). */
  kind: ClockRule['kind'];
  policyVersion: string;
}

/**
 * The pack's clock `clockId` as epoch milliseconds and a status, without reasons: the same times and
 * status as `evaluatePackClock` (pack-clocks.property.test.ts), for the callers that store them.
 */
export function packClockTimes(pack: CompiledPack, clockId: string, input: Omit<ClockInput, 'rule'>, moment: string): PackClockTimes {
  const { v, rule } = packClock(pack, clockId, input.start);
  return { ...clockTimes({ ...input, rule }, versionCalendar(v), moment), kind: rule.kind, policyVersion: v.version };
}

function packClock(pack: CompiledPack, clockId: string, start: string) {
  const v = versionAt(pack, start);
  const rule = v.raw.clocks.find((c) => c.id === clockId);
  if (!rule) {
    throw new PolicyInputError([
      { path: 'clock', message: `pack ${pack.id} ${v.version} has no clock "${clockId}" (it has: ${v.raw.clocks.map((c) => c.id).join(', ') || 'none'})` },
    ]);
  }
  return { v, rule };
}
