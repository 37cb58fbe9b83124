// Money in integer minor units: a quote's or a tax document's lines, their tax per the business's
// setting (the pack's settings.tax, docs/billing.md) and their totals. Pure: no database, no clock.
//
// Amounts are integers of the currency's minor unit (cents, stotinki; đồng has none). A line is a
// quantity (up to 3 decimals: 1.5 hours of labour) times a unit price; a discount is a line with a
// negative unit price. Tax is computed once on the document's total, not per line, so the lines and
// the total never disagree by a rounding: with prices that include the tax, tax = gross × r / (100 + r);
// without, tax = net × r / 100, each rounded half away from zero. BigInt inside: 10¹² × 10⁵ exceeds 2⁵³.

export const LINE_KINDS = ['part', 'labour', 'fee', 'discount', 'surcharge', 'credit', 'other'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export interface LineInput {
  kind: LineKind;
  description: string;
  /** Up to 3 decimals (hours of labour); 1 when omitted. */
  quantity?: number;
  /** Minor units, as staff typed them: with or without tax as the business's setting says. Negative only for a discount or credit. */
  unitMinor: number;
  /** A part from the order (its part id), when the line is one. */
  partId?: string;
}

export interface Line extends Required<Omit<LineInput, 'partId'>> {
  partId: string | null;
  amountMinor: number;
}

export interface TaxSetting {
  name: Record<string, string>;
  ratePercent: number;
  pricesInclude: boolean;
  registration?: string;
}

export interface Priced {
  lines: Line[];
  /** Without tax. */
  netMinor: number;
  taxMinor: number;
  /** What the client pays. */
  totalMinor: number;
  tax: { name: Record<string, string>; ratePercent: number; pricesInclude: boolean; registration: string | null };
}

export const NO_TAX: TaxSetting = { name: { en: 'Tax' }, ratePercent: 0, pricesInclude: true };

/** a × b / c rounded half away from zero, exactly. */
function mulDiv(a: bigint, b: bigint, c: bigint): bigint {
  const n = a * b;
  const neg = n < 0n !== c < 0n;
  const q = (abs(n) * 2n + abs(c)) / (abs(c) * 2n);
  return neg ? -q : q;
}
const abs = (x: bigint) => (x < 0n ? -x : x);

/** The line's quantity in thousandths; throws on more than 3 decimals (the caller validated). */
function milli(q: number) {
  const m = Math.round(q * 1000);
  if (Math.abs(q * 1000 - m) > 1e-6) throw new RangeError(`quantity ${q} has more than 3 decimals`);
  return BigInt(m);
}

export function lineAmount(l: LineInput): number {
  return Number(mulDiv(milli(l.quantity ?? 1), BigInt(l.unitMinor), 1000n));
}

/** Prices lines under a tax setting. The total may be negative (a credit note's lines are credits). */
export function price(lines: readonly LineInput[], tax: TaxSetting = NO_TAX): Priced {
  const out: Line[] = lines.map((l) => ({ kind: l.kind, description: l.description, quantity: l.quantity ?? 1, unitMinor: l.unitMinor, partId: l.partId ?? null, amountMinor: lineAmount(l) }));
  const sum = out.reduce((s, l) => s + BigInt(l.amountMinor), 0n);
  const rate = BigInt(Math.round(tax.ratePercent * 1000)); // thousandths of a percent
  let net: bigint, taxMinor: bigint, total: bigint;
  if (tax.pricesInclude) {
    total = sum;
    taxMinor = mulDiv(sum, rate, 100_000n + rate);
    net = total - taxMinor;
  } else {
    net = sum;
    taxMinor = mulDiv(sum, rate, 100_000n);
    total = net + taxMinor;
  }
  return {
    lines: out,
    netMinor: Number(net),
    taxMinor: Number(taxMinor),
    totalMinor: Number(total),
    tax: { name: tax.name, ratePercent: tax.ratePercent, pricesInclude: tax.pricesInclude, registration: tax.registration ?? null },
  };
}

/**
 * A credit of `grossMinor` (what is given back, tax included) under the business's tax: priced as a
 * tax-inclusive amount whatever the setting, so the credit note's total is exactly the refund.
 */
export function creditOf(grossMinor: number, description: string, tax: TaxSetting = NO_TAX): Priced {
  return grossOf('credit', grossMinor, description, tax);
}

/** One line of a gross amount (tax included, whatever the setting): a payment's receipt, a lump-sum quote. */
export function grossOf(kind: LineKind, grossMinor: number, description: string, tax: TaxSetting = NO_TAX): Priced {
  return price([{ kind, description, unitMinor: grossMinor }], { ...tax, pricesInclude: true });
}

const MINOR_DIGITS: Record<string, number> = { VND: 0, JPY: 0, KRW: 0, CLP: 0, ISK: 0 };
/** How many decimals the currency's minor unit has (2 unless it has none). */
export const minorDigits = (currency: string) => MINOR_DIGITS[currency] ?? 2;

/** Two priced groups on one document (the quote's lines as typed, fees as gross amounts): sums of each. */
export function combine(a: Priced, b: Priced): Priced {
  return { lines: [...a.lines, ...b.lines], netMinor: a.netMinor + b.netMinor, taxMinor: a.taxMinor + b.taxMinor, totalMinor: a.totalMinor + b.totalMinor, tax: a.tax };
}
