// The day-cached zone answers exactly as luxon's IANA zone: the same offset and the same printed
// offset for any instant, DST changes and odd zones included (issue 10: zone arithmetic computed
// once per calendar day rather than per call).
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, test } from 'vitest';
import { DayCachedZone, zoneOf } from './zone.ts';

const ZONES = ['Europe/Sofia', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'Asia/Ho_Chi_Minh', 'Asia/Singapore', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Apia', 'America/Santiago'];
const MIN = Date.UTC(1900, 0, 1);
const MAX = Date.UTC(2100, 0, 1);

describe('DayCachedZone', () => {
  test('the same offset and printed offsets as luxon for any instant in 1900..2100', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: MIN, max: MAX }), (name, ts) => {
        const ours = zoneOf(name);
        const theirs = IANAZone.create(name);
        expect(ours.offset(ts)).toBe(theirs.offset(ts));
        for (const f of ['short', 'narrow', 'techie'] as const) expect(ours.formatOffset(ts, f)).toBe(theirs.formatOffset(ts, f));
      }),
      { numRuns: 3000 },
    );
  });

  test('to the millisecond around the EU spring and autumn changes (Sofia, 2028)', () => {
    const z = zoneOf('Europe/Sofia');
    const spring = Date.UTC(2028, 2, 26, 1, 0, 0); // 03:00 EET → 04:00 EEST
    expect([z.offset(spring - 1), z.offset(spring)]).toEqual([120, 180]);
    const autumn = Date.UTC(2028, 9, 29, 1, 0, 0); // 04:00 EEST → 03:00 EET
    expect([z.offset(autumn - 1), z.offset(autumn)]).toEqual([180, 120]);
  });

  test('DateTimes in the cached zone print and compute as in the named zone', () => {
    for (const name of ZONES) {
      const a = DateTime.fromISO('2028-03-25T12:00:00Z').setZone(zoneOf(name)).plus({ days: 1 });
      const b = DateTime.fromISO('2028-03-25T12:00:00Z').setZone(name).plus({ days: 1 });
      expect(a.toISO()).toBe(b.toISO());
      expect(a.toMillis()).toBe(b.toMillis());
      expect(a.zoneName).toBe(name);
    }
    expect(zoneOf('Europe/Sofia')).toBeInstanceOf(DayCachedZone);
    expect(zoneOf('Nowhere/City').isValid).toBe(false);
  });
});
