import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, MANAGERS, OFFICE, systemActor } from '../../core/actor.ts';
import { problem } from '../../core/errors.ts';
import { orgIdBySlug } from '../../core/organization.ts';
import { rateLimiter } from '../../core/rate-limit.ts';
import { notFound } from '../../core/errors.ts';
import { ClockSchema, IdempotencyHeaders, IdParams, IsoDate, page, PageQuery, Uuid, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { fileResponse } from '../../server/openapi.ts';
import { UPLOADED_FILE_CSP } from '../../server/security.ts';
import { ClientAccountErrors } from '../client-account/client-account.errors.ts';
import { CLIENT_COOKIE, clientOf } from '../client-account/client-account.service.ts';
import * as svc from './support.service.ts';

const Text = (max: number) => z.string().trim().min(1).max(max);
const Lang = z.enum(['en', 'bg', 'vi']);
const Ref = z.object({ id: z.string(), name: z.string() });
const Billing = z.object({ billable: z.boolean(), rule: z.string().nullable(), hourlyPriceMinor: z.number().int().nullable(), billableMinutes: z.number().int().nullable(), amountMinor: z.number().int().nullable(), currency: z.string() });
export const Ticket = z.object({
  id: z.string(),
  number: z.string(),
  kind: z.enum(svc.TICKET_KINDS),
  state: z.enum(svc.TICKET_STATES),
  channel: z.string(),
  subject: z.string(),
  description: z.string(),
  language: z.string(),
  tier: z.string(),
  level: z.string(),
  severity: z.enum(['normal', 'severe']),
  atRisk: z.boolean().describe('A running clock of the ticket is past its at-risk moment'),
  customer: Ref.nullable(),
  contact: z.object({ name: z.string(), email: z.string().nullish(), phone: z.string().nullish() }).nullable(),
  contract: z.object({ id: z.string(), number: z.string() }).nullable(),
  device: z.object({ id: z.string(), serial: z.string(), model: z.string().nullable() }).nullable(),
  site: z.string().nullable(),
  assignee: Ref.nullable(),
  firstResponseAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  rootCauseData: z.boolean().describe('The client supplied the data for root-cause analysis (VN-6)'),
  advice: z.object({ rule: z.string(), recovery: z.string(), downtime: z.string() }).nullable().describe('Severe incident advice (VN-7)'),
  findings: z.array(z.object({ finding: z.string(), rule: z.string(), effect: z.string() })),
  billing: Billing,
  serviceOrderId: z.string().nullable(),
  serviceOrder: z.object({ id: z.string(), number: z.string() }).nullable().describe('The service order the incident became'),
  rma: z.object({ id: z.string(), number: z.string() }).nullable().describe('The RMA the incident became (ITM-6)'),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
z.globalRegistry.add(Ticket, { id: 'SupportTicket' });
const Message = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out', 'note', 'event']),
  channel: z.string(),
  author: z.string().nullable(),
  from: z.string().nullable(),
  subject: z.string().nullable(),
  body: z.string(),
  attachments: z.array(z.object({ id: z.string(), filename: z.string(), contentType: z.string(), size: z.number().int() })),
  data: z.record(z.string(), z.unknown()).nullable(),
  triage: z.object({ state: z.string(), reason: z.string().nullable() }).nullable(),
  createdAt: z.string(),
});
z.globalRegistry.add(Message, { id: 'SupportMessage' });
const TicketDetail = Ticket.extend({ thread: z.array(Message), clocks: z.array(ClockSchema), allowedActions: z.array(z.string()) });
z.globalRegistry.add(TicketDetail, { id: 'SupportTicketDetail' });

const TicketFields = z.object({
  kind: z.enum(svc.TICKET_KINDS),
  channel: z.enum(['phone', 'email', 'portal', 'api', 'console']).default('phone'),
  customerId: Uuid.nullish(),
  contractId: Uuid.nullish().describe('Default: the active contract of the customer that covers the device or site'),
  deviceId: Uuid.nullish(),
  site: z.string().trim().max(200).nullish(),
  subject: Text(300),
  description: Text(20000),
  language: Lang.nullish(),
  severity: z.enum(['normal', 'severe']).optional().describe('severe: functions destroyed, unrecoverable (VN-7)'),
  contact: z.object({ name: Text(300), email: z.email().max(320).nullish(), phone: z.string().regex(/^\+?[0-9 ()./-]{3,40}$/, 'must be a phone number').nullish() }).nullish(),
  assigneeId: Uuid.nullish(),
});

const V = { version: z.number().int() };
const TicketAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('reply'), ...V, body: Text(20000), channel: z.enum(['email', 'phone', 'portal']).optional() }),
  z.object({ action: z.literal('note'), ...V, body: Text(20000) }),
  z.object({ action: z.literal('request-data'), ...V, body: Text(20000) }),
  z.object({ action: z.literal('client-replied'), ...V, body: Text(20000), rootCauseData: z.boolean().optional(), channel: z.enum(['phone', 'email', 'portal']).optional() }),
  z.object({ action: z.literal('assign'), ...V, assigneeId: Uuid.nullish(), level: z.string().min(1).max(20).optional() }),
  z.object({ action: z.literal('escalate'), ...V, level: z.string().min(1).max(20).optional(), reason: Text(1000) }),
  z.object({ action: z.literal('record-severe'), ...V, recoveryAdvice: Text(20000), downtimeAdvice: Text(20000) }),
  z.object({ action: z.literal('record-finding'), ...V, finding: z.string().regex(/^[a-z][a-z0-9-]*$/).max(100), note: z.string().max(2000).optional() }),
  z.object({ action: z.literal('open-service-order'), ...V, problem: Text(5000).optional() }),
  z.object({ action: z.literal('open-rma'), ...V, fault: Text(5000).optional() }),
  z.object({ action: z.literal('resolve'), ...V, summary: Text(20000), billableMinutes: z.number().int().min(1).max(100000).optional() }),
  z.object({ action: z.literal('reopen'), ...V, reason: Text(1000) }),
  z.object({ action: z.literal('close'), ...V }),
]);

const Training = z.object({
  id: z.string(),
  number: z.string(),
  contractId: z.string(),
  topic: z.string(),
  channel: z.string(),
  startsAt: z.string(),
  date: z.string(),
  durationMinutes: z.number().int(),
  trainerId: z.string().nullable(),
  attendees: z.array(z.object({ name: z.string(), email: z.string().nullable(), attended: z.boolean().nullable() })),
  state: z.enum(['scheduled', 'held', 'cancelled']),
  rule: z.string().nullable(),
  version: z.number().int(),
});
z.globalRegistry.add(Training, { id: 'TrainingSession' });
const Instant = z.iso.datetime({ offset: true }).refine((s) => s >= '1900' && s < '2200', 'must be between 1900 and 2199');

const Tally = z.object({ met: z.number().int(), late: z.number().int(), breached: z.number().int(), open: z.number().int(), compliance: z.number().nullable().describe('Per cent met of the decided clocks; null when none is decided yet') });
const Verdict = z.object({ clock: z.string().nullable(), rule: z.string().nullable(), due: z.string().nullable(), at: z.string().nullable(), verdict: z.enum(['met', 'late', 'breached', 'open', 'none']) });
const Sla = z.object({
  from: z.string(),
  to: z.string(),
  window: z.enum(['week', 'month']),
  contractId: z.string().nullable(),
  tier: z.string().nullable(),
  asOf: z.string(),
  total: z.object({ tickets: z.number().int(), response: Tally, resolution: Tally }),
  windows: z.array(z.object({ start: z.string(), tickets: z.number().int(), response: Tally, resolution: Tally })),
  tickets: z.array(z.object({ window: z.string(), number: z.string(), kind: z.string(), tier: z.string(), level: z.string(), severity: z.string(), createdAt: z.string(), response: Verdict, resolution: Verdict })),
});
z.globalRegistry.add(Sla, { id: 'SlaCompliance' });
const SlaQuery = z.object({ from: IsoDate.optional().describe('Default: the first day of the month two months back'), to: IsoDate.optional().describe('Default: today'), window: z.enum(['week', 'month']).default('month'), tier: z.string().max(100).optional() });

export async function supportRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['support'];
  /** A stored mail attachment, as it came: never rendered by the browser (an attachment, nosniff, the uploaded files' sandboxing CSP). */
  const sendAttachment = async (reply: FastifyReply, a: { key: string; filename: string }) => {
    const stream = await deps.storage.get(a.key).catch(() => {
      throw notFound('Attachment');
    });
    reply.header('content-type', 'application/octet-stream');
    reply.header('content-disposition', `attachment; filename="${a.filename.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('content-security-policy', UPLOADED_FILE_CSP);
    return reply.send(stream);
  };
  const now = () => deps.now?.() ?? new Date();
  app.get(
    '/api/v1/support-tickets',
    {
      config: { access: ALL_ROLES },
      schema: {
        operationId: 'listSupportTickets',
        tags,
        summary: 'The support queue, newest first: by level, assignee, severity, at-risk',
        querystring: PageQuery.extend({
          state: z.enum(svc.TICKET_STATES).optional(),
          open: z.enum(['true', 'false']).optional().describe('true: open, in progress or waiting for the client'),
          level: z.string().max(20).optional(),
          assigneeId: Uuid.optional(),
          severity: z.enum(['normal', 'severe']).optional(),
          kind: z.enum(svc.TICKET_KINDS).optional(),
          contractId: Uuid.optional(),
          customerId: Uuid.optional(),
          atRisk: z.enum(['true', 'false']).optional(),
          serviceOrderId: Uuid.optional().describe('The ticket a service order came from'),
          rmaId: Uuid.optional().describe('The ticket an RMA came from'),
        }),
        response: { 200: page(Ticket) },
      },
    },
    async (req) => svc.list(deps.db, actorOf(req), { ...req.query, open: req.query.open === 'true', atRisk: req.query.atRisk === 'true' }, now()),
  );
  app.post(
    '/api/v1/support-tickets',
    {
      config: { access: ALL_ROLES, problems: [...svc.OPEN_PROBLEMS] },
      schema: { operationId: 'createSupportTicket', tags, summary: 'Open a ticket: an incident under a contract, a question, free advice or paid help at the tier price (VN-4)', headers: IdempotencyHeaders, body: TicketFields, response: { 201: Ticket } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.create(tx, actor, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.get(
    '/api/v1/support-tickets/:id',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getSupportTicket', tags, summary: 'The ticket page: the ticket, its thread, its clocks and the actions legal now', params: IdParams, response: { 200: TicketDetail } } },
    async (req) => svc.detail(deps.db, actorOf(req), req.params.id, now()),
  );
  app.post(
    '/api/v1/support-tickets/:id/actions',
    {
      config: { access: ALL_ROLES, problems: [...svc.ACT_PROBLEMS] },
      schema: { operationId: 'performSupportTicketAction', tags, summary: 'Reply, ask for data, assign, escalate, record severe advice or a finding, open a service order or an RMA, resolve (send the version you read)', params: IdParams, body: TicketAction, response: { 200: TicketDetail } },
    },
    async (req) => {
      const actor = actorOf(req);
      await svc.act(deps.db, actor, req.params.id, req.body, now());
      return svc.detail(deps.db, actor, req.params.id, now());
    },
  );
  app.get(
    '/api/v1/support-messages/:id/attachments/:attachmentId',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      schema: { operationId: 'downloadSupportAttachment', tags, summary: 'A file that came with a support e-mail', params: IdParams.extend({ attachmentId: z.string().regex(/^[0-9a-f-]{36}-\d{1,3}$/) }), response: { 200: fileResponse('The file as it came', ['application/octet-stream']) } },
    },
    async (req, reply) => {
      const a = await svc.attachment(deps.db, actorOf(req), req.params.id, req.params.attachmentId);
      return sendAttachment(reply, a);
    },
  );
  app.get(
    '/api/v1/support-triage',
    { config: { access: ALL_ROLES }, schema: { operationId: 'listSupportTriage', tags, summary: 'Mail waiting for staff: unknown senders, replies that match no ticket (never dropped)', querystring: PageQuery, response: { 200: page(Message) } } },
    async (req) => svc.triageList(deps.db, actorOf(req), req.query),
  );
  app.post(
    '/api/v1/support-triage/:id',
    {
      config: { access: OFFICE, problems: [...svc.TRIAGE_PROBLEMS] },
      schema: {
        operationId: 'resolveSupportTriage',
        tags,
        summary: 'Settle a triaged message: attach it to a ticket, open a ticket from it, or set it aside (it stays stored)',
        params: IdParams,
        body: z.discriminatedUnion('action', [
          z.object({ action: z.literal('attach'), ticketId: Uuid }),
          z.object({ action: z.literal('open-ticket'), customerId: Uuid, kind: z.enum(['question', 'incident']).optional(), contractId: Uuid.nullish(), deviceId: Uuid.nullish() }),
          z.object({ action: z.literal('dismiss'), reason: Text(1000) }),
        ]),
        response: { 200: Message },
      },
    },
    async (req) => svc.resolveTriage(deps.db, actorOf(req), req.params.id, req.body, now()),
  );
  app.get(
    '/api/v1/training-sessions',
    { config: { access: ALL_ROLES }, schema: { operationId: 'listTrainingSessions', tags, summary: 'Training sessions, newest first', querystring: PageQuery.extend({ contractId: Uuid.optional() }), response: { 200: page(Training) } } },
    async (req) => svc.listTraining(deps.db, actorOf(req), req.query),
  );
  app.post(
    '/api/v1/training-sessions',
    {
      config: { access: OFFICE, problems: [...svc.SCHEDULE_PROBLEMS] },
      schema: {
        operationId: 'createTrainingSession',
        tags,
        summary: 'Schedule a training session under a contract: on a working day (VN-5), within the contract and its included sessions',
        headers: IdempotencyHeaders,
        body: z.object({
          contractId: Uuid,
          topic: Text(500),
          channel: z.string().min(1).max(40),
          startsAt: Instant,
          durationMinutes: z.number().int().min(15).max(600),
          trainerId: Uuid.nullish(),
          attendees: z.array(z.object({ name: Text(300), email: z.email().max(320).nullish() })).max(200).optional(),
        }),
        response: { 201: Training },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.schedule(tx, actor, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.post(
    '/api/v1/training-sessions/:id/actions',
    {
      config: { access: OFFICE, problems: [...svc.TRAINING_ACT_PROBLEMS] },
      schema: {
        operationId: 'performTrainingSessionAction',
        tags,
        summary: 'Record attendance (the session is held) or cancel it',
        params: IdParams,
        body: z.discriminatedUnion('action', [
          z.object({ action: z.literal('attendance'), version: z.number().int(), attendees: z.array(z.object({ name: Text(300), email: z.email().max(320).nullish(), attended: z.boolean() })).min(1).max(200) }),
          z.object({ action: z.literal('cancel'), version: z.number().int(), reason: Text(1000) }),
        ]),
        response: { 200: Training },
      },
    },
    async (req) => svc.actOnTraining(deps.db, actorOf(req), req.params.id, req.body, now()),
  );
  app.get(
    '/api/v1/contracts/:id/sla',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getContractSla', tags, summary: "SLA compliance of a contract's tickets: first answer and fix within their clocks, per window", params: IdParams, querystring: SlaQuery, response: { 200: Sla } } },
    async (req) => svc.compliance(deps.db, actorOf(req), { ...req.query, contractId: req.params.id }, now()),
  );
  app.get(
    '/api/v1/contracts/:id/sla.csv',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'exportContractSla', tags, summary: "SLA compliance of a contract's tickets as CSV (a line per ticket, then the totals)", params: IdParams, querystring: SlaQuery, response: { 200: fileResponse('The CSV (UTF-8)', ['text/csv']) } } },
    async (req, reply) => {
      const csv = await svc.complianceCsv(deps.db, actorOf(req), { ...req.query, contractId: req.params.id }, now());
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="sla-${req.params.id}.csv"`);
      return reply.send(csv);
    },
  );
  app.get(
    '/api/v1/support-sla',
    { config: { access: MANAGERS }, schema: { operationId: 'getSupportSla', tags, summary: 'SLA compliance across contracts, per tier (or all tickets)', querystring: SlaQuery, response: { 200: Sla } } },
    async (req) => svc.compliance(deps.db, actorOf(req), req.query, now()),
  );

  app.get(
    '/api/v1/support-tiers',
    {
      config: { access: ALL_ROLES, problems: ['support-not-offered'] },
      schema: {
        operationId: 'listSupportTiers',
        tags,
        summary: "The policy's support tiers and engineer levels (for contracts and the queue)",
        response: { 200: z.object({ tiers: z.array(z.object({ id: z.string(), name: z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() }), calendar: z.enum(['business', '24/7']), rule: z.string(), hourlyPriceMinor: z.number().int().nullable() })), levels: z.array(z.string()), defaultTier: z.string() }) },
      },
    },
    async (req) => svc.tiers(deps.db, actorOf(req), now()),
  );

  app.get(
    '/api/v1/support-staff',
    {
      config: { access: ALL_ROLES },
      schema: { operationId: 'listSupportStaff', tags, summary: "The business's active staff a ticket can be assigned to (names and roles only)", response: { 200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })) }) } },
    },
    async (req) => ({ items: await svc.assignableStaff(deps.db, actorOf(req)) }),
  );

  // The client's portal (the client-account session cookie, path /api/v1/client).
  const cookie = (req: { cookies?: Record<string, string | undefined> }) => req.cookies?.[CLIENT_COOKIE];
  const ClientSupport = z.object({
    organization: z.object({ slug: z.string() }),
    language: Lang.describe("The client's language (their preference, else the business's first): the portal speaks it unless the reader chose another"),
    name: z.string().nullable(),
    contracts: z.array(z.object({ id: z.string(), number: z.string(), tier: z.string(), calendar: z.string(), startsOn: z.string(), endsOn: z.string(), renewalOn: z.string(), status: z.string(), included: z.array(z.object({ service: z.string(), quantity: z.number().int().nullable() })), devices: z.array(z.object({ id: z.string(), serial: z.string(), model: z.string().nullable() })), sites: z.array(z.string()), rule: z.string().nullable() })),
    tickets: z.array(z.object({ id: z.string(), number: z.string(), kind: z.string(), state: z.string(), subject: z.string(), severity: z.string(), createdAt: z.string(), firstResponseAt: z.string().nullable(), resolvedAt: z.string().nullable(), contract: z.string().nullable() })),
    consultant: z.object({ rule: z.string(), text: z.string() }).nullable(),
  });
  z.globalRegistry.add(ClientSupport, { id: 'ClientSupport' });
  app.get(
    '/api/v1/client/support',
    { config: { access: 'public', problems: ['client-not-signed-in'] }, schema: { operationId: 'getClientSupport', tags: ['client account'], summary: "The signed-in client's maintenance contracts and support tickets", querystring: z.object({ lang: Lang.optional() }), response: { 200: ClientSupport } } },
    async (req) => {
      const c = await clientOf(deps.db, cookie(req));
      if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
      return svc.clientView(deps.db, c, req.query.lang ?? 'en', now());
    },
  );
  const portalLimit = rateLimiter(deps.db, { name: 'client-support', max: 20, windowMs: 10 * 60_000 });
  app.post(
    '/api/v1/client/support/tickets',
    {
      config: { access: 'public', problems: ['rate-limited', ...svc.CLIENT_OPEN_PROBLEMS] },
      schema: {
        operationId: 'createClientSupportTicket',
        tags: ['client account'],
        summary: 'The signed-in client reports an incident under a contract or asks a question',
        body: z.object({ kind: z.enum(['incident', 'question']), contractId: Uuid.optional(), deviceId: Uuid.optional(), subject: Text(300), description: Text(20000), language: Lang.optional() }),
        response: { 201: z.object({ number: z.string(), state: z.string(), kind: z.string() }) },
      },
    },
    async (req, reply) => {
      const c = await clientOf(deps.db, cookie(req));
      if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
      await portalLimit(c.email);
      return reply.status(201).send(await svc.clientOpen(deps.db, c, req.body, now()));
    },
  );

  const ClientTicket = z.object({
    id: z.string(),
    number: z.string(),
    kind: z.string(),
    state: z.string(),
    subject: z.string(),
    severity: z.string(),
    createdAt: z.string(),
    firstResponseAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    contract: z.string().nullable(),
    canReply: z.boolean(),
    version: z.number().int(),
    thread: z.array(z.object({ id: z.string(), direction: z.enum(['in', 'out']), channel: z.string(), author: z.string().nullable().describe("The desk's person for an answer; null for the client's own"), body: z.string(), attachments: z.array(z.object({ id: z.string(), filename: z.string(), size: z.number().int() })), createdAt: z.string() })),
  });
  z.globalRegistry.add(ClientTicket, { id: 'ClientSupportTicket' });
  app.get(
    '/api/v1/client/support/tickets/:id',
    { config: { access: 'public', problems: ['client-not-signed-in', 'not-found'] }, schema: { operationId: 'getClientSupportTicket', tags: ['client account'], summary: "One of the signed-in client's tickets with its messages (the desk's answers and the client's own; no internal notes)", params: IdParams, response: { 200: ClientTicket } } },
    async (req) => {
      const c = await clientOf(deps.db, cookie(req));
      if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
      return svc.clientTicket(deps.db, c, req.params.id);
    },
  );
  app.get(
    '/api/v1/client/support/tickets/:id/messages/:messageId/attachments/:attachmentId',
    {
      config: { access: 'public', problems: ['client-not-signed-in', 'not-found'] },
      schema: {
        operationId: 'downloadClientSupportAttachment',
        tags: ['client account'],
        summary: "A file of a message on the signed-in client's own ticket (theirs or the desk's answer), as it came; served as an attachment with the uploaded files' sandbox",
        params: IdParams.extend({ messageId: Uuid, attachmentId: z.string().regex(/^[0-9a-f-]{36}-\d{1,3}$/) }),
        response: { 200: fileResponse('The file as it came', ['application/octet-stream']) },
      },
    },
    async (req, reply) => {
      const c = await clientOf(deps.db, cookie(req));
      if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
      const a = await svc.clientAttachment(deps.db, c, req.params.id, req.params.messageId, req.params.attachmentId);
      return sendAttachment(reply, a);
    },
  );
  app.post(
    '/api/v1/client/support/tickets/:id/replies',
    {
      config: { access: 'public', problems: ['rate-limited', ...svc.CLIENT_REPLY_PROBLEMS] },
      schema: {
        operationId: 'replyClientSupportTicket',
        tags: ['client account'],
        summary: 'The signed-in client answers on their ticket (a ticket waiting for their data resumes its clocks, VN-6)',
        headers: IdempotencyHeaders,
        params: IdParams,
        body: z.object({ body: Text(20000) }),
        response: { 201: ClientTicket },
      },
    },
    async (req, reply) => {
      const c = await clientOf(deps.db, cookie(req));
      if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
      await portalLimit(c.email);
      const actor = systemActor(c.organization_id, 'portal');
      await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', `${req.url} ${c.email}`, req.body), (tx) => svc.clientReply(tx, c, req.params.id, req.body, now()));
      return reply.status(201).send(await svc.clientTicket(deps.db, c, req.params.id));
    },
  );

  // The online consultant (SC-1): free advice for anyone, from the portal.
  const Org = z.object({ organization: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'is not a business id like service-center') });
  const askLimit = rateLimiter(deps.db, { name: 'consultant', max: 10, windowMs: 10 * 60_000 });
  app.get(
    '/api/v1/consultant/:organization',
    { config: { access: 'public', problems: ['not-found'] }, schema: { operationId: 'getConsultant', tags, summary: 'Whether the business has an online consultant (SC-1), and its offer', params: Org, querystring: z.object({ lang: Lang.optional() }), response: { 200: z.object({ available: z.boolean(), rule: z.string().nullable(), text: z.string().nullable() }) } } },
    async (req) => {
      const orgId = await orgIdBySlug(deps.db, req.params.organization);
      if (!orgId) throw notFound('Business');
      return svc.consultantOffer(deps.db, orgId, req.query.lang ?? 'en', now());
    },
  );
  app.post(
    '/api/v1/consultant/:organization',
    {
      config: { access: 'public', problems: [...svc.CONSULTANT_PROBLEMS] },
      schema: {
        operationId: 'askConsultant',
        tags,
        summary: 'Ask the online consultant (SC-1): free advice; the answer repeats only what was sent',
        params: Org,
        body: z.object({ name: Text(300), email: z.email().max(320), phone: z.string().regex(/^\+?[0-9 ()./-]{3,40}$/, 'must be a phone number').optional(), question: Text(5000), language: Lang.optional() }),
        response: { 201: z.object({ number: z.string(), rule: z.string(), sent: z.object({ name: z.string(), email: z.string(), phone: z.string().optional(), question: z.string(), language: Lang.optional() }) }) },
      },
    },
    async (req, reply) => {
      await askLimit(req.ip);
      const orgId = await orgIdBySlug(deps.db, req.params.organization);
      if (!orgId) throw notFound('Business');
      return reply.status(201).send(await svc.askConsultant(deps.db, orgId, req.body, now()));
    },
  );
}
