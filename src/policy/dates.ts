// Calendar-date arithmetic for warranty terms. A warranty term is counted in whole calendar days,
// months and years, independent of time zones (the date is already the organization's local date),
// so dates are held as integer day numbers (days since 1970-01-01) converted by two small integer
// formulas below. luxon does the same arithmetic about fifty times slower, and this runs on every
// event of every decision (`npm run bench` measures it); instants, time zones and DST belong to the
// clocks, which use luxon.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Day = number;

const parsed = new Map<string, Day>();

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses 'YYYY-MM-DD' into a day number, or returns undefined for anything else, including 2026-02-30. */
export function tryParseDate(s: unknown): Day | undefined {
  if (typeof s !== 'string' || s.length !== 10) return undefined;
  const hit = parsed.get(s);
  if (hit !== undefined) return hit;
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && isLeap(y) ? 29 : MONTH_DAYS[mo - 1])) return undefined;
  const day = dayOf(y, mo, d);
  if (parsed.size > 200_000) parsed.clear();
  parsed.set(s, day);
  return day;
}

export function parseDate(s: string): Day {
  const d = tryParseDate(s);
  if (d === undefined) throw new RangeError(`"${s}" is not a calendar date like 2026-03-01`);
  return d;
}

// Civil date <-> day number, after Howard Hinnant's public-domain algorithms
// (http://howardhinnant.github.io/date_algorithms.html): pure integer arithmetic, no Date objects,
// because the coverage engine converts dates on every event of every decision.
function civil(day: Day): [number, number, number] {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function dayOf(y: number, m: number, d: number): Day {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Every reason and interval carries dates, so formatted days are kept (an array indexed by day).
// Dense from 1970 to 2243, so lookups stay on V8's fast element path.
const CACHED_DAYS = 100_000;
const formatted: (string | undefined)[] = new Array<string | undefined>(CACHED_DAYS).fill(undefined);
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

export function formatDate(day: Day): string {
  const hit = day >= 0 && day < CACHED_DAYS ? formatted[day] : undefined;
  if (hit !== undefined) return hit;
  const [y, m, d] = civil(day);
  const s = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
  if (day >= 0 && day < CACHED_DAYS) formatted[day] = s;
  return s;
}

function daysInMonth(y: number, m0: number): number {
  return m0 === 1 && isLeap(y) ? 29 : MONTH_DAYS[m0];
}

/** Adds months to a day, clamping to the month's end (31 January + 1 month = 28/29 February). */
export function addMonths(day: Day, months: number): Day {
  const [y, m, d] = civil(day);
  const m0 = m - 1 + months;
  const ty = y + Math.floor(m0 / 12);
  const tm = ((m0 % 12) + 12) % 12;
  return dayOf(ty, tm + 1, Math.min(d, daysInMonth(ty, tm)));
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
const terms = new Map<string, Term | null | undefined>();

export function tryParseTerm(s: unknown): Term | null | undefined {
  if (typeof s !== 'string') return undefined;
  if (terms.has(s)) return terms.get(s);
  const t = parseTermText(s);
  if (terms.size < 10_000) terms.set(s, t);
  return t;
}

function parseTermText(s: string): Term | null | undefined {
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
