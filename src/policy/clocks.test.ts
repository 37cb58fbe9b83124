import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeCalendar, type Calendar } from './calendar.ts';
import { evaluateClock, parseDuration, type ClockInput, type ClockRule, type ClockState } from './clocks.ts';
import { PolicyInputError } from './errors.ts';

// The businesses' calendars (zones chosen for the tests where a seed names none).
const vn = makeCalendar({ timeZone: 'Asia/Ho_Chi_Minh', mode: 'business', workingDays: [1, 2, 3, 4, 5], holidays: { country: 'VN' } });
const sofia = makeCalendar({ timeZone: 'Europe/Sofia', mode: 'business', holidays: { country: 'BG' } });
const its = makeCalendar({ timeZone: 'America/New_York', mode: 'business', holidays: { country: 'US' } });
const itm = makeCalendar({ timeZone: 'America/New_York', mode: '24/7' }); // ITM-2

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const R = {
  its8: { id: 'first-response', rule: 'ITS-8', duration: '24 hours' },
  vn2: { id: 'first-response', rule: 'VN-2', duration: '24 hours', offDayDuration: '48 hours' },
  vn6: { id: 'first-response', rule: 'VN-6', duration: '24 hours', offDayDuration: '48 hours' },
  itm2: { id: 'first-response', rule: 'ITM-2', duration: '24 hours', offDayDuration: '48 hours' },
  sc4: { id: 'diagnosis', rule: 'SC-4', duration: '2 working days' },
  itema20: { id: 'min-job', rule: 'ITEMA-20', kind: 'earliest', duration: '48 hours' },
  itema2: { id: 'max-repair', rule: 'ITEMA-2', duration: '30 days' },
  sc6: { id: 'decision-window', rule: 'SC-6', duration: '6 months' },
  sc11: { id: 'disposal', rule: 'SC-11', duration: '6 months' },
  itema24: { id: 'disposal', rule: 'ITEMA-24', duration: '30 days' },
  itm12: { id: 'rma-return', rule: 'ITM-12', duration: '10 days', escalation: { after: '20 days', rule: 'ITM-12', code: 'unit-charged' } },
  itema12: { id: 'courier-objection', rule: 'ITEMA-12', duration: '1 day' },
} satisfies Record<string, ClockRule>;

interface Row {
  name: string;
  cal: Calendar;
  input: ClockInput;
  moment: string;
  due: string;
  status: ClockState['status'];
  code?: string;
  escalationAt?: string;
}

const rows: Row[] = [
  {
    name: 'gives 24 calendar hours for the first response, weekend or not (ITS-8)',
    cal: its, input: { rule: R.its8, start: '2026-03-06T16:00:00-05:00' }, moment: '2026-03-07T09:00:00-05:00',
    due: '2026-03-07T16:00:00-05:00', status: 'running', code: 'duration',
  },
  {
    name: 'gives 48 h when the 24 h deadline falls on a day off (VN-2)',
    cal: vn, input: { rule: R.vn2, start: '2026-03-06T15:00:00+07:00' }, moment: '2026-03-07T09:00:00+07:00',
    due: '2026-03-08T15:00:00+07:00', status: 'running', code: 'due-on-day-off',
  },
  {
    name: 'gives 48 h to a report received on a weekly day off (VN-2)',
    cal: vn, input: { rule: R.vn2, start: '2026-03-07T10:00:00+07:00' }, moment: '2026-03-07T10:00:00+07:00',
    due: '2026-03-09T10:00:00+07:00', status: 'running', code: 'started-on-day-off',
  },
  {
    name: 'gives 48 h to a report received on a Vietnamese public holiday, 2 September (VN-2)',
    cal: vn, input: { rule: R.vn2, start: '2026-09-02T10:00:00+07:00' }, moment: '2026-09-03T10:00:00+07:00',
    due: '2026-09-04T10:00:00+07:00', status: 'running', code: 'started-on-day-off',
  },
  {
    name: 'gives 48 h when the 24 h deadline falls on a public holiday (VN-2)',
    cal: vn, input: { rule: R.vn2, start: '2026-09-01T10:00:00+07:00' }, moment: '2026-09-02T23:00:00+07:00',
    due: '2026-09-03T10:00:00+07:00', status: 'at-risk', code: 'due-on-day-off',
  },
  {
    name: 'gives 24 h to a Tuesday report (VN-2)',
    cal: vn, input: { rule: R.vn2, start: '2026-03-10T10:00:00+07:00' }, moment: '2026-03-11T10:00:01+07:00',
    due: '2026-03-11T10:00:00+07:00', status: 'breached', code: 'breached',
  },
  {
    name: 'reads a UTC report in the business zone: Friday 20:00 UTC is a Saturday report in Vietnam (VN-2)',
    cal: vn, input: { rule: R.vn2, start: '2026-03-06T20:00:00Z' }, moment: '2026-03-07T04:00:00+07:00',
    due: '2026-03-09T03:00:00+07:00', status: 'running', code: 'started-on-day-off',
  },
  {
    name: 'gives a maintenance incident 48 h over the days off on a Friday afternoon (VN-6)',
    cal: vn, input: { rule: R.vn6, start: '2026-03-06T16:30:00+07:00' }, moment: '2026-03-06T17:00:00+07:00',
    due: '2026-03-08T16:30:00+07:00', status: 'running', code: 'due-on-day-off',
  },
  {
    name: 'gives a maintenance incident reported during Tết 48 h (VN-6)',
    cal: vn, input: { rule: R.vn6, start: '2026-02-19T09:00:00+07:00' }, moment: '2026-02-19T09:00:00+07:00',
    due: '2026-02-21T09:00:00+07:00', status: 'running', code: 'started-on-day-off',
  },
  {
    name: 'gives 24 h on a Saturday because a 24/7 calendar has no days off (ITM-2)',
    cal: itm, input: { rule: R.itm2, start: '2026-03-07T10:00:00-05:00' }, moment: '2026-03-07T11:00:00-05:00',
    due: '2026-03-08T11:00:00-04:00', status: 'running', code: 'no-days-off',
  },
  {
    name: 'gives diagnosis 2 working days, skipping the weekend (SC-4)',
    cal: sofia, input: { rule: R.sc4, start: '2026-03-06T15:00:00+02:00' }, moment: '2026-03-09T12:00:00+02:00',
    due: '2026-03-10T15:00:00+02:00', status: 'running', code: 'days-off-skipped',
  },
  {
    name: 'gives diagnosis 2 working days, skipping a public holiday (SC-4)',
    cal: sofia, input: { rule: R.sc4, start: '2026-03-02T11:00:00+02:00' }, moment: '2026-03-05T11:00:00+02:00',
    due: '2026-03-05T11:00:00+02:00', status: 'at-risk', code: 'days-off-skipped',
  },
  {
    name: 'counts diagnosis from Monday 00:00 when the device arrives on a Saturday (SC-4)',
    cal: sofia, input: { rule: R.sc4, start: '2026-03-07T10:00:00+02:00', stoppedAt: '2026-03-10T17:00:00+02:00' }, moment: '2026-03-12T10:00:00+02:00',
    due: '2026-03-11T00:00:00+02:00', status: 'met', code: 'counting-from-next-working-day',
  },
  {
    name: 'says a job finished within 48 h is too early (ITEMA-20)',
    cal: sofia, input: { rule: R.itema20, start: '2026-03-02T09:00:00+02:00', stoppedAt: '2026-03-03T17:00:00+02:00' }, moment: '2026-03-05T09:00:00+02:00',
    due: '2026-03-04T09:00:00+02:00', status: 'too-early', code: 'too-early',
  },
  {
    name: 'keeps a job open until its 48 h minimum has passed (ITEMA-20)',
    cal: sofia, input: { rule: R.itema20, start: '2026-03-02T09:00:00+02:00' }, moment: '2026-03-03T09:00:00+02:00',
    due: '2026-03-04T09:00:00+02:00', status: 'open', code: 'not-before',
  },
  {
    name: 'accepts a job finished exactly 48 h after it started (ITEMA-20)',
    cal: sofia, input: { rule: R.itema20, start: '2026-03-02T09:00:00+02:00', stoppedAt: '2026-03-04T09:00:00+02:00' }, moment: '2026-03-05T09:00:00+02:00',
    due: '2026-03-04T09:00:00+02:00', status: 'met', code: 'not-before',
  },
  {
    name: 'gives a warranty repair 30 calendar days, same wall-clock time across DST (ITEMA-2)',
    cal: sofia, input: { rule: R.itema2, start: '2026-03-16T09:00:00+02:00' }, moment: '2026-04-16T09:00:00+03:00',
    due: '2026-04-15T09:00:00+03:00', status: 'breached', code: 'dst-calendar',
  },
  {
    name: 'ends the 6-month decision window on the last day of a shorter month (SC-6)',
    cal: sofia, input: { rule: R.sc6, start: '2026-08-31T12:00:00+03:00', stoppedAt: '2027-01-15T10:00:00+02:00' }, moment: '2027-03-01T00:00:00+02:00',
    due: '2027-02-28T12:00:00+02:00', status: 'met', code: 'duration',
  },
  {
    name: 'disposes of uncollected equipment 6 months after the ready notice (SC-11)',
    cal: sofia, input: { rule: R.sc11, start: '2026-04-15T10:00:00+03:00' }, moment: '2026-10-15T10:00:01+03:00',
    due: '2026-10-15T10:00:00+03:00', status: 'breached', code: 'breached',
  },
  {
    name: 'ends liability for an uncollected device after 30 days (ITEMA-24)',
    cal: sofia, input: { rule: R.itema24, start: '2026-12-10T10:00:00+02:00' }, moment: '2026-12-30T10:00:00+02:00',
    due: '2027-01-09T10:00:00+02:00', status: 'running', code: 'duration',
  },
  {
    name: 'is breached 11 days after RMA authorization but not yet escalated (ITM-12)',
    cal: itm, input: { rule: R.itm12, start: '2026-03-02T09:00:00-05:00' }, moment: '2026-03-13T09:00:00-04:00',
    due: '2026-03-12T09:00:00-04:00', status: 'breached', code: 'breached', escalationAt: '2026-03-22T09:00:00-04:00',
  },
  {
    name: 'is not escalated exactly 20 days after RMA authorization (ITM-12)',
    cal: itm, input: { rule: R.itm12, start: '2026-03-02T09:00:00-05:00' }, moment: '2026-03-22T09:00:00-04:00',
    due: '2026-03-12T09:00:00-04:00', status: 'breached', code: 'breached', escalationAt: '2026-03-22T09:00:00-04:00',
  },
  {
    name: 'escalates an RMA return later than 20 days: the unit is charged (ITM-12)',
    cal: itm, input: { rule: R.itm12, start: '2026-03-02T09:00:00-05:00' }, moment: '2026-03-22T09:00:01-04:00',
    due: '2026-03-12T09:00:00-04:00', status: 'escalated', code: 'unit-charged', escalationAt: '2026-03-22T09:00:00-04:00',
  },
  {
    name: 'a faulty unit returned on day 15 is late but not charged (ITM-12)',
    cal: itm, input: { rule: R.itm12, start: '2026-03-02T09:00:00-05:00', stoppedAt: '2026-03-17T09:00:00-04:00' }, moment: '2026-03-30T09:00:00-04:00',
    due: '2026-03-12T09:00:00-04:00', status: 'met-late', code: 'met-late', escalationAt: '2026-03-22T09:00:00-04:00',
  },
  {
    name: 'a faulty unit returned after 20 days is late and the unit is charged (ITM-12)',
    cal: itm, input: { rule: R.itm12, start: '2026-03-02T09:00:00-05:00', stoppedAt: '2026-03-27T09:00:00-04:00' }, moment: '2026-03-30T09:00:00-04:00',
    due: '2026-03-12T09:00:00-04:00', status: 'met-late', code: 'unit-charged', escalationAt: '2026-03-22T09:00:00-04:00',
  },
  {
    name: 'closes the courier objection window 1 day after delivery (ITEMA-12)',
    cal: sofia, input: { rule: R.itema12, start: '2026-03-04T15:00:00+02:00', stoppedAt: '2026-03-05T15:00:00+02:00' }, moment: '2026-03-06T10:00:00+02:00',
    due: '2026-03-05T15:00:00+02:00', status: 'met', code: 'duration',
  },
  {
    name: 'marks a courier objection after 1 day as late (ITEMA-12)',
    cal: sofia, input: { rule: R.itema12, start: '2026-03-04T15:00:00+02:00', stoppedAt: '2026-03-05T15:00:01+02:00' }, moment: '2026-03-06T10:00:00+02:00',
    due: '2026-03-05T15:00:00+02:00', status: 'met-late', code: 'met-late',
  },
];

describe('clocks, one row per rule', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const state = evaluateClock(row.input, row.cal, row.moment);
    expect(state.due).toBe(row.due);
    expect(state.status).toBe(row.status);
    expect(state.rule).toBe(row.input.rule.rule);
    if (row.code) expect(state.reasons.map((r) => r.code)).toContain(row.code);
    if (row.escalationAt) expect(state.escalationAt).toBe(row.escalationAt);
    for (const r of state.reasons) expect(r.rule).toMatch(/^[A-Z]+-\d+$/);
  });

  it('names the holiday in the reason for 48 h (VN-2)', () => {
    const s = evaluateClock({ rule: R.vn2, start: '2026-09-02T10:00:00+07:00' }, vn, '2026-09-02T10:00:00+07:00');
    const why = s.reasons.find((r) => r.code === 'started-on-day-off')!;
    expect(why).toMatchObject({ rule: 'VN-2' });
    expect(why.text).toContain('Quốc khánh');
    expect(why.text).toContain('48 hours instead of 24 hours');
  });

  it('does not charge the unit when it came back within 20 days (ITM-12)', () => {
    const s = evaluateClock({ rule: R.itm12, start: '2026-03-02T09:00:00-05:00', stoppedAt: '2026-03-22T09:00:00-04:00' }, itm, '2026-03-30T09:00:00-04:00');
    expect(s.status).toBe('met-late');
    expect(s.reasons.map((r) => r.code)).not.toContain('unit-charged');
  });

  it('reports the escalation with its own rule and code (ITM-12)', () => {
    const s = evaluateClock({ rule: R.itm12, start: '2026-03-02T09:00:00-05:00' }, itm, '2026-03-25T09:00:00-04:00');
    expect(s.reasons.at(-1)).toMatchObject({ rule: 'ITM-12', code: 'unit-charged' });
  });
});

describe('daylight-saving changes in Europe/Sofia', () => {
  it.each([
    ['ends 24 hours at 11:00 after the spring change: hours are elapsed time (ITS-8)', '24 hours', '2026-03-28T10:00:00+02:00', '2026-03-29T11:00:00+03:00', 24],
    ['ends 1 day at the same 10:00 after the spring change: 23 hours elapse (ITEMA-12)', '1 day', '2026-03-28T10:00:00+02:00', '2026-03-29T10:00:00+03:00', 23],
    ['ends 24 hours at 09:00 after the autumn change (ITS-8)', '24 hours', '2026-10-24T10:00:00+03:00', '2026-10-25T09:00:00+02:00', 24],
    ['ends 1 day at the same 10:00 after the autumn change: 25 hours elapse (ITEMA-12)', '1 day', '2026-10-24T10:00:00+03:00', '2026-10-25T10:00:00+02:00', 25],
    ['moves a wall-clock time that does not exist on the target day forward by the gap (ITEMA-12)', '1 day', '2026-03-28T03:30:00+02:00', '2026-03-29T04:30:00+03:00', 24],
  ])('%s', (_name, duration, start, due, hours) => {
    const s = evaluateClock({ rule: { id: 'c', rule: duration.includes('hour') ? 'ITS-8' : 'ITEMA-12', duration }, start }, sofia, start);
    expect(s.due).toBe(due);
    expect(s.remainingMs).toBe(hours * HOUR);
    expect(s.reasons.map((r) => r.code)).toContain(duration.includes('hour') ? 'dst-elapsed' : 'dst-calendar');
  });
});

describe('pause and resume (waiting for the client)', () => {
  const start = '2026-03-02T09:00:00+02:00'; // Monday
  const rule = R.itema2; // due 2026-04-01T09:00:00+03:00

  it('moves the due time by a closed pause (ITEMA-2)', () => {
    const s = evaluateClock({ rule, start, pauses: [{ from: '2026-03-05T09:00:00+02:00', to: '2026-03-07T09:00:00+02:00' }] }, sofia, '2026-03-10T09:00:00+02:00');
    expect(s.due).toBe('2026-04-03T09:00:00+03:00');
    expect(s.pausedMs).toBe(2 * DAY);
    expect(s.status).toBe('running');
    expect(s.reasons.map((r) => r.code)).toContain('paused');
  });

  it('is paused during an open pause, moving the due time by the time paused so far (ITEMA-2)', () => {
    const s = evaluateClock({ rule, start, pauses: [{ from: '2026-03-05T09:00:00+02:00' }] }, sofia, '2026-03-06T09:00:00+02:00');
    expect(s.status).toBe('paused');
    expect(s.pausedMs).toBe(DAY);
    expect(s.due).toBe('2026-04-02T09:00:00+03:00');
    // The remaining time is frozen while paused.
    const later = evaluateClock({ rule, start, pauses: [{ from: '2026-03-05T09:00:00+02:00' }] }, sofia, '2026-03-09T09:00:00+02:00');
    expect(later.remainingMs).toBe(s.remainingMs);
  });

  it('is not at risk while paused: the ball is in the client’s court (ITS-8)', () => {
    const s = evaluateClock({ rule: R.its8, start: '2026-03-02T09:00:00-05:00', pauses: [{ from: '2026-03-03T07:00:00-05:00' }] }, its, '2026-03-03T08:00:00-05:00');
    expect(s.status).toBe('paused');
  });

  it('does not move the due time for a pause that starts after it (ITS-8)', () => {
    const s = evaluateClock({ rule: R.its8, start: '2026-03-02T09:00:00-05:00', pauses: [{ from: '2026-03-03T10:00:00-05:00' }] }, its, '2026-03-03T12:00:00-05:00');
    expect(s.due).toBe('2026-03-03T09:00:00-05:00');
    expect(s.status).toBe('breached');
    expect(s.pausedMs).toBe(0);
    expect(s.reasons.map((r) => r.code)).toContain('pause-after-due');
  });

  it('counts a second pause that starts before the already moved due time (ITS-8)', () => {
    const s = evaluateClock(
      {
        rule: R.its8,
        start: '2026-03-02T09:00:00-05:00',
        pauses: [
          { from: '2026-03-02T10:00:00-05:00', to: '2026-03-02T14:00:00-05:00' }, // due → 03-03 13:00
          { from: '2026-03-03T11:00:00-05:00', to: '2026-03-03T12:00:00-05:00' }, // after 09:00, before 13:00
        ],
      },
      its,
      '2026-03-04T00:00:00-05:00',
    );
    expect(s.due).toBe('2026-03-03T14:00:00-05:00');
    expect(s.pausedMs).toBe(5 * HOUR);
  });

  it('merges overlapping pauses instead of counting them twice (ITS-8)', () => {
    const s = evaluateClock(
      {
        rule: R.its8,
        start: '2026-03-02T09:00:00-05:00',
        pauses: [
          { from: '2026-03-02T12:00:00-05:00', to: '2026-03-02T14:00:00-05:00' },
          { from: '2026-03-02T10:00:00-05:00', to: '2026-03-02T13:00:00-05:00' },
        ],
      },
      its,
      '2026-03-02T15:00:00-05:00',
    );
    expect(s.pausedMs).toBe(4 * HOUR);
    expect(s.due).toBe('2026-03-03T13:00:00-05:00');
  });

  it('treats a pause that ends after the moment as still open (ITS-8)', () => {
    const s = evaluateClock(
      { rule: R.its8, start: '2026-03-02T09:00:00-05:00', pauses: [{ from: '2026-03-02T10:00:00-05:00', to: '2026-03-02T20:00:00-05:00' }] },
      its,
      '2026-03-02T12:00:00-05:00',
    );
    expect(s.status).toBe('paused');
    expect(s.pausedMs).toBe(2 * HOUR);
  });

  it('ignores a stop that lies after the moment (ITS-8)', () => {
    const s = evaluateClock({ rule: R.its8, start: '2026-03-02T09:00:00-05:00', stoppedAt: '2026-03-02T15:00:00-05:00' }, its, '2026-03-02T12:00:00-05:00');
    expect(s.status).toBe('running');
  });
});

describe('at risk', () => {
  it('warns from 25 % of the span before due by default (ITS-8)', () => {
    const s = evaluateClock({ rule: R.its8, start: '2026-03-02T09:00:00-05:00' }, its, '2026-03-03T03:00:00-05:00');
    expect(s.atRiskFrom).toBe('2026-03-03T03:00:00-05:00');
    expect(s.status).toBe('at-risk');
    expect(evaluateClock({ rule: R.its8, start: '2026-03-02T09:00:00-05:00' }, its, '2026-03-03T02:59:59-05:00').status).toBe('running');
  });

  it('warns from an explicit atRisk before due (VN-2)', () => {
    const s = evaluateClock({ rule: { ...R.vn2, atRisk: '4 hours' }, start: '2026-03-10T10:00:00+07:00' }, vn, '2026-03-11T06:00:00+07:00');
    expect(s.atRiskFrom).toBe('2026-03-11T06:00:00+07:00');
    expect(s.status).toBe('at-risk');
  });

  it('is still on time at the due instant itself and met when stopped there (VN-2)', () => {
    const input = { rule: R.vn2, start: '2026-03-10T10:00:00+07:00' };
    expect(evaluateClock(input, vn, '2026-03-11T10:00:00+07:00').status).toBe('at-risk');
    expect(evaluateClock({ ...input, stoppedAt: '2026-03-11T10:00:00+07:00' }, vn, '2026-03-12T10:00:00+07:00')).toMatchObject({ status: 'met', remainingMs: 0 });
  });
});

describe('parseDuration', () => {
  it.each([
    ['24 hours', 24, 'hours'],
    ['1 day', 1, 'days'],
    ['2 working days', 2, 'working days'],
    ['2  Working Days', 2, 'working days'],
    ['48hours', 48, 'hours'],
    ['6 months', 6, 'months'],
    ['1 year', 1, 'years'],
    ['0 days', 0, 'days'],
  ])('reads "%s"', (text, amount, unit) => {
    expect(parseDuration(text)).toMatchObject({ amount, unit });
  });

  it.each([
    ['3 mnths', /unknown unit "mnths"/],
    ['-2 days', /negative/],
    ['1.5 days', /whole number/],
    ['24h', /unknown unit "h"/],
    ['2', /needs a number and a unit/],
    ['days', /needs a number and a unit/],
    ['', /required/],
    ['two days', /not a whole number/],
    ['99999999 years', /too long/],
  ])('refuses "%s" with a clear message', (text, message) => {
    try {
      parseDuration(text, 'terms[2].duration');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyInputError);
      const issue = (e as PolicyInputError).issues[0];
      expect(issue.path).toBe('terms[2].duration');
      expect(issue.message).toMatch(message);
    }
  });
});

describe('bad input names the field', () => {
  const ok: ClockInput = { rule: R.its8, start: '2026-03-02T09:00:00-05:00' };
  const moment = '2026-03-02T10:00:00-05:00';
  it.each<[string, ClockInput, string, string, RegExp]>([
    ['an impossible date', { ...ok, start: '2026-02-30T10:00:00Z' }, moment, 'start', /2026-02 has 28 days, not 30/],
    ['an instant without an offset', { ...ok, start: '2026-03-02T09:00:00' }, moment, 'start', /needs a time and an offset/],
    ['a garbled moment', ok, 'now', 'moment', /not an instant/],
    ['a garbled duration', { ...ok, rule: { ...R.its8, duration: '3 mnths' } }, moment, 'rule.duration', /unknown unit/],
    ['a negative duration', { ...ok, rule: { ...R.its8, duration: '-2 days' } }, moment, 'rule.duration', /negative/],
    ['an at-risk time in working days', { ...ok, rule: { ...R.its8, atRisk: '1 working day' } }, moment, 'rule.atRisk', /not working days/],
    ['a pause that ends before it starts', { ...ok, pauses: [{ from: '2026-03-02T12:00:00-05:00', to: '2026-03-02T11:00:00-05:00' }] }, moment, 'pauses[0].to', /ends .* before it starts/],
    ['a pause before the start', { ...ok, pauses: [{ from: '2026-03-01T12:00:00-05:00' }] }, moment, 'pauses[0].from', /before the clock's start/],
    ['a stop before the start', { ...ok, stoppedAt: '2026-03-01T12:00:00-05:00' }, moment, 'stoppedAt', /before the clock's start/],
    ['an unknown kind', { ...ok, rule: { ...R.its8, kind: 'soon' as 'deadline' } }, moment, 'rule.kind', /not a clock kind/],
    ['a missing rule id', { ...ok, rule: { ...R.its8, rule: '' } }, moment, 'rule.rule', /rule id is required/],
    ['a bad escalation', { ...ok, rule: { ...R.itm12, escalation: { after: '20 dayz', rule: 'ITM-12', code: 'unit-charged' } } }, moment, 'rule.escalation.after', /unknown unit/],
  ])('refuses %s', (_name, input, m, path, message) => {
    try {
      evaluateClock(input, its, m);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyInputError);
      const issue = (e as PolicyInputError).issues[0];
      expect(issue.path).toBe(path);
      expect(issue.message).toMatch(message);
    }
  });

  it('lists every problem at once', () => {
    try {
      evaluateClock({ rule: { id: 'x', rule: 'ITS-8', duration: '3 mnths' }, start: '2026-02-30T10:00:00Z', pauses: [{ from: 'soon' }] }, its, 'now');
      expect.unreachable();
    } catch (e) {
      expect((e as PolicyInputError).issues.map((i) => i.path)).toEqual(['rule.duration', 'start', 'moment', 'pauses[0].from']);
    }
  });
});

// ---------- laws ----------

const calendars = [vn, sofia, its, itm, makeCalendar({ timeZone: 'Asia/Dubai', mode: 'business', workingDays: [7, 1, 2, 3, 4] })];
const rules: ClockRule[] = Object.values(R).map((r) => ({ ...r }) as ClockRule);
const T0 = Date.parse('2025-01-01T00:00:00Z');
const T1 = Date.parse('2027-12-31T00:00:00Z');
const MINUTE = 60_000;

const instantArb = fc.integer({ min: T0 / MINUTE, max: T1 / MINUTE }).map((m) => new Date(m * MINUTE).toISOString());
const pauseArb = fc.record({
  offset: fc.integer({ min: 0, max: 60 * DAY / MINUTE }),
  length: fc.integer({ min: 0, max: 10 * DAY / MINUTE }),
  open: fc.boolean(),
});
const caseArb = fc.record({
  cal: fc.constantFrom(...calendars),
  rule: fc.constantFrom(...rules),
  start: instantArb,
  pauses: fc.array(pauseArb, { maxLength: 3 }),
  momentAfter: fc.integer({ min: 0, max: 400 * DAY / MINUTE }),
  stopAfter: fc.option(fc.integer({ min: 0, max: 60 * DAY / MINUTE })),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function toInput(c: Case): { input: ClockInput; moment: string } {
  const t = Date.parse(c.start);
  const at = (mins: number) => new Date(t + mins * MINUTE).toISOString();
  return {
    input: {
      rule: c.rule,
      start: c.start,
      pauses: c.pauses.map((p) => (p.open ? { from: at(p.offset) } : { from: at(p.offset), to: at(p.offset + p.length) })),
      ...(c.stopAfter === null ? {} : { stoppedAt: at(c.stopAfter) }),
    },
    moment: at(c.momentAfter),
  };
}

describe('laws (fast-check)', () => {
  it('never puts a deadline before its start, nor the warning outside [start, due]', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { input, moment } = toInput(c);
        const s = evaluateClock(input, c.cal, moment);
        const [start, due, risk] = [s.start, s.due, s.atRiskFrom].map(Date.parse);
        expect(due).toBeGreaterThanOrEqual(start);
        expect(risk).toBeGreaterThanOrEqual(start);
        expect(risk).toBeLessThanOrEqual(due);
        if (s.escalationAt) expect(Date.parse(s.escalationAt)).toBeGreaterThanOrEqual(due);
        expect(s.pausedMs).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('never makes a deadline earlier by pausing', () => {
    fc.assert(
      fc.property(caseArb, pauseArb, (c, extra) => {
        const { input, moment } = toInput(c);
        const without = evaluateClock({ ...input, pauses: [] }, c.cal, moment);
        const withPauses = evaluateClock(input, c.cal, moment);
        const more = toInput({ ...c, pauses: [...c.pauses, extra] });
        const withMore = evaluateClock(more.input, c.cal, moment);
        expect(Date.parse(withPauses.due)).toBeGreaterThanOrEqual(Date.parse(without.due));
        expect(Date.parse(withMore.due)).toBeGreaterThanOrEqual(Date.parse(withPauses.due));
        expect(Date.parse(withPauses.due) - Date.parse(without.due)).toBe(withPauses.pausedMs);
      }),
    );
  });

  it('gives the same answer for the same input', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { input, moment } = toInput(c);
        const again = structuredClone(input);
        expect(evaluateClock(again, c.cal, moment)).toEqual(evaluateClock(input, c.cal, moment));
      }),
    );
  });
});
