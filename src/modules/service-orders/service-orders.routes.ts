// The service order's routes; their schemas are in service-orders.schemas.ts.
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE, systemActor } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import { orgIdBySlug } from '../../core/organization.ts';
import { IdempotencyHeaders, IdParams, PageQuery, Uuid, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { rateLimiter } from '../../core/rate-limit.ts';
import { PaymentBody, RefundBody } from '../billing/billing.contract.ts';
import { listProofs } from '../proofs/proofs.service.ts';
import * as svc from './service-orders.service.ts';
import { keyringOf } from '../../core/secrets.ts';
import { insertClaimWithWorkshop } from './workshop.ts';
import { STATES } from './state-machine.ts';
import { assertMayAct, mayAct } from './roles.ts';
import { ServiceOrder, ServiceOrderDetail, PageLink, Intake, ClaimBody, WebClaimBody, WebClaimReceipt, LinkBody, LinkCandidates, V, ActionBody } from './service-orders.schemas.ts';

export async function serviceOrdersRoutes(app: ZApp, deps: AppDeps) {
  const now = () => deps.now?.() ?? new Date();
  const tags = ['service orders'];
  const webLimit = rateLimiter(deps.db, { name: 'web-form', max: 10, windowMs: 60_000 });

  app.post(
    '/api/v1/claims',
    {
      config: { access: OFFICE, problems: [...svc.INTAKE_PROBLEMS, 'secret-key-unavailable'] },
      schema: { operationId: 'createClaim', tags, summary: 'Take a claim (API, phone, e-mail, walk-in): opens a service order with its number; with `workshop`, its workshop card (technician, priority, promised date, channel, passcode, pre-check, a note) in the same transaction', headers: IdempotencyHeaders, body: ClaimBody, response: { 201: Intake } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => insertClaimWithWorkshop(tx, keyringOf(deps.config), actor, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );

  app.post(
    '/api/v1/web-claims/:organization',
    {
      config: { access: 'public', problems: ['rate-limited', 'not-found'] },
      schema: {
        operationId: 'createWebClaim',
        tags,
        summary: "The customer's web form (no sign-in; rate-limited): the claim waits for staff to link it; the answer repeats only what was sent",
        params: z.object({ organization: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/) }),
        headers: IdempotencyHeaders,
        body: WebClaimBody,
        response: { 201: WebClaimReceipt },
      },
    },
    async (req, reply) => {
      await webLimit(req.ip);
      const orgId = await orgIdBySlug(deps.db, req.params.organization);
      if (!orgId) throw problem(CoreErrors, 'not-found', 'No such business');
      const actor = systemActor(orgId, 'web-form');
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.insertWebClaim(tx, actor, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );

  app.get(
    '/api/v1/service-orders/:id/link-candidates',
    {
      config: { access: OFFICE, problems: ['not-found'] },
      schema: { operationId: 'getServiceOrderLinkCandidates', tags, summary: 'Customers and devices a public claim may be about (by the e-mail, phone and serial it names), to link it', params: IdParams, response: { 200: LinkCandidates } },
    },
    async (req) => svc.linkCandidates(deps.db, actorOf(req), req.params.id),
  );

  app.post(
    '/api/v1/service-orders/:id/link',
    {
      config: { access: OFFICE, problems: svc.LINK_PROBLEMS },
      schema: {
        operationId: 'linkServiceOrder',
        tags,
        summary: 'Link a public claim to a customer and a device (audited): its details are then completed from the records and the engine decides',
        params: IdParams,
        body: LinkBody,
        response: { 200: ServiceOrder },
      },
    },
    async (req) => svc.linkClaim(deps.db, actorOf(req), req.params.id, req.body, now()),
  );

  app.get(
    '/api/v1/service-orders',
    {
      config: { access: ALL_ROLES },
      schema: {
        operationId: 'listServiceOrders',
        tags,
        summary: 'List service orders, newest first; ?queue= for a staff queue',
        querystring: PageQuery.extend({ queue: z.enum(svc.QUEUES).optional(), state: z.enum(STATES).optional(), deviceId: Uuid.optional(), number: z.string().max(40).optional() }),
        response: { 200: z.object({ items: z.array(ServiceOrder), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => svc.list(deps.db, actorOf(req), req.query, now()),
  );

  app.get(
    '/api/v1/service-orders/queues',
    {
      config: { access: ALL_ROLES },
      schema: { operationId: 'getServiceOrderQueues', tags, summary: 'Staff queues with their counts', response: { 200: z.record(z.enum(svc.QUEUES), z.number().int()) } },
    },
    async (req) => svc.queues(deps.db, actorOf(req), now()),
  );

  app.get(
    '/api/v1/service-orders/:id',
    { config: { access: ALL_ROLES, problems: ['not-found', 'policy-input-invalid'] }, schema: { operationId: 'getServiceOrder', tags, summary: 'One order with its clocks, rights and timeline', params: IdParams, response: { 200: ServiceOrderDetail } } },
    async (req) => {
      const actor = actorOf(req);
      const o = await svc.get(deps.db, actor, req.params.id, now());
      const closedAt = o.closedAt ? new Date(o.closedAt) : null;
      const pageLinks = { daysAfterClose: deps.config.orderPageLinkDays, expiresAt: closedAt ? svc.linkEnd(closedAt, closedAt, deps.config.orderPageLinkDays)!.toISOString() : null };
      // The actions legal now that this role may take (roles.ts): a technician is offered no quote.
      const allowedActions = o.allowedActions.filter((a) => mayAct(actor.role, a));
      return { ...o, allowedActions, proofFiles: await listProofs(deps.db, actor.organizationId, o.id, `/api/v1/service-orders/${o.id}`), pageLinks };
    },
  );

  app.post(
    '/api/v1/service-orders/:id/actions',
    {
      config: { access: ALL_ROLES, problems: svc.ACT_PROBLEMS },
      schema: { operationId: 'performServiceOrderAction', tags, summary: 'Move the order on (state machine; 409 for an illegal move or a stale version). A technician diagnoses, repairs and tests; the other actions (quote, the client\'s decision, cancel, hand-over, remedies) need the front desk, a manager or the owner (403 forbidden)', params: IdParams, body: ActionBody, response: { 200: ServiceOrder } },
    },
    async (req) => {
      const actor = actorOf(req);
      assertMayAct(actor.role, req.body.action);
      return svc.act(deps.db, actor, req.params.id, req.body, now());
    },
  );

  app.post(
    '/api/v1/service-orders/:id/parts',
    {
      config: { access: ALL_ROLES, problems: svc.PART_PROBLEMS },
      schema: {
        operationId: 'addServiceOrderPart',
        tags,
        summary: 'A part used in the repair (removed parts stay with the business, ITEMA-23 / ITM-11)',
        params: IdParams,
        body: z.object({ partId: z.string().min(1).max(100), replacesPartId: z.string().min(1).max(100).optional(), category: z.string().min(1).max(100), term: z.string().max(50).optional(), ...V }),
        response: { 200: ServiceOrder },
      },
    },
    async (req) => svc.addPart(deps.db, actorOf(req), req.params.id, req.body, now()),
  );

  // Money (issue 14; the ledger is billing's, src/modules/billing/ledger.ts). Idempotency-Key: a retry
  // gets the first answer and records nothing twice.
  const money = <T>(req: { url: string; body?: unknown; headers: Record<string, unknown> }, actor: ReturnType<typeof actorOf>, run: (tx: import('../../db/index.ts').Tx) => Promise<T>) =>
    withIdempotency(deps.db, actor, req.headers['idempotency-key'] as string | undefined, requestHash('POST', req.url, req.body), run, 200);
  app.post(
    '/api/v1/service-orders/:id/payments',
    {
      config: { access: OFFICE, problems: svc.PAYMENT_PROBLEMS },
      schema: {
        operationId: 'recordServiceOrderPayment',
        tags,
        summary: 'A counter payment (cash, card terminal, bank transfer) against the balance, or a deposit before the work is done; issues its receipt',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: PaymentBody,
        response: { 200: ServiceOrder },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await money(req, actor, (tx) => svc.addPayment(tx, actor, req.params.id, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.post(
    '/api/v1/service-orders/:id/refunds',
    {
      config: { access: OFFICE, problems: [...svc.REFUND_PROBLEMS, ...svc.STRIPE_REFUND_PROBLEMS] },
      schema: {
        operationId: 'refundServiceOrderPayment',
        tags,
        summary: 'Give back (part of) a payment: of what was charged, with a credit note; or of an overpayment. A payment made online goes back through Stripe (its credit note once Stripe confirms)',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: RefundBody,
        response: { 200: ServiceOrder },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await money(req, actor, (tx) => svc.addRefund(tx, actor, req.params.id, req.body, now()));
      // Money paid online goes back through Stripe, after the refund is recorded (and for a retry, again: Stripe's key makes it once).
      if (r.status < 300 && (await svc.settleStripeRefunds({ ...deps, now }, actor.organizationId, req.params.id)) > 0) return reply.status(r.status).send(await svc.get(deps.db, actor, req.params.id, now()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.post(
    '/api/v1/service-orders/:id/invoice',
    {
      config: { access: OFFICE, problems: svc.INVOICE_PROBLEMS },
      schema: { operationId: 'invoiceServiceOrder', tags, summary: 'Issue the order’s invoice for what it charges now (otherwise it is issued at handover)', params: IdParams, headers: IdempotencyHeaders, response: { 200: ServiceOrder } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await money(req, actor, (tx) => svc.addInvoice(tx, actor, req.params.id, now()));
      return reply.status(r.status).send(r.body);
    },
  );

  for (const kind of ['delivery', 'objection'] as const) {
    app.post(
      `/api/v1/service-orders/:id/courier-${kind}`,
      {
        config: { access: OFFICE, problems: svc.COURIER_PROBLEMS[kind] },
        schema: {
          operationId: kind === 'delivery' ? 'recordCourierDelivery' : 'recordCourierObjection',
          tags,
          summary: kind === 'delivery' ? "ITEMA-12: a courier delivery was made for the order; starts the client's 1-day objection clock" : "ITEMA-12: the client's objection after a courier delivery; stops the objection clock",
          params: IdParams,
          body: z.object({ note: z.string().max(2000).optional(), ...V }),
          response: { 200: ServiceOrder },
        },
      },
      async (req) => svc.recordCourier(deps.db, actorOf(req), req.params.id, kind, req.body, now()),
    );
  }

  app.post(
    '/api/v1/service-orders/:id/page-links',
    {
      config: { access: OFFICE, problems: ['not-found'] },
      schema: {
        operationId: 'createOrderPageLink',
        tags,
        summary: "A new link to the client's order page (the token is shown once); also renews the page after the order's links expired",
        params: IdParams,
        response: { 201: PageLink.extend({ expiresAt: z.string().nullable().describe('When this link stops working: null while the order is open (then ORDER_PAGE_LINK_DAYS after it closes)') }) },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.newPageToken(deps.db, actorOf(req), req.params.id, now(), deps.config.orderPageLinkDays)),
  );

  app.delete(
    '/api/v1/service-orders/:id/page-links',
    {
      config: { access: OFFICE, problems: ['not-found'] },
      schema: { operationId: 'revokeOrderPageLinks', tags, summary: "Revoke every link to the order's page", params: IdParams, response: { 200: z.object({ revoked: z.number().int() }) } },
    },
    async (req) => svc.revokePageTokens(deps.db, actorOf(req), req.params.id, now()),
  );
}
