// Documents: gathers the record, asks the policy engine for coverage, and hands plain data to a
// renderer. Nothing here computes a warranty date or reads the clock except "today" in the
// organization's time zone for a card asked without ?at=.
import type { Selectable } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { ServiceOrdersTable } from '../../db/schema.ts';
import type { CompiledPack } from '../../policy/index.ts';
import { policyOfOrg } from '../../core/organization.ts';
import type { Decision, Texts } from '../../policy/types.ts';
import { situationOf } from '../service-orders/service-orders.service.ts';
import { systemActor, type Actor } from '../../core/actor.ts';
import { CoreErrors, notFound, problem, type ProblemCode } from '../../core/errors.ts';
import { DocumentErrors } from './documents.errors.ts';
import { byToken, orderClocks, type PageLinkDeps } from '../service-orders/service-orders.service.ts';
import { todayIn } from '../../core/day.ts';
import { byDeviceId } from '../warranty/warranty.service.ts';
import { pickLang, t, type DocLang } from './documents.i18n.ts';
import * as repo from './documents.repository.ts';
import type { Business } from './pdf.ts';
import { renderCompletionCertificate } from './completion-certificate.ts';
import { renderFindingsProtocol } from './findings-protocol.ts';
import { renderPaymentReceipt } from './payment-receipt.ts';
import { renderQuote, type QuoteData } from './quote.ts';
import type { ReplacementRecordData } from './replacement-record.ts';
import { renderTaxDocument, type TaxDocData } from './tax-document.ts';
import { createRenderPool, type CachedDocument, type DocumentCache, type RenderPool } from './render-pool.ts';
import { sha256 } from '../../core/tokens.ts';
import { keyringOf, sign, verify } from '../../core/secrets.ts';
import { renderWarrantyCard } from './warranty-card.ts';
import { renderWorkOrder, type WorkOrderData } from './work-order.ts';
import { renderDeviceLabel, renderReceipt80, type LabelData, type LabelSize } from './labels.ts';

/** A render pool of its own, for a feature's routes that draw documents (closed with the app). */
export { createRenderPool, type RenderPool };

/** The PDF writer, for features that draw their own documents (the RMA's packing slip). */
export { renderPdf, type Business, type Writer } from './pdf.ts';

export function publicBaseUrl(config: Config) {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return (config.publicUrl ?? `http://${host}:${config.port}`).replace(/\/+$/, '');
}

type Org = NonNullable<Awaited<ReturnType<typeof repo.organizationById>>>;

export async function businessOf(db: Db, org: Org, config: Config): Promise<Business> {
  const loc = await repo.mainLocation(db, org.id);
  const lines: string[] = [];
  if (loc?.address) lines.push(loc.name ? `${loc.name}, ${loc.address}` : loc.address);
  if (loc?.phone) lines.push(loc.phone);
  lines.push(publicBaseUrl(config));
  return { name: org.name, lines };
}

/** The pack's statement of every rule, for the version the document cites. */
export function ruleTexts(pack: CompiledPack, version: string): Record<string, Texts> {
  return (packVersion(pack, version).raw.rules ?? {}) as Record<string, Texts>;
}

/** The version of the business's policy an order or document cites (else its latest). */
function packVersion(pack: CompiledPack, version: string | null | undefined) {
  return pack.versions.find((x) => x.version === version) ?? pack.versions[pack.versions.length - 1];
}

/** Of the rule ids a document would cite, those of the business's own policy: another business's rules are never printed. */
export const ownRules = (pack: CompiledPack, version: string | null | undefined, ids: (string | null | undefined)[]) => {
  const rules = ruleTexts(pack, version ?? '');
  return ids.filter((id): id is string => !!id && !!rules[id]);
};

/**
 * The client's order page in the web portal (`/order/<token>`), opened in the client's language: the
 * link every message and every QR code gives (the API's `/api/v1/order-page/<token>` is its data).
 */
export function clientPageUrl(config: Config, token: string, lang: string) {
  return `${publicBaseUrl(config)}/order/${encodeURIComponent(token)}?lang=${encodeURIComponent(lang)}`;
}

/** The portal's page that finds an order by its number and the client's phone or e-mail, for one business. */
export function portalLookupUrl(config: Config, orgSlug: string, lang: string) {
  return `${publicBaseUrl(config)}/order?org=${encodeURIComponent(orgSlug)}&lang=${encodeURIComponent(lang)}`;
}

/**
 * What the pack has the client read on a document (`clientStatements`, e.g. ITEMA-19 on the work
 * order and the warranty card), for the version the document cites.
 */
export function clientStatements(pack: CompiledPack, version: string | null | undefined, doc: 'work-order' | 'warranty-card'): { rule: string; text: Texts }[] {
  const v = pack.versions.find((x) => x.version === version) ?? pack.versions[pack.versions.length - 1];
  return (v.raw.clientStatements ?? []).filter((x) => x.documents.includes(doc)).map((x) => ({ rule: x.rule, text: x.text }));
}

export function requestFormUrl(config: Config, orgSlug: string, lang: DocLang) {
  return `${publicBaseUrl(config)}/api/v1/documents/warranty-request-form.pdf?org=${encodeURIComponent(orgSlug)}&lang=${lang}`;
}

export async function warrantyCard(db: Db, config: Config, actor: Actor, deviceId: string, q: { at?: string; lang?: DocLang }) {
  const answer = await byDeviceId(db, actor, deviceId, { at: q.at });
  const org = await repo.organizationById(db, actor.organizationId);
  if (!org) throw notFound('Organization');
  const policy = await policyOfOrg(db, org.id);
  const cust = answer.device.customerId ? await repo.customer(db, actor.organizationId, answer.device.customerId) : undefined;
  const lang = q.lang ?? pickLang(cust?.preferred_language, org.languages[0]);
  const purchase = await repo.firstPurchase(db, actor.organizationId, deviceId);
  const pdf = await renderWarrantyCard({
    lang,
    business: await businessOf(db, org, config),
    issuedOn: answer.at,
    device: answer.device,
    customer: cust ? { name: cust.name, address: cust.address, phone: cust.phone, email: cust.email } : null,
    purchase: purchase ? { documentType: purchase.document_type, documentNumber: purchase.document_number, soldOn: purchase.sold_on as unknown as string, place: purchase.place } : null,
    coverage: answer.coverage,
    ruleTexts: ruleTexts(policy, answer.coverage.policyVersion),
    partCardRule: packVersion(policy, answer.coverage.policyVersion).raw.coverage.moduleCard?.rule ?? null,
    statements: clientStatements(policy, answer.coverage.policyVersion, 'warranty-card'),
    qr: { url: requestFormUrl(config, org.slug, lang), caption: t(lang, 'common.scanForm') },
  });
  return { pdf, filename: `warranty-card-${answer.device.serial.replace(/[^\w.-]/g, '_')}-${lang}.pdf` };
}

const dayMs = 86_400_000;
const dayNumber = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / dayMs;

/**
 * The replacement record of a unit exchange (issue 12, ITM-9 / ITM-10 / ITEMA-17): the device's
 * `device-replaced` event (its note names the removed and the new serial), and the warranty the
 * engine computes from the device's events as of that day. Drawn in the render pool. `qr` is where
 * the client follows the case (the order page, the account page); by default the account page.
 */
export async function replacementRecord(db: Db, config: Config, pool: RenderPool, actor: Actor, deviceId: string, eventId: string | undefined, q: { lang?: DocLang; qr?: { url: string; caption: string } }) {
  const ev = await repo.replacementEvent(db, actor.organizationId, deviceId, eventId);
  if (!ev) throw notFound('Replacement');
  const date = typeof ev.date === 'string' ? ev.date : (ev.date as Date).toISOString().slice(0, 10);
  const answer = await byDeviceId(db, actor, deviceId, { at: date });
  const org = await repo.organizationById(db, actor.organizationId);
  if (!org) throw notFound('Organization');
  const cust = answer.device.customerId ? await repo.customer(db, actor.organizationId, answer.device.customerId) : undefined;
  const lang = q.lang ?? pickLang(cust?.preferred_language, org.languages[0]);
  const [, removed, added] = /^(\S+) → (\S+)/.exec(ev.note ?? '') ?? [];
  const c = answer.coverage.device;
  const data: ReplacementRecordData = {
    lang,
    business: await businessOf(db, org, config),
    createdAt: ev.recorded_at,
    caseNumber: ev.order_ref,
    replacedOn: date,
    removedSerial: removed ?? '—',
    newSerial: added ?? answer.device.serial,
    device: { manufacturer: answer.device.manufacturer, model: answer.device.model, category: answer.device.category },
    customer: cust ? { name: cust.name, phone: cust.phone, email: cust.email } : null,
    policyVersion: `${org.pack_id} ${answer.coverage.policyVersion}`,
    coverage: { start: c.start ?? null, end: c.end ?? null, term: c.term ?? null, daysLeft: c.end ? Math.max(0, dayNumber(c.end) - dayNumber(date) + 1) : null },
    // The changes the exchange made (the original term kept, ITM-9 / ITEMA-17; the minimum, ITM-10).
    rules: JSON.parse(JSON.stringify(c.changes.filter((x) => x.date === date).map((x) => ({ rule: x.rule, text: x.text })))),
    qr: q.qr ?? { url: `${publicBaseUrl(config)}/account/${org.slug}?lang=${lang}`, caption: t(lang, 'common.scan') },
  };
  const pdf = await pool.render('replacement-record', data);
  return { pdf, filename: `replacement-record-${(added ?? answer.device.serial).replace(/[^\w.-]/g, '_')}-${lang}.pdf` };
}

/**
 * The blank request form: the same for everyone of a business, so it is drawn once per business,
 * language, policy version and letterhead (the cache key holds all the form shows) in the render
 * pool, and served from the cache after that. `etag` identifies the bytes.
 */
export async function requestForm(db: Db, config: Config, render: { pool: RenderPool; cache: DocumentCache }, actor: Actor | null, q: { org?: string; lang?: DocLang }): Promise<CachedDocument> {
  // Asked the same way within the last minute: the same form, without reading the database.
  const alias = JSON.stringify(['request-form', actor?.organizationId ?? null, actor ? null : (q.org ?? null), q.lang ?? null]);
  const known = render.cache.byAlias(alias);
  if (known) return known;
  const org = actor ? await repo.organizationById(db, actor.organizationId) : q.org ? await repo.organizationBySlug(db, q.org) : undefined;
  if (!org) {
    if (!actor && !q.org) {
      throw problem(
        CoreErrors,
        'validation-failed',
        'The request has invalid fields',
        { errors: [{ field: 'querystring.org', message: "required when not signed in: the business's slug, e.g. itema-pg", code: 'required' }] },
        { status: 400 },
      );
    }
    throw problem(CoreErrors, 'not-found', `No business ${q.org}`, { errors: [{ field: 'querystring.org', message: 'no business with this slug' }] });
  }
  const lang = q.lang ?? pickLang(org.languages[0]);
  const pack = await policyOfOrg(db, org.id);
  const v = pack.versions[pack.versions.length - 1];
  const data = {
    lang,
    business: await businessOf(db, org, config),
    policyVersion: `${pack.id} ${v.version}`,
    edition: v.raw.effective,
    qr: { url: requestFormUrl(config, org.slug, lang), caption: t(lang, 'common.scanForm') },
  };
  const key = sha256(JSON.stringify(['request-form', org.id, data]));
  const doc = await render.cache.fill(key, async () => ({ pdf: await render.pool.render('request-form', data), filename: `warranty-request-form-${org.slug}-${lang}.pdf`, etag: `"${key.slice(0, 32)}"` }));
  render.cache.alias(alias, key);
  return doc;
}

// ---------- order documents ----------

/**
 * The client's order page link: the token handed out at intake (kept in the claim.received outbox
 * payload; only its hash is in order_page_tokens), so every print of a document shows the same link.
 * Without one: the portal's page reached by order number and phone or e-mail (`/order?org=`).
 */
export async function orderPageLink(db: Db, config: Config, orgId: string, orderId: string, lang: string): Promise<string> {
  const first = await db
    .selectFrom('outbox')
    .select('payload')
    .where('organization_id', '=', orgId)
    .where('aggregate_id', '=', orderId)
    .where('topic', '=', 'claim.received')
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  const token = (first?.payload as { orderPageToken?: string } | undefined)?.orderPageToken;
  if (token) return clientPageUrl(config, token, lang);
  // The portal's lookup by order number and contact, for this business.
  const org = await db.selectFrom('organizations').select('slug').where('id', '=', orgId).executeTakeFirst();
  return portalLookupUrl(config, org?.slug ?? '', lang);
}

export const ORDER_DOCUMENTS = ['work-order', 'quote', 'completion-certificate', 'payment-receipt', 'findings-protocol', 'warranty-card', 'replacement-record'] as const;
export type OrderDocument = (typeof ORDER_DOCUMENTS)[number];

type OrderRow = Selectable<ServiceOrdersTable>;

/**
 * The handover (SC-10) or the return after a refusal (SC-12, ITEMA-22): both end the order, and no
 * change follows them (no payment, part or action), so the order's last change is that moment — taken
 * from the application's clock in the handover's own transaction.
 */
async function handover(_db: Db, o: OrderRow) {
  return ['handed-over', 'returned'].includes(o.state) ? { occurred_at: o.updated_at } : undefined;
}

const paymentsOf = (db: Db, o: OrderRow) =>
  db.selectFrom('order_payments').select(['method', 'amount_minor', 'created_at']).where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').orderBy('id').execute();

/** The documents an order has, as its recorded state allows. */
export async function documentsOf(db: Db, o: OrderRow, base: string) {
  const out: { kind: OrderDocument; filename: string; url: string; createdAt: string }[] = [];
  const add = (kind: OrderDocument, at: Date) => out.push({ kind, filename: `${kind}-${o.number}.pdf`, url: `${base}/documents/${kind}.pdf`, createdAt: at.toISOString() });
  if (o.work_order) add('work-order', o.created_at);
  const q = o.quote as { quotedAt?: string } | null;
  if (q?.quotedAt) add('quote', new Date(q.quotedAt));
  const h = ['handed-over', 'returned'].includes(o.state) ? await handover(db, o) : undefined;
  if (h) add('completion-certificate', h.occurred_at);
  const pays = await paymentsOf(db, o);
  if (pays.length) add('payment-receipt', pays[pays.length - 1].created_at);
  if (h && o.findings_protocol) add('findings-protocol', h.occurred_at);
  // SC-10: at handover the client also receives the device's warranty card (as of that day).
  if (h && o.state === 'handed-over' && o.device_id) add('warranty-card', h.occurred_at);
  // Issue 12: a unit replaced under the order (ITEMA-17) has its replacement record.
  const rep = o.device_id ? await repo.replacementEventOf(db, o.organization_id, o.device_id, o.number) : undefined;
  if (rep) add('replacement-record', rep.recorded_at);
  return out;
}

export async function staffOrder(db: Db, actor: Actor, id: string) {
  const o = await db.selectFrom('service_orders').selectAll().where('organization_id', '=', actor.organizationId).where('id', '=', id).executeTakeFirst();
  if (!o) throw notFound('Service order');
  return o;
}

// ---------- downloads for the client who found the order by number and contact (issue 16) ----------

/** How long a download link given with a lookup works: the lookup's own window. */
export const DOCUMENT_TICKET_MINUTES = 15;
const TICKET_PURPOSE = 'order-document-download';
/**
 * `d1.<business id>.<order id>.<expiry, seconds, base 36>.<MAC>`: one document of one order until a
 * moment, no personal data; under Fastify's 100 characters for a path parameter.
 */
const TICKET = /^d1\.([0-9a-f]{32})\.([0-9a-f]{32})\.([0-9a-z]{1,7})\.([A-Za-z0-9_-]{22})$/;
const ticketMessage = (orgId: string, orderId: string, kind: string, exp: string) => `${orgId}|${orderId}|${kind}|${exp}`;
const hex = (uuid: string) => uuid.replace(/-/g, '');
const uuid = (h: string) => h.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/**
 * A short-lived download token for one document of the order (the client found the order by its
 * number and phone or e-mail, after the lookup's limits): signed with the server's key, so it needs
 * no row; it opens that PDF only, for DOCUMENT_TICKET_MINUTES, and nothing else of the order.
 */
export function documentTicket(config: Config, o: Pick<OrderRow, 'organization_id' | 'id'>, kind: OrderDocument, now: Date) {
  const [org, id] = [hex(o.organization_id), hex(o.id)];
  const exp = Math.floor(now.getTime() / 1000 + DOCUMENT_TICKET_MINUTES * 60).toString(36);
  return `d1.${org}.${id}.${exp}.${sign(keyringOf(config), TICKET_PURPOSE, ticketMessage(org, id, kind, exp))}`;
}

/**
 * The order a document route's token opens for `kind`: the page link's token, or a download token
 * (`documentTicket`) for this very document that has not expired. Anything else: the same 404.
 */
export async function clientDocumentOrder(deps: PageLinkDeps, token: string, kind: OrderDocument) {
  const m = TICKET.exec(token);
  if (!m) return clientOrder(deps, token);
  const [, org, id, exp, signature] = m as unknown as [string, string, string, string, string];
  const now = deps.now?.() ?? new Date();
  const fresh = parseInt(exp, 36) * 1000 > now.getTime();
  const o = fresh && verify(keyringOf(deps.config), TICKET_PURPOSE, ticketMessage(org, id, kind, exp), signature) ? await repo.order(deps.db, uuid(org), uuid(id)) : undefined;
  if (!o) throw problem(CoreErrors, 'not-found', 'No order page with this link (it may have been revoked)');
  return o;
}

export async function clientOrder(deps: PageLinkDeps, token: string) {
  const o = await byToken(deps, token);
  // The same answer as the order page itself for a wrong, revoked or expired token.
  if (!o) throw problem(CoreErrors, 'not-found', 'No order page with this link (it may have been revoked)');
  return o;
}

export async function workOrder(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }) {
  if (!o.work_order) throw problem(DocumentErrors, 'no-work-order', `Order ${o.number} has no signed work order yet (it is opened with one, SC-2)`);
  const { base } = await orderBase(db, config, o, q, o.created_at);
  const situation = situationOf(o.decision as Decision | null);
  // Each confirmation cites the rule its own policy gives it (the version the order was taken under).
  const asked = packVersion(await policyOfOrg(db, o.organization_id), o.policy_version).raw.intake.workOrderConfirmations;
  const pdf = await renderWorkOrder({
    ...base,
    statements: clientStatements(await policyOfOrg(db, o.organization_id), o.policy_version, 'work-order'),
    receivedOn: o.received_on ?? o.claim_date,
    channel: o.channel,
    workOrder: o.work_order as WorkOrderData['workOrder'],
    situation: situation ? { text: situation.text, final: o.decision_final } : null,
    confirmationRules: Object.fromEntries(asked.map((c) => [c.field, c.rule])),
  });
  return { pdf, filename: fileOf('work-order', o, base.lang) };
}

const notAvailable = (o: OrderRow, doc: string, why: string) => problem(DocumentErrors, 'document-not-available', `Order ${o.number} has no ${doc} yet: ${why}`);

/** What every order document prints: the business, the client, the device, the numbers, the link. */
async function orderBase(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }, createdAt: Date) {
  const org = await repo.organizationById(db, o.organization_id);
  if (!org) throw notFound('Organization');
  const cust = o.customer_id ? await repo.customer(db, o.organization_id, o.customer_id) : undefined;
  const device = o.device_id
    ? await db.selectFrom('devices').select(['manufacturer', 'model', 'serial', 'category']).where('organization_id', '=', o.organization_id).where('id', '=', o.device_id).executeTakeFirst()
    : undefined;
  const lang = q.lang ?? pickLang(o.language, cust?.preferred_language, org.languages[0]);
  return {
    org,
    base: {
      lang,
      business: await businessOf(db, org, config),
      number: o.number,
      createdAt,
      policyVersion: `${org.pack_id} ${o.policy_version ?? ''}`.trim(),
      customer: cust ? { name: cust.name, phone: cust.phone, email: cust.email, address: cust.address } : null,
      device: device ?? null,
      qr: { url: await orderPageLink(db, config, o.organization_id, o.id, lang), caption: t(lang, 'common.scan') },
    },
  };
}

const fileOf = (kind: OrderDocument, o: OrderRow, lang: DocLang) => `${kind}-${o.number}-${lang}.pdf`;

/** SC-5 / SC-6: the recorded quote and the decision window's end as the order's clock has it. */
export async function quote(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }) {
  const rec = o.quote as QuoteData['quote'] | null;
  if (!rec) throw notAvailable(o, 'quote', 'it is quoted after diagnosis (SC-5)');
  const { base } = await orderBase(db, config, o, q, new Date(rec.quotedAt));
  // The window's end as the engine evaluates the order's clock (SC-6), seen from the quote's instant:
  // the same answer before and after the client decides.
  const org = await repo.organizationById(db, o.organization_id);
  const pack = await policyOfOrg(db, o.organization_id);
  const clock = (await orderClocks(db, pack, o, new Date(rec.quotedAt))).find((c) => c.id === 'decision-window');
  const due = clock?.due ? todayIn(org!.time_zone, new Date(clock.due)) : null;
  // Findings as the pack's exclusions name them (the version the order was judged by), in the
  // document's language; a code the pack does not know is printed as recorded.
  const version = pack.versions.find((x) => x.version === o.policy_version) ?? pack.versions[pack.versions.length - 1];
  const findings = (o.findings ?? []).map((code) => {
    const e = version.raw.exclusions.find((x) => x.finding === code);
    return e ? { code, rule: e.rule, text: e.text[base.lang] ?? e.text.en } : { code };
  });
  const pdf = await renderQuote({ ...base, quote: rec, findings, window: due && clock ? { due, rule: clock.rule } : null });
  return { pdf, filename: fileOf('quote', o, base.lang) };
}

/** SC-10 (SC-12 after a refusal): works, parts, the test, and the warranty on the handover day. */
export async function completionCertificate(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }) {
  const h = ['handed-over', 'returned'].includes(o.state) ? await handover(db, o) : undefined;
  if (!h) throw notAvailable(o, 'completion certificate', 'it is issued at handover (SC-10)');
  const { org, base } = await orderBase(db, config, o, q, h.occurred_at);
  const day = todayIn(org.time_zone, h.occurred_at);
  const repairs = await db
    .selectFrom('audit_events')
    .select('after')
    .where('organization_id', '=', o.organization_id)
    .where('entity_type', '=', 'service-order')
    .where('entity_id', '=', o.id)
    .where('action', '=', 'service-order.start-repair')
    .orderBy('id')
    .execute();
  const works = [...new Set(repairs.flatMap((r) => ((r.after as { works?: string[] } | null)?.works ?? [])))];
  const parts = await db.selectFrom('order_parts').selectAll().where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').orderBy('id').execute();
  const policy = await policyOfOrg(db, o.organization_id);
  const rules = ruleTexts(policy, o.policy_version ?? '');
  const test = o.test_result as { passed: boolean; report: string; rule: string } | null;
  // The engine's coverage on the handover day: ITEMA-14's extension, ITS-2's repair term, part cards.
  const coverage = o.device_id ? (await byDeviceId(db, { organizationId: o.organization_id } as Actor, o.device_id, { at: day })).coverage : null;
  const pdf = await renderCompletionCertificate({
    ...base,
    handedOverOn: day,
    problem: o.problem,
    works,
    parts: parts.map((p) => ({ action: p.action, partId: p.part_id, replacesPartId: p.replaces_part_id, category: p.category, underWarranty: p.under_warranty, removedPartRetained: p.removed_part_retained })),
    retainedRules: ['ITEMA-23', 'ITM-11'].filter((r) => rules[r]),
    test: test ? { passed: test.passed, report: test.report, rule: ownRules(policy, o.policy_version, [test.rule])[0] ?? null } : null,
    coverage,
    findingsProtocol: !!o.findings_protocol,
  });
  return { pdf, filename: fileOf('completion-certificate', o, base.lang) };
}

/** SC-10: charges, payments with method and amount, the balance. */
export async function paymentReceipt(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }) {
  const pays = await paymentsOf(db, o);
  if (!pays.length) throw notAvailable(o, 'payment receipt', 'no payment is recorded');
  const { org, base } = await orderBase(db, config, o, q, pays[pays.length - 1].created_at);
  const charges = await db.selectFrom('order_charges').select(['kind', 'amount_minor', 'rule']).where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).orderBy('created_at').orderBy('id').execute();
  const pdf = await renderPaymentReceipt({
    ...base,
    currency: o.currency,
    charges: charges.map((c) => ({ kind: c.kind, amountMinor: Number(c.amount_minor), rule: c.rule })),
    payments: pays.map((p) => ({ on: todayIn(org.time_zone, p.created_at), method: p.method, amountMinor: Number(p.amount_minor) })),
    charged: charges.reduce((s, c) => s + Number(c.amount_minor), 0),
    paid: pays.reduce((s, p) => s + Number(p.amount_minor), 0),
  });
  return { pdf, filename: fileOf('payment-receipt', o, base.lang) };
}

/** ITEMA-23: the client's disagreement at handover. */
export async function findingsProtocol(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }) {
  const h = o.findings_protocol ? await handover(db, o) : undefined;
  if (!h || !o.findings_protocol) throw notAvailable(o, 'findings protocol', 'one is written only when the client disagrees at handover (ITEMA-23)');
  const { org, base } = await orderBase(db, config, o, q, h.occurred_at);
  const pdf = await renderFindingsProtocol({ ...base, handedOverOn: todayIn(org.time_zone, h.occurred_at), text: o.findings_protocol, rule: ownRules(await policyOfOrg(db, o.organization_id), o.policy_version, ['ITEMA-23'])[0] ?? null });
  return { pdf, filename: fileOf('findings-protocol', o, base.lang) };
}

/** SC-10: the device's warranty card as it stood on the handover day, with the order's own link. */
export async function orderWarrantyCard(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }) {
  const h = o.state === 'handed-over' ? await handover(db, o) : undefined;
  if (!h || !o.device_id) throw notAvailable(o, 'warranty card', 'the client receives it at handover (SC-10)');
  const org = await repo.organizationById(db, o.organization_id);
  if (!org) throw notFound('Organization');
  const cust = o.customer_id ? await repo.customer(db, o.organization_id, o.customer_id) : undefined;
  const lang = q.lang ?? pickLang(o.language, cust?.preferred_language, org.languages[0]);
  const card = await warrantyCard(db, config, systemActor(o.organization_id, 'order-page'), o.device_id, { at: todayIn(org.time_zone, h.occurred_at), lang });
  return { pdf: card.pdf, filename: fileOf('warranty-card', o, lang) };
}

/** What each order document's routes can answer (the order, its organization, the document's own state). */
export const ORDER_DOCUMENT_PROBLEMS = {
  'work-order': ['not-found', 'no-work-order'],
  quote: ['not-found', 'document-not-available'],
  'completion-certificate': ['not-found', 'document-not-available'],
  'payment-receipt': ['not-found', 'document-not-available'],
  'findings-protocol': ['not-found', 'document-not-available'],
  // The card is the device's, computed by the engine as of the handover day.
  'warranty-card': ['not-found', 'document-not-available', 'policy-input-invalid'],
  'replacement-record': ['not-found', 'document-not-available', 'policy-input-invalid'],
} as const satisfies Record<OrderDocument, readonly ProblemCode[]>;

/** Issue 12: the replacement record of the unit exchanged under the order (ITEMA-17), with the order page's link. */
export async function orderReplacementRecord(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }, pool?: RenderPool) {
  const ev = o.device_id ? await repo.replacementEventOf(db, o.organization_id, o.device_id, o.number) : undefined;
  if (!ev || !o.device_id || !pool) throw notAvailable(o, 'replacement record', 'no unit was replaced under it');
  const org = await repo.organizationById(db, o.organization_id);
  if (!org) throw notFound('Organization');
  const cust = o.customer_id ? await repo.customer(db, o.organization_id, o.customer_id) : undefined;
  const lang = q.lang ?? pickLang(o.language, cust?.preferred_language, org.languages[0]);
  const qr = { url: await orderPageLink(db, config, o.organization_id, o.id, lang), caption: t(lang, 'common.scan') };
  const r = await replacementRecord(db, config, pool, systemActor(o.organization_id, 'documents'), o.device_id, ev.id, { lang, qr });
  return { pdf: r.pdf, filename: fileOf('replacement-record', o, lang) };
}

export const ORDER_RENDERERS: Record<OrderDocument, (db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }, pool?: RenderPool) => Promise<{ pdf: Buffer; filename: string }>> = {
  'work-order': workOrder,
  quote,
  'completion-certificate': completionCertificate,
  'payment-receipt': paymentReceipt,
  'findings-protocol': findingsProtocol,
  'warranty-card': orderWarrantyCard,
  'replacement-record': orderReplacementRecord,
};

// ---------- tax documents (issue 14) ----------

/**
 * An invoice, receipt or credit note as issued (src/modules/billing/tax-documents.ts), in the
 * language it was issued in unless `lang` is given. The QR links to what it is about: the client's
 * order page for a service order.
 */
export async function taxDocumentPdf(db: Db, config: Config, orgId: string, id: string, q: { lang?: DocLang }) {
  const d = await db.selectFrom('tax_documents').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!d) throw notFound('Tax document');
  const org = await repo.organizationById(db, orgId);
  if (!org) throw notFound('Organization');
  const cust = d.customer_id ? await repo.customer(db, orgId, d.customer_id) : undefined;
  const lang = q.lang ?? pickLang(d.language, org.languages[0]);
  const ref = d.refers_to ? await db.selectFrom('tax_documents').select(['number', 'issued_at']).where('organization_id', '=', orgId).where('id', '=', d.refers_to).executeTakeFirst() : undefined;
  const payment =
    d.kind === 'receipt' ? await db.selectFrom('order_payments').select(['method', 'amount_minor']).where('organization_id', '=', orgId).where('receipt_id', '=', d.id).executeTakeFirst() : undefined;
  const url = d.subject_type === 'service-order' ? await orderPageLink(db, config, orgId, d.subject_id, lang) : publicBaseUrl(config);
  const pdf = await renderTaxDocument({
    lang,
    business: await businessOf(db, org, config),
    kind: d.kind as TaxDocData['kind'],
    number: d.number,
    issuedOn: todayIn(org.time_zone, d.issued_at),
    createdAt: d.issued_at,
    subject: { type: d.subject_type, number: d.subject_number },
    customer: cust ? { name: cust.name, phone: cust.phone, email: cust.email, address: cust.address } : null,
    currency: d.currency,
    lines: d.lines as TaxDocData['lines'],
    netMinor: Number(d.net_minor),
    taxMinor: Number(d.tax_minor),
    totalMinor: Number(d.total_minor),
    tax: d.tax as TaxDocData['tax'],
    refersTo: ref ? { number: ref.number, issuedOn: todayIn(org.time_zone, ref.issued_at) } : null,
    reason: d.reason,
    rule: d.rule,
    payment: payment ? { method: payment.method, amountMinor: Number(payment.amount_minor) } : null,
    qr: { url, caption: t(lang, 'common.scan') },
  });
  return { pdf, filename: `${d.kind}-${d.number}-${lang}.pdf` };
}

/** What a device label and the 80 mm ticket print (issue 16): labels.ts. Never the passcode. */
async function labelData(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }): Promise<LabelData> {
  const { base } = await orderBase(db, config, o, q, o.created_at);
  const ws = await db.selectFrom('order_workshop').select('promised_on').where('organization_id', '=', o.organization_id).where('order_id', '=', o.id).executeTakeFirst();
  const wo = o.work_order as { accessories?: string[] } | null;
  return {
    lang: base.lang,
    business: base.business,
    number: o.number,
    createdAt: o.created_at,
    receivedOn: o.received_on ?? o.claim_date,
    promisedOn: ws?.promised_on ?? null,
    customer: base.customer ? { name: base.customer.name, phone: base.customer.phone } : null,
    device: base.device,
    problem: o.problem,
    accessories: wo?.accessories ?? [],
    qr: base.qr,
  };
}

export async function deviceLabel(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang; size: LabelSize }) {
  const d = await labelData(db, config, o, q);
  return { pdf: await renderDeviceLabel(d, q.size), filename: `label-${q.size}-${o.number}-${d.lang}.pdf` };
}

export async function receipt80(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }) {
  const d = await labelData(db, config, o, q);
  return { pdf: await renderReceipt80(d), filename: `ticket-80mm-${o.number}-${d.lang}.pdf` };
}
