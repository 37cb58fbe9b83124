// The local day of an instant, read without luxon for the app's own instants, agrees with luxon's
// reading for every instant and zone (including the days a zone changes its offset).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDayOf, luxonDayOf } from './pack-clocks.ts';
import { zoneOf } from './zone.ts';

const ZONES = ['Europe/Sofia', 'Asia/Ho_Chi_Minh', 'Europe/London', 'America/New_York', 'Pacific/Chatham', 'Australia/Lord_Howe', 'UTC'];

describe('the local day of an instant', () => {
  it("agrees with luxon's reading for instants written by toISOString, in every zone", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2199, 11, 31) }), fc.constantFrom(...ZONES), (ms, name) => {
        const z = zoneOf(name);
        const s = new Date(ms).toISOString();
        expect(localDayOf(s, z)).toBe(luxonDayOf(s, z));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with luxon for written offsets, missing seconds and impossible dates', () => {
    const z = zoneOf('Europe/Sofia');
    for (const s of ['2026-03-29T00:59:59+00:00', '2026-03-29T01:00+02:00', '2026-10-25T00:30:00.5Z', '2026-02-30T10:00:00Z', '2026-13-01T10:00:00Z', '2026-02-28T24:00:00Z', 'not a date', '2026-03-02', '2026-03-02T09:00:00'])
      expect(localDayOf(s, z), s).toBe(luxonDayOf(s, z));
  });
});
