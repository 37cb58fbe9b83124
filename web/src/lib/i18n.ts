// Messages per language in locales/*.json; dates, numbers and money through Intl in the locale.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../locales/en.json';
import bg from '../locales/bg.json';
import vi from '../locales/vi.json';

/**
 * A feature may keep its messages in its own files, `locales/<feature>/<lang>.json` (one top-level key
 * per feature, e.g. `{ "rma": { ... } }`), so that features built side by side never edit the same
 * file. They are merged into the language's messages below.
 */
const featureFiles = import.meta.glob<{ default: Record<string, unknown> }>('../locales/*/*.json', { eager: true });
function withFeatures(base: Record<string, unknown>, code: string) {
  const out: Record<string, unknown> = { ...base };
  for (const [file, mod] of Object.entries(featureFiles)) {
    if (file.endsWith(`/${code}.json`)) Object.assign(out, mod.default);
  }
  return out;
}

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'bg', label: 'Български' },
  { code: 'vi', label: 'Tiếng Việt' },
] as const;
export type Lang = (typeof LANGUAGES)[number]['code'];

const stored = (() => {
  try {
    return localStorage.getItem('aftercare.lang');
  } catch {
    return null;
  }
})();
const fromUrl = new URLSearchParams(location.search).get('lang');
const browser = navigator.language?.slice(0, 2);
const pick = [fromUrl, stored, browser].find((l) => l && LANGUAGES.some((x) => x.code === l)) ?? 'en';
/** The reader chose the language (the URL's `?lang` or the switch): a page may not replace it with the client's. */
export const languageChosen = () => [fromUrl, stored].some((l) => l && LANGUAGES.some((x) => x.code === l)) || i18next.language !== pick;

void i18next.use(initReactI18next).init({
  resources: { en: { translation: withFeatures(en, 'en') }, bg: { translation: withFeatures(bg, 'bg') }, vi: { translation: withFeatures(vi, 'vi') } },
  lng: pick,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = pick;

export function setLanguage(l: string) {
  void i18next.changeLanguage(l);
  document.documentElement.lang = l;
  try {
    localStorage.setItem('aftercare.lang', l);
  } catch {
    /* private mode */
  }
}

const locale = () => ({ en: 'en-GB', bg: 'bg-BG', vi: 'vi-VN' })[i18next.language as Lang] ?? 'en-GB';

/**
 * One date format per language, the same on the web, on documents and in messages (issue 16):
 * 24.01.2027 (bg), 24/01/2027 (vi), 2027-01-24 (en).
 */
function dayIn(y: string, m: string, d: string) {
  const l = i18next.language as Lang;
  return l === 'bg' ? `${d}.${m}.${y}` : l === 'vi' ? `${d}/${m}/${y}` : `${y}-${m}-${d}`;
}
/** A calendar date `YYYY-MM-DD` (no time zone shift). */
export function fmtDate(d: string | undefined | null) {
  if (!d) return '—';
  const [y, m, day] = d.slice(0, 10).split('-');
  return dayIn(y, m, day);
}
/** An instant in the browser's time zone: the date as above, then the time (24 h). */
export function fmtDateTime(iso: string | undefined | null) {
  if (!iso) return '—';
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  );
  return `${dayIn(p.year, p.month, p.day)} ${p.hour}:${p.minute}`;
}
/** Integer minor units → the locale's money format. */
export function fmtMoney(minor: number, currency: string) {
  const f = new Intl.NumberFormat(locale(), { style: 'currency', currency });
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(minor / 10 ** digits);
}
/** Integer minor units → the amount as a person types it in the locale (no grouping, no symbol): 30,00 in Bulgarian. */
export function amountText(minor: number, currency: string) {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(minor / 10 ** digits);
}
export function fmtNumber(n: number) {
  return new Intl.NumberFormat(locale()).format(n);
}
/**
 * Parse a money amount as people type it (1 234,50 · 1,234.50 · 1.500.000 for VND · 12.50 in Bulgarian) to
 * minor units; NaN when it is not an amount. A lone separator followed by exactly three digits is a
 * thousands separator when the currency has no minor unit or the locale writes decimals with the other one.
 */
export function parseMoney(s: string, currency: string) {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const decimalSep = new Intl.NumberFormat(locale()).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
  const c = s.replace(/[\s\u00a0\u202f'’]/g, '').replace(/[^\d.,-]/g, '');
  if (!/^-?[\d.,]*\d[\d.,]*$/.test(c)) return NaN;
  const lastDot = c.lastIndexOf('.');
  const lastComma = c.lastIndexOf(',');
  let dec = -1;
  if (lastDot >= 0 && lastComma >= 0) dec = Math.max(lastDot, lastComma);
  else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ',';
    const at = c.lastIndexOf(sep);
    const many = c.split(sep).length > 2;
    const three = c.length - at - 1 === 3;
    const grouping = many || (three && (digits === 0 || sep !== decimalSep));
    if (!grouping) dec = at;
  }
  const whole = (dec >= 0 ? c.slice(0, dec) : c).replace(/[.,]/g, '');
  const frac = dec >= 0 ? c.slice(dec + 1) : '';
  if (frac.length > digits || /[.,]/.test(frac)) return NaN;
  const n = Number(`${whole || '0'}.${frac || '0'}`);
  return Number.isFinite(n) ? Math.round(n * 10 ** digits) : NaN;
}
/** "in 3 h 20 min" / "2 d 4 h ago" for a countdown. */
export function fmtDuration(ms: number) {
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const nf = (n: number, unit: 'day' | 'hour' | 'minute') => new Intl.NumberFormat(locale(), { style: 'unit', unit, unitDisplay: 'narrow' }).format(n);
  return d > 0 ? `${nf(d, 'day')} ${nf(h, 'hour')}` : h > 0 ? `${nf(h, 'hour')} ${nf(m, 'minute')}` : nf(m, 'minute');
}
export const lang = () => i18next.language as Lang;
/** A text the server gives in several languages (`{ en, bg?, vi? }`): the page's language, else English. */
export const inLang = (text: { en: string } & Partial<Record<Lang, string>>, l: string = lang()) => text[l as Lang] ?? text.en;
/** A category's name in the user's language from the business's policy (`categoryNames`); the code when the policy names it not (issue 16). */
export const categoryText = (code: string, names?: Record<string, string> | null) => (names ? (names[lang()] ?? names.en ?? code) : code);
export default i18next;
