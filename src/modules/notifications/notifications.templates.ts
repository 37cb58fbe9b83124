// Message templates, one JSON file per language in templates/: for each topic a subject, an e-mail
// body and a short SMS text, with {placeholders} filled from the outbox payload.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOC_LANGS, fill, type DocLang } from '../documents/documents.i18n.ts';

export interface Template {
  subject: string;
  body: string;
  sms: string;
}
type Catalog = Record<string, Template> & { words: Record<string, string> };

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
export const TEMPLATES: Record<DocLang, Catalog> = Object.fromEntries(
  DOC_LANGS.map((l) => [l, JSON.parse(fs.readFileSync(path.join(dir, `${l}.json`), 'utf8')) as Catalog]),
) as Record<DocLang, Catalog>;

/** Topics we have words for; an outbox row of another topic is delivered to nobody (and says so). */
export const MESSAGE_TOPICS = Object.keys(TEMPLATES.en).filter((k) => k !== 'words');
/** Topics addressed to the business's staff rather than to the client. */
export const STAFF_TOPICS = new Set(['deadline.at-risk', 'deadline.breached', 'support.escalated', 'support.reopened']);

export function word(lang: DocLang, w: string) {
  return TEMPLATES[lang].words[w] ?? TEMPLATES.en.words[w] ?? w;
}

/** The topic's text in the language (the business's own when given, else the shipped one), filled. */
export function render(topic: string, lang: DocLang, vars: Record<string, string>, own?: Template): Template | undefined {
  const tpl = own ?? TEMPLATES[lang][topic] ?? TEMPLATES.en[topic];
  if (!tpl || topic === 'words') return undefined;
  const f = (s: string) => fill(s, vars).replace(/\n{3,}/g, '\n\n');
  return { subject: f(tpl.subject), body: f(tpl.body), sms: f(tpl.sms) };
}
