// Service orders as staff and the client see them: the order, its clocks, the client's rights, its
// timeline, lists and queues, and the client's order page. Reads only.
import { DateTime } from 'luxon';
import type { Db, Tx } from '../../db/index.ts';
import type { Actor } from '../../core/actor.ts';
import type { AppDeps } from '../../core/deps.ts';
import { subjectClocks, type ClockView } from '../../core/clocks.ts';
import { toPage } from '../../core/cursors.ts';
import { notFound } from '../../core/errors.ts';
import { orgAndPack, orgOf, packOf, policyOfOrg, type Org } from '../../core/organization.ts';
import { businessCountry, samePhone } from '../../core/phone.ts';
import { versionAt, type CompiledPack, type Decision } from '../../policy/index.ts';
import { situationOf } from './situation.ts';
import * as billing from '../billing/billing.service.ts';
import { decideFor } from './decisions.ts';
import * as repo from './repository.ts';
import type { OrderRow, Queue } from './repository.ts';
import { allowedActions, type OrderPolicy, type State } from './state-machine.ts';

export const INTAKE_CHANNELS = ['web-form', 'api', 'phone', 'email', 'walk-in'] as const;
export type IntakeChannel = (typeof INTAKE_CHANNELS)[number];

type Extras = Awaited<ReturnType<typeof repo.extrasOf>> & billing.LedgerRows;

/** Parts, and the ledger with its balance (billing's: charges, payments, refunds). */
export async function extras(db: Db | Tx, o: Pick<OrderRow, 'id' | 'organization_id'>) {
  const [x, ledger] = await Promise.all([repo.extrasOf(db, o), billing.ledgerRows(db, o)]);
  const b = billing.balanceOf(ledger);
  return { parts: x.parts, charges: ledger.charges, payments: ledger.payments, refunds: ledger.refunds, balance: b.due, charged: b.charged, paid: b.paid };
}

export function orderView(o: OrderRow, x: Extras & { balance: number; charged: number; paid: number }) {
  return {
    id: o.id,
    number: o.number,
    state: o.state as State,
    channel: o.channel as IntakeChannel,
    customerId: o.customer_id,
    deviceId: o.device_id,
    language: o.language,
    problem: o.problem,
    claimDate: o.claim_date,
    details: o.details as Record<string, string>,
    proofs: o.proofs as Record<string, boolean>,
    missing: o.missing as { field: string; rule: string }[],
    preAuthorization: { required: o.pre_authorization_required, rule: o.pre_authorization_required ? o.pre_authorization_rule : null, authorizedAt: o.pre_authorized_at?.toISOString() ?? null },
    decision: (o.decision ?? null) as Record<string, unknown> | null,
    decisionFinal: o.decision_final,
    situation: situationOf(o.decision as Decision | null),
    insignificant: o.insignificant,
    underWarranty: o.under_warranty,
    findings: o.findings,
    /** Issue 16: what the diagnosis recorded for the rules (ITEMA-16, ITEMA-5, ITEMA-7). */
    diagnosisFacts: { deadPixels: (o.dead_pixels ?? null) as Record<string, number> | null, country: o.use_country, partId: o.claim_part_id },
    workOrder: (o.work_order ?? null) as Record<string, unknown> | null,
    receivedOn: o.received_on,
    quote: (o.quote ?? null) as Record<string, unknown> | null,
    clientDecision: (o.client_decision ?? null) as Record<string, unknown> | null,
    testResult: (o.test_result ?? null) as Record<string, unknown> | null,
    findingsProtocol: o.findings_protocol,
    currency: o.currency,
    charges: x.charges.map((c) => ({ id: c.id, kind: c.kind, amountMinor: Number(c.amount_minor), currency: c.currency, rule: c.rule, note: c.note })),
    payments: x.payments.map((p) => ({
      id: p.id,
      method: p.method,
      kind: p.kind as 'payment' | 'deposit',
      amountMinor: Number(p.amount_minor),
      currency: p.currency,
      receivedAt: p.created_at.toISOString(),
      receiptId: p.receipt_id,
      refundedMinor: x.refunds.filter((r) => r.payment_id === p.id && r.status !== 'failed').reduce((s, r) => s + Number(r.amount_minor), 0),
    })),
    refunds: x.refunds.map((r) => ({ id: r.id, paymentId: r.payment_id, kind: r.kind as 'credit' | 'overpayment' | 'remedy', amountMinor: Number(r.amount_minor), currency: r.currency, method: r.method, reason: r.reason, remedy: r.remedy, creditNoteId: r.credit_note_id, status: r.status as 'pending' | 'done' | 'failed', failureReason: r.failure_reason ?? null, failedAt: r.failed_at?.toISOString() ?? null, refundedAt: r.created_at.toISOString() })),
    parts: x.parts.map((p) => ({ id: p.id, action: p.action, partId: p.part_id, replacesPartId: p.replaces_part_id, category: p.category, underWarranty: p.under_warranty, removedPartRetained: p.removed_part_retained })),
    balance: { charged: x.charged, paid: x.paid, due: x.balance, currency: o.currency },
    policyVersion: o.policy_version,
    awaitingLink: o.awaiting_link,
    submitted: (o.submitted ?? null) as Record<string, unknown> | null,
    closedAt: o.closed_at?.toISOString() ?? null,
    version: o.version,
    createdAt: o.created_at.toISOString(),
    /** When the claim reached the business (a call entered later); the entry moment is createdAt. */
    claimReceivedAt: (o.claim_received_at ?? o.created_at).toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}
export type OrderView = ReturnType<typeof orderView>;

export const NO_EXTRAS = { charges: [], payments: [], refunds: [], parts: [], balance: 0, charged: 0, paid: 0 };

export async function view(db: Db | Tx, o: OrderRow) {
  return orderView(o, await extras(db, o));
}

/** The order's clocks as of `moment`, computed by the engine. */
export const orderClocks = (db: Db | Tx, pack: CompiledPack, o: Pick<OrderRow, 'id' | 'organization_id'>, moment: Date): Promise<ClockView[]> => subjectClocks(db, pack, repo.subjectOf(o), moment);

/** One order with its clocks, the client's rights as they stand, and its timeline. */
export async function get(db: Db, actor: Actor, id: string, now: Date) {
  const o = await repo.getOrder(db, actor.organizationId, id);
  if (!o) throw notFound('Service order');
  return detail(db, o, now);
}

export async function detail(db: Db | Tx, o: OrderRow, now: Date) {
  const { org, pack } = await orgAndPack(db, o.organization_id);
  const clocks = await orderClocks(db, pack, o, now);
  const rights = await rightsOf(db, o, pack, org, now, 'en');
  const v = await view(db, o);
  // Issue 16: the parts' categories by the business's own names, not their codes.
  const vocab = versionAt(pack, now.toISOString()).raw.categories;
  const categoryNames = Object.fromEntries(v.parts.flatMap((p) => (vocab?.[p.category]?.names ? [[p.category, vocab[p.category].names]] : [])));
  return { ...v, clocks, rights, categoryNames, timeline: await timeline(db, o), allowedActions: allowedActions(v.state as State, orderPolicy(pack, now)) };
}

/**
 * What the business's policy allows on its orders beyond the state table: `dispose` only where a
 * collection clock of the pack version in force disposes of the equipment (SC-11); under ITEMA-24
 * the business only stops answering for the device, so nothing is disposed of.
 */
export function orderPolicy(pack: CompiledPack, now: Date): OrderPolicy {
  return { dispose: versionAt(pack, now.toISOString()).raw.clocks.some((c) => c.collection === 'dispose') };
}

/**
 * ITEMA-18/31 (a month without a fix), ITEMA-32 (a fourth fault after three repairs): the engine's
 * consumer remedies as of `now`, the fix being the ready notice; texts in `lang`.
 */
async function rightsOf(db: Db | Tx, o: OrderRow, pack: CompiledPack, org: Org, now: Date, lang: 'en' | 'bg' | 'vi') {
  if (!o.device_id || o.state === 'cancelled') return [];
  const ready = await repo.repairCompletedOn(db, o);
  const d = await decideFor(db, o, pack, org, ready ? { fixedOn: ready } : {}, now);
  const out: { type: 'terminate' | 'price-reduction' | 'refund'; rule: string; text: string }[] = [];
  for (const r of d?.remedies ?? []) {
    if (r.type === 'terminate' || r.type === 'price-reduction' || r.type === 'refund') out.push({ type: r.type, rule: r.rule, text: r.text[lang] ?? r.text.en });
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function timeline(db: Db | Tx, o: OrderRow) {
  const rows = await repo.auditRowsOf(db, o);
  const entries = rows.map((r) => {
    const a = (r.after ?? {}) as { state?: string; via?: string; by?: string };
    const b = (r.before ?? {}) as { state?: string };
    return { at: r.occurred_at.toISOString(), action: r.action.replace(/^service-order\./, ''), from: b.state ?? null, to: a.state ?? null, channel: a.via ?? r.channel, by: a.by ?? `${r.actor_type}:${r.actor_id}` };
  });
  // Who, readable: the staff member's or API key's name (as it is now); a system actor keeps its id
  // ('order-page', 'jobs', ...), which the console words in the reader's language.
  const ids = (type: string) => [...new Set(entries.filter((e) => e.by.startsWith(`${type}:`)).map((e) => e.by.slice(type.length + 1)))].filter((x) => UUID.test(x));
  const names = await repo.actorNames(db, o.organization_id, ids('staff'), ids('api-key'));
  return entries.map((e) => ({ ...e, byName: names.get(e.by) ?? e.by.replace(/^system:/, '') }));
}

// ---------- lists and queues ----------

function dayOf(tz: string, now: Date): [Date, Date] {
  const d = DateTime.fromJSDate(now).setZone(tz);
  return [d.startOf('day').toJSDate(), d.endOf('day').toJSDate()];
}

export async function queues(db: Db, actor: Actor, now: Date) {
  const org = await orgOf(db, actor.organizationId);
  const out = {} as Record<Queue, number>;
  for (const q of repo.QUEUES) out[q] = await repo.queueCount(db, org.id, q, now, dayOf(org.time_zone, now));
  return out;
}

export async function list(db: Db, actor: Actor, f: { queue?: Queue; state?: State; deviceId?: string; number?: string; cursor?: string; limit: number }, now: Date) {
  const org = await orgOf(db, actor.organizationId);
  const rows = await repo.listOrders(db, org.id, f, now, dayOf(org.time_zone, now));
  const page = toPage(rows, f.limit, (r) => r);
  return { items: await Promise.all(page.items.map((r) => view(db, r))), nextCursor: page.nextCursor };
}

// ---------- the client's order page ----------

/** What reading a page link needs: the database, the link lifetime setting and the clock. */
export type PageLinkDeps = Pick<AppDeps, 'db' | 'config' | 'now'>;

/**
 * The order a page link opens, and until when the link works: while the order is open, always;
 * once it is closed, `orderPageLinkDays` after it closed or after the link was issued, whichever is
 * later (staff renew a link by issuing a new one). `expired` links open nothing.
 */
export async function pageLink(deps: PageLinkDeps, token: string) {
  const r = await repo.orderByToken(deps.db, token);
  if (!r) return undefined;
  const now = deps.now?.() ?? new Date();
  const endsAt = linkEnd(r.order.closed_at, r.issuedAt, deps.config.orderPageLinkDays);
  return { order: r.order, orgSlug: r.orgSlug, endsAt, expired: !!endsAt && endsAt.getTime() <= now.getTime() };
}

/** When a link issued at `issuedAt` stops working: null while the order is open. */
export function linkEnd(closedAt: Date | null, issuedAt: Date, days: number) {
  return closedAt ? new Date(Math.max(closedAt.getTime(), issuedAt.getTime()) + days * 86_400_000) : null;
}

/** The order a page link opens, unless the link is revoked or expired. */
export async function byToken(deps: PageLinkDeps, token: string) {
  const l = await pageLink(deps, token);
  return l && !l.expired ? l.order : undefined;
}


/** `so 2026 42`, ` so-2026-000042 ` → `SO-2026-000042` (the readable number's form). */
export function normalizeOrderNumber(typed: string) {
  const t = typed.trim().toUpperCase().replace(/[\s\u2010-\u2015_–—]+/g, '-');
  const m = /^([A-Z]+)-?(\d{4})-?(\d{1,6})$/.exec(t);
  return m ? `${m[1]}-${m[2]}-${m[3].padStart(6, '0')}` : t;
}

/**
 * The business's order with this number whose client has this phone or e-mail (for a public claim
 * not linked yet, the ones the client sent); a wrong pair is indistinguishable from no order.
 */
export async function byNumberAndContact(db: Db | Tx, orgId: string, number: string, contact: string) {
  // Order numbers as clients type them: any case, spaces or other dashes around the parts.
  const r = await repo.orderByNumber(db, orgId, normalizeOrderNumber(number));
  if (!r) return undefined;
  const { c_email, c_phone, ...o } = r;
  const sent = (o.customer_id ? {} : (o.submitted ?? {})) as { email?: string; phone?: string };
  const email = o.customer_id ? c_email : (sent.email ?? null);
  const phone = o.customer_id ? c_phone : (sent.phone ?? null);
  const want = contact.trim().toLowerCase();
  // Phones as typed, read against the business's country (libphonenumber-js): "0888 123 456" is +359888123456.
  const country = businessCountry(await policyOfOrg(db, orgId));
  const hit = (email && email.toLowerCase() === want) || (phone && !want.includes('@') && samePhone(phone, want, country));
  if (!hit) return undefined;
  // Which of the two matched, and its address as we have it: where a one-time code is sent.
  const matched = email && email.toLowerCase() === want ? { via: 'email' as const, to: email } : { via: 'sms' as const, to: phone! };
  return { order: o as OrderRow, matched };
}

/** What the client sees: nothing beyond this order, no staff names, no internal notes. */
export async function pageView(db: Db | Tx, o: OrderRow, now: Date) {
  const x = await extras(db, o);
  const org = await repo.orgNameAndPack(db, o.organization_id);
  // A public claim no one has linked yet shows the device as the client named it, nothing stored.
  const sent = o.awaiting_link ? ((o.submitted ?? {}) as { serial?: string; manufacturer?: string; model?: string }) : null;
  const device = o.device_id ? await repo.deviceLabel(db, o.organization_id, o.device_id) : sent?.serial ? { manufacturer: sent.manufacturer ?? '', model: sent.model ?? null, serial: sent.serial } : null;
  const tl = await timeline(db, o);
  const pack = await packOf(db, org);
  const clocks = await orderClocks(db, pack, o, now);
  const window = clocks.find((c) => c.id === 'decision-window');
  // The client's rights as they arise (ITEMA-18/31, ITEMA-32), in the order's language.
  const lang = (['en', 'bg', 'vi'] as const).find((l) => l === o.language) ?? 'en';
  const rights = await rightsOf(db, o, pack, await orgOf(db, o.organization_id), now, lang);
  return {
    business: org.name,
    number: o.number,
    state: o.state as State,
    device: device ? { manufacturer: device.manufacturer, model: device.model, serial: device.serial } : null,
    problem: o.problem,
    underWarranty: o.under_warranty,
    situation: situationOf(o.decision as Decision | null),
    quote: (o.quote ?? null) as Record<string, unknown> | null,
    decisionWindow: window ? { due: window.due, status: window.status, rule: window.rule } : null,
    canDecide: o.state === 'awaiting-decision',
    // SC-6: after the decision window the quote can no longer be accepted (refusing still can).
    canAccept: o.state === 'awaiting-decision' && !(window && (window.status === 'breached' || window.status === 'escalated')),
    rights,
    due: { charges: x.charges.map((c) => ({ kind: c.kind, amountMinor: Number(c.amount_minor), currency: c.currency, rule: c.rule })), paidMinor: x.paid, balanceMinor: x.balance, currency: o.currency },
    // The deposit the business asks once the quote is accepted (its pack's settings.deposit), issue 14.
    deposit: billing.depositAsked(versionAt(pack, now.toISOString()).raw.settings as { deposit?: { percent: number } }, o, { charges: x.charges, payments: x.payments, refunds: x.refunds }),
    timeline: tl.map((e) => ({ at: e.at, step: e.action, state: e.to })),
    documents: [] as { id: string; kind: string; filename: string }[],
    version: o.version,
  };
}

export function clientActor(orgId: string): Actor {
  return { organizationId: orgId, role: 'front-desk', type: 'system', id: 'order-page', name: 'client (order page)', channel: 'order-page' };
}
