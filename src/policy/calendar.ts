// A business calendar: the time zone, the weekly days off, the public holidays, or 24/7.
//
// Clocks (clocks.ts) ask it two questions: "is this local date a day off?" and "where does N working
// days from this instant land?". Everything time-zone and DST related goes through luxon; national
// holidays come from date-holidays. No clock of its own: every instant is an argument.
//
// Choices (also in docs/policy-clocks.md):
// - A day is a local calendar date ('YYYY-MM-DD') in the calendar's time zone.
// - Only holidays of date-holidays type 'public' are days off (not 'bank', 'observance', 'school',
//   'optional'). A multi-day public holiday (VN Tết, five days) makes every one of its days a day off;
//   a public holiday that starts in the afternoon makes its whole date a day off.
// - Holiday lookups are cached per (country, region, year) for the whole process; they are slow
//   (date-holidays evaluates its rules on every call) and their answer never changes.
// - 'business' mode has no working hours: a working day is the whole local day.
// - '24/7' mode (ITM-2) has no days off at all: weekly days off and holidays in the spec are ignored
//   and a working day is a calendar day.
// - addWorkingDays(start, n): the days off are squeezed out of the timeline. From a working day the
//   result is the same wall-clock time n working days later (Friday 15:00 + 2 → Tuesday 15:00). From a
//   day off, counting starts at 00:00 of the next working day, so the result is the end of the n-th
//   working day (Saturday 10:00 + 2 → end of Tuesday = Wednesday 00:00).
import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { zoneOf } from './zone.ts';
import { PolicyInputError, type InputIssue } from './errors.ts';

export interface CalendarSpec {
  /** IANA time zone, e.g. 'Europe/Sofia', 'Asia/Ho_Chi_Minh', 'America/New_York'. */
  timeZone: string;
  /** ITM-2: 24/7 support has no days off. */
  mode: 'business' | '24/7';
  /** ISO weekdays 1 = Monday .. 7 = Sunday; default [1, 2, 3, 4, 5]. */
  workingDays?: number[];
  /** date-holidays country code (VN, BG) with an optional region/state, and/or explicit 'YYYY-MM-DD' dates. */
  holidays?: { country?: string; region?: string; dates?: string[] };
}

export type DayOffReason =
  | { kind: 'weekly'; weekday: number }
  | { kind: 'holiday'; name: string; country: string }
  | { kind: 'explicit' };

export interface Calendar {
  readonly timeZone: string;
  readonly mode: 'business' | '24/7';
  /** The working weekdays (ISO 1..7); all seven on a 24/7 calendar. */
  readonly workingDays: readonly number[];
  /** True when the local date is a weekly day off or a holiday. Always false on a 24/7 calendar. */
  isDayOff(date: string): boolean;
  isWorkingDay(date: string): boolean;
  /** Why the date is a day off, or undefined for a working day. */
  dayOffReason(date: string): DayOffReason | undefined;
  /** The local date ('YYYY-MM-DD') of an instant in this calendar's zone. */
  localDate(instant: DateTime): string;
  /** The instant in this calendar's zone. */
  inZone(instant: DateTime): DateTime;
  /** The first working day strictly after the date. */
  nextWorkingDay(date: string): string;
  /** The instant n working days after start (see the file header for days off). n ≥ 0, whole. */
  addWorkingDays(start: DateTime, n: number): DateTime;
  /** Public holidays of the year as date → name (explicit dates included). */
  holidaysOf(year: number): ReadonlyMap<string, string>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The longest run of consecutive days off we accept before calling the calendar broken. */
const MAX_DAYS_OFF_IN_A_ROW = 366;
const MS_PER_DAY = 86_400_000;
const MEMO_LIMIT = 10_000;

// ---------- holidays, cached per (country, region, year) ----------

const holidayCache = new Map<string, ReadonlyMap<string, string>>();
const holidayEngines = new Map<string, Holidays>();

function engine(country: string, region: string | undefined): Holidays {
  const key = `${country}|${region ?? ''}`;
  let hd = holidayEngines.get(key);
  if (!hd) {
    hd = region ? new Holidays(country, region) : new Holidays(country);
    holidayEngines.set(key, hd);
  }
  return hd;
}

/** Public holidays of a country (and region) in a year: local date → name. Cached. */
export function publicHolidays(country: string, region: string | undefined, year: number): ReadonlyMap<string, string> {
  const key = `${country}|${region ?? ''}|${year}`;
  const cached = holidayCache.get(key);
  if (cached) return cached;
  const out = new Map<string, string>();
  for (const h of engine(country, region).getHolidays(year)) {
    if (h.type !== 'public') continue;
    // h.date is the local 'YYYY-MM-DD hh:mm:ss'; a holiday may last several days (Tết: 5).
    const first = DateTime.fromISO(h.date.slice(0, 10), { zone: 'UTC' });
    const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
    for (let i = 0; i < days; i++) {
      const d = first.plus({ days: i }).toISODate()!;
      if (!out.has(d)) out.set(d, h.name);
    }
  }
  holidayCache.set(key, out);
  return out;
}

// ---------- validation ----------

let countriesCache: Record<string, string> | undefined;
function knownCountries(): Record<string, string> {
  return (countriesCache ??= new Holidays().getCountries());
}

interface CivilDay {
  year: number;
  /** ISO weekday 1 = Monday .. 7 = Sunday. */
  weekday: number;
  /** The date's midnight in UTC: a day number for stepping through dates, not an instant of the business. */
  utcMs: number;
}

/**
 * A local calendar date without a zone. Dates (not instants) need no time-zone rules, so the
 * proleptic Gregorian calendar of Date.UTC is enough, and much faster than luxon in the hot loops.
 */
function civilDay(s: unknown): CivilDay | undefined {
  if (typeof s !== 'string' || !ISO_DATE.test(s)) return undefined;
  const y = +s.slice(0, 4);
  const m = +s.slice(5, 7);
  const d = +s.slice(8, 10);
  const utcMs = Date.UTC(y, m - 1, d);
  const t = new Date(utcMs);
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  return { year: y, weekday: t.getUTCDay() || 7, utcMs };
}

/** Strict 'YYYY-MM-DD' that exists on the calendar (2026-02-30 does not). */
export function isCalendarDate(s: unknown): s is string {
  return civilDay(s) !== undefined;
}

function validateSpec(spec: CalendarSpec, path: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const at = (p: string) => (path ? `${path}.${p}` : p);
  if (spec === null || typeof spec !== 'object') return [{ path, message: 'a calendar is required' }];
  if (typeof spec.timeZone !== 'string' || !IANAZone.isValidZone(spec.timeZone)) {
    issues.push({ path: at('timeZone'), message: `"${String(spec.timeZone)}" is not an IANA time zone like "Europe/Sofia"` });
  }
  if (spec.mode !== 'business' && spec.mode !== '24/7') {
    issues.push({ path: at('mode'), message: `"${String(spec.mode)}" is not a calendar mode; use "business" or "24/7"` });
  }
  if (spec.workingDays !== undefined) {
    if (!Array.isArray(spec.workingDays)) {
      issues.push({ path: at('workingDays'), message: 'must be a list of ISO weekdays 1 (Monday) .. 7 (Sunday)' });
    } else {
      spec.workingDays.forEach((d, i) => {
        if (!Number.isInteger(d) || d < 1 || d > 7) {
          issues.push({ path: at(`workingDays[${i}]`), message: `${String(d)} is not an ISO weekday 1 (Monday) .. 7 (Sunday)` });
        }
      });
      if (spec.workingDays.length === 0 && spec.mode !== '24/7') {
        issues.push({ path: at('workingDays'), message: 'a business calendar needs at least one working day' });
      }
    }
  }
  const h = spec.holidays;
  if (h !== undefined) {
    if (h === null || typeof h !== 'object') {
      issues.push({ path: at('holidays'), message: 'must be { country?, region?, dates? }' });
    } else {
      if (h.country !== undefined) {
        const countries = knownCountries();
        if (typeof h.country !== 'string' || !(h.country in countries)) {
          issues.push({ path: at('holidays.country'), message: `"${String(h.country)}" is not a country code known to date-holidays (e.g. "VN", "BG")` });
        } else if (h.region !== undefined) {
          const states = new Holidays().getStates(h.country) ?? {};
          if (typeof h.region !== 'string' || !(h.region in states)) {
            issues.push({ path: at('holidays.region'), message: `"${String(h.region)}" is not a region of ${h.country} known to date-holidays` });
          }
        }
      } else if (h.region !== undefined) {
        issues.push({ path: at('holidays.region'), message: 'a region needs a country' });
      }
      if (h.dates !== undefined) {
        if (!Array.isArray(h.dates)) {
          issues.push({ path: at('holidays.dates'), message: 'must be a list of dates like "2026-09-02"' });
        } else {
          h.dates.forEach((d, i) => {
            if (!isCalendarDate(d)) issues.push({ path: at(`holidays.dates[${i}]`), message: `"${String(d)}" is not a calendar date like 2026-09-02` });
          });
        }
      }
    }
  }
  return issues;
}

// ---------- the calendar ----------

/**
 * Builds a calendar from its spec. Throws PolicyInputError listing every problem (unknown time zone,
 * unknown country, impossible explicit date, bad weekday). `path` prefixes the issue paths.
 */
export function makeCalendar(spec: CalendarSpec, path = 'calendar'): Calendar {
  const issues = validateSpec(spec, path);
  if (issues.length) throw new PolicyInputError(issues);

  const timeZone = spec.timeZone;
  const zone = zoneOf(timeZone); // the offset computed once per day (zone.ts)
  const mode = spec.mode;
  const is247 = mode === '24/7'; // ITM-2
  const workingDays = is247 ? [1, 2, 3, 4, 5, 6, 7] : [...new Set(spec.workingDays ?? [1, 2, 3, 4, 5])].sort((a, b) => a - b);
  const working = new Set(workingDays);
  const country = spec.holidays?.country;
  const region = spec.holidays?.region;
  const explicit = new Set(spec.holidays?.dates ?? []);

  const checkDate = (date: string): CivilDay => {
    const d = civilDay(date);
    if (!d) throw new PolicyInputError([{ path: 'date', message: `"${String(date)}" is not a calendar date like 2026-09-02` }]);
    return d;
  };

  const holidayName = (date: string, year: number): string | undefined => {
    if (!country) return undefined;
    // A multi-day holiday that starts late in December spills into the next year.
    return publicHolidays(country, region, year).get(date) ?? publicHolidays(country, region, year - 1).get(date);
  };

  // Day-off answers are memoized per calendar: clocks ask about the same few dates again and again.
  const memo = new Map<string, DayOffReason | null>();
  const dayOffReason = (date: string): DayOffReason | undefined => {
    const hit = memo.get(date);
    if (hit !== undefined) return hit ?? undefined;
    const d = checkDate(date);
    let why: DayOffReason | null = null;
    if (is247) why = null;
    else if (!working.has(d.weekday)) why = { kind: 'weekly', weekday: d.weekday };
    else if (explicit.has(date)) why = { kind: 'explicit' };
    else {
      const name = holidayName(date, d.year);
      if (name !== undefined) why = { kind: 'holiday', name, country: country! };
    }
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(date, why);
    return why ?? undefined;
  };

  const isDayOff = (date: string) => dayOffReason(date) !== undefined;

  const nextWorkingDay = (date: string): string => {
    let t = checkDate(date).utcMs;
    for (let i = 0; i < MAX_DAYS_OFF_IN_A_ROW; i++) {
      t += MS_PER_DAY;
      const s = new Date(t).toISOString().slice(0, 10);
      if (!isDayOff(s)) return s;
    }
    throw new PolicyInputError([{ path, message: `no working day within ${MAX_DAYS_OFF_IN_A_ROW} days after ${date}` }]);
  };

  const inZone = (instant: DateTime) => instant.setZone(zone);
  const localDate = (instant: DateTime) => instant.setZone(zone).toISODate()!;

  const addWorkingDays = (start: DateTime, n: number): DateTime => {
    if (!Number.isInteger(n) || n < 0) {
      throw new PolicyInputError([{ path: 'workingDays', message: `${n} is not a whole, non-negative number of working days` }]);
    }
    const s = start.setZone(zone);
    if (is247) return s.plus({ days: n });
    let date = s.toISODate()!;
    let fromDayOff = false;
    if (isDayOff(date)) {
      date = nextWorkingDay(date);
      fromDayOff = true;
    }
    if (fromDayOff) {
      // Counting starts at 00:00 of `date`; the n-th working day counted from it (inclusive) ends at
      // 00:00 of the following calendar day.
      if (n === 0) return DateTime.fromISO(date, { zone });
      for (let i = 1; i < n; i++) date = nextWorkingDay(date);
      return DateTime.fromISO(date, { zone }).plus({ days: 1 }).startOf('day');
    }
    for (let i = 0; i < n; i++) date = nextWorkingDay(date);
    const [y, m, d] = date.split('-').map(Number);
    // Same wall-clock time on the target date; a time that does not exist there (spring-forward
    // gap) is moved forward by luxon.
    return s.set({ year: y, month: m, day: d });
  };

  const holidaysOf = (year: number): ReadonlyMap<string, string> => {
    const out = new Map<string, string>();
    if (is247) return out;
    if (country) for (const [d, name] of publicHolidays(country, region, year)) out.set(d, name);
    for (const d of explicit) if (d.startsWith(`${year}-`) && !out.has(d)) out.set(d, 'holiday');
    return out;
  };

  return Object.freeze({
    timeZone,
    mode,
    workingDays: Object.freeze(workingDays),
    isDayOff,
    isWorkingDay: (date: string) => !isDayOff(date),
    dayOffReason,
    localDate,
    inZone,
    nextWorkingDay,
    addWorkingDays,
    holidaysOf,
  });
}

/** Human text for a day off, for the reasons a clock gives. */
export function describeDayOff(date: string, reason: DayOffReason): string {
  switch (reason.kind) {
    case 'weekly':
      return `${date} is a weekly day off (${WEEKDAYS[reason.weekday - 1]})`;
    case 'holiday':
      return `${date} is a public holiday in ${reason.country} (${reason.name})`;
    case 'explicit':
      return `${date} is a day off in the business's calendar`;
  }
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
