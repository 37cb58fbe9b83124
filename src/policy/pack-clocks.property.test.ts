// The local day of an instant, read without luxon for the app's own instants, agrees with luxon's
// reading for every instant and zone (including the days a zone changes its offset). A clock
// evaluated without its reasons has the same times and status as with them, and so do its times as
// numbers (packClockTimes, what the intake writes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getShippedPack, SHIPPED_PACKS } from './pack.ts';
import { evaluatePackClock, localDayOf, luxonDayOf, packClockTimes, versionAt } from './pack-clocks.ts';
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

describe('a clock evaluated without its reasons', () => {
  it('has the same due, at-risk and escalation times, status, paused and remaining time, for every clock of every shipped pack', () => {
    const clocks = SHIPPED_PACKS.flatMap((id) => {
      const pack = getShippedPack(id);
      return versionAt(pack, '2026-06-01T00:00:00Z').raw.clocks.map((c) => ({ pack, id: c.id }));
    });
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.constantFrom(...clocks),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }),
        fc.integer({ min: 0, max: 40 * day }),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 10 * day }), fc.option(fc.integer({ min: 0, max: 10 * day })))),
        fc.option(fc.integer({ min: 0, max: 30 * day })),
        (c, start, after, pause, stop) => {
          const iso = (ms: number) => new Date(ms).toISOString();
          const pauses = pause ? [{ from: iso(start + pause[0]), ...(pause[1] !== null ? { to: iso(start + pause[0] + pause[1]) } : {}) }] : [];
          const input = { start: iso(start), pauses, ...(stop !== null ? { stoppedAt: iso(start + stop) } : {}) };
          const full = evaluatePackClock(c.pack, c.id, input, iso(start + after));
          expect(evaluatePackClock(c.pack, c.id, input, iso(start + after), { reasons: false })).toEqual({ ...full, reasons: [] });
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe("a clock's times as numbers", () => {
  it('are the instants evaluatePackClock writes, with its status, kind and version, for every clock of every shipped pack', () => {
    const clocks = SHIPPED_PACKS.flatMap((id) => {
      const pack = getShippedPack(id);
      return versionAt(pack, '2026-06-01T00:00:00Z').raw.clocks.map((c) => ({ pack, id: c.id, kind: c.kind }));
    });
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.constantFrom(...clocks),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }),
        fc.integer({ min: 0, max: 40 * day }),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 10 * day }), fc.option(fc.integer({ min: 0, max: 10 * day })))),
        fc.option(fc.integer({ min: 0, max: 30 * day })),
        (c, start, after, pause, stop) => {
          const iso = (ms: number) => new Date(ms).toISOString();
          const pauses = pause ? [{ from: iso(start + pause[0]), ...(pause[1] !== null ? { to: iso(start + pause[0] + pause[1]) } : {}) }] : [];
          const input = { start: iso(start), pauses, ...(stop !== null ? { stoppedAt: iso(start + stop) } : {}) };
          const s = evaluatePackClock(c.pack, c.id, input, iso(start + after));
          expect(packClockTimes(c.pack, c.id, input, iso(start + after))).toEqual({
            status: s.status,
            startMs: Date.parse(s.start),
            dueMs: Date.parse(s.due),
            atRiskMs: Date.parse(s.atRiskFrom),
            ...(s.escalationAt !== undefined ? { escalationMs: Date.parse(s.escalationAt) } : {}),
            kind: c.kind,
            policyVersion: s.policyVersion,
          });
        },
      ),
      { numRuns: 1500 },
    );
  });
});
