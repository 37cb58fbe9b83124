import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { creditOf, lineAmount, price, type TaxSetting } from './money.ts';

const VAT20: TaxSetting = { name: { en: 'VAT', bg: 'ДДС' }, ratePercent: 20, pricesInclude: true, registration: 'BG000000000' };
const SALES: TaxSetting = { name: { en: 'Sales tax' }, ratePercent: 8.875, pricesInclude: false };

describe('a line is quantity × unit price in minor units, rounded half away from zero', () => {
  test.each([
    { q: 1, unit: 8990, amount: 8990 },
    { q: 2, unit: 1250, amount: 2500 },
    { q: 1.5, unit: 3333, amount: 5000 }, // 4999.5 → 5000
    { q: 0.333, unit: 100, amount: 33 }, // 33.3
    { q: 1, unit: -500, amount: -500 }, // a discount
    { q: 1.5, unit: -333, amount: -500 }, // -499.5 → -500
  ])('$q × $unit = $amount', ({ q, unit, amount }) => {
    expect(lineAmount({ kind: 'labour', description: '', quantity: q, unitMinor: unit })).toBe(amount);
  });
});

describe("tax per the business's setting (issue 14)", () => {
  test.each([
    // Bulgaria: prices include ДДС 20 %: 120.00 → base 100.00 + 20.00.
    { name: 'inclusive 20 %', tax: VAT20, lines: [12000], net: 10000, taxMinor: 2000, total: 12000 },
    // 89.90 incl.: tax = 8990 × 20 / 120 = 1498.33 → 1498.
    { name: 'inclusive, rounded', tax: VAT20, lines: [8990], net: 7492, taxMinor: 1498, total: 8990 },
    // New York: 8.875 % on top: 100.00 → 8.875 → 8.88 (half away from zero).
    { name: 'exclusive 8.875 %', tax: SALES, lines: [10000], net: 10000, taxMinor: 888, total: 10888 },
    { name: 'a discount lowers the base', tax: VAT20, lines: [6000, 3000, -1200], net: 6500, taxMinor: 1300, total: 7800 },
    { name: 'no tax setting', tax: undefined, lines: [4200], net: 4200, taxMinor: 0, total: 4200 },
    { name: 'VND has no minor unit, same law', tax: { name: { en: 'VAT' }, ratePercent: 10, pricesInclude: true }, lines: [1_100_000], net: 1_000_000, taxMinor: 100_000, total: 1_100_000 },
  ])('$name', ({ tax, lines, net, taxMinor, total }) => {
    const p = price(
      lines.map((u) => ({ kind: u < 0 ? 'discount' : 'part', description: 'x', unitMinor: u })),
      tax,
    );
    expect([p.netMinor, p.taxMinor, p.totalMinor]).toEqual([net, taxMinor, total]);
  });

  test('net + tax = total and the lines sum to the base or the total, for any lines (law)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ q: fc.integer({ min: 1, max: 50_000 }), unit: fc.integer({ min: -1_000_000, max: 100_000_000 }) }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.boolean(),
        (ls, rate, incl) => {
          const tax = { name: { en: 'T' }, ratePercent: rate / 1000, pricesInclude: incl };
          const p = price(ls.map((l) => ({ kind: 'labour' as const, description: '', quantity: l.q / 1000, unitMinor: l.unit })), tax);
          const sum = p.lines.reduce((s, l) => s + l.amountMinor, 0);
          expect(p.netMinor + p.taxMinor).toBe(p.totalMinor);
          expect(incl ? p.totalMinor : p.netMinor).toBe(sum);
          for (const v of [p.netMinor, p.taxMinor, p.totalMinor]) expect(Number.isSafeInteger(v)).toBe(true);
        },
      ),
    );
  });

  test('a credit of a gross amount totals exactly that amount whatever the setting', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e11 }), fc.boolean(), (gross, incl) => {
        const c = creditOf(gross, 'refund', { ...SALES, pricesInclude: incl });
        expect(c.totalMinor).toBe(gross);
        expect(c.netMinor + c.taxMinor).toBe(gross);
      }),
    );
  });
});
