// The business's own message templates (issue 16): per topic and language a subject, an e-mail body
// and an SMS text, in the shipped templates' syntax ({placeholder}, filled by documents.i18n's
// `fill`, the one template engine of the project). Without one the shipped text is sent. Saving is
// validated (only the placeholders the topic offers, braces balanced, the ones the message cannot do
// without kept), versioned (optimistic concurrency) and audited; a reset deletes the business's text.
// The preview renders with a sample order through the same `render` the delivery worker uses.
import type { Config } from '../../config.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { problem, versionConflict, CoreErrors, type FieldProblem } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import type { Db, Tx } from '../../db/index.ts';
import { DOC_LANGS, fill, formatDate, formatMoney, formatTerm, type DocLang } from '../documents/documents.i18n.ts';
import { clientPageUrl, publicBaseUrl } from '../documents/documents.service.ts';
import { MESSAGE_TOPICS, render, STAFF_TOPICS, TEMPLATES, word, type Template } from './notifications.templates.ts';

export const FIELDS = ['subject', 'body', 'sms'] as const;
type Field = (typeof FIELDS)[number];

/** Placeholders a message cannot do without: the one-time code, the sign-in link. */
const REQUIRED: Record<string, Partial<Record<Field, string[]>>> = {
  'order.lookup-code': { body: ['code'], sms: ['code'] },
  'client.sign-in-link': { body: ['link'] },
};

const PLACEHOLDER = /\{(\w+)\}/g;

/** The placeholders a topic offers: those its shipped texts use in any language, and the client's name. */
export function placeholdersOf(topic: string): string[] {
  const found = new Set<string>(STAFF_TOPICS.has(topic) ? ['business'] : ['business', 'greeting', 'name']);
  for (const l of DOC_LANGS) {
    const tpl = TEMPLATES[l][topic];
    if (!tpl) continue;
    for (const f of FIELDS) for (const m of tpl[f].matchAll(PLACEHOLDER)) found.add(m[1]);
  }
  return [...found].sort();
}

export const requiredOf = (topic: string) => REQUIRED[topic] ?? {};

/**
 * What is wrong with a template, field by field (`body.subject`, `body.body`, `body.sms`): a
 * placeholder the topic does not offer, a brace that opens or closes nothing, a required placeholder
 * left out, a subject on several lines.
 */
export function checkTemplate(topic: string, t: Template): (FieldProblem & { placeholder?: string })[] {
  const offered = new Set(placeholdersOf(topic));
  const out: (FieldProblem & { placeholder?: string })[] = [];
  for (const f of FIELDS) {
    const text = t[f];
    const field = `body.${f}`;
    const unknown = [...text.matchAll(PLACEHOLDER)].map((m) => m[1]).find((p) => !offered.has(p));
    const rest = text.replace(PLACEHOLDER, '');
    if (/[{}]/.test(rest)) {
      const at = /[{}][^{}]{0,20}/.exec(rest)?.[0] ?? '';
      out.push({ field, code: 'broken-template', message: `a brace opens or closes no placeholder near "${at}"; write placeholders as {name}` });
    } else if (unknown) {
      out.push({ field, code: 'unknown-placeholder', placeholder: unknown, message: `{${unknown}} is not a placeholder of this message; it offers ${[...offered].map((p) => `{${p}}`).join(', ')}` });
    } else {
      const missing = (requiredOf(topic)[f] ?? []).find((p) => !text.includes(`{${p}}`));
      if (missing) out.push({ field, code: 'missing-placeholder', placeholder: missing, message: `this message must contain {${missing}}` });
      else if (f === 'subject' && /[\r\n]/.test(text)) out.push({ field, code: 'one-line', message: 'a subject is one line' });
    }
  }
  return out;
}

function refuse(errors: FieldProblem[]): never {
  throw problem(CoreErrors, 'validation-failed', `The template has errors: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors }, { status: 422 });
}

export interface CustomTemplate extends Template {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** The business's own text for a topic in a language, if it has one (what compose() sends). */
export async function customTemplate(db: Db | Tx, orgId: string, topic: string, lang: DocLang): Promise<Template | undefined> {
  const r = await db.selectFrom('message_templates').select(['subject', 'body', 'sms']).where('organization_id', '=', orgId).where('topic', '=', topic).where('language', '=', lang).executeTakeFirst();
  return r ?? undefined;
}

async function rowsOf(db: Db | Tx, orgId: string, topic?: string) {
  let q = db.selectFrom('message_templates').selectAll().where('organization_id', '=', orgId);
  if (topic) q = q.where('topic', '=', topic);
  return q.execute();
}

type Row = Awaited<ReturnType<typeof rowsOf>>[number];
const customOf = (r: Row | undefined): CustomTemplate | null =>
  r ? { subject: r.subject, body: r.body, sms: r.sms, version: r.version, updatedAt: r.updated_at.toISOString(), updatedBy: r.updated_by } : null;

function entry(topic: string, rows: Row[]) {
  const req = requiredOf(topic);
  return {
    topic,
    audience: STAFF_TOPICS.has(topic) ? ('staff' as const) : ('client' as const),
    placeholders: placeholdersOf(topic),
    required: FIELDS.flatMap((f) => (req[f] ?? []).map((p) => ({ field: f, placeholder: p }))),
    languages: Object.fromEntries(
      DOC_LANGS.map((l) => {
        const d = TEMPLATES[l][topic] ?? TEMPLATES.en[topic];
        return [l, { default: { subject: d.subject, body: d.body, sms: d.sms }, custom: customOf(rows.find((r) => r.topic === topic && r.language === l)) }];
      }),
    ) as Record<DocLang, { default: Template; custom: CustomTemplate | null }>,
  };
}
export type TopicTemplates = ReturnType<typeof entry>;

export async function listTemplates(db: Db, orgId: string) {
  const rows = await rowsOf(db, orgId);
  return { topics: MESSAGE_TOPICS.map((t) => entry(t, rows)) };
}

export async function topicTemplates(db: Db | Tx, orgId: string, topic: string) {
  return entry(topic, await rowsOf(db, orgId, topic));
}

/**
 * Saves the business's text for one topic and language. `version`: the one read (0 when the
 * business had none); another is 409 with the current state. Audited with the text before and after.
 */
export async function saveTemplate(db: Db, actor: Actor, topic: string, lang: DocLang, t: Template & { version: number }, now: Date) {
  const errors = checkTemplate(topic, t);
  if (errors.length) refuse(errors);
  return db.transaction().execute(async (tx) => {
    const cur = await tx.selectFrom('message_templates').selectAll().where('organization_id', '=', actor.organizationId).where('topic', '=', topic).where('language', '=', lang).forUpdate().executeTakeFirst();
    if ((cur?.version ?? 0) !== t.version) throw versionConflict(await topicTemplates(tx, actor.organizationId, topic));
    const by = `${actor.type}:${actor.id}`;
    const text = { subject: t.subject, body: t.body, sms: t.sms };
    if (cur) {
      // Compare-and-set on the version read under the lock.
      await tx.updateTable('message_templates').set({ ...text, version: cur.version + 1, updated_by: by, updated_at: now }).where('organization_id', '=', actor.organizationId).where('topic', '=', topic).where('language', '=', lang).where('version', '=', cur.version).execute();
    } else {
      // A concurrent first save of the same text: the primary key refuses the second one (409).
      const ins = await tx.insertInto('message_templates').values({ organization_id: actor.organizationId, topic, language: lang, ...text, version: 1, updated_by: by, updated_at: now }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      if (!Number(ins.numInsertedOrUpdatedRows ?? 0)) throw versionConflict(await topicTemplates(tx, actor.organizationId, topic));
    }
    await audit(tx, actor, {
      action: 'message-template-saved',
      entityType: 'message-template',
      entityId: `${topic}:${lang}`,
      before: cur ? { subject: cur.subject, body: cur.body, sms: cur.sms, version: cur.version } : { default: true },
      after: { ...text, version: (cur?.version ?? 0) + 1 },
    });
    return topicTemplates(tx, actor.organizationId, topic);
  });
}

/** Back to the shipped text: the business's own is deleted (its last text kept in the audit). */
export async function resetTemplate(db: Db, actor: Actor, topic: string, lang: DocLang, version: number) {
  return db.transaction().execute(async (tx) => {
    const cur = await tx.selectFrom('message_templates').selectAll().where('organization_id', '=', actor.organizationId).where('topic', '=', topic).where('language', '=', lang).forUpdate().executeTakeFirst();
    if (!cur) return topicTemplates(tx, actor.organizationId, topic);
    if (cur.version !== version) throw versionConflict(await topicTemplates(tx, actor.organizationId, topic));
    await tx.deleteFrom('message_templates').where('organization_id', '=', actor.organizationId).where('topic', '=', topic).where('language', '=', lang).execute();
    await audit(tx, actor, { action: 'message-template-reset', entityType: 'message-template', entityId: `${topic}:${lang}`, before: { subject: cur.subject, body: cur.body, sms: cur.sms, version: cur.version }, after: { default: true } });
    return topicTemplates(tx, actor.organizationId, topic);
  });
}

const SAMPLE_AT = '2027-01-24T14:30:00Z';

/** A sample order's values for every placeholder, in the language (the preview's). */
export async function sampleVars(db: Db, config: Config, orgId: string, topic: string, lang: DocLang): Promise<Record<string, string>> {
  const { org, pack } = await orgAndPack(db, orgId);
  const { name: business } = await db.selectFrom('organizations').select('name').where('id', '=', orgId).executeTakeFirstOrThrow();
  const raw = pack.versions[pack.versions.length - 1]?.raw as { settings?: { currency?: string }; rules?: Record<string, unknown> } | undefined;
  const currency = raw?.settings?.currency ?? org.currency;
  const name = word(lang, 'sample.name');
  const prefix = topic.startsWith('rma.') ? 'RMA' : topic.startsWith('support.') ? 'TK' : topic.startsWith('contract.') || topic.startsWith('training.') ? 'CT' : topic.startsWith('registration.') ? 'RG' : 'SO';
  const staff = STAFF_TOPICS.has(topic);
  const day = (iso: string) => formatDate(lang, iso);
  return {
    business,
    name,
    greeting: fill(word(lang, 'greeting'), { name }),
    number: `${prefix}-2027-000123`,
    link: staff ? `${publicBaseUrl(config)}/orders/example?lang=${lang}` : clientPageUrl(config, 'example', lang),
    amount: formatMoney(lang, currency === 'VND' ? 1_500_000 : 12345, currency),
    decision: word(lang, 'accepted'),
    due: `${day(SAMPLE_AT)} 16:30`,
    rule: Object.keys(raw?.rules ?? {})[0] ?? '',
    clock: word(lang, 'clock.collection'),
    version: '3',
    effective: day('2027-02-01'),
    summary: word(lang, 'sample.summary'),
    code: '123456',
    serial: 'SN-4K7Q2',
    device: 'Lenovo ThinkPad T14',
    plan: word(lang, 'sample.plan'),
    plans: word(lang, 'sample.plan'),
    duration: formatTerm(lang, 'P12M'),
    end: day('2027-12-31'),
    reason: word(lang, 'sample.reason'),
    outcome: word(lang, 'rma.outcome.upheld'),
    consequence: word(lang, 'rma.consequence.charge-unit-price'),
    message: word(lang, 'sample.message'),
  };
}

/** The preview: the text as the client would receive it, rendered with a sample order (validated like a save). */
export async function preview(db: Db, config: Config, orgId: string, topic: string, lang: DocLang, t: Template) {
  const errors = checkTemplate(topic, t);
  if (errors.length) refuse(errors);
  const r = render(topic, lang, await sampleVars(db, config, orgId, topic, lang), t)!;
  return { subject: r.subject, body: r.body, sms: r.sms, smsLength: r.sms.length };
}
