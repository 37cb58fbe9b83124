// Calendar-date arithmetic for warranty terms. A warranty term is counted in whole calendar days,
// months and years, independent of time zones (the date is already the organization's local date),
// so dates are held as integer day numbers (days since 1970-01-01) and converted with the
// platform's own UTC calendar (Date.UTC). This keeps the coverage engine allocation-free and fast
// (the decision benchmark runs it hundreds of thousands of times a second); instants, time zones and
// DST belong to the clocks, which use luxon.

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Day = number;

/** Parses 'YYYY-MM-DD' into a day number, or returns undefined for anything else, including 2026-02-30. */
export function tryParseDate(s: unknown): Day | undefined {
  if (typeof s !== 'string' || s.length !== 10) return undefined;
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1)) return undefined;
  return Date.UTC(y, mo - 1, d) / MS_PER_DAY;
}

export function parseDate(s: string): Day {
  const d = tryParseDate(s);
  if (d === undefined) throw new RangeError(`"${s}" is not a calendar date like 2026-03-01`);
  return d;
}

export function formatDate(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

function daysInMonth(y: number, m0: number): number {
  return new Date(Date.UTC(y, m0 + 1, 0)).getUTCDate();
}

/** Adds months to a day, clamping to the month's end (31 January + 1 month = 28/29 February). */
export function addMonths(day: Day, months: number): Day {
  const t = new Date(day * MS_PER_DAY);
  const y = t.getUTCFullYear();
  const m0 = t.getUTCMonth() + months;
  const ty = y + Math.floor(m0 / 12);
  const tm = ((m0 % 12) + 12) % 12;
  const d = Math.min(t.getUTCDate(), daysInMonth(ty, tm));
  return Date.UTC(ty, tm, d) / MS_PER_DAY;
}

export type TermUnit = 'days' | 'weeks' | 'months' | 'years';
export interface Term {
  amount: number;
  unit: TermUnit;
  /** The text it was written as ('3 months'). */
  text: string;
}

const TERM = /^(\d+)\s*(day|days|week|weeks|month|months|year|years)$/;

/**
 * Parses a warranty term: '90 days', '3 months', '1 year', or 'none' (no warranty, ITEMA-7).
 * Returns null for 'none', undefined when the text is not a term.
 */
export function tryParseTerm(s: unknown): Term | null | undefined {
  if (typeof s !== 'string') return undefined;
  const t = s.trim().toLowerCase();
  if (t === 'none' || t === '0 days' || t === '0 months') return null;
  const m = TERM.exec(t);
  if (!m) return undefined;
  const unit = (m[2].endsWith('s') ? m[2] : `${m[2]}s`) as TermUnit;
  return { amount: +m[1], unit, text: s.trim() };
}

export function addTerm(day: Day, term: Term): Day {
  switch (term.unit) {
    case 'days':
      return day + term.amount;
    case 'weeks':
      return day + 7 * term.amount;
    case 'months':
      return addMonths(day, term.amount);
    case 'years':
      return addMonths(day, 12 * term.amount);
  }
}
