// The support desk, the public face its routes, the demo and other features use: tickets (tickets.ts),
// their views (views.ts), training sessions (training.ts), SLA compliance (sla.ts), e-mail in
// (mail-in.ts), the triage list, the client's portal view and the online consultant (SC-1).
// All SQL is in repository.ts. See docs/support.md.
import './kind.ts';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { systemActor, type Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { decodeCursor, toPage } from '../../core/cursors.ts';
import { CoreErrors, notFound, problem, type ProblemCode } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { versionAt } from '../../policy/index.ts';
import * as contracts from '../contracts/contracts.service.ts';
import { ContractErrors } from '../contracts/contracts.errors.ts';
import * as repo from './repository.ts';
import { SupportErrors } from './support.errors.ts';
import { actOnTicket, openTicket, OPEN_PROBLEMS, type TicketFields } from './tickets.ts';
import { messageView, views } from './views.ts';

export { TICKET_KINDS, TICKET_CHANNELS, OPEN_PROBLEMS, ACT_PROBLEMS, act, type TicketFields, type TicketActionBody } from './tickets.ts';
export { openTicket, actOnTicket };
export { detail, list, messageView, type TicketView } from './views.ts';
export { TICKET_STATES } from './state-machine.ts';
export { SCHEDULE_PROBLEMS, TRAINING_ACT_PROBLEMS, actOnTraining, listTraining, schedule, type TrainingFields, type TrainingActionBody } from './training.ts';
export { compliance, complianceCsv, type SlaQuery } from './sla.ts';
export { receiveMail, startMailIn, orgForRecipient, type MailIn } from './mail-in.ts';
export { incidentKind, questionKind, trainingKind } from './kind.ts';

/** The policy's tiers and levels. */
export async function tiers(db: Db, actor: Actor, now = new Date()) {
  const { pack } = await orgAndPack(db, actor.organizationId);
  const s = contracts.supportOf(pack, now);
  return { tiers: s.tiers.map((t) => ({ id: t.id, name: t.name, calendar: t.calendar, rule: t.rule, hourlyPriceMinor: t.hourlyPrice?.amount ?? null })), levels: s.levels, defaultTier: s.defaultTier };
}

/** Who a ticket can be assigned to: the business's active staff (names and roles, no addresses). */
export function assignableStaff(db: Db, actor: Actor) {
  return repo.activeStaff(db, actor.organizationId);
}

/** Creates a ticket and answers its view (inside the caller's transaction: Idempotency-Key). */
export async function create(tx: Tx, actor: Actor, f: TicketFields, now = new Date()) {
  const row = await openTicket(tx, actor, f, now);
  return (await views(tx, actor.organizationId, [row], now))[0];
}

export async function triageList(db: Db, actor: Actor, f: { limit: number; cursor?: string }) {
  const rows = await repo.triage(db, actor.organizationId, f.limit, decodeCursor(f.cursor));
  return toPage(rows, f.limit, messageView);
}

export type TriageBody =
  | { action: 'attach'; ticketId: string }
  | { action: 'open-ticket'; customerId: string; kind?: 'question' | 'incident'; contractId?: string | null; deviceId?: string | null }
  | { action: 'dismiss'; reason: string };
export const TRIAGE_PROBLEMS = ['not-found', 'not-in-triage', 'unknown-reference', ...OPEN_PROBLEMS] as const satisfies readonly ProblemCode[];

/** Staff settle a triaged message: attach it to a ticket, open a ticket from it, or set it aside (it stays stored). */
export async function resolveTriage(db: Db, actor: Actor, id: string, b: TriageBody, now = new Date()) {
  return db.transaction().execute(async (tx) => {
    const m = await repo.message(tx, actor.organizationId, id, true);
    if (!m) throw notFound('Message');
    if (m.triage !== 'open') throw problem(SupportErrors, 'not-in-triage', 'The message was settled already', { current: messageView(m) });
    let ticketId: string | null = null;
    if (b.action === 'attach') {
      const t = await repo.lockTicket(tx, actor.organizationId, b.ticketId);
      if (!t) throw problem(CoreErrors, 'unknown-reference', 'No such ticket', { errors: [{ field: 'body.ticketId', message: 'no such ticket' }] });
      ticketId = t.id;
      await actOnTicket(tx, actor, t, { action: 'note', version: t.version, body: `Attached mail from ${m.from_address ?? 'an unknown sender'} (triage: ${m.triage_reason})` }, now);
    } else if (b.action === 'open-ticket') {
      const t = await openTicket(tx, actor, { kind: b.kind ?? 'question', channel: 'email', customerId: b.customerId, contractId: b.contractId, deviceId: b.deviceId, subject: m.subject ?? '(no subject)', description: m.body || m.subject || '(empty message)' }, now, null);
      ticketId = t.id;
    }
    const state = b.action === 'attach' ? 'attached' : b.action === 'open-ticket' ? 'opened' : 'dismissed';
    const after = await tx.updateTable('support_messages').set({ triage: state, ticket_id: ticketId }).where('organization_id', '=', actor.organizationId).where('id', '=', m.id).returningAll().executeTakeFirstOrThrow();
    await audit(tx, actor, { action: `support-message.${state}`, entityType: 'support-message', entityId: m.id, before: { triage: 'open', reason: m.triage_reason }, after: { triage: state, ticketId, ...(b.action === 'dismiss' ? { reason: b.reason } : {}) } });
    return messageView(after);
  });
}

/** Stores a message for the triage list (the demo's; mail in writes its own). */
export async function recordTriage(tx: Tx, orgId: string, m: { from: string; author?: string; subject: string; body: string; reason: string }, now: Date) {
  await repo.insertMessage(tx, { id: uuidv7(), organization_id: orgId, ticket_id: null, direction: 'in', channel: 'email', author: m.author ?? null, from_address: m.from, subject: m.subject, body: m.body, triage: 'open', triage_reason: m.reason, created_at: now });
}

/** An attachment of a ticket's thread or of a triaged message: its stored key and how to serve it. */
export async function attachment(db: Db, actor: Actor, messageId: string, attachmentId: string) {
  const m = await repo.message(db, actor.organizationId, messageId);
  const a = m?.attachments.find((x) => x.id === attachmentId);
  if (!m || !a) throw notFound('Attachment');
  return a;
}

type Lang = 'en' | 'bg' | 'vi';
const say = (t: { en: string; bg?: string; vi?: string } | undefined, lang: Lang) => (t ? (t[lang] ?? t.en) : null);

/** The signed-in client's contracts and tickets (their own records only, in their language). */
export async function clientView(db: Db, c: { organization_id: string; email: string }, lang: Lang, now = new Date()) {
  const { org, pack } = await orgAndPack(db, c.organization_id);
  const customers = await repo.customersByEmail(db, org.id, c.email);
  const ids = customers.map((x) => x.id);
  const actor = systemActor(org.id, 'client-account');
  const ks = [];
  for (const id of ids) ks.push(...(await contracts.list(db, actor, { customerId: id, limit: 200 }, now)).items);
  const rows = ids.length ? await db.selectFrom('support_tickets').selectAll().where('organization_id', '=', org.id).where('customer_id', 'in', ids).orderBy('id', 'desc').limit(200).execute() : [];
  const ts = await views(db, org.id, rows, now);
  const support = versionAt(pack, now.toISOString()).raw.support;
  const languages = versionAt(pack, now.toISOString()).raw.settings.languages;
  const preferred = customers.find((x) => x.preferred_language)?.preferred_language;
  return {
    organization: { slug: org.slug },
    // The client's own language, else the business's first (Vietnamese at the vn business).
    language: (preferred && ['en', 'bg', 'vi'].includes(preferred) ? preferred : (languages.find((l) => ['en', 'bg', 'vi'].includes(l)) ?? 'en')) as Lang,
    name: customers[0]?.name ?? null,
    contracts: ks.map((k) => ({ id: k.id, number: k.number, tier: say(k.tier.name, lang) ?? k.tier.id, calendar: k.tier.calendar, startsOn: k.startsOn, endsOn: k.endsOn, renewalOn: k.renewalOn, status: k.status, included: k.included, devices: k.devices.map((d) => ({ id: d.id, serial: d.serial, model: d.model })), sites: k.sites, rule: k.rule })),
    tickets: ts.map((t) => ({ id: t.id, number: t.number, kind: t.kind, state: t.state, subject: t.subject, severity: t.severity, createdAt: t.createdAt, firstResponseAt: t.firstResponseAt, resolvedAt: t.resolvedAt, contract: t.contract?.number ?? null })),
    consultant: support?.freeAdvice?.consultant ? { rule: support.freeAdvice.rule, text: say(support.freeAdvice.text, lang)! } : null,
  };
}

/** One of the signed-in client's tickets with what was said: their messages and the desk's answers (no internal notes or desk events). */
export async function clientTicket(db: Db, c: { organization_id: string; email: string }, id: string) {
  const t = await ownTicket(db, c, id);
  const thread = (await repo.thread(db, c.organization_id, t.id)).filter((m) => m.direction === 'in' || m.direction === 'out');
  const ks = t.contract_id ? await db.selectFrom('contracts').select('number').where('organization_id', '=', c.organization_id).where('id', '=', t.contract_id).executeTakeFirst() : undefined;
  return {
    id: t.id,
    number: t.number,
    kind: t.kind,
    state: t.state,
    subject: t.subject,
    severity: t.severity,
    createdAt: t.created_at.toISOString(),
    firstResponseAt: t.first_response_at?.toISOString() ?? null,
    resolvedAt: t.resolved_at?.toISOString() ?? null,
    contract: ks?.number ?? null,
    canReply: t.state !== 'closed',
    version: t.version,
    thread: thread.map((m) => ({ id: m.id, direction: m.direction as 'in' | 'out', channel: m.channel, author: m.direction === 'out' ? m.author : null, body: m.body, attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, size: a.size })), createdAt: m.created_at.toISOString() })),
  };
}

/** A file of a message the client can see on their own ticket (theirs or the desk's answer; never an internal note's). */
export async function clientAttachment(db: Db, c: { organization_id: string; email: string }, ticketId: string, messageId: string, attachmentId: string) {
  const t = await ownTicket(db, c, ticketId);
  const m = await repo.message(db, c.organization_id, messageId);
  const a = m && m.ticket_id === t.id && (m.direction === 'in' || m.direction === 'out') ? m.attachments.find((x) => x.id === attachmentId) : undefined;
  if (!a) throw notFound('Attachment');
  return a;
}

async function ownTicket(db: Db | Tx, c: { organization_id: string; email: string }, id: string, lock = false) {
  const customers = await repo.customersByEmail(db, c.organization_id, c.email);
  const t = lock ? await repo.lockTicket(db, c.organization_id, id) : await repo.getTicket(db, c.organization_id, id);
  // Another client's ticket is not found: nothing tells them it exists.
  if (!t || !t.customer_id || !customers.some((x) => x.id === t.customer_id)) throw notFound('Ticket');
  return t;
}

export const CLIENT_REPLY_PROBLEMS = ['client-not-signed-in', 'not-found', 'illegal-transition', 'ticket-closed', 'validation-failed', 'version-conflict'] as const satisfies readonly ProblemCode[];

/**
 * The client answers in the portal: their message joins the thread; a ticket waiting for them resumes
 * its clocks (VN-6); a resolved one is reopened (in progress, its resolution clock running on).
 */
export async function clientReply(tx: Tx, c: { organization_id: string; email: string }, id: string, f: { body: string }, now = new Date()) {
  const t = await ownTicket(tx, c, id, true);
  // A closed ticket is settled: a later message is a new request (its own report and clocks, VN-2, VN-6), not a reply.
  if (t.state === 'closed') throw problem(SupportErrors, 'ticket-closed', `Ticket ${t.number} is closed: open a new request`, { current: { id: t.id, number: t.number, state: t.state, version: t.version }, allowed: [] });
  await actOnTicket(tx, systemActor(c.organization_id, 'portal'), t, { action: 'client-replied', version: t.version, body: f.body, channel: 'portal' }, now, { message: { author: null } });
  return { number: t.number };
}

export const CLIENT_OPEN_PROBLEMS = ['client-not-signed-in', ...OPEN_PROBLEMS] as const satisfies readonly ProblemCode[];

/** The client reports an incident or asks a question from the portal. */
export async function clientOpen(db: Db, c: { organization_id: string; email: string }, f: { kind: 'incident' | 'question'; contractId?: string; deviceId?: string; subject: string; description: string; language?: Lang }, now = new Date()) {
  const customers = await repo.customersByEmail(db, c.organization_id, c.email);
  if (!customers.length) throw problem(CoreErrors, 'unknown-reference', 'No client record with this e-mail at the business', { errors: [{ field: 'body', message: 'no client record' }] });
  const actor = systemActor(c.organization_id, 'portal');
  return db.transaction().execute(async (tx) => {
    const t = await openTicket(tx, actor, { ...f, channel: 'portal', customerId: customers[0].id }, now);
    return { number: t.number, state: t.state, kind: t.kind };
  });
}

/** The online consultant's offer (SC-1), for the portal page. */
export async function consultantOffer(db: Db, orgId: string, lang: Lang, now = new Date()) {
  const { pack } = await orgAndPack(db, orgId);
  const fa = versionAt(pack, now.toISOString()).raw.support?.freeAdvice;
  return fa?.consultant ? { available: true, rule: fa.rule, text: say(fa.text, lang) } : { available: false, rule: null, text: null };
}

export const CONSULTANT_PROBLEMS = ['rate-limited', 'support-not-offered', 'not-found'] as const satisfies readonly ProblemCode[];

/** Free advice for anyone (SC-1): a question to the online consultant. The answer repeats only what was sent. */
export async function askConsultant(db: Db, orgId: string, f: { name: string; email: string; phone?: string; question: string; language?: Lang }, now = new Date()) {
  const { pack } = await orgAndPack(db, orgId);
  const fa = versionAt(pack, now.toISOString()).raw.support?.freeAdvice;
  if (!fa?.consultant) throw problem(ContractErrors, 'support-not-offered', 'This business has no online consultant');
  const actor = systemActor(orgId, 'consultant');
  return db.transaction().execute(async (tx) => {
    const t = await openTicket(tx, actor, { kind: 'advice', channel: 'consultant', subject: f.question.slice(0, 120), description: f.question, language: f.language, contact: { name: f.name, email: f.email, phone: f.phone ?? null } }, now);
    return { number: t.number, rule: fa.rule, sent: f };
  });
}
