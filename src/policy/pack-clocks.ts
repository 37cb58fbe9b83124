// A pack's clocks on the pack's calendar: the bridge between the clock rules written in a pack
// (first response, diagnosis, decision window, disposal, ...) and evaluateClock.
import { DateTime } from 'luxon';
import { zoneOf } from './zone.ts';
import { makeCalendar, type Calendar } from './calendar.ts';
import { evaluateClock, type ClockInput, type ClockRule, type ClockState } from './clocks.ts';
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
  const zone = zoneOf(pack.versions[pack.versions.length - 1].raw.settings.timeZone);
  const dt = DateTime.fromISO(instant, { zone, setZone: false });
  const day = dt.isValid ? tryParseDate(dt.setZone(zone).toISODate()) : undefined;
  if (day === undefined) throw new PolicyInputError([{ path: 'start', message: `"${instant}" is not an instant like 2026-03-02T09:00:00Z` }]);
  return selectVersion(pack, day, day);
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
 * `moment`, on the pack's calendar.
 */
export function evaluatePackClock(pack: CompiledPack, clockId: string, input: Omit<ClockInput, 'rule'>, moment: string): PackClockState {
  const v = versionAt(pack, input.start);
  const rule = v.raw.clocks.find((c) => c.id === clockId);
  if (!rule) {
    throw new PolicyInputError([
      { path: 'clock', message: `pack ${pack.id} ${v.version} has no clock "${clockId}" (it has: ${v.raw.clocks.map((c) => c.id).join(', ') || 'none'})` },
    ]);
  }
  const state = evaluateClock({ ...input, rule }, versionCalendar(v), moment);
  return { ...state, text: rule.text, policyVersion: v.version };
}
