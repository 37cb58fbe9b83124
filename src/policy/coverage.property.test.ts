// Laws of coverage and decisions, checked with fast-check on generated histories of all five packs:
// a suspension never shortens coverage; coverage is never shorter than the base term; the same
// history (also shuffled, same-day order aside) gives the same answer; an end is never before its
// start; decide never throws on valid input and cites only rule ids its pack lists; a claim stands
// on the warranty exactly when coverage covers the device that day; itema is free of charge exactly
// while the legal guarantee runs (ITEMA-31), else transport is the client's (ITEMA-13).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeCoverage } from './coverage.ts';
import { addTerm, formatDate, parseDate, tryParseTerm } from './dates.ts';
import { decide } from './decide.ts';
import { getShippedPack, SHIPPED_PACKS } from './pack.ts';
import type { ClaimInput, CoverageReport, DeviceEvent, DeviceInput } from './types.ts';

type PackId = (typeof SHIPPED_PACKS)[number];

const SALE = parseDate('2026-01-01');
const day = (offset: number) => formatDate(SALE + offset);

/** Event tokens; 'repair' and 'dispute' open an episode and close it at their next occurrence. */
const COMMON = ['repair', 'repair', 'dispute', 'delivery', 'shipping', 'installation', 'activation', 'device-replaced', 'part-replaced', 'module-added', 'warranty-voided', 'ownership-transferred'] as const;
type Token = (typeof COMMON)[number] | 'extension-purchased';

const deviceArb = (pack: PackId): fc.Arbitrary<DeviceInput> => {
  const mfr = fc.option(fc.record({ term: fc.constantFrom('1 year', '24 months', '5 years'), provider: fc.constant('OEM') }), { nil: undefined });
  switch (pack) {
    case 'its':
      return fc.record({ category: fc.constant('pc'), kind: fc.constantFrom('device' as const, 'service' as const), parts: fc.constant([{ id: 'p1', category: 'disk' }]) });
    case 'itmall':
      return fc.record({ category: fc.constantFrom('server', 'workstation', 'accessory'), manufacturerWarranty: mfr, parts: fc.constant([{ id: 'p1', category: 'psu' }]) });
    case 'service-center':
      return fc.constant({ category: 'phone', parts: [{ id: 'p1', category: 'screen' }] });
    case 'vn':
      return fc.record({ category: fc.constant('pos-terminal'), manufacturerWarranty: mfr, parts: fc.constant([{ id: 'p1', category: 'printer-head' }]) });
    case 'itema':
      return fc.record({
        category: fc.constantFrom('laptop', 'monitor', 'keyboard'),
        condition: fc.constantFrom('new' as const, 'refurbished' as const, 'used' as const, 'discounted' as const),
        term: fc.option(fc.constantFrom('1 month', '12 months', '24 months'), { nil: undefined }),
        discountDefect: fc.constant('scratch'),
        manufacturerWarranty: mfr,
        parts: fc.constant([{ id: 'p1', category: 'battery' }, { id: 'p2', category: 'adapter' }, { id: 'p3', category: 'ssd' }]),
      });
  }
};

/** A history: the sale on day 0, then events on distinct later days; repairs and disputes as episodes. */
const eventsArb = (pack: PackId, device: DeviceInput): fc.Arbitrary<DeviceEvent[]> => {
  const tokens: Token[] = pack === 'its' ? [...COMMON, 'extension-purchased'] : [...COMMON];
  return fc
    .uniqueArray(fc.integer({ min: 1, max: 1100 }), { maxLength: 14 })
    .chain((days) => fc.tuple(fc.constant([...days].sort((a, b) => a - b)), fc.array(fc.constantFrom(...tokens), { minLength: days.length, maxLength: days.length }), fc.array(fc.boolean(), { minLength: days.length, maxLength: days.length })))
    .map(([days, toks, flags]) => {
      const events: DeviceEvent[] = [{ type: 'sale', date: day(0) }];
      let inRepair = false;
      let inDispute = false;
      days.forEach((d, i) => {
        const date = day(d);
        const t = toks[i];
        if (t === 'repair') {
          events.push({ type: inRepair ? 'repair-completed' : 'repair-accepted', date, ...(flags[i] ? {} : { underWarranty: true }) });
          inRepair = !inRepair;
        } else if (t === 'dispute') {
          events.push({ type: inDispute ? 'dispute-closed' : 'dispute-opened', date });
          inDispute = !inDispute;
        } else if (t === 'part-replaced') {
          const parts = device.parts ?? [];
          events.push({ type: t, date, partId: `n${i}`, replacesPartId: parts[i % parts.length].id, underWarranty: flags[i] });
        } else if (t === 'module-added') {
          events.push({ type: t, date, partId: `m${i}`, category: 'memory', ...(flags[i] ? { term: '12 months' } : {}) });
        } else if (t === 'extension-purchased') {
          events.push({ type: t, date, planId: flags[i] ? 'plus-6-months' : 'plus-12-months' });
        } else events.push({ type: t, date });
      });
      return events;
    });
};

const FULL_DETAILS = {
  name: 'A', address: 'B', email: 'c@d.example', phone: '1', model: 'M', serial: 'S', purchaseDate: '2026-01-01', purchasePlace: 'P', description: 'D',
};
const FULL_PROOFS = { invoice: true, receipt: true, warrantyCard: true, serviceContract: true, paymentConfirmed: true, accountRegistered: true, itemsNamed: true };

const claimArb = (claimOffset: number): fc.Arbitrary<ClaimInput> =>
  fc.record({
    date: fc.constant(day(claimOffset)),
    partId: fc.option(fc.constant('p1'), { nil: undefined }),
    defect: fc.option(fc.constant('scratch'), { nil: undefined }),
    diagnosed: fc.boolean(),
    findings: fc.subarray(['liquid-ingress', 'power-surge', 'overclocked', 'user-error', 'not-reproduced', 'self-intervention', 'third-party-intervention', 'cosmetic-defect', 'no-such-finding']),
    deadPixels: fc.option(fc.record({ brightPixels: fc.nat(4), darkPixels: fc.nat(4), defectiveSubpixels: fc.nat(8), subpixelClusters: fc.nat(3), pixelClusters5x5: fc.nat(1) }), { nil: undefined }),
    country: fc.option(fc.constantFrom('BG', 'DE'), { nil: undefined }),
    details: fc.constantFrom(FULL_DETAILS, {}, { name: 'A' }),
    proofs: fc.constantFrom(FULL_PROOFS, {}, { invoice: true }),
    servicedByBusiness: fc.option(fc.boolean(), { nil: undefined }),
    hardwareDefectConfirmed: fc.boolean(),
    fixedOn: fc.option(fc.integer({ min: 0, max: 1300 }).map(day), { nil: undefined }),
    clientRefusesPaidRepair: fc.boolean(),
  });

interface Case {
  pack: PackId;
  device: DeviceInput;
  events: DeviceEvent[];
  moment: string;
  claim: ClaimInput;
}

const caseArb = (packs: readonly PackId[] = SHIPPED_PACKS): fc.Arbitrary<Case> =>
  fc
    .constantFrom(...packs)
    .chain((pack) => deviceArb(pack).map((device) => ({ pack, device })))
    .chain(({ pack, device }) =>
      fc.record({
        pack: fc.constant(pack),
        device: fc.constant(device),
        events: eventsArb(pack, device),
        claimOffset: fc.integer({ min: 0, max: 1300 }),
        extra: fc.integer({ min: 0, max: 120 }),
      }),
    )
    .chain(({ pack, device, events, claimOffset, extra }) =>
      claimArb(claimOffset).map((claim) => ({ pack, device, events, claim, moment: day(claimOffset + extra) })),
    );

const coverageOf = (c: Case, events = c.events, at = c.moment): CoverageReport => computeCoverage(c.device, events, getShippedPack(c.pack), at);
const endDay = (s: string | undefined) => (s === undefined ? undefined : parseDate(s));

const RUNS = { numRuns: 300 };

describe('coverage laws (fast-check)', () => {
  it('a suspension never shortens coverage: repairs and disputes only move the end later (ITEMA-14, ITEMA-33)', () => {
    fc.assert(
      fc.property(caseArb(['itema']), (c) => {
        const suspending = new Set(['repair-accepted', 'repair-completed', 'dispute-opened', 'dispute-closed']);
        const withThem = coverageOf(c);
        const without = coverageOf(c, c.events.filter((e) => !suspending.has(e.type)));
        if (without.device.end !== undefined) expect(endDay(withThem.device.end)!).toBeGreaterThanOrEqual(endDay(without.device.end)!);
        if (without.legalGuarantee) expect(endDay(withThem.legalGuarantee!.end)!).toBeGreaterThanOrEqual(endDay(without.legalGuarantee.end)!);
        expect(withThem.legalGuarantee?.suspendedDays ?? 0).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('coverage is never shorter than the base term, unless voided (ITS-2, ITM-4, VN-1, SC-10, ITEMA-6)', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const r = coverageOf(c);
        const d = r.device;
        if (d.start === undefined || d.term === undefined || d.status === 'void') return;
        const t = tryParseTerm(d.term);
        if (!t) return;
        expect(endDay(d.end)!).toBeGreaterThanOrEqual(addTerm(parseDate(d.start), t));
        if (r.legalGuarantee) expect(endDay(r.legalGuarantee.end)!).toBeGreaterThanOrEqual(addTerm(parseDate(r.legalGuarantee.start), tryParseTerm('2 years')!));
      }),
      RUNS,
    );
  });

  it('an end date is never before its start, nor an interval’s end before its beginning', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const r = coverageOf(c);
        for (const item of [r.device, ...r.parts]) {
          if (item.start !== undefined && item.end !== undefined) expect(item.end >= item.start, `${item.item}: ${item.start} → ${item.end}`).toBe(true);
          for (const iv of item.intervals) if (iv.to !== undefined) expect(iv.to >= iv.from, `${item.item}: ${JSON.stringify(iv)}`).toBe(true);
        }
        if (r.legalGuarantee) {
          expect(r.legalGuarantee.end >= r.legalGuarantee.start).toBe(true);
          for (const iv of r.legalGuarantee.intervals) if (iv.to !== undefined) expect(iv.to >= iv.from).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('replaying the same history, in any order of its (distinct) days, gives the same answer', () => {
    fc.assert(
      fc.property(caseArb(), fc.array(fc.nat(), { minLength: 16, maxLength: 16 }), (c, keys) => {
        const shuffled = c.events.map((e, i) => ({ e, k: keys[i % keys.length] * 100 + i })).sort((a, b) => a.k - b.k).map((x) => x.e);
        const pack = getShippedPack(c.pack);
        const history = { device: c.device, events: c.events };
        const first = decide(c.claim, history, pack, c.moment);
        expect(decide(c.claim, history, pack, c.moment)).toEqual(first);
        expect(decide(c.claim, { device: c.device, events: shuffled }, pack, c.moment)).toEqual(first);
        expect(coverageOf(c, shuffled)).toEqual(coverageOf(c));
      }),
      RUNS,
    );
  });
});

describe('decision laws (fast-check)', () => {
  it('decide never throws on valid input, cites at least one rule id, and only rule ids its pack lists', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const pack = getShippedPack(c.pack);
        const d = decide(c.claim, { device: c.device, events: c.events }, pack, c.moment);
        const version = pack.versions.find((v) => v.version === d.policyVersion);
        expect(version, d.policyVersion).toBeDefined();
        const listed = new Set(Object.keys(version!.raw.rules));
        const cited = [
          ...d.reasons.map((r) => r.rule),
          ...d.remedies.map((r) => r.rule),
          ...d.charges.flatMap((x) => [x.rule, ...(x.rules ?? [])]),
          ...d.missing.flatMap((m) => [m.rule, ...(m.rules ?? [])]),
          // The commercial and the legal positions (ITEMA-9) cite their pack's rules too.
          ...d.commercial.reasons.map((r) => r.rule),
          ...(d.legal ? [d.legal.rule, ...d.legal.remedies.map((r) => r.rule), ...d.legal.needs.map((n) => n.rule), ...d.legal.reasons.map((r) => r.rule)] : []),
          ...(d.coverage.maintenance ? [d.coverage.maintenance.rule] : []),
          ...[d.coverage.device, ...d.coverage.parts].flatMap((it) => [...it.rules, ...it.changes.map((x) => x.rule), ...it.intervals.map((x) => x.rule), ...(it.manufacturer ? [it.manufacturer.rule] : [])]),
          ...(d.coverage.legalGuarantee ? [d.coverage.legalGuarantee.rule] : []),
          ...d.coverage.reasons.map((r) => r.rule),
        ];
        expect(d.reasons.length).toBeGreaterThan(0);
        expect(cited.filter((id) => !listed.has(id)), JSON.stringify(c)).toEqual([]);
        expect(['covered', 'not-covered', 'needs-inspection']).toContain(d.outcome);
        // A covered outcome always stands on something, and a not-covered one never offers free repair.
        if (d.outcome === 'covered') expect(d.basis).not.toBe('none');
        if (d.outcome === 'not-covered') expect(d.remedies.map((r) => r.type)).not.toContain('repair');
        // The commercial verdict never claims more than the overall answer, and the legal position
        // offers remedies only while it is available (ITEMA-9).
        if (d.commercial.outcome !== 'not-covered') expect(d.commercial.outcome).toBe(d.outcome);
        if (d.legal && d.legal.status !== 'available') expect(d.legal.remedies).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('a device claim stands on the warranty exactly when the coverage report covers the device on the claim date (end dates inclusive)', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const claim = { ...c.claim, partId: undefined };
        const d = decide(claim, { device: c.device, events: c.events }, getShippedPack(c.pack), c.moment);
        const onClaimDay = coverageOf(c, c.events, claim.date).device;
        if (onClaimDay.covered) expect(['commercial', 'manufacturer']).toContain(d.basis);
        else if (d.basis === 'commercial') expect.fail(`commercial basis on a day the device is ${onClaimDay.status}`);
      }),
      RUNS,
    );
  });

  it('a covered itema claim is free of charge exactly while the legal guarantee runs, else the client pays transport (ITEMA-31, ITEMA-13)', () => {
    fc.assert(
      fc.property(caseArb(['itema']), (c) => {
        const d = decide(c.claim, { device: c.device, events: c.events }, getShippedPack(c.pack), c.moment);
        if (d.outcome === 'not-covered' || d.basis === 'manufacturer' || d.basis === 'none') return;
        const free = d.reasons.some((r) => r.code === 'free-of-charge');
        const transport = d.charges.some((x) => x.type === 'transport');
        expect(free).toBe(!transport);
        const lg = d.coverage.legalGuarantee;
        const legalRuns = !!lg && c.claim.date >= lg.start && c.claim.date <= lg.end;
        expect(free).toBe(legalRuns);
      }),
      RUNS,
    );
  });
});
