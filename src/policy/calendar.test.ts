import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { describeDayOff, makeCalendar, publicHolidays, type CalendarSpec } from './calendar.ts';
import { PolicyInputError } from './errors.ts';

const vn = makeCalendar({ timeZone: 'Asia/Ho_Chi_Minh', mode: 'business', workingDays: [1, 2, 3, 4, 5], holidays: { country: 'VN' } });
const bg = makeCalendar({ timeZone: 'Europe/Sofia', mode: 'business', holidays: { country: 'BG' } });
const always = makeCalendar({ timeZone: 'America/New_York', mode: '24/7', holidays: { country: 'US' } });

const at = (s: string) => DateTime.fromISO(s, { setZone: true });
const iso = (d: DateTime) => d.toISO({ suppressMilliseconds: true });

function issuesOf(f: () => unknown) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyInputError);
    return (e as PolicyInputError).issues;
  }
  throw new Error('expected a PolicyInputError');
}

describe('days off', () => {
  it.each([
    ['a Saturday is a weekly day off (VN-2)', vn, '2026-03-07', true],
    ['a Sunday is a weekly day off (VN-2)', vn, '2026-03-08', true],
    ['a Friday is a working day (VN-2)', vn, '2026-03-06', false],
    ['National Day, 2 September, is a Vietnamese public holiday (VN-2)', vn, '2026-09-02', true],
    ['every day of the five-day Tết holiday is off (VN-2)', vn, '2026-02-19', true],
    ['a Vietnamese observance (19 May) is not a day off (VN-2)', vn, '2026-05-19', false],
    ['Liberation Day, 3 March, is a Bulgarian public holiday (ITEMA-5)', bg, '2026-03-03', true],
    ['a Bulgarian observance (7 May, radio day) is not a day off (ITEMA-5)', bg, '2026-05-07', false],
    ['a 24/7 calendar has no weekends (ITM-2)', always, '2026-03-07', false],
    ['a 24/7 calendar has no holidays (ITM-2)', always, '2026-07-04', false],
  ])('%s', (_name, cal, date, off) => {
    expect(cal.isDayOff(date)).toBe(off);
    expect(cal.isWorkingDay(date)).toBe(!off);
  });

  it('counts each day of a multi-day public holiday (Tết 16–20 February 2026) as off (VN-2)', () => {
    for (const d of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']) expect(vn.isDayOff(d)).toBe(true);
    expect(vn.isDayOff('2026-02-23')).toBe(false);
  });

  it('explains a day off with the holiday name (VN-2)', () => {
    const why = vn.dayOffReason('2026-09-02');
    expect(why).toEqual({ kind: 'holiday', name: 'Quốc khánh', country: 'VN' });
    expect(describeDayOff('2026-09-02', why!)).toContain('Quốc khánh');
    expect(vn.dayOffReason('2026-03-07')).toEqual({ kind: 'weekly', weekday: 6 });
    expect(vn.dayOffReason('2026-03-06')).toBeUndefined();
  });

  it('takes explicit holiday dates and custom working weeks', () => {
    const shop = makeCalendar({ timeZone: 'Europe/Sofia', mode: 'business', workingDays: [1, 2, 3, 4, 5, 6], holidays: { dates: ['2026-08-14'] } });
    expect(shop.isDayOff('2026-03-07')).toBe(false); // Saturday is worked
    expect(shop.isDayOff('2026-03-08')).toBe(true);
    expect(shop.isDayOff('2026-08-14')).toBe(true);
    expect(shop.dayOffReason('2026-08-14')).toEqual({ kind: 'explicit' });
    expect(shop.isDayOff('2026-03-03')).toBe(false); // no country: national holidays are not implied
  });

  it('applies regional holidays (Epiphany in Bavaria, not in all of Germany)', () => {
    const by = makeCalendar({ timeZone: 'Europe/Berlin', mode: 'business', holidays: { country: 'DE', region: 'BY' } });
    const de = makeCalendar({ timeZone: 'Europe/Berlin', mode: 'business', holidays: { country: 'DE' } });
    expect(by.isDayOff('2026-01-06')).toBe(true);
    expect(de.isDayOff('2026-01-06')).toBe(false);
  });

  it('caches holiday lookups per country, region and year', () => {
    const first = publicHolidays('BG', undefined, 2031);
    expect(publicHolidays('BG', undefined, 2031)).toBe(first);
    expect(bg.holidaysOf(2026).get('2026-12-25')).toBe('Коледа');
  });

  it('rejects an impossible date', () => {
    expect(issuesOf(() => vn.isDayOff('2026-02-30'))[0].path).toBe('date');
  });
});

describe('working days', () => {
  it.each([
    ['Friday 15:00 + 2 working days is Tuesday 15:00, skipping the weekend (SC-4)', bg, '2026-03-06T15:00:00+02:00', 2, '2026-03-10T15:00:00+02:00'],
    ['Monday + 2 working days skips the 3 March holiday (SC-4)', bg, '2026-03-02T11:00:00+02:00', 2, '2026-03-05T11:00:00+02:00'],
    ['Thursday before Easter + 1 working day skips Good Friday to Easter Monday (SC-4)', bg, '2026-04-09T12:00:00+03:00', 1, '2026-04-14T12:00:00+03:00'],
    ['from a Saturday, counting starts Monday 00:00: + 2 ends with Tuesday (SC-4)', bg, '2026-03-07T10:00:00+02:00', 2, '2026-03-11T00:00:00+02:00'],
    ['from a Saturday, + 0 is the start of Monday (SC-4)', bg, '2026-03-07T10:00:00+02:00', 0, '2026-03-09T00:00:00+02:00'],
    ['from a working day, + 0 is the start itself (SC-4)', bg, '2026-03-06T15:00:00+02:00', 0, '2026-03-06T15:00:00+02:00'],
    ['keeps the wall-clock time across the spring DST change in Sofia (SC-4)', bg, '2026-03-27T10:00:00+02:00', 1, '2026-03-30T10:00:00+03:00'],
    ['on a 24/7 calendar working days are calendar days (ITM-2)', always, '2026-03-06T15:00:00-05:00', 2, '2026-03-08T15:00:00-04:00'],
    ['Friday 20:00 UTC is Saturday 03:00 in Vietnam, a day off: + 1 ends with Monday (VN-2)', vn, '2026-03-06T20:00:00Z', 1, '2026-03-10T00:00:00+07:00'],
  ])('%s', (_name, cal, start, n, due) => {
    expect(iso(cal.addWorkingDays(at(start), n))).toBe(due);
  });

  it('finds the next working day after a long holiday (VN-2, Tết)', () => {
    expect(vn.nextWorkingDay('2026-02-13')).toBe('2026-02-23');
  });

  it('rejects a negative or fractional count', () => {
    expect(() => bg.addWorkingDays(at('2026-03-06T15:00:00+02:00'), -1)).toThrow(PolicyInputError);
    expect(() => bg.addWorkingDays(at('2026-03-06T15:00:00+02:00'), 1.5)).toThrow(PolicyInputError);
  });
});

describe('calendar spec validation', () => {
  it.each<[string, CalendarSpec, string, RegExp]>([
    ['an unknown time zone', { timeZone: 'Mars/Olympus', mode: 'business' }, 'calendar.timeZone', /IANA time zone/],
    ['an unknown mode', { timeZone: 'UTC', mode: 'weekdays' as 'business' }, 'calendar.mode', /"business" or "24\/7"/],
    ['a weekday out of range', { timeZone: 'UTC', mode: 'business', workingDays: [1, 8] }, 'calendar.workingDays[1]', /ISO weekday/],
    ['no working days at all', { timeZone: 'UTC', mode: 'business', workingDays: [] }, 'calendar.workingDays', /at least one working day/],
    ['an unknown country', { timeZone: 'UTC', mode: 'business', holidays: { country: 'XX' } }, 'calendar.holidays.country', /not a country code/],
    ['an unknown region', { timeZone: 'UTC', mode: 'business', holidays: { country: 'DE', region: 'ZZ' } }, 'calendar.holidays.region', /not a region of DE/],
    ['an impossible holiday date', { timeZone: 'UTC', mode: 'business', holidays: { dates: ['2026-02-30'] } }, 'calendar.holidays.dates[0]', /not a calendar date/],
  ])('refuses %s, naming the field', (_name, spec, path, message) => {
    const issues = issuesOf(() => makeCalendar(spec));
    expect(issues[0].path).toBe(path);
    expect(issues[0].message).toMatch(message);
  });

  it('lists every problem at once', () => {
    const issues = issuesOf(() => makeCalendar({ timeZone: 'Nowhere', mode: 'business', holidays: { country: 'XX', dates: ['2026-13-01'] } }));
    expect(issues.map((i) => i.path)).toEqual(['calendar.timeZone', 'calendar.holidays.country', 'calendar.holidays.dates[0]']);
  });
});
