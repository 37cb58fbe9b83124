// Support tickets: incidents under a contract, questions, advice and paid help. Created with the
// clocks their tier names (pack data), changed only through the core's transition writer. See
// docs/support.md.
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { systemActor, type Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { clocksInsertSql, planNewClocks } from '../../core/clocks.ts';
import { badField, CoreErrors, notFound, problem, versionConflict, type ProblemCode } from '../../core/errors.ts';
import { caseNumberSql } from '../../core/numbers.ts';
import { orgAndPack, type Org } from '../../core/organization.ts';
import { enqueueMany, type OutboxMessage } from '../../core/outbox.ts';
import { insertTimers } from '../../core/timers.ts';
import { writeTransition } from '../../core/transitions.ts';
import { packClockRules, versionAt, type CompiledPack } from '../../policy/index.ts';
import * as contracts from '../contracts/contracts.service.ts';
import { ContractErrors } from '../contracts/contracts.errors.ts';
import * as orders from '../service-orders/service-orders.service.ts';
import * as rmas from '../rma/rma.service.ts';
import * as repo from './repository.ts';
import { allowedActions, nextState, TICKET_TRANSITIONS, type TicketState } from './state-machine.ts';
import { SupportErrors } from './support.errors.ts';
import { incidentKind, questionKind } from './kind.ts';

export const TICKET_KINDS = ['incident', 'question', 'advice', 'paid-help'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export const TICKET_CHANNELS = ['phone', 'email', 'portal', 'api', 'console', 'consultant'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];

export const kindOf = (t: Pick<repo.TicketRow, 'kind'>) => (t.kind === 'incident' ? incidentKind : questionKind);

export interface TicketFields {
  kind: TicketKind;
  channel: TicketChannel;
  customerId?: string | null;
  contractId?: string | null;
  deviceId?: string | null;
  site?: string | null;
  subject: string;
  description: string;
  language?: 'en' | 'bg' | 'vi' | null;
  /** VN-7 at report time: functions destroyed, unrecoverable. */
  severity?: 'normal' | 'severe';
  contact?: { name: string; email?: string | null; phone?: string | null } | null;
  assigneeId?: string | null;
}

export const OPEN_PROBLEMS = ['validation-failed', 'unknown-reference', 'support-not-offered', 'contract-expired', 'contract-not-started', 'outside-contract-scope'] as const satisfies readonly ProblemCode[];

function clockStarts(pack: CompiledPack, now: Date, ids: (string | undefined)[]) {
  const rules = packClockRules(versionAt(pack, now.toISOString()));
  return ids.filter((x): x is string => !!x).map((id) => rules.find((r) => r.id === id)!.startsAt);
}

export async function checkAssignee(tx: Tx | Db, orgId: string, id: string | null | undefined, field: string) {
  if (!id) return;
  const s = await tx.selectFrom('staff_users').select('id').where('organization_id', '=', orgId).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
  if (!s) throw problem(CoreErrors, 'unknown-reference', 'No such staff user', { errors: [{ field, message: 'no such staff user' }] });
}

/** Opens a ticket in the caller's transaction (the HTTP create with its Idempotency-Key, mail in, the portal, the demo). */
export async function openTicket(tx: Tx, actor: Actor, f: TicketFields, now: Date, inbound?: Partial<repo.NewMessage> | null) {
  const { org, pack } = await orgAndPack(tx, actor.organizationId);
  const support = contracts.supportOf(pack, now);
  let customer: { id: string; preferred_language: string | null; email: string | null } | undefined;
  if (f.customerId) {
    customer = await tx.selectFrom('customers').select(['id', 'preferred_language', 'email']).where('organization_id', '=', org.id).where('id', '=', f.customerId).executeTakeFirst();
    if (!customer) throw problem(CoreErrors, 'unknown-reference', 'No such customer', { errors: [{ field: 'body.customerId', message: 'no such customer' }] });
  }
  if (f.deviceId) {
    const d = await tx.selectFrom('devices').select(['id', 'customer_id']).where('organization_id', '=', org.id).where('id', '=', f.deviceId).executeTakeFirst();
    if (!d) throw problem(CoreErrors, 'unknown-reference', 'No such device', { errors: [{ field: 'body.deviceId', message: 'no such device' }] });
  }
  await checkAssignee(tx, org.id, f.assigneeId, 'body.assigneeId');
  let contract: { id: string; tier: string } | undefined;
  if (f.kind === 'incident') {
    if (!customer) throw badField('body.customerId', 'an incident is reported under a customer\'s contract', 'required');
    if (!f.deviceId && !f.site && !f.contractId) throw badField('body.deviceId', 'name the device (or the site) the incident is on', 'required');
    contract = await contracts.coverageFor(tx, org, pack, { contractId: f.contractId, customerId: customer.id, deviceId: f.deviceId, site: f.site }, now);
  } else if (customer) {
    // A question of a client under contract runs on the contract's tier; otherwise the default tier.
    contract = f.contractId ? await contracts.coverageFor(tx, org, pack, { contractId: f.contractId, customerId: customer.id }, now) : await contracts.activeContractOf(tx, org, customer.id, now);
  } else if (f.contractId) {
    throw badField('body.customerId', 'a contract is named with its customer', 'required');
  }
  if (f.kind === 'paid-help' && !support.paidHelp) throw problem(ContractErrors, 'support-not-offered', "The business's policy offers no paid help at a tier price");
  if (f.kind === 'advice' && !support.freeAdvice) throw problem(ContractErrors, 'support-not-offered', "The business's policy offers no free advice");
  if (!customer && !f.contact) throw badField('body.customerId', 'give the customer, or the contact of the person asking', 'required');
  const tier = contracts.tierOf(support, contract?.tier ?? support.defaultTier);
  const responseClock = f.kind === 'incident' ? tier.clocks.incidentResponse : tier.clocks.questionResponse;
  const resolutionClock = f.kind === 'incident' ? tier.clocks.incidentResolution : undefined;
  const billable = f.kind === 'paid-help';
  const id = uuidv7();
  const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: org.time_zone, year: 'numeric' }).format(now));
  const number = (await sql<{ n: string }>`select ${caseNumberSql('tk', 'TK', org.id, year)} as n`.execute(tx)).rows[0].n;
  const language = f.language ?? customer?.preferred_language ?? versionAt(pack, now.toISOString()).raw.settings.languages[0] ?? 'en';
  const severe = f.kind === 'incident' && f.severity === 'severe';
  const row = await tx
    .insertInto('support_tickets')
    .values({
      id,
      organization_id: org.id,
      number,
      kind: f.kind,
      contract_id: contract?.id ?? null,
      customer_id: customer?.id ?? null,
      device_id: f.deviceId ?? null,
      site: f.site?.trim() || null,
      channel: f.channel,
      subject: f.subject,
      description: f.description,
      language,
      tier: tier.id,
      response_clock: responseClock ?? null,
      resolution_clock: resolutionClock ?? null,
      severity: severe ? 'severe' : 'normal',
      level: support.levels[0],
      assignee_id: f.assigneeId ?? null,
      state: 'open',
      billable,
      billing_rule: billable ? support.paidHelp!.rule : f.kind === 'advice' ? support.freeAdvice!.rule : null,
      hourly_price_minor: billable ? (tier.hourlyPrice?.amount ?? null) : null,
      currency: org.currency,
      contact: f.contact ? JSON.stringify(f.contact) : null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const kind = kindOf(row);
  const subject = { type: kind.type, id, organizationId: org.id };
  const { clocks, timers } = planNewClocks(pack, clockStarts(pack, now, [responseClock, resolutionClock]), now);
  if (clocks.length) await sql`${clocksInsertSql(subject, clocks)}`.execute(tx);
  await insertTimers(tx, subject, timers);
  // The thread starts with the report itself (null: the caller attaches a message it already stored, from triage).
  if (inbound !== null) await repo.insertMessage(tx, { id: uuidv7(), organization_id: org.id, direction: 'in', channel: f.channel, author: f.contact?.name ?? null, subject: f.subject, body: f.description, created_at: now, ...inbound, ticket_id: id });
  await audit(tx, actor, { action: `${kind.type}.created`, entityType: kind.type, entityId: id, after: { number, state: 'open', kind: f.kind, tier: tier.id, contractId: contract?.id ?? null, channel: f.channel, clocks: clocks.map((c) => c.clock_id), billingRule: row.billing_rule } });
  await enqueueMany(tx, [{ organizationId: org.id, topic: 'support.ticket-opened', aggregateType: kind.type, aggregateId: id, payload: { ticketId: id, number, customerId: row.customer_id, language, channel: f.channel === 'email' ? 'email' : null, summary: f.subject } }]);
  return row;
}

export type TicketActionBody =
  | { action: 'reply'; version: number; body: string; channel?: 'email' | 'phone' | 'portal' }
  | { action: 'note'; version: number; body: string }
  | { action: 'request-data'; version: number; body: string }
  | { action: 'client-replied'; version: number; body: string; rootCauseData?: boolean; channel?: 'phone' | 'email' | 'portal' }
  | { action: 'assign'; version: number; assigneeId?: string | null; level?: string }
  | { action: 'escalate'; version: number; level?: string; reason: string }
  | { action: 'record-severe'; version: number; recoveryAdvice: string; downtimeAdvice: string }
  | { action: 'record-finding'; version: number; finding: string; note?: string }
  | { action: 'open-service-order'; version: number; problem?: string }
  | { action: 'open-rma'; version: number; fault?: string }
  | { action: 'resolve'; version: number; summary: string; billableMinutes?: number }
  | { action: 'reopen'; version: number; reason: string }
  | { action: 'close'; version: number };

export const ACT_PROBLEMS = ['not-found', 'version-conflict', 'illegal-transition', 'validation-failed', 'unknown-reference', 'not-an-incident', 'not-billable', 'unknown-level', 'support-not-offered', 'policy-input-invalid', 'already-exists', 'no-rma-policy', 'serial-not-on-purchase', 'account-suspended'] as const satisfies readonly ProblemCode[];

type ActorLike = Actor;

/** Writes `body` on the locked ticket `t` (version checked by the caller). */
/**
 * Why the desk did something by itself, as a code and its values, so every reader gets it in their
 * own language (the console's `support.reason.<code>`, the staff e-mail's `support.reason.<code>`);
 * the English sentence stays beside it as the record.
 */
export interface ReasonCode {
  code: 'clock-at-risk';
  params: Record<string, string>;
}

export async function actOnTicket(tx: Tx, actor: ActorLike, t: repo.TicketRow, b: TicketActionBody, now: Date, extra: { message?: Partial<repo.NewMessage>; reason?: ReasonCode } = {}) {
  const { org, pack } = await orgAndPack(tx, t.organization_id);
  const support = contracts.supportOf(pack, now);
  const tr = TICKET_TRANSITIONS[b.action];
  const state = t.state as TicketState;
  if (!(tr.from as readonly string[]).includes(state)) {
    throw problem(CoreErrors, 'illegal-transition', `Cannot ${b.action} a ticket that is ${t.state}`, { current: { id: t.id, number: t.number, state: t.state, version: t.version }, allowed: allowedActions(state, t.kind) });
  }
  if ('incidentOnly' in tr && tr.incidentOnly && t.kind !== 'incident') throw problem(SupportErrors, 'not-an-incident', `Ticket ${t.number} is ${t.kind === 'advice' ? 'advice' : `a ${t.kind}`}, not an incident`);
  const set: Record<string, unknown> = {};
  const auditData: Record<string, unknown> = {};
  const outbox: OutboxMessage[] = [];
  // To the client; a ticket without one (the online consultant's, SC-1) writes to the contact it came with.
  const clientMsg = (topic: string, summary: string) => ({ topic, payload: { ticketId: t.id, number: t.number, customerId: t.customer_id, ...(!t.customer_id && t.contact ? { contact: t.contact } : {}), language: t.language, channel: 'email', summary, subject: t.subject } });
  let message: Omit<repo.NewMessage, 'id' | 'organization_id' | 'ticket_id' | 'created_at'> | undefined;
  // The desk's own events that follow the message (a reopening by the client's reply).
  const events: Omit<repo.NewMessage, 'id' | 'organization_id' | 'ticket_id' | 'created_at'>[] = [];
  // Reopened: the resolution clock runs on (the pack's `support.reopen.clocks`, 'resume' unless it says 'none').
  let reopenClocks: string[] = [];
  const reopening = () => {
    if ((support.reopen?.clocks ?? 'resume') === 'resume' && t.resolution_clock) reopenClocks = [t.resolution_clock];
    return { resolved_at: null };
  };
  const who = actor.name;
  // Which clocks the action stops: the first answer stops the response clock, the fix both.
  const stops: string[] = [];
  const rules = packClockRules(versionAt(pack, t.created_at.toISOString()));
  const stopOf = (id: string | null) => (id ? rules.find((r) => r.id === id)?.stopsAt : undefined);
  if ((tr.stops as readonly string[]).includes('response') && !t.first_response_at) {
    const e = stopOf(t.response_clock);
    if (e) stops.push(e);
    set.first_response_at = now;
  }
  if ((tr.stops as readonly string[]).includes('resolution')) {
    const e = stopOf(t.resolution_clock);
    if (e) stops.push(e);
  }
  switch (b.action) {
    case 'reply':
      message = { direction: 'out', channel: b.channel ?? 'email', author: who, body: b.body, subject: `[${t.number}] ${t.subject}` };
      if ((b.channel ?? 'email') === 'email') outbox.push(clientMsg('support.reply', b.body));
      break;
    case 'note':
      message = { direction: 'note', channel: 'console', author: who, body: b.body };
      break;
    case 'request-data':
      message = { direction: 'out', channel: 'email', author: who, body: b.body, data: { rule: support.rootCauseData ?? null, waitingFor: 'root-cause data' } };
      outbox.push(clientMsg('support.data-requested', b.body));
      auditData.rule = support.rootCauseData ?? null;
      break;
    case 'client-replied':
      message = { direction: 'in', channel: b.channel ?? 'phone', author: null, body: b.body, ...extra.message };
      if (b.rootCauseData !== false && t.state === 'awaiting-client') set.root_cause_data = true;
      // The client answers a resolved ticket: it is not settled for them, so it is in progress again,
      // its resolution clock running on as the policy says; the desk sees it in the queue and the thread.
      if (t.state === 'resolved') {
        Object.assign(set, reopening());
        Object.assign(auditData, { reopened: true, by: 'client', channel: b.channel ?? 'phone' });
        events.push({ direction: 'event', channel: 'system', author: null, body: 'reopened by the client\'s reply', data: { reopened: true, by: 'client' } });
        outbox.push({ topic: 'support.reopened', payload: { ticketId: t.id, number: t.number, rule: support.rule, summary: t.subject } });
      }
      break;
    case 'assign': {
      if (b.level !== undefined && !support.levels.includes(b.level)) throw problem(SupportErrors, 'unknown-level', `"${b.level}" is not one of the levels ${support.levels.join(', ')}`, { levels: support.levels, errors: [{ field: 'body.level', message: 'unknown level' }] });
      await checkAssignee(tx, org.id, b.assigneeId, 'body.assigneeId');
      if (b.assigneeId !== undefined) set.assignee_id = b.assigneeId;
      if (b.level !== undefined) set.level = b.level;
      const names = b.assigneeId ? await repo.staffOf(tx, org.id, [b.assigneeId]) : [];
      message = { direction: 'event', channel: 'console', author: who, body: `assigned${b.assigneeId !== undefined ? ` to ${names[0]?.name ?? 'nobody'}` : ''}${b.level ? ` at ${b.level}` : ''}`, data: { ...(b.assigneeId !== undefined ? { assigneeId: b.assigneeId, assignee: names[0]?.name ?? null } : {}), level: b.level ?? t.level, assigned: true } };
      Object.assign(auditData, { assigneeId: b.assigneeId, level: b.level ?? t.level });
      break;
    }
    case 'escalate': {
      const to = b.level ?? support.levels[support.levels.indexOf(t.level) + 1];
      const from = support.levels.indexOf(t.level);
      if (!to || !support.levels.includes(to) || support.levels.indexOf(to) <= from) throw problem(SupportErrors, 'unknown-level', to ? `"${to}" does not raise a ticket at ${t.level}` : `Ticket ${t.number} is at the top level ${t.level} already`, { levels: support.levels, errors: [{ field: 'body.level', message: 'not a higher level' }] });
      const told = await repo.escalationAudience(tx, org.id, t.assignee_id);
      set.level = to;
      const tell = told.map((s) => ({ id: s.id, name: s.name, email: s.email }));
      const code = extra.reason ? { reasonCode: extra.reason.code, reasonParams: extra.reason.params } : {};
      message = { direction: 'event', channel: actor.type === 'system' ? 'system' : 'console', author: who, body: `escalated ${t.level} → ${to}: ${b.reason}. Told: ${tell.map((s) => s.name).join(', ') || 'nobody'}`, data: { from: t.level, to, reason: b.reason, ...code, told: tell } };
      Object.assign(auditData, { from: t.level, to, reason: b.reason, ...code, told: tell.map((s) => s.id) });
      outbox.push({ topic: 'support.escalated', payload: { ticketId: t.id, number: t.number, from: t.level, to, clock: `${t.level} → ${to}`, rule: support.escalateAtRisk?.rule ?? support.rule, reason: b.reason, ...code, told: tell.map((s) => s.email) } });
      break;
    }
    case 'record-severe': {
      const r = support.severeAdvice;
      if (!r) throw problem(ContractErrors, 'support-not-offered', "The business's policy has no severe-incident advice");
      set.severity = 'severe';
      set.advice = JSON.stringify({ rule: r.rule, recovery: b.recoveryAdvice, downtime: b.downtimeAdvice });
      message = { direction: 'out', channel: 'email', author: who, body: `${b.recoveryAdvice}\n\n${b.downtimeAdvice}`, data: { rule: r.rule, severe: true } };
      outbox.push(clientMsg('support.severe-advice', `${b.recoveryAdvice}\n\n${b.downtimeAdvice}`));
      auditData.rule = r.rule;
      break;
    }
    case 'record-finding': {
      const ex = versionAt(pack, now.toISOString()).raw.exclusions.find((e) => e.finding === b.finding);
      if (!ex) throw badField('body.finding', "is not one of the policy's findings", 'unknown-finding');
      const findings = [...t.findings, { finding: ex.finding, rule: ex.rule, effect: ex.effect }];
      set.findings = JSON.stringify(findings);
      // A fault of use or intervention is outside the maintenance: paid help at the tier price (VN-3, VN-4, VN-8).
      if (ex.effect !== 'not-covered' && support.paidHelp) {
        const tier = contracts.tierOf(support, t.tier);
        set.billable = true;
        set.billing_rule = support.paidHelp.rule;
        set.hourly_price_minor = tier.hourlyPrice?.amount ?? null;
      }
      message = { direction: 'note', channel: 'console', author: who, body: `${ex.text.en}${b.note ? `\n${b.note}` : ''}`, data: { finding: ex.finding, rule: ex.rule, effect: ex.effect } };
      Object.assign(auditData, { finding: ex.finding, rule: ex.rule, effect: ex.effect, billable: set.billable ?? t.billable });
      break;
    }
    case 'open-service-order': {
      if (t.service_order_id) throw problem(CoreErrors, 'already-exists', `Ticket ${t.number} has its service order already`);
      if (!t.customer_id) throw badField('body', 'the ticket has no customer', 'no-customer');
      const intake = await orders.insertClaim(tx, actor, { channel: 'api', customerId: t.customer_id, ...(t.device_id ? { deviceId: t.device_id } : {}), problem: b.problem ?? `${t.number}: ${t.subject}\n${t.description}` }, now);
      set.service_order_id = intake.order.id;
      message = { direction: 'event', channel: 'console', author: who, body: `service order ${intake.order.number} opened`, data: { serviceOrderId: intake.order.id, number: intake.order.number } };
      Object.assign(auditData, { serviceOrderId: intake.order.id, serviceOrder: intake.order.number });
      break;
    }
    case 'open-rma': {
      // Through the RMA kind's own intake (ITM-6): the engine answers for the item, the RMA gets its clocks.
      if (t.rma_id) throw problem(CoreErrors, 'already-exists', `Ticket ${t.number} has its RMA already`);
      if (!t.customer_id) throw badField('body', 'the ticket has no customer', 'no-customer');
      if (!t.device_id) throw badField('body', 'an RMA returns a device: the ticket names none', 'no-device');
      const r = await rmas.insertRma(tx, actor, { channel: 'console', customerId: t.customer_id, language: t.language as 'en' | 'bg' | 'vi', items: [{ deviceId: t.device_id, fault: b.fault ?? `${t.number}: ${t.subject}\n${t.description}` }] }, now);
      set.rma_id = r.id;
      message = { direction: 'event', channel: 'console', author: who, body: `RMA ${r.number} opened`, data: { rmaId: r.id, number: r.number } };
      Object.assign(auditData, { rmaId: r.id, rma: r.number });
      break;
    }
    case 'resolve': {
      set.resolved_at = now;
      const billable = (set.billable as boolean | undefined) ?? t.billable;
      if (b.billableMinutes !== undefined) {
        if (!billable) throw problem(SupportErrors, 'not-billable', `Ticket ${t.number} is covered: nothing to bill`, { errors: [{ field: 'body.billableMinutes', message: 'the ticket is not billable' }] });
        set.billable_minutes = b.billableMinutes;
        // VN-4: at the tier price, per started hour.
        set.amount_minor = t.hourly_price_minor === null ? null : Math.ceil(b.billableMinutes / 60) * t.hourly_price_minor;
      }
      message = { direction: 'out', channel: 'email', author: who, body: b.summary };
      outbox.push(clientMsg('support.resolved', b.summary));
      Object.assign(auditData, { billableMinutes: b.billableMinutes ?? null, amountMinor: set.amount_minor ?? null, rule: t.billing_rule });
      break;
    }
    case 'reopen':
      Object.assign(set, reopening());
      message = { direction: 'event', channel: 'console', author: who, body: `reopened: ${b.reason}`, data: { reopened: true, by: 'staff', reason: b.reason } };
      auditData.reason = b.reason;
      break;
    case 'close':
      break;
  }
  const to = nextState(b.action, state);
  const updated = await writeTransition(tx, actor, kindOf(t), t, { action: b.action, to, set, clockEvents: stops, reopenClocks, audit: auditData, outbox }, pack, now);
  if (message) await repo.insertMessage(tx, { id: uuidv7(), organization_id: org.id, ticket_id: t.id, created_at: now, ...message });
  for (const e of events) await repo.insertMessage(tx, { id: uuidv7(), organization_id: org.id, ticket_id: t.id, created_at: now, ...e });
  return updated;
}

export async function act(db: Db, actor: Actor, id: string, b: TicketActionBody, now = new Date()) {
  return db.transaction().execute(async (tx) => {
    const t = await repo.lockTicket(tx, actor.organizationId, id);
    if (!t) throw notFound('Ticket');
    if (t.version !== b.version) throw versionConflict({ id: t.id, number: t.number, state: t.state, version: t.version });
    return actOnTicket(tx, actor, t, b, now);
  });
}

/** A clock of the ticket turned at-risk: raise it as the pack says (ITM-2, VN-6), telling the assignee and the managers. */
export async function escalateAtRisk(tx: Tx, t: repo.TicketRow, org: Org, pack: CompiledPack, clock: string, moment: Date) {
  const support = versionAt(pack, moment.toISOString()).raw.support;
  const rule = support?.escalateAtRisk;
  if (!support || !rule || !['open', 'in-progress'].includes(t.state)) return;
  const i = support.levels.indexOf(t.level);
  const to = rule.to === 'next' ? support.levels[i + 1] : rule.to;
  if (!to || support.levels.indexOf(to) <= i) return;
  await actOnTicket(tx, systemActor(org.id, 'jobs'), t, { action: 'escalate', version: t.version, level: to, reason: `clock ${clock} at risk (${rule.rule})` }, moment, { reason: { code: 'clock-at-risk', params: { clock, rule: rule.rule } } });
}
