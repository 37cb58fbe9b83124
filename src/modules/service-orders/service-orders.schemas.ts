// The service order's request and response schemas (zod, named in OpenAPI), apart from its routes
// (service-orders.routes.ts) so that neither file outgrows one screenful of purpose (issue 10).
import { z } from 'zod';
import { IntakeWorkshopBody } from './workshop.schemas.ts';
import { ClockSchema, Currency, IsoDate, Uuid } from '../../server/http.ts';
import { QuoteLines, REFUND_METHODS } from '../billing/billing.contract.ts';
import { ProofFile } from '../proofs/proofs.contract.ts';
import * as svc from './service-orders.service.ts';
import { ACTIONS, STATES } from './state-machine.ts';
import { SituationSchema } from './situation.ts';

export const Obj = z.record(z.string(), z.unknown());
/** Issue 16: what a diagnosis records for the rules (src/modules/service-orders/claim.routes.ts has the form's description). */
export const PixelCount = z.number().int().min(0).max(100000);
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
      status: z.enum(['pending', 'done', 'failed']).describe('pending: on its way back through Stripe; failed: Stripe did not make it (it gives nothing back: refund again with a new Idempotency-Key)'),
      failureReason: z.string().nullable().describe("Why Stripe did not make it: Stripe's failure_reason (expired_or_canceled_card, lost_or_stolen_card, declined, unknown, ...), canceled, or Stripe's error code"),
      failedAt: z.string().nullable(),
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

export const Clock = ClockSchema;
export const ServiceOrderDetail = ServiceOrder.extend({
  clocks: z.array(Clock),
  categoryNames: z.record(z.string(), z.record(z.string(), z.string())).describe("The names per language, in the business's policy, of the categories of the order's parts (code → { en, bg, vi }; a code the policy names not is absent)"),
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

export const PageLink = z.object({ token: z.string(), path: z.string() });
export const Intake = z.object({ order: ServiceOrder, orderPage: PageLink });

export const Phone = z.string().regex(/^\+?[0-9 ()./-]{3,40}$/, 'must be a phone number');
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
export const Proofs = z
  .object({ invoice: z.boolean(), receipt: z.boolean(), warrantyCard: z.boolean(), serviceContract: z.boolean(), paymentConfirmed: z.boolean(), accountRegistered: z.boolean(), itemsNamed: z.boolean() })
  .partial();
export const DeviceRef = z.object({ serial: z.string().trim().min(1).max(200), manufacturer: z.string().max(200).optional(), model: z.string().max(200).nullish(), category: z.string().max(100).optional() });
export const ClaimBody = z.object({
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
  workshop: IntakeWorkshopBody.optional(),
});
export const WebClaimBody = z.object({
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
export const WebClaimReceipt = z.object({
  number: z.string().describe('The claim\'s service order number'),
  state: z.enum(STATES),
  orderPage: PageLink.describe("The client's order page link (the token is shown once)"),
  sent: WebClaimBody.describe('What was sent, repeated: the answer holds nothing from our records'),
  missing: z.array(z.object({ field: z.string(), rule: z.string() })).describe('Details and proofs the policy asks for that the request did not give (from what was sent only)'),
});
z.globalRegistry.add(WebClaimReceipt, { id: 'WebClaimReceipt' });

export const LinkBody = z.object({
  customerId: Uuid.optional().describe('An existing customer; leave out to create one from what the client sent'),
  deviceId: Uuid.optional().describe('An existing device (e.g. one of the customer\'s, or the one with the serial the client sent)'),
  device: z.object({ manufacturer: z.string().trim().min(1).max(200), model: z.string().max(200).nullish(), category: z.string().trim().min(1).max(100) }).optional().describe('Register the serial the client sent as a new device (instead of deviceId)'),
  version: z.number().int().describe('The version you read; 409 with the current state if it changed'),
});
export const LinkCandidates = z.object({
  customers: z.array(z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), address: z.string().nullable() })),
  devices: z.array(z.object({ id: z.string(), serial: z.string(), manufacturer: z.string(), model: z.string().nullable(), category: z.string(), customerId: z.string().nullable() })),
});

export const V = { version: z.number().int().describe('The version you read; 409 with the current state if it changed') };
export const ActionBody = z.discriminatedUnion('action', [
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
