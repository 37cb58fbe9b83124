// Issue 16, language: what a Bulgarian or Vietnamese user reads never carries an untranslated id
// (an event, a category, a clock, a country code, a state) or an English word, and no message file
// hard-codes a rule id (rules are cited from the business's own policy). Checked on the message files
// themselves and on rendered texts: the engine's sentences, the situation, the client's messages and
// a work order PDF. The words used are those of docs/glossary-<lang>.md.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decide, getShippedPack, type DeviceEvent, type DeviceInput } from '../src/policy/index.ts';
import { situationOf } from '../src/modules/service-orders/service-orders.service.ts';
import { render, TEMPLATES, STAFF_TOPICS } from '../src/modules/notifications/notifications.templates.ts';
import { setupApp, type TestContext } from './db.ts';
import { hasPdftotext, pdfText } from './pdf-text.ts';

/** Latin words a Bulgarian text may carry: names, file formats, our product's name. */
const BG_LATIN_OK = new Set(['Aftercare', 'PDF', 'API', 'CSV', 'SMS', 'JPEG', 'PNG', 'WebP', 'Enter', 'display-broken', 'itema-pg', 'yyyy', 'ITEMA-PG', 'QR', 'VND', 'EUR', 'GBP', 'USD']);
/** English words that would betray an untranslated Vietnamese text (Vietnamese is written in Latin letters). */
const EN_WORDS = /\b(the|and|warranty|order|repair|covered|not-covered|needs-inspection|provisional|sale|delivery|installation|activation|keyboard|laptop|battery|monitor|first-response|decision-window|collection|disposal|diagnosis|missing|details|proofs|warrantyCard|purchaseDate|address|refurbished|accepted|refused)\b/i;
/** A kebab-case or camelCase id where words belong. */
const ID = /\b[a-z]+(-[a-z]+)+\b|\b[a-z]+[A-Z][a-zA-Z]+\b/;
const RULE_ID = /\b(ITS|ITM|SC|VN|ITEMA)-\d+\b/;

function strings(x: unknown, path = ''): [string, string][] {
  if (typeof x === 'string') return [[path, x]];
  if (x && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}
const noPlaceholders = (s: string) =>
  s.replace(/\{\{?\w+\}?\}/g, '').replace(/\/order\/[\w\s-]+\?lang=\w+/g, '').replace(/https?:\/\/\S+/g, '').replace(/\b[A-Z]{2,5}-\d{4}-\d+\b/g, '');

/** What an untranslated text would show: Latin words outside the allowed ones (bg), English words or ids (vi, bg). */
function untranslated(lang: 'bg' | 'vi', s: string, allow: string[] = []): string[] {
  const t = noPlaceholders(s);
  const out: string[] = [];
  if (lang === 'bg') for (const w of t.match(/[A-Za-z][A-Za-z-]{2,}/g) ?? []) if (!BG_LATIN_OK.has(w) && !allow.includes(w)) out.push(w);
  if (lang === 'vi') {
    const scrubbed = allow.reduce((x, a) => x.split(a).join(''), t);
    const en = EN_WORDS.exec(scrubbed);
    if (en) out.push(en[0]);
    const id = ID.exec(scrubbed.replace(/display-broken|itema-pg|e-mail/g, ''));
    if (id) out.push(id[0]);
  }
  return out;
}

const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as unknown;
/** The shared messages and the service order's (the features' own files are their features' to check). */
const FILES = (lang: string) => [
  `web/src/locales/${lang}.json`,
  `web/src/locales/counter/${lang}.json`,
  `web/src/locales/clients/${lang}.json`,
  `src/modules/documents/messages/${lang}.json`,
  `src/modules/notifications/templates/${lang}.json`,
];

describe('message files (issue 16)', () => {
  test.each(['bg', 'vi'] as const)('%s: no untranslated id or English word in any message', (lang) => {
    const bad = FILES(lang).flatMap((f) => strings(read(f)).flatMap(([p, s]) => untranslated(lang, s).map((w) => `${f}${p}: ${w}`)));
    expect(bad).toEqual([]);
  });
  test.each(['en', 'bg', 'vi'] as const)('%s: no message hard-codes a rule id (they come from the business’s policy)', (lang) => {
    const bad = FILES(lang).flatMap((f) => strings(read(f)).filter(([, s]) => RULE_ID.test(s)).map(([p, s]) => `${f}${p}: ${s}`));
    expect(bad).toEqual([]);
  });
});

describe('rendered texts (issue 16)', () => {
  const itema = getShippedPack('itema');
  const sc = getShippedPack('service-center');
  const keyboard: DeviceInput = { category: 'keyboard', serial: 'KB-1' };
  const laptop: DeviceInput = { category: 'laptop', condition: 'refurbished', serial: 'LP-1' };
  const sold: DeviceEvent[] = [{ type: 'sale', date: '2026-01-10' }];
  const decisions = {
    'a consumable part (ITEMA-3)': decide({ date: '2026-03-01' }, { device: keyboard, events: sold }, itema, '2026-03-01'),
    'details missing (ITEMA-27)': decide({ date: '2026-03-01', details: {} }, { device: laptop, events: sold }, itema, '2026-03-01'),
    'outside the country (ITEMA-5)': decide({ date: '2026-03-01', country: 'DE' }, { device: laptop, events: sold }, itema, '2026-03-01'),
    'not started (SC-10)': decide({ date: '2026-03-01' }, { device: { category: 'phone', serial: 'P-1' }, events: [] }, sc, '2026-03-01'),
  };
  test.each(Object.entries(decisions))('the engine’s sentences and the situation, %s', (_name, d) => {
    const texts = [...d.reasons.map((r) => r.text), ...d.missing.map((m) => m.text), situationOf(JSON.parse(JSON.stringify(d)))!.text];
    for (const lang of ['bg', 'vi'] as const) {
      const bad = texts.flatMap((x) => untranslated(lang, x[lang] ?? '', ['ITEMA-PG']));
      expect(bad, texts.map((x) => x[lang]).join(' | ')).toEqual([]);
      // Dates the language's way, never ISO beside a localized table.
      for (const x of texts) expect(x[lang] ?? '').not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
    }
  });

  test.each(['bg', 'vi'] as const)('%s: every message to a client, with and without a name', (lang) => {
    const vars = { business: 'City Service Center', number: 'SO-2026-000042', link: 'https://shop.example/order/x?lang=' + lang, amount: '1.500.000 VND', decision: TEMPLATES[lang].words.accepted, due: '01.02.2027 10:00', rule: '', clock: TEMPLATES[lang].words['clock.first-response'], version: '2026.2', effective: '01.02.2027', summary: '', code: '123456', message: lang === 'bg' ? 'Частта пристига утре.' : 'Linh kiện sẽ về vào ngày mai.' };
    for (const topic of Object.keys(TEMPLATES.en).filter((k) => k !== 'words')) {
      for (const greeting of [TEMPLATES[lang].words.greetingNoName, TEMPLATES[lang].words.greeting.replace('{name}', 'Мария')]) {
        const m = render(topic, lang, { ...vars, greeting, name: '' })!;
        const bad = [m.subject, m.body, m.sms].flatMap((s) => untranslated(lang, s, ['City', 'Service', 'Center']));
        expect(bad, `${topic}: ${m.body}`).toEqual([]);
        if (!STAFF_TOPICS.has(topic)) {
          // A capital after the greeting, the client addressed politely.
          expect(m.body).toMatch(/^[^\n]+,\n\n\p{Lu}/u);
          if (lang === 'vi') expect(m.body).not.toMatch(/\bbạn\b/);
          if (lang === 'bg') expect(m.body).not.toMatch(/(?<![\p{L}])(ви|вие|вашата|вашия|вашите)(?![\p{L}])/u);
        }
      }
    }
  });
});

describe.skipIf(!hasPdftotext)('a printed document (issue 16)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await setupApp();
  });
  afterAll(() => t?.close());
  test('the Bulgarian work order of a service-center walk-in: words, not ids; only the business’s own rules', async () => {
    const cookie = t.cookies['service-center']['front-desk'];
    const workOrder = { termsAccepted: true, accessories: ['зарядно'], complete: true, visibleCondition: 'без забележки', dataBackedUp: true, passwordsRemoved: true, problemInClientsWords: 'Не зарежда', signedBy: 'Мария Иванова' };
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { cookie }, payload: { channel: 'walk-in', customer: { name: 'Мария Иванова', email: 'maria.lang@example.bg', preferredLanguage: 'bg' }, device: { serial: 'LANG-1', manufacturer: 'Lenovo', model: 'T480', category: 'laptop' }, problem: 'Не зарежда', workOrder } });
    expect(r.statusCode, r.body).toBe(201);
    const pdf = await t.app.inject({ url: `/api/v1/service-orders/${r.json().order.id}/documents/work-order.pdf`, headers: { cookie } });
    const text = pdfText(pdf.rawPayload);
    // The business's own name and address (the demo's: Berlin) are names, not words to translate.
    const allow = ['City', 'Service', 'Center', 'Mitte', 'Friedrichstra', 'Berlin', 'Main', 'Street', 'London', 'Lenovo', 'T480', 'LANG-1', 'service-center', 'maria', 'lang', 'example', 'SO-2026-', 'SC-2', 'order', 'http', 'localhost', 'Shop', 'Road'];
    // The order page's link carries a random token, which may wrap across lines in the PDF: long runs
    // of Latin letters and digits are tokens, not words.
    const latin = (noPlaceholders(text).replace(/[\w-]{20,}/g, '').match(/[A-Za-z][A-Za-z-]{2,}/g) ?? []).filter((w) => !BG_LATIN_OK.has(w) && !allow.some((a) => w.includes(a) || a.includes(w)));
    expect(latin, text).toEqual([]);
    expect(text).toContain('Платен ремонт: за това устройство няма записана гаранция');
    expect(text).not.toMatch(/ITEMA-|ITM-|ITS-|VN-/);
  });
});
