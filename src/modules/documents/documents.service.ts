// Documents: gathers the record, asks the policy engine for coverage, and hands plain data to a
// renderer. Nothing here computes a warranty date or reads the clock except "today" in the
// organization's time zone for a card asked without ?at=.
import type { Selectable } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { ServiceOrdersTable } from '../../db/schema.ts';
import { getShippedPack } from '../../policy/index.ts';
import type { Texts } from '../../policy/types.ts';
import type { Actor } from '../../server/context.ts';
import { AppError, notFound } from '../../server/errors.ts';
import { byToken } from '../service-orders/service-orders.service.ts';
import { byDeviceId } from '../warranty/warranty.service.ts';
import { pickLang, t, type DocLang } from './documents.i18n.ts';
import * as repo from './documents.repository.ts';
import type { Business } from './pdf.ts';
import { renderRequestForm } from './request-form.ts';
import { renderWarrantyCard } from './warranty-card.ts';
import { renderWorkOrder, type WorkOrderData } from './work-order.ts';

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
export function ruleTexts(packId: string, version: string): Record<string, Texts> {
  const pack = getShippedPack(packId);
  const v = pack.versions.find((x) => x.version === version) ?? pack.versions[pack.versions.length - 1];
  return (v.raw.rules ?? {}) as Record<string, Texts>;
}

export function requestFormUrl(config: Config, orgSlug: string, lang: DocLang) {
  return `${publicBaseUrl(config)}/api/v1/documents/warranty-request-form.pdf?org=${encodeURIComponent(orgSlug)}&lang=${lang}`;
}

export async function warrantyCard(db: Db, config: Config, actor: Actor, deviceId: string, q: { at?: string; lang?: DocLang }) {
  const answer = await byDeviceId(db, actor, deviceId, { at: q.at });
  const org = await repo.organizationById(db, actor.organizationId);
  if (!org) throw notFound('Organization');
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
    ruleTexts: ruleTexts(org.pack_id, answer.coverage.policyVersion),
    qr: { url: requestFormUrl(config, org.slug, lang), caption: t(lang, 'common.scanForm') },
  });
  return { pdf, filename: `warranty-card-${answer.device.serial.replace(/[^\w.-]/g, '_')}-${lang}.pdf` };
}

export async function requestForm(db: Db, config: Config, actor: Actor | null, q: { org?: string; lang?: DocLang }) {
  const org = actor ? await repo.organizationById(db, actor.organizationId) : q.org ? await repo.organizationBySlug(db, q.org) : undefined;
  if (!org) {
    if (!actor && !q.org) {
      throw new AppError(400, 'validation-failed', 'The request has invalid fields', {
        errors: [{ field: 'querystring.org', message: "required when not signed in: the business's slug, e.g. itema-pg", code: 'required' }],
      });
    }
    throw new AppError(404, 'not-found', `No business ${q.org}`, { errors: [{ field: 'querystring.org', message: 'no business with this slug' }] });
  }
  const lang = q.lang ?? pickLang(org.languages[0]);
  const pack = getShippedPack(org.pack_id);
  const v = pack.versions[pack.versions.length - 1];
  const pdf = await renderRequestForm({
    lang,
    business: await businessOf(db, org, config),
    policyVersion: `${pack.id} ${v.version}`,
    edition: v.raw.effective,
    qr: { url: requestFormUrl(config, org.slug, lang), caption: t(lang, 'common.scanForm') },
  });
  return { pdf, filename: `warranty-request-form-${org.slug}-${lang}.pdf` };
}

// ---------- order documents ----------

/**
 * The client's order page link: the token handed out at intake (kept in the claim.received outbox
 * payload; only its hash is in order_page_tokens), so every print of a document shows the same link.
 * Without one: the page reachable by order number and phone or e-mail.
 */
export async function orderPageLink(db: Db, config: Config, orgId: string, orderId: string): Promise<string> {
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
  return `${publicBaseUrl(config)}/api/v1/order-page/${token ?? 'lookup'}`;
}

export const ORDER_DOCUMENTS = ['work-order'] as const;
export type OrderDocument = (typeof ORDER_DOCUMENTS)[number];

type OrderRow = Selectable<ServiceOrdersTable>;

/** The documents an order has, as its recorded state allows. */
export function documentsOf(o: OrderRow, base: string) {
  const out: { kind: OrderDocument; filename: string; url: string; createdAt: string }[] = [];
  if (o.work_order) out.push({ kind: 'work-order', filename: `work-order-${o.number}.pdf`, url: `${base}/documents/work-order.pdf`, createdAt: o.created_at.toISOString() });
  return out;
}

export async function staffOrder(db: Db, actor: Actor, id: string) {
  const o = await db.selectFrom('service_orders').selectAll().where('organization_id', '=', actor.organizationId).where('id', '=', id).executeTakeFirst();
  if (!o) throw notFound('Service order');
  return o;
}

export async function clientOrder(db: Db, token: string) {
  const o = await byToken(db, token);
  // The same answer as the order page itself for a wrong or revoked token.
  if (!o) throw new AppError(404, 'not-found', 'No order page with this link (it may have been revoked)');
  return o;
}

export async function workOrder(db: Db, config: Config, o: OrderRow, q: { lang?: DocLang }) {
  if (!o.work_order) throw new AppError(409, 'no-work-order', `Order ${o.number} has no signed work order yet (it is opened with one, SC-2)`);
  const org = await repo.organizationById(db, o.organization_id);
  if (!org) throw notFound('Organization');
  const cust = o.customer_id ? await repo.customer(db, o.organization_id, o.customer_id) : undefined;
  const device = o.device_id
    ? await db.selectFrom('devices').select(['manufacturer', 'model', 'serial', 'category']).where('organization_id', '=', o.organization_id).where('id', '=', o.device_id).executeTakeFirst()
    : undefined;
  const lang = q.lang ?? pickLang(o.language, cust?.preferred_language, org.languages[0]);
  const decision = o.decision as { outcome: string; provisional: boolean; reasons: { rule: string; text: Texts }[] } | null;
  const pdf = await renderWorkOrder({
    lang,
    business: await businessOf(db, org, config),
    number: o.number,
    createdAt: o.created_at,
    receivedOn: o.received_on ?? o.claim_date,
    channel: o.channel,
    policyVersion: `${org.pack_id} ${o.policy_version ?? ''}`.trim(),
    customer: cust ? { name: cust.name, phone: cust.phone, email: cust.email, address: cust.address } : null,
    device: device ?? null,
    workOrder: o.work_order as WorkOrderData['workOrder'],
    decision: decision ? { outcome: decision.outcome, provisional: decision.provisional, reasons: decision.reasons ?? [] } : null,
    qr: { url: await orderPageLink(db, config, o.organization_id, o.id), caption: t(lang, 'common.scan') },
  });
  return { pdf, filename: `work-order-${o.number}-${lang}.pdf` };
}
