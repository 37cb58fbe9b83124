// Document strings, one JSON file per language in messages/. Nothing printed on a document is
// hard-coded in the renderers: they ask t(lang, key, params).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOC_LANGS = ['en', 'bg', 'vi'] as const;
export type DocLang = (typeof DOC_LANGS)[number];

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'messages');
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
// A feature may keep its document strings in messages/<feature>/<lang>.json: merged into the language's.
const features = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
export const CATALOGS: Record<DocLang, Record<string, string>> = Object.fromEntries(
  DOC_LANGS.map((l) => [l, Object.assign(read(path.join(dir, `${l}.json`)), ...features.map((f) => read(path.join(dir, f, `${l}.json`))))]),
) as Record<DocLang, Record<string, string>>;

export function isDocLang(v: unknown): v is DocLang {
  return typeof v === 'string' && (DOC_LANGS as readonly string[]).includes(v);
}

/** The first of the candidates that is a language we print, else English. */
export function pickLang(...candidates: (string | null | undefined)[]): DocLang {
  for (const c of candidates) if (isDocLang(c)) return c;
  return 'en';
}

export function fill(template: string, params: Record<string, string | number> = {}) {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function t(lang: DocLang, key: string, params?: Record<string, string | number>): string {
  const s = CATALOGS[lang][key] ?? CATALOGS.en[key];
  if (s === undefined) throw new Error(`missing document string ${key}`);
  return fill(s, params);
}

/** A calendar date YYYY-MM-DD in the language's usual order (the pattern is in the message file). */
export function formatDate(lang: DocLang, iso: string | null | undefined): string {
  if (!iso) return t(lang, 'common.none');
  const [y, m, d] = iso.slice(0, 10).split('-');
  return t(lang, 'date.format').replace('yyyy', y).replace('mm', m).replace('dd', d);
}

const MINOR_DIGITS: Record<string, number> = { VND: 0, JPY: 0, KRW: 0 };
/** One NumberFormat per locale and digits: making one costs far more than using it. */
const moneyFormats = new Map<string, Intl.NumberFormat>();
/** Integer minor units and an ISO currency, written the way the language writes amounts. */
export function formatMoney(lang: DocLang, minor: number, currency: string): string {
  const digits = MINOR_DIGITS[currency] ?? 2;
  const locale = lang === 'bg' ? 'bg-BG' : lang === 'vi' ? 'vi-VN' : 'en-GB';
  const key = `${locale} ${digits}`;
  let f = moneyFormats.get(key);
  if (!f) moneyFormats.set(key, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  const n = f.format(minor / 10 ** digits);
  return `${n} ${currency}`;
}

/** A pack term ('12 months', '90 days', 'none') in words of the language. */
export function formatTerm(lang: DocLang, term: string | null | undefined): string {
  const m = /^(\d+) (day|week|month|year)s?$/.exec(term ?? '');
  if (!m) return term && term !== 'none' ? term : t(lang, 'common.none');
  const n = Number(m[1]);
  return t(lang, `term.${m[2]}.${n === 1 ? 'one' : 'other'}`, { n });
}

/** A device or part category in the language, or as recorded when we have no word for it. */
export function formatCategory(lang: DocLang, category: string): string {
  return CATALOGS[lang][`category.${category}`] ?? category;
}
