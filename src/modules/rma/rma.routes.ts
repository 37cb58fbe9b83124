// RMAs (issue 12, ITM-3, ITM-5..14): staff routes under /api/v1/rmas, the client's under
// /api/v1/client/rmas (the client-account session). See docs/rma.md.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { ALL_ROLES, MANAGERS, OFFICE, systemActor } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import { actorOf } from '../../server/auth.ts';
import { ClockSchema, IdempotencyHeaders, IdParams, PageQuery, sendPdf, Uuid, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { fileResponse } from '../../server/openapi.ts';
import { readFilePart, UPLOAD_PROBLEMS } from '../../server/uploads.ts';
import { clientOf, CLIENT_COOKIE } from '../client-account/client-account.service.ts';
import { ClientAccountErrors } from '../client-account/client-account.errors.ts';
import { ALLOWED_TYPES } from '../purchases/purchases.service.ts';
import * as svc from './rma.service.ts';
import { createRenderPool } from '../documents/documents.service.ts';
import { RMA_ACTIONS, RMA_QUEUE_NAMES, RMA_STATES } from './state-machine.ts';

const Obj = z.record(z.string(), z.unknown());
const Texts = z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() });
const Lang = z.enum(['en', 'bg', 'vi']);
const Text = (max = 2000) => z.string().trim().min(1).max(max);
const Serial = z.string().trim().min(1).max(200);

const Item = z.object({
  id: z.string(),
  position: z.number().int(),
  deviceId: z.string(),
  purchaseId: z.string().nullable(),
  serial: z.string().describe('The serial of the unit to come back (kept when an advance replacement changes the device’s)'),
  fault: z.string(),
  proofs: z.record(z.string(), z.boolean()),
  decision: z
    .object({ outcome: z.string(), basis: z.string(), provisional: z.boolean(), reasons: z.array(Obj), remedies: z.array(Obj), charges: z.array(Obj), missing: z.array(Obj) })
    .nullable()
    .describe("The policy engine's answer for the item: provisional at the request, final after inspection"),
  findings: z.array(z.string()),
  inspectionNote: z.string().nullable(),
  vendorRma: Obj.nullable().describe('ITM-5: sent on to the manufacturer, and its answer'),
  advanceReplacement: Obj.nullable().describe('ITM-8: the replacement shipped before the faulty unit came back'),
  resolution: z.string().nullable(),
  resolutionDetail: Obj.nullable(),
  serviceOrderId: z.string().nullable().describe('The repair’s service order'),
  retained: z.boolean().describe('ITM-11: the removed unit passed to the business'),
});
export const Rma = z.object({
  id: z.string(),
  number: z.string().describe('RMA-2026-000042: per organization and year'),
  state: z.enum(RMA_STATES),
  channel: z.string(),
  customerId: z.string(),
  language: z.string(),
  invoice: z.string().nullable(),
  diagnosis: Obj.nullable().describe('ITM-3: the remote diagnosis'),
  authorization: Obj.nullable().describe('The return instruction and the freight split (ITM-7)'),
  authorizedAt: z.string().nullable(),
  receipt: Obj.nullable(),
  dispute: Obj.nullable().describe('ITM-14: the escalation to the governance team and its outcome'),
  lateConsequence: Obj.nullable().describe('ITM-12: the consequence applied past the escalation time'),
  returnHold: z.object({ reason: z.string(), since: z.string(), by: z.string() }).nullable().describe('The return deadline held by staff (the return clock paused), with the reason; null while it runs'),
  closedAt: z.string().nullable(),
  items: z.array(Item),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
z.globalRegistry.add(Rma, { id: 'Rma' });

const Expected = z.object({ code: z.string(), due: z.string().nullable(), rule: z.string().nullable() }).describe('What the client is expected to do now, and by when');
const RmaFile = z.object({ id: z.string(), itemId: z.string().nullable(), kind: z.string(), filename: z.string(), contentType: z.string(), sizeBytes: z.number().int(), url: z.string() });
const RmaDetail = Rma.extend({
  customer: z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), kind: z.string() }).nullable(),
  clocks: z.array(ClockSchema),
  allowedActions: z.array(z.enum(RMA_ACTIONS)).describe('The actions legal now (the state machine, narrowed by the policy and the items); POST one to /actions'),
  expected: Expected,
  accountSuspended: z.object({ holdId: z.string(), rule: z.string(), since: z.string() }).nullable().describe('ITM-12: the client’s account is suspended'),
  charges: z.array(z.object({ id: z.string(), itemId: z.string().nullable(), kind: z.string(), amountMinor: z.number().int(), currency: z.string(), rule: z.string().nullable(), createdAt: z.string() })),
  holds: z.array(z.object({ id: z.string(), rule: z.string(), createdAt: z.string(), liftedAt: z.string().nullable(), liftedBy: z.string().nullable() })),
  files: z.array(RmaFile),
  timeline: z.array(z.object({ at: z.string(), action: z.string(), from: z.string().nullable(), to: z.string().nullable(), channel: z.string(), by: z.string() })),
  policy: Obj.describe("The business's RMA policy as its pack states it (remote diagnosis, return clock, late return, freight, disputes, exclusions)"),
});
z.globalRegistry.add(RmaDetail, { id: 'RmaDetail' });

const ItemBody = z.object({
  serial: Serial.optional().describe('The item’s serial (or deviceId)'),
  deviceId: Uuid.optional(),
  fault: Text(4000).describe('The fault in the client’s words'),
  proofs: z.object(Object.fromEntries(svc.RMA_PROOFS.map((p) => [p, z.boolean()]))).partial().optional(),
});
const RequestBody = z.object({
  channel: z.enum(['api', 'phone', 'email', 'console']).describe('How the request came in'),
  customerId: Uuid.optional().describe('Default: the client of the purchase'),
  invoice: z.string().trim().min(1).max(100).optional().describe('The invoice the items were shipped under (ITM-6: identify the order)'),
  language: Lang.optional(),
  items: z.array(ItemBody).min(1).max(50),
});
const ClientRequestBody = RequestBody.omit({ channel: true, customerId: true });

const V = { version: z.number().int().describe('The version you read; 409 with the current state if it changed') };
const ActionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('remote-diagnosis'), outcome: z.enum(svc.DIAGNOSIS_OUTCOMES).describe('return-needed leaves the RMA to be authorized; the others close it'), note: Text(4000).describe('What remote testing or remote access found (ITM-3)'), hardwareDefectConfirmed: z.boolean().optional().describe('ITM-8'), ...V }),
  z.object({ action: z.literal('authorize'), ...V }),
  z.object({ action: z.literal('ship-advance-replacement'), itemId: Uuid, replacementSerial: Serial, carrier: z.string().max(100).optional(), tracking: z.string().max(100).optional(), ...V }),
  z.object({ action: z.literal('receive'), carrier: Text(100), tracking: Text(100), units: z.array(z.object({ itemId: Uuid, serial: Serial, model: z.string().max(200).optional() })).min(1).max(50), ...V }),
  z.object({ action: z.literal('inspect'), items: z.array(z.object({ itemId: Uuid, findings: z.array(z.string().regex(/^[a-z0-9-]{1,80}$/)).max(30).describe('Finding codes; the pack’s exclusions (ITM-13) name them'), note: z.string().max(4000).optional() })).min(1).max(50), ...V }),
  z.object({ action: z.literal('send-to-vendor'), itemId: Uuid, vendor: Text(200), reference: z.string().max(100).optional(), carrier: z.string().max(100).optional(), tracking: z.string().max(100).optional(), ...V }),
  z.object({ action: z.literal('vendor-answer'), itemId: Uuid, answer: z.enum(['accepted', 'refused']), note: Text(4000), ...V }),
  z.object({
    action: z.literal('resolve'),
    items: z.array(z.object({ itemId: Uuid, resolution: z.enum(svc.RESOLUTIONS), replacementSerial: Serial.optional(), note: z.string().max(4000).optional() })).min(1).max(50),
    shipment: z.object({ carrier: Text(100), tracking: Text(100) }).optional().describe('The way back (outbound freight, ITM-7)'),
    ...V,
  }),
  z.object({ action: z.literal('open-dispute'), reason: Text(4000), ...V }),
  z.object({ action: z.literal('settle-dispute'), outcome: z.enum(svc.DISPUTE_OUTCOMES), note: Text(4000), ...V }),
  z.object({ action: z.literal('cancel'), reason: Text(2000).describe('Why; every running clock of the RMA stops'), ...V }),
  z.object({ action: z.literal('hold-return'), reason: Text(2000).describe('Why the return deadline is held (the return clock pauses until resumed)'), ...V }),
  z.object({ action: z.literal('resume-return'), reason: z.string().trim().max(2000).optional(), ...V }),
]);

const ClientRma = z.object({
  id: z.string(), number: z.string(), state: z.enum(RMA_STATES), invoice: z.string().nullable(), createdAt: z.string(), authorizedAt: z.string().nullable(), expected: Expected,
  slip: z.string().nullable().describe('The packing slip (PDF), once authorized'),
  items: z.array(z.object({ id: z.string(), position: z.number().int(), serial: z.string(), fault: z.string(), outcome: z.string().nullable(), resolution: z.string().nullable(), advanceReplacement: z.boolean(), replacementRecord: z.string().nullable().describe('The replacement record (PDF) of a replaced item') })),
  freight: Obj.nullable(),
  dispute: z.object({ outcome: z.string().nullable(), team: Texts, contact: z.string().nullable() }).nullable(),
  lateConsequence: z.object({ consequence: z.string(), rule: z.string() }).nullable(),
  returnHold: z.object({ reason: z.string(), since: z.string() }).nullable().describe('The return deadline is held: nothing is due meanwhile'),
});
z.globalRegistry.add(ClientRma, { id: 'ClientRma' });


export async function rmaRoutes(app: ZApp, deps: AppDeps) {
  const now = () => deps.now?.() ?? new Date();
  // The replacement records are drawn off the event loop (the documents module's render pool).
  const pool = createRenderPool({ threads: 1 });
  app.addHook('onClose', () => pool.close());
  const tags = ['rma'];
  const pdf = fileResponse('The PDF', ['application/pdf']);
  const client = async (req: FastifyRequest) => {
    // A session's lifetime is real time (as the account's own routes read it), not the case clock.
    const c = await clientOf(deps.db, req.cookies?.[CLIENT_COOKIE]);
    if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
    return c;
  };

  app.post(
    '/api/v1/rmas',
    {
      config: { access: OFFICE, problems: svc.REQUEST_PROBLEMS },
      schema: { operationId: 'createRma', tags, summary: 'Request an RMA (ITM-6): the purchase, the items with serials, faults and proofs; the engine answers per item', headers: IdempotencyHeaders, body: RequestBody, response: { 201: Rma } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.create(tx, actor, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );

  app.get(
    '/api/v1/rmas',
    {
      config: { access: ALL_ROLES },
      schema: { operationId: 'listRmas', tags, summary: 'List RMAs, newest first; ?queue= for a staff queue', querystring: PageQuery.extend({ queue: z.enum(RMA_QUEUE_NAMES).optional(), number: z.string().max(40).optional() }), response: { 200: z.object({ items: z.array(Rma), nextCursor: z.string().nullable() }) } },
    },
    async (req) => svc.list(deps.db, actorOf(req), req.query),
  );

  app.get(
    '/api/v1/rmas/queues',
    { config: { access: ALL_ROLES }, schema: { operationId: 'getRmaQueues', tags, summary: 'The RMA queues with their counts', response: { 200: z.record(z.enum(RMA_QUEUE_NAMES), z.number().int()) } } },
    async (req) => svc.queues(deps.db, actorOf(req)),
  );

  app.get(
    '/api/v1/rmas/:id',
    { config: { access: ALL_ROLES, problems: ['not-found', 'no-rma-policy'] }, schema: { operationId: 'getRma', tags, summary: 'One RMA with its items, clocks, legal actions, charges and timeline', params: IdParams, response: { 200: RmaDetail } } },
    async (req) => svc.get(deps.db, actorOf(req), req.params.id, now()),
  );

  app.post(
    '/api/v1/rmas/:id/actions',
    {
      config: { access: ALL_ROLES, problems: svc.ACT_PROBLEMS },
      schema: { operationId: 'performRmaAction', tags, summary: 'Move the RMA on (state machine; 409 for an illegal move or a stale version, 422 naming the field for a refused one)', params: IdParams, body: ActionBody, response: { 200: Rma } },
    },
    async (req) => svc.actAndView(deps.db, actorOf(req), req.params.id, req.body as svc.RmaActionBody, now()),
  );

  app.get(
    '/api/v1/rmas/:id/slip.pdf',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'illegal-transition', 'no-rma-policy'] },
      schema: { operationId: 'getRmaSlipPdf', tags, summary: "The packing slip and label (PDF): the RMA number as barcode and QR, the items, the return instruction, who pays the freight (ITM-7), in the client's language", params: IdParams, querystring: z.object({ lang: Lang.optional() }), response: { 200: pdf } },
    },
    async (req, reply) => sendPdf(reply, await svc.slip(deps.db, deps.config, actorOf(req), req.params.id, req.query, now())),
  );

  const ItemParams = z.object({ id: Uuid, itemId: Uuid });
  app.get(
    '/api/v1/rmas/:id/items/:itemId/replacement-record.pdf',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'illegal-transition', 'policy-input-invalid'] },
      schema: { operationId: 'getRmaReplacementRecordPdf', tags, summary: "The replacement record (PDF) of an item resolved by a replacement: removed and new serial, the term kept (ITM-9) and its minimum (ITM-10), in the client's language", params: ItemParams, querystring: z.object({ lang: Lang.optional() }), response: { 200: pdf } },
    },
    async (req, reply) => sendPdf(reply, await svc.replacementRecord(deps.db, deps.config, pool, actorOf(req), req.params.id, req.params.itemId, req.query)),
  );

  app.post(
    '/api/v1/rmas/:id/files',
    {
      config: { access: ALL_ROLES, problems: [...svc.FILE_PROBLEMS, ...UPLOAD_PROBLEMS, 'req-file-too-large'] },
      schema: {
        operationId: 'uploadRmaFile',
        tags,
        summary: "Attach a file to the RMA (multipart/form-data, one field `file`: PDF or image): the manufacturer's refusal evidence (ITM-5), a proof, an inspection photo",
        params: IdParams,
        querystring: z.object({ kind: z.enum(svc.FILE_KINDS).default('proof'), itemId: Uuid.optional() }),
        response: { 201: RmaFile },
      },
    },
    async (req, reply) => {
      await svc.mustExist(deps.db, actorOf(req), req.params.id);
      const part = await readFilePart(req);
      if (!part || part.fieldname !== 'file' || !part.data.length) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.file', message: part ? 'empty file' : 'missing' }] }, { status: 400 });
      const f = await svc.addFile(deps.db, deps.storage, actorOf(req), req.params.id, { filename: part.filename || 'upload', contentType: part.mimetype, data: part.data }, req.query, now());
      return reply.status(201).send(f);
    },
  );

  app.get(
    '/api/v1/rmas/:id/files/:fileId',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      schema: { operationId: 'getRmaFile', tags, summary: 'Download a file of the RMA (always an attachment)', params: z.object({ id: Uuid, fileId: Uuid }), response: { 200: fileResponse('The file', Object.keys(ALLOWED_TYPES)) } },
    },
    async (req, reply) => {
      const { doc, stream } = await svc.openFile(deps.db, deps.storage, actorOf(req).organizationId, req.params.id, req.params.fileId);
      reply.header('content-type', doc.content_type).header('content-disposition', `attachment; filename="${doc.filename.replace(/[^\w.-]/g, '_')}"`).header('x-content-type-options', 'nosniff').header('content-security-policy', "sandbox; default-src 'none'");
      return reply.send(stream);
    },
  );

  app.get(
    '/api/v1/rma-holds',
    { config: { access: ALL_ROLES }, schema: { operationId: 'listRmaHolds', tags, summary: 'Accounts suspended for unreturned units (ITM-12)', response: { 200: z.array(z.object({ id: z.string(), customerId: z.string(), rmaId: z.string(), rule: z.string(), createdAt: z.string() })) } } },
    async (req) => svc.holds(deps.db, actorOf(req)),
  );

  app.post(
    '/api/v1/rma-holds/:id/lift',
    { config: { access: MANAGERS, problems: ['not-found'] }, schema: { operationId: 'liftRmaHold', tags, summary: 'Lift an account suspension (ITM-12): the client may open RMAs and receive advance replacements again', params: IdParams, response: { 200: z.object({ id: z.string(), liftedAt: z.string() }) } } },
    async (req) => svc.liftHold(deps.db, actorOf(req), req.params.id, now()),
  );

  // ---- the client's own, through the client-account session ----
  const ctags = ['client account'];
  app.get(
    '/api/v1/client/rmas',
    { config: { access: 'public', problems: ['client-not-signed-in', 'no-rma-policy'] }, schema: { operationId: 'listClientRmas', tags: ctags, summary: "The signed-in client's RMAs: status, slip and what is expected of them", response: { 200: z.array(ClientRma) } } },
    async (req) => {
      const c = await client(req);
      return svc.clientList(deps.db, c.organization_id, c.email, now());
    },
  );

  app.post(
    '/api/v1/client/rmas',
    {
      config: { access: 'public', problems: ['client-not-signed-in', ...svc.REQUEST_PROBLEMS] },
      schema: { operationId: 'createClientRma', tags: ctags, summary: 'Request an RMA from the portal (ITM-6): only the client’s own purchases', headers: IdempotencyHeaders, body: ClientRequestBody, response: { 201: Rma } },
    },
    async (req, reply) => {
      const c = await client(req);
      const actor = systemActor(c.organization_id, 'portal');
      const customers = await svc.clientCustomers(deps.db, c.organization_id, c.email);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', `${req.url}:${c.email}`, req.body), (tx) => svc.create(tx, actor, { ...req.body, channel: 'portal' }, now(), customers));
      return reply.status(r.status).send(r.body);
    },
  );

  app.get(
    '/api/v1/client/rmas/:id/items/:itemId/replacement-record.pdf',
    {
      config: { access: 'public', problems: ['client-not-signed-in', 'not-found', 'illegal-transition', 'policy-input-invalid'] },
      schema: { operationId: 'getClientRmaReplacementRecordPdf', tags: ctags, summary: "The client's replacement record (PDF) of a replaced item", params: ItemParams, querystring: z.object({ lang: Lang.optional() }), response: { 200: pdf } },
    },
    async (req, reply) => {
      const c = await client(req);
      const r = await svc.clientRma(deps.db, c.organization_id, c.email, req.params.id);
      return sendPdf(reply, await svc.replacementRecord(deps.db, deps.config, pool, systemActor(c.organization_id, 'portal'), r.id, req.params.itemId, req.query));
    },
  );

  app.get(
    '/api/v1/client/rmas/:id/slip.pdf',
    {
      config: { access: 'public', problems: ['client-not-signed-in', 'not-found', 'illegal-transition', 'no-rma-policy'] },
      schema: { operationId: 'getClientRmaSlipPdf', tags: ctags, summary: "The client's packing slip (PDF) for an authorized RMA", params: IdParams, querystring: z.object({ lang: Lang.optional() }), response: { 200: pdf } },
    },
    async (req, reply) => {
      const c = await client(req);
      const r = await svc.clientRma(deps.db, c.organization_id, c.email, req.params.id);
      return sendPdf(reply, await svc.slip(deps.db, deps.config, systemActor(c.organization_id, 'portal'), r.id, req.query, now()));
    },
  );
}
