import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE, systemActor } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import { orgIdBySlug } from '../../core/organization.ts';
import { Currency, IdempotencyHeaders, IdParams, IsoDate, PageQuery, Uuid, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { rateLimiter } from '../../core/rate-limit.ts';
import { PaymentBody, QuoteLines, REFUND_METHODS, RefundBody } from '../billing/billing.contract.ts';
import { ProofFile } from '../proofs/proofs.contract.ts';
import { listProofs } from '../proofs/proofs.service.ts';
import * as svc from './service-orders.service.ts';
import { ACTIONS, STATES } from './state-machine.ts';
import { SituationSchema } from './situation.ts';
import { assertMayAct, mayAct } from './roles.ts';

const Obj = z.record(z.string(), z.unknown());
/** Issue 16: what a diagnosis records for the rules (src/modules/service-orders/claim.routes.ts has the form's description). */
const PixelCount = z.number().int().min(0).max(100000);
export const DiagnosisFactsFields = {
  deadPixels: z
    .object({ brightPixels: PixelCount.optional(), darkPixels: PixelCount.optional(), defectiveSubpixels: PixelCount.optional(), subpixelClusters: PixelCount.optional(), pixelClusters5x5: PixelCount.optional() })
    .strict()
    .optional()
    .describe('ITEMA-16: dead pixels counted, by type; the engine judges them against the pack\'s limits'),
  country: z.string().trim().max(60).optional().describe('ITEMA-5: the country where the device is used (ISO code or name); empty clears it'),
  partId: z.string().trim().max(100).optional().describe("ITEMA-7 / ITM-10: the device's part the claim is about (e.g. battery-1); empty: the whole device"),
};
export const ServiceOrder = z.object({
  id: z.string(),
  number: z.string().describe('SO-2026-000042: per organization and year'),
  state: z.enum(STATES),
  channel: z.enum(svc.INTAKE_CHANNELS),
  customerId: z.string().nullable(),
  deviceId: z.string().nullable(),
  language: z.string(),
  problem: z.string(),
  claimDate: z.string(),
  details: z.record(z.string(), z.string()),
  proofs: z.record(z.string(), z.boolean()),
  missing: z.array(z.object({ field: z.string(), rule: z.string() })).describe('ITEMA-27 details and proofs still missing'),
  preAuthorization: z.object({ required: z.boolean(), rule: z.string().nullable(), authorizedAt: z.string().nullable() }),
  decision: Obj.nullable().describe("The policy engine's decision: provisional at intake, final after diagnosis"),
  decisionFinal: z.boolean(),
  situation: SituationSchema,
  insignificant: z.boolean().describe('ITEMA-32: found insignificant at diagnosis (no termination or refund for it)'),
  underWarranty: z.boolean().nullable(),
  findings: z.array(z.string()),
  diagnosisFacts: z
    .object({ deadPixels: z.record(z.string(), z.number()).nullable(), country: z.string().nullable(), partId: z.string().nullable() })
    .describe('What the diagnosis recorded for the rules: dead pixels by type (ITEMA-16), country of use (ITEMA-5), the part claimed (ITEMA-7, ITM-10)'),
  workOrder: Obj.nullable(),
  receivedOn: z.string().nullable(),
  quote: Obj.nullable(),
  clientDecision: Obj.nullable(),
  testResult: Obj.nullable(),
  findingsProtocol: z.string().nullable(),
  currency: z.string(),
  charges: z.array(z.object({ id: z.string(), kind: z.string(), amountMinor: z.number().int(), currency: z.string(), rule: z.string().nullable(), note: z.string().nullable() })),
  payments: z.array(
    z.object({
      id: z.string(),
      method: z.string(),
      kind: z.enum(['payment', 'deposit']),
      amountMinor: z.number().int(),
      currency: z.string(),
      receivedAt: z.string(),
      receiptId: z.string().nullable().describe('Its receipt (GET /api/v1/tax-documents/{id})'),
      refundedMinor: z.number().int().describe('How much of it was given back'),
    }),
  ),
  refunds: z.array(
    z.object({
      id: z.string(),
      paymentId: z.string().nullable().describe('The payment given back; null for a remedy’s payout (of the purchase price)'),
      kind: z.enum(['credit', 'overpayment', 'remedy']),
      amountMinor: z.number().int(),
      currency: z.string(),
      method: z.string(),
      reason: z.string(),
      remedy: z.string().nullable(),
      creditNoteId: z.string().nullable(),
      status: z.enum(['pending', 'done', 'failed']),
      refundedAt: z.string(),
    }),
  ),
  parts: z.array(z.object({ id: z.string(), action: z.string(), partId: z.string(), replacesPartId: z.string().nullable(), category: z.string(), underWarranty: z.boolean(), removedPartRetained: z.boolean() })),
  balance: z.object({ charged: z.number().int(), paid: z.number().int(), due: z.number().int().describe('Negative: the client is in credit (a deposit over the charges)'), currency: z.string() }),
  policyVersion: z.string().nullable(),
  awaitingLink: z.boolean().describe('A claim from the public web form that waits for staff to link it to a customer and device (POST .../link); queue `to-link`'),
  submitted: Obj.nullable().describe('What the client sent through the public web form, as sent (null for staff intakes)'),
  closedAt: z.string().nullable().describe('When the order was handed over, returned, disposed or cancelled'),
  version: z.number().int(),
  createdAt: z.string().describe('When the order was entered'),
  claimReceivedAt: z.string().describe('When the claim reached the business (its clocks run from it); createdAt unless staff entered it later'),
  updatedAt: z.string(),
});
z.globalRegistry.add(ServiceOrder, { id: 'ServiceOrder' });

const Clock = z.object({
  id: z.string(),
  rule: z.string(),
  status: z.string(),
  start: z.string(),
  due: z.string(),
  atRiskFrom: z.string(),
  stoppedAt: z.string().nullable(),
  pausedMs: z.number(),
  remainingMs: z.number(),
  policyVersion: z.string(),
  text: z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() }).describe('What the deadline is, in the pack’s words'),
  reasons: z.array(z.object({ rule: z.string(), code: z.string(), text: z.string() })).describe('How the due time was computed (English)'),
});
const ServiceOrderDetail = ServiceOrder.extend({
  clocks: z.array(Clock),
  rights: z.array(z.object({ type: z.string(), rule: z.string(), text: z.string() })).describe("The client's rights as they stand (ITEMA-18/31, ITEMA-32)"),
  timeline: z.array(z.object({ at: z.string(), action: z.string(), from: z.string().nullable(), to: z.string().nullable(), channel: z.string(), by: z.string().describe('type:id of who did it'), byName: z.string().describe('The staff member’s or API key’s name; for the system, what did it (order-page, jobs, ...)') })),
  allowedActions: z.array(z.enum(ACTIONS)).describe("The actions legal now from the order's state (the state machine's table); that the caller's role may take (a technician: diagnosis, repair, testing); POST one to /actions"),
  proofFiles: z.array(ProofFile).describe('Proof files the client sent with the claim (invoice, receipt, warranty card), with their download links'),
  pageLinks: z
    .object({
      daysAfterClose: z.number().int().describe('ORDER_PAGE_LINK_DAYS: how long links work after the order closes'),
      expiresAt: z.string().nullable().describe('When the links issued before the close stop working (null while the order is open); a new link works `daysAfterClose` from its issue'),
    })
    .describe("The lifetime of the links to the client's order page"),
});
z.globalRegistry.add(ServiceOrderDetail, { id: 'ServiceOrderDetail' });

const PageLink = z.object({ token: z.string(), path: z.string() });
const Intake = z.object({ order: ServiceOrder, orderPage: PageLink });

const Phone = z.string().regex(/^\+?[0-9 ()./-]{3,40}$/, 'must be a phone number');
export const WorkOrderBody = z.object({
  termsAccepted: z.boolean().describe('SC-2, ITEMA-11: signing the work order accepts the terms'),
  accessories: z.array(z.string().max(200)).max(50),
  complete: z.boolean().describe('completeness checked at intake'),
  visibleCondition: z.string().max(2000),
  dataBackedUp: z.boolean().describe('ITEMA-29'),
  passwordsRemoved: z.boolean().describe('ITEMA-29'),
  problemInClientsWords: z.string().min(1).max(4000),
  signedBy: z.string().min(1).max(300),
});
const Proofs = z
  .object({ invoice: z.boolean(), receipt: z.boolean(), warrantyCard: z.boolean(), serviceContract: z.boolean(), paymentConfirmed: z.boolean(), accountRegistered: z.boolean(), itemsNamed: z.boolean() })
  .partial();
const DeviceRef = z.object({ serial: z.string().trim().min(1).max(200), manufacturer: z.string().max(200).optional(), model: z.string().max(200).nullish(), category: z.string().max(100).optional() });
const ClaimBody = z.object({
  channel: z.enum(['api', 'phone', 'email', 'walk-in']).describe('How the claim came in'),
  customerId: Uuid.optional(),
  customer: z
    .object({ name: z.string().trim().min(1).max(300), email: z.email().max(320).nullish(), phone: Phone.nullish(), address: z.string().max(1000).nullish(), preferredLanguage: z.enum(['en', 'bg', 'vi']).nullish() })
    .optional(),
  deviceId: Uuid.optional(),
  device: DeviceRef.optional(),
  purchase: z.object({ date: IsoDate.optional(), place: z.string().max(300).optional() }).optional(),
  problem: z.string().trim().min(1).max(4000).describe("The problem in the client's words"),
  proofs: Proofs.optional(),
  workOrder: WorkOrderBody.optional().describe('The signed work order, when the device is handed in now (walk-in)'),
  receivedAt: z
    .string()
    .max(40)
    .optional()
    .describe('When the claim actually reached the business, if earlier than now (a phone call or an e-mail entered later), an ISO instant such as 2026-03-02T09:00:00Z; at most 30 days back. The claim date and its clocks run from it; the audit keeps both moments'),
});
const WebClaimBody = z.object({
  name: z.string().trim().min(1).max(300),
  email: z.email().max(320),
  phone: Phone,
  address: z.string().max(1000).optional(),
  language: z.enum(['en', 'bg', 'vi']).optional(),
  serial: z.string().trim().min(1).max(200),
  manufacturer: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
  purchaseDate: IsoDate.optional(),
  purchasePlace: z.string().max(300).optional(),
  problem: z.string().trim().min(1).max(4000),
  proofs: Proofs.optional(),
});
const WebClaimReceipt = z.object({
  number: z.string().describe('The claim\'s service order number'),
  state: z.enum(STATES),
  orderPage: PageLink.describe("The client's order page link (the token is shown once)"),
  sent: WebClaimBody.describe('What was sent, repeated: the answer holds nothing from our records'),
  missing: z.array(z.object({ field: z.string(), rule: z.string() })).describe('Details and proofs the policy asks for that the request did not give (from what was sent only)'),
});
z.globalRegistry.add(WebClaimReceipt, { id: 'WebClaimReceipt' });

const LinkBody = z.object({
  customerId: Uuid.optional().describe('An existing customer; leave out to create one from what the client sent'),
  deviceId: Uuid.optional().describe('An existing device (e.g. one of the customer\'s, or the one with the serial the client sent)'),
  device: z.object({ manufacturer: z.string().trim().min(1).max(200), model: z.string().max(200).nullish(), category: z.string().trim().min(1).max(100) }).optional().describe('Register the serial the client sent as a new device (instead of deviceId)'),
  version: z.number().int().describe('The version you read; 409 with the current state if it changed'),
});
const LinkCandidates = z.object({
  customers: z.array(z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), address: z.string().nullable() })),
  devices: z.array(z.object({ id: z.string(), serial: z.string(), manufacturer: z.string(), model: z.string().nullable(), category: z.string(), customerId: z.string().nullable() })),
});

const V = { version: z.number().int().describe('The version you read; 409 with the current state if it changed') };
const ActionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('authorize'), ...V }),
  z.object({ action: z.literal('open'), workOrder: WorkOrderBody, ...V }),
  z.object({ action: z.literal('start-diagnosis'), ...V }),
  z.object({ action: z.literal('diagnose'), findings: z.array(z.string().regex(/^[a-z0-9-]{1,80}$/)).max(30), hardwareDefectConfirmed: z.boolean().optional(), insignificant: z.boolean().optional().describe('ITEMA-32: the non-conformity is insignificant (no termination or refund for it; a price reduction remains)'), note: z.string().max(4000).optional(), ...DiagnosisFactsFields, ...V }),
  z.object({ action: z.literal('approve-warranty'), ...V }),
  z.object({
    action: z.literal('quote'),
    lines: QuoteLines.optional().describe("Issue 14: the quote's lines (parts, labour, fees, discounts), priced with the business's tax; or give amountMinor"),
    amountMinor: z.number().int().min(0).max(1e12).optional().describe('The whole quote as one amount, tax included (integer minor units); or give lines'),
    currency: Currency.optional(),
    duration: z.string().min(1).max(100).describe('e.g. "3 working days"'),
    advice: z.string().max(4000).describe('SC-5: is the repair worth it'),
    worthRepairing: z.boolean(),
    ...V,
  }).superRefine((q, ctx) => {
    if (q.lines === undefined && q.amountMinor === undefined) ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: 'give the quote as lines, or as one amount (amountMinor)' });
    if (q.lines !== undefined && q.amountMinor !== undefined) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'give lines or amountMinor, not both' });
  }),
  z.object({ action: z.enum(['accept', 'refuse']), via: z.enum(svc.DECISION_CHANNELS).describe('SC-7'), note: z.string().max(2000).optional(), ...V }),
  z.object({ action: z.literal('start-repair'), works: z.array(z.string().max(500)).max(50).optional(), ...V }),
  z.object({ action: z.literal('start-testing'), ...V }),
  z.object({ action: z.enum(['test-failed', 'test-passed']), report: z.string().min(1).max(4000).describe('SC-8 stress-test result'), ...V }),
  z.object({ action: z.literal('hand-over'), findingsProtocol: z.string().max(4000).optional().describe('ITEMA-23: a disagreement at handover'), ...V }),
  z.object({ action: z.literal('return'), ...V }),
  z.object({ action: z.literal('dispose'), note: z.string().max(2000).optional(), ...V }),
  z.object({ action: z.literal('cancel'), reason: z.string().min(1).max(2000), ...V }),
  // Issue 12: remedies beyond repair, each only while open in the engine's decision (422 remedy-not-offered).
  z.object({
    action: z.literal('replace'),
    type: z.enum(['replacement', 'replacement-other-model']).describe('ITEMA-17: the same model, or another model with a surcharge'),
    replacement: z.object({ serial: z.string().trim().min(1).max(200), manufacturer: z.string().trim().max(200).optional(), model: z.string().trim().max(200).optional() }).describe('The replacement unit'),
    surchargeMinor: z.number().int().min(1).max(1e12).optional().describe('Another model: what the client pays on top (owed before handover, SC-10)'),
    via: z.enum(svc.DECISION_CHANNELS).optional().describe("ITEMA-30: how the consumer's choice reached us (required when the consumer chooses)"),
    note: z.string().max(2000).optional(),
    ...V,
  }),
  z.object({
    action: z.enum(['reduce-price', 'terminate', 'buy-back', 'refund']),
    amountMinor: z.number().int().min(1).max(1e12).describe('What is paid back to the client (the agreed reduction, the price, the buy-back amount), integer minor units; a credit note is issued'),
    method: z.enum(REFUND_METHODS).describe('How the money goes back'),
    via: z.enum(svc.DECISION_CHANNELS).optional().describe("ITEMA-30: how the consumer's choice reached us (required when the consumer chooses)"),
    note: z.string().max(2000).optional().describe('Printed on the credit note as its reason'),
    ...V,
  }),
]);

export async function serviceOrdersRoutes(app: ZApp, deps: AppDeps) {
  const now = () => deps.now?.() ?? new Date();
  const tags = ['service orders'];
  const webLimit = rateLimiter(deps.db, { name: 'web-form', max: 10, windowMs: 60_000 });

  app.post(
    '/api/v1/claims',
    {
      config: { access: OFFICE, problems: svc.INTAKE_PROBLEMS },
      schema: { operationId: 'createClaim', tags, summary: 'Take a claim (API, phone, e-mail, walk-in): opens a service order with its number', headers: IdempotencyHeaders, body: ClaimBody, response: { 201: Intake } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.insertClaim(tx, actor, req.body, now()));
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
