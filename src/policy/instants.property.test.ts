// parseInstant reads a stored moment (Date#toISOString's form) without luxon's ISO parser (issue 10:
// it was the costliest step of planning an intake's clocks); it must answer exactly as luxon does,
// and refuse what luxon refuses, for any instant and for dates that do not exist.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { parseInstant } from './clocks.ts';

const MIN = Date.UTC(1900, 0, 1);
const MAX = Date.UTC(2100, 0, 1);
const luxon = (s: string) => DateTime.fromISO(s, { setZone: true });

describe('parseInstant', () => {
  test('the same instant, zone and printed form as luxon for any UTC moment in 1900..2100, with or without milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN, max: MAX }), fc.boolean(), (ms, withMs) => {
        const s = withMs ? new Date(ms).toISOString() : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
        const ours = parseInstant(s, 'moment');
        const theirs = luxon(s);
        expect(ours.toMillis()).toBe(theirs.toMillis());
        expect(ours.zoneName).toBe(theirs.zoneName);
        expect(ours.toISO()).toBe(theirs.toISO());
      }),
      { numRuns: 3000 },
    );
  });

  test.each(['2026-02-30T10:00:00Z', '2026-02-29T10:00:00.000Z', '2026-13-01T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-01T10:60:00Z', '2026-01-01T10:00:60Z'])(
    'refuses %s, a moment that does not exist, naming the field',
    (s) => {
      expect(() => parseInstant(s, 'moment')).toThrow(/moment|not a real date/);
      expect(luxon(s).isValid).toBe(false);
    },
  );

  test('offsets other than Z are luxon’s, as before', () => {
    const s = '2026-03-06T15:00:00+07:00';
    expect(parseInstant(s, 'start').toISO()).toBe(luxon(s).toISO());
    expect(parseInstant(s, 'start').zoneName).toBe('UTC+7');
  });
});
