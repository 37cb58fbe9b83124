// All SQL of the support desk: tickets, their thread (and the triage list), training sessions.
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import type { SupportMessagesTable, SupportTicketsTable, TrainingSessionsTable } from '../../db/schema.ts';

export type TicketRow = Selectable<SupportTicketsTable>;
export type MessageRow = Selectable<SupportMessagesTable>;
export type TrainingRow = Selectable<TrainingSessionsTable>;

export const INCIDENT_TYPE = 'support-incident';
export const QUESTION_TYPE = 'support-question';
export const TRAINING_TYPE = 'training-session';
export const subjectTypeOf = (t: Pick<TicketRow, 'kind'>) => (t.kind === 'incident' ? INCIDENT_TYPE : QUESTION_TYPE);

export function getTicket(db: Db | Tx, orgId: string, id: string) {
  return db.selectFrom('support_tickets').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}
export function lockTicket(tx: Tx | Db, orgId: string, id: string) {
  return tx.selectFrom('support_tickets').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}
export function ticketByNumber(db: Db | Tx, orgId: string, number: string) {
  return db.selectFrom('support_tickets').selectAll().where('organization_id', '=', orgId).where('number', '=', number).executeTakeFirst();
}

export interface TicketFilter {
  state?: string;
  open?: boolean;
  level?: string;
  assigneeId?: string;
  severity?: string;
  kind?: string;
  contractId?: string;
  customerId?: string;
  atRisk?: boolean;
  serviceOrderId?: string;
  rmaId?: string;
  limit: number;
  after?: string;
}

export function listTickets(db: Db | Tx, orgId: string, f: TicketFilter, now: Date) {
  let q = db.selectFrom('support_tickets as t').selectAll('t').where('t.organization_id', '=', orgId);
  if (f.state) q = q.where('t.state', '=', f.state);
  if (f.open) q = q.where('t.state', 'in', ['open', 'in-progress', 'awaiting-client']);
  if (f.level) q = q.where('t.level', '=', f.level);
  if (f.assigneeId) q = q.where('t.assignee_id', '=', f.assigneeId);
  if (f.severity) q = q.where('t.severity', '=', f.severity);
  if (f.kind) q = q.where('t.kind', '=', f.kind);
  if (f.contractId) q = q.where('t.contract_id', '=', f.contractId);
  if (f.customerId) q = q.where('t.customer_id', '=', f.customerId);
  if (f.serviceOrderId) q = q.where('t.service_order_id', '=', f.serviceOrderId);
  if (f.rmaId) q = q.where('t.rma_id', '=', f.rmaId);
  if (f.atRisk) q = q.where(({ exists, selectFrom }) => exists(atRiskClocks(selectFrom, orgId, now)));
  if (f.after) q = q.where('t.id', '<', f.after);
  return q.orderBy('t.id', 'desc').limit(f.limit + 1).execute();
}

// A running clock of the ticket past its at-risk moment (paused clocks have no at-risk time).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kysely's expression builder of the outer query
const atRiskClocks = (selectFrom: any, orgId: string, now: Date) =>
  selectFrom('clocks as c')
    .select('c.id')
    .where('c.organization_id', '=', orgId)
    .whereRef('c.subject_id', '=', 't.id')
    .where('c.stopped_at', 'is', null)
    .where('c.at_risk_at', 'is not', null)
    .where('c.at_risk_at', '<=', now);

/** Running clocks at risk per ticket (the queue's flag). */
export async function atRiskOf(db: Db | Tx, orgId: string, ids: readonly string[], now: Date) {
  if (!ids.length) return new Set<string>();
  const rows = await db.selectFrom('clocks').select('subject_id').where('organization_id', '=', orgId).where('subject_id', 'in', ids).where('stopped_at', 'is', null).where('at_risk_at', 'is not', null).where('at_risk_at', '<=', now).execute();
  return new Set(rows.map((r) => r.subject_id));
}

/** The numbers of the service orders and RMAs incidents became (the ticket page links them). */
export async function linkedCases(db: Db | Tx, orgId: string, orderIds: readonly string[], rmaIds: readonly string[]) {
  const [os, rs] = await Promise.all([
    orderIds.length ? db.selectFrom('service_orders').select(['id', 'number']).where('organization_id', '=', orgId).where('id', 'in', orderIds).execute() : [],
    rmaIds.length ? db.selectFrom('rmas').select(['id', 'number']).where('organization_id', '=', orgId).where('id', 'in', rmaIds).execute() : [],
  ]);
  return [...os, ...rs].map((r) => ({ id: r.id, number: r.number ?? '' }));
}

export function thread(db: Db | Tx, orgId: string, ticketId: string) {
  return db.selectFrom('support_messages').selectAll().where('organization_id', '=', orgId).where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
}

export function triage(db: Db | Tx, orgId: string, limit: number, after?: string) {
  let q = db.selectFrom('support_messages').selectAll().where('organization_id', '=', orgId).where('triage', '=', 'open');
  if (after) q = q.where('id', '<', after);
  return q.orderBy('id', 'desc').limit(limit + 1).execute();
}

export function message(db: Db | Tx, orgId: string, id: string, lock = false) {
  const q = db.selectFrom('support_messages').selectAll().where('organization_id', '=', orgId).where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}

export interface NewMessage {
  id: string;
  organization_id: string;
  ticket_id: string | null;
  direction: 'in' | 'out' | 'note' | 'event';
  channel: string;
  author?: string | null;
  from_address?: string | null;
  to_address?: string | null;
  subject?: string | null;
  body: string;
  message_id?: string | null;
  in_reply_to?: string | null;
  refs?: string[];
  attachments?: unknown[];
  triage?: string | null;
  triage_reason?: string | null;
  data?: Record<string, unknown> | null;
  created_at: Date;
}

/** Inserts a thread message; an inbound message with a Message-ID already stored is skipped (returns false). */
export async function insertMessage(tx: Tx, m: NewMessage) {
  const r = await tx
    .insertInto('support_messages')
    .values({
      ...m,
      refs: m.refs ?? [],
      attachments: JSON.stringify(m.attachments ?? []),
      data: m.data ? JSON.stringify(m.data) : null,
    })
    .onConflict((oc) => oc.columns(['organization_id', 'message_id']).where('direction', '=', 'in').where('message_id', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return !!r;
}

/** The ticket a mail's In-Reply-To / References point at: one of its thread's messages, or a notification we sent about it. */
export async function ticketByReferences(db: Db | Tx, orgId: string, refs: readonly string[]) {
  if (!refs.length) return undefined;
  const own = await db.selectFrom('support_messages').select('ticket_id').where('organization_id', '=', orgId).where('message_id', 'in', refs).where('ticket_id', 'is not', null).orderBy('created_at', 'desc').executeTakeFirst();
  if (own?.ticket_id) return own.ticket_id;
  // Our own replies leave through the notifications (Message-ID <message_key>), from the ticket's outbox rows.
  const keys = refs.map((r) => r.replace(/^<|>$/g, ''));
  const sent = await sql<{ aggregate_id: string }>`select o.aggregate_id from notifications n join outbox o on o.id = n.outbox_id
    where n.organization_id = ${orgId} and n.message_key = any(${keys}::text[]) and o.aggregate_type in ('support-incident', 'support-question') limit 1`.execute(db);
  return sent.rows[0]?.aggregate_id;
}

export function customersByEmail(db: Db | Tx, orgId: string, email: string) {
  return db.selectFrom('customers').select(['id', 'name', 'email', 'preferred_language']).where('organization_id', '=', orgId).where(sql<boolean>`lower(email) = ${email.toLowerCase()}`).orderBy('id').execute();
}

export function staffOf(db: Db | Tx, orgId: string, ids: readonly string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('staff_users').select(['id', 'name', 'email', 'role']).where('organization_id', '=', orgId).where('id', 'in', ids).execute();
}

export function activeStaff(db: Db | Tx, orgId: string) {
  return db.selectFrom('staff_users').select(['id', 'name', 'role']).where('organization_id', '=', orgId).where('disabled_at', 'is', null).orderBy('name').execute();
}

/** Who hears of an escalation: the ticket's assignee and the business's owners and managers (the staff messages go to them). */
export function escalationAudience(db: Db | Tx, orgId: string, assigneeId: string | null) {
  return db
    .selectFrom('staff_users')
    .select(['id', 'name', 'email', 'role'])
    .where('organization_id', '=', orgId)
    .where('disabled_at', 'is', null)
    .where((eb) => eb.or([eb('role', 'in', ['owner', 'manager']), ...(assigneeId ? [eb('id', '=', assigneeId)] : [])]))
    .orderBy('id')
    .execute();
}

export function getTraining(db: Db | Tx, orgId: string, id: string) {
  return db.selectFrom('training_sessions').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function listTraining(db: Db | Tx, orgId: string, f: { contractId?: string; limit: number; after?: string }) {
  let q = db.selectFrom('training_sessions').selectAll().where('organization_id', '=', orgId);
  if (f.contractId) q = q.where('contract_id', '=', f.contractId);
  if (f.after) q = q.where('id', '<', f.after);
  return q.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export async function trainingCount(db: Db | Tx, orgId: string, contractId: string) {
  const r = await db.selectFrom('training_sessions').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', orgId).where('contract_id', '=', contractId).where('state', 'in', ['scheduled', 'held']).executeTakeFirstOrThrow();
  return Number(r.n);
}
