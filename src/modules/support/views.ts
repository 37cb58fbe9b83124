// What staff and the client see of tickets: the queue row, the ticket page (thread, clocks, the
// actions legal now), the triage list.
import type { Db, Tx } from '../../db/index.ts';
import { subjectClocks } from '../../core/clocks.ts';
import { decodeCursor } from '../../core/cursors.ts';
import { notFound } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { versionAt } from '../../policy/index.ts';
import type { Actor } from '../../core/actor.ts';
import { encodeCursor } from '../../core/cursors.ts';
import * as repo from './repository.ts';
import { allowedActions, type TicketState } from './state-machine.ts';

type Extras = {
  customers: Map<string, { id: string; name: string }>;
  contracts: Map<string, { id: string; number: string }>;
  devices: Map<string, { id: string; serial: string; model: string | null }>;
  staff: Map<string, { id: string; name: string }>;
  cases: Map<string, { id: string; number: string }>;
  atRisk: Set<string>;
};

export function ticketView(t: repo.TicketRow, x: Extras) {
  return {
    id: t.id,
    number: t.number,
    kind: t.kind as 'incident' | 'question' | 'advice' | 'paid-help',
    state: t.state as TicketState,
    channel: t.channel,
    subject: t.subject,
    description: t.description,
    language: t.language,
    tier: t.tier,
    level: t.level,
    severity: t.severity as 'normal' | 'severe',
    atRisk: x.atRisk.has(t.id),
    customer: t.customer_id ? (x.customers.get(t.customer_id) ?? { id: t.customer_id, name: '' }) : null,
    contact: (t.contact as { name: string; email?: string | null; phone?: string | null } | null) ?? null,
    contract: t.contract_id ? (x.contracts.get(t.contract_id) ?? { id: t.contract_id, number: '' }) : null,
    device: t.device_id ? (x.devices.get(t.device_id) ?? { id: t.device_id, serial: '', model: null }) : null,
    site: t.site,
    assignee: t.assignee_id ? (x.staff.get(t.assignee_id) ?? { id: t.assignee_id, name: '' }) : null,
    firstResponseAt: t.first_response_at?.toISOString() ?? null,
    resolvedAt: t.resolved_at?.toISOString() ?? null,
    rootCauseData: t.root_cause_data,
    advice: (t.advice as { rule: string; recovery: string; downtime: string } | null) ?? null,
    findings: t.findings,
    billing: { billable: t.billable, rule: t.billing_rule, hourlyPriceMinor: t.hourly_price_minor, billableMinutes: t.billable_minutes, amountMinor: t.amount_minor, currency: t.currency },
    serviceOrderId: t.service_order_id,
    serviceOrder: t.service_order_id ? (x.cases.get(t.service_order_id) ?? { id: t.service_order_id, number: '' }) : null,
    rma: t.rma_id ? (x.cases.get(t.rma_id) ?? { id: t.rma_id, number: '' }) : null,
    version: t.version,
    createdAt: t.created_at.toISOString(),
    updatedAt: t.updated_at.toISOString(),
  };
}
export type TicketView = ReturnType<typeof ticketView>;

export async function extrasOf(db: Db | Tx, orgId: string, rows: readonly repo.TicketRow[], now: Date): Promise<Extras> {
  const ids = (f: (r: repo.TicketRow) => string | null) => [...new Set(rows.map(f).filter((x): x is string => !!x))];
  const [cs, ks, ds, ss, atRisk, cases] = await Promise.all([
    ids((r) => r.customer_id).length ? db.selectFrom('customers').select(['id', 'name']).where('organization_id', '=', orgId).where('id', 'in', ids((r) => r.customer_id)).execute() : [],
    ids((r) => r.contract_id).length ? db.selectFrom('contracts').select(['id', 'number']).where('organization_id', '=', orgId).where('id', 'in', ids((r) => r.contract_id)).execute() : [],
    ids((r) => r.device_id).length ? db.selectFrom('devices').select(['id', 'serial', 'model']).where('organization_id', '=', orgId).where('id', 'in', ids((r) => r.device_id)).execute() : [],
    repo.staffOf(db, orgId, ids((r) => r.assignee_id)),
    repo.atRiskOf(db, orgId, rows.map((r) => r.id), now),
    repo.linkedCases(db, orgId, ids((r) => r.service_order_id), ids((r) => r.rma_id)),
  ]);
  return {
    customers: new Map(cs.map((c) => [c.id, c])),
    contracts: new Map(ks.map((c) => [c.id, c])),
    devices: new Map(ds.map((d) => [d.id, d])),
    staff: new Map(ss.map((s) => [s.id, { id: s.id, name: s.name }])),
    cases: new Map(cases.map((c) => [c.id, c])),
    atRisk,
  };
}

export async function views(db: Db | Tx, orgId: string, rows: repo.TicketRow[], now: Date) {
  const x = await extrasOf(db, orgId, rows, now);
  return rows.map((r) => ticketView(r, x));
}

export async function list(db: Db, actor: Actor, f: Omit<repo.TicketFilter, 'after'> & { cursor?: string }, now = new Date()) {
  const rows = await repo.listTickets(db, actor.organizationId, { ...f, after: decodeCursor(f.cursor) }, now);
  const more = rows.length > f.limit;
  const items = rows.slice(0, f.limit);
  return { items: await views(db, actor.organizationId, items, now), nextCursor: more ? encodeCursor(items[items.length - 1].id) : null };
}

export const messageView = (m: repo.MessageRow) => ({
  id: m.id,
  direction: m.direction as 'in' | 'out' | 'note' | 'event',
  channel: m.channel,
  author: m.author,
  from: m.from_address,
  subject: m.subject,
  body: m.body,
  attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.size })),
  data: m.data ?? null,
  triage: m.triage ? { state: m.triage, reason: m.triage_reason } : null,
  createdAt: m.created_at.toISOString(),
});

/** The ticket page: the ticket, its thread, its clocks (the engine's view as of `now`) and the actions legal now. */
export async function detail(db: Db | Tx, actor: Actor, id: string, now = new Date()) {
  const t = await repo.getTicket(db, actor.organizationId, id);
  if (!t) throw notFound('Ticket');
  const { pack } = await orgAndPack(db, actor.organizationId);
  const [v] = await views(db, actor.organizationId, [t], now);
  const thread = (await repo.thread(db, actor.organizationId, id)).map(messageView);
  const clocks = await subjectClocks(db, pack, { type: repo.subjectTypeOf(t), id, organizationId: actor.organizationId }, now);
  // An RMA is offered only where the policy runs RMAs (its `rma` section), for a ticket on a device.
  const rmaOffered = !!versionAt(pack, now.toISOString()).raw.rma && !!t.device_id && !t.rma_id;
  return { ...v, thread, clocks, allowedActions: allowedActions(t.state as TicketState, t.kind).filter((a) => a !== 'open-rma' || rmaOffered) };
}
