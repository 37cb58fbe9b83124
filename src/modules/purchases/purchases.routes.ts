import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import { Currency, IdempotencyHeaders, IdParams, IsoDate, page, PageQuery, Uuid, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { fileResponse } from '../../server/openapi.ts';
import { UPLOADED_FILE_CSP } from '../../server/security.ts';
import { readFilePart, UPLOAD_PROBLEMS } from '../../server/uploads.ts';
import * as svc from './purchases.service.ts';

export const DocumentSchema = z.object({
  id: z.string(),
  kind: z.string(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
});
z.globalRegistry.add(DocumentSchema, { id: 'Document' });

export const Purchase = z.object({
  id: z.string(),
  customerId: z.string().nullable(),
  deviceId: z.string(),
  documentType: z.enum(svc.DOCUMENT_TYPES),
  documentNumber: z.string(),
  soldOn: z.string(),
  deliveredOn: z.string().nullable(),
  shippedOn: z.string().nullable(),
  installedOn: z.string().nullable(),
  activatedOn: z.string().nullable(),
  place: z.string().nullable(),
  locationId: z.string().nullable(),
  priceMinor: z.number().int().nullable().describe('Price in minor units (cents, stotinki, dong)'),
  currency: z.string().nullable(),
  documents: z.array(DocumentSchema),
  courierDeliveredAt: z.string().nullable().describe('ITEMA-12: when the sale was delivered by courier (null: not by courier)'),
  objection: z.object({ at: z.string(), note: z.string().nullable() }).nullable().describe("ITEMA-12: the client's objection to the terms after the courier delivery, if recorded"),
  objectionWindow: z
    .object({
      rule: z.string(),
      start: z.string(),
      due: z.string(),
      status: z.enum(['open', 'objected', 'terms-accepted']),
      text: z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() }),
    })
    .nullable()
    .describe("ITEMA-12: after a courier delivery the terms are accepted unless the client objects by `due` (the pack's courier-objection window); null when not delivered by courier"),
  version: z.number().int(),
  createdAt: z.string(),
});
z.globalRegistry.add(Purchase, { id: 'Purchase' });

const Fields = z.object({
  customerId: Uuid.nullish().describe("The buyer; defaults to the device's owner"),
  deviceId: Uuid,
  documentType: z.enum(svc.DOCUMENT_TYPES).optional(),
  documentNumber: z.string().trim().min(1).max(100).describe('Invoice or receipt number'),
  soldOn: IsoDate,
  deliveredOn: IsoDate.nullish(),
  shippedOn: IsoDate.nullish(),
  installedOn: IsoDate.nullish(),
  activatedOn: IsoDate.nullish(),
  place: z.string().max(300).nullish().describe('Where it was bought (shop, web shop, city)'),
  locationId: Uuid.nullish(),
  priceMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
  currency: Currency.nullish(),
  courierDeliveredAt: z
    .string()
    .max(40)
    .nullish()
    .describe('ITEMA-12: the sale was delivered by courier at this instant (e.g. 2026-03-02T14:30:00+02:00); the objection window runs from it, and it is the delivery date when deliveredOn is not given'),
});
const priceAndCurrency = (p: { priceMinor?: number | null; currency?: string | null }, ctx: z.RefinementCtx) => {
  if (p.priceMinor != null && p.currency == null) ctx.addIssue({ code: 'custom', path: ['currency'], message: 'required with priceMinor' });
  if (p.currency != null && p.priceMinor == null) ctx.addIssue({ code: 'custom', path: ['priceMinor'], message: 'required with currency' });
};

export async function purchasesRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['purchases'];
  const now = () => deps.now?.() ?? new Date();
  app.get(
    '/api/v1/purchases',
    {
      config: { access: ALL_ROLES },
      schema: {
        operationId: 'listPurchases',
        tags,
        summary: 'List purchases, newest first',
        querystring: PageQuery.extend({
          deviceId: Uuid.optional(),
          customerId: Uuid.optional(),
          documentNumber: z.string().max(100).optional(),
          soldFrom: IsoDate.optional(),
          soldTo: IsoDate.optional(),
        }),
        response: { 200: page(Purchase) },
      },
    },
    async (req) => svc.list(deps.db, actorOf(req), req.query, now()),
  );
  app.post(
    '/api/v1/purchases',
    {
      config: { access: OFFICE, problems: ['validation-failed', 'unknown-reference', 'already-exists'] },
      schema: {
        operationId: 'createPurchase',
        tags,
        summary: "Record a purchase; its dates become events in the device's history",
        headers: IdempotencyHeaders,
        body: Fields.superRefine(priceAndCurrency),
        response: { 201: Purchase },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.insert(tx, actor, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.get(
    '/api/v1/purchases/:id',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getPurchase', tags, summary: 'One purchase with its proof documents', params: IdParams, response: { 200: Purchase } } },
    async (req) => svc.get(deps.db, actorOf(req), req.params.id, now()),
  );
  app.patch(
    '/api/v1/purchases/:id',
    {
      config: { access: OFFICE, problems: ['not-found', 'version-conflict', 'validation-failed', 'unknown-reference', 'already-exists'] },
      schema: {
        operationId: 'updatePurchase',
        tags,
        summary: 'Correct a purchase (send the version you read; 409 with the current state if it changed)',
        params: IdParams,
        body: Fields.omit({ deviceId: true, courierDeliveredAt: true }).partial().extend({ version: z.number().int() }),
        response: { 200: Purchase },
      },
    },
    async (req) => svc.update(deps.db, actorOf(req), req.params.id, req.body, now()),
  );
  app.post(
    '/api/v1/purchases/:id/objection',
    {
      config: { access: OFFICE, problems: ['not-found', 'version-conflict', 'no-courier-delivery', 'already-recorded', 'objection-window-expired'] },
      schema: {
        operationId: 'recordPurchaseObjection',
        tags,
        summary: "ITEMA-12: the client's objection to the terms after a sale delivered by courier; refused (422) once the window has closed and the terms stand",
        params: IdParams,
        body: z.object({ version: z.number().int(), note: z.string().trim().max(2000).optional() }),
        response: { 200: Purchase },
      },
    },
    async (req) => svc.recordObjection(deps.db, actorOf(req), req.params.id, req.body, now()),
  );
  app.post(
    '/api/v1/purchases/:id/documents',
    {
      config: { access: OFFICE, problems: [...UPLOAD_PROBLEMS, 'req-file-too-large', 'unsupported-file-type', 'not-found'] },
      schema: {
        operationId: 'uploadPurchaseDocument',
        tags,
        summary: 'Attach a proof of purchase: multipart/form-data with one field `file` (PDF, PNG, JPEG or WebP, size limited)',
        params: IdParams,
        response: { 201: DocumentSchema },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const file = await readFilePart(req);
      if (!file) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.file', message: 'missing' }] }, { status: 400 });
      const doc = await svc.addDocument(deps.db, deps.storage, actor, req.params.id, { filename: file.filename || 'upload', contentType: file.mimetype, data: file.data });
      return reply.status(201).send(doc);
    },
  );
  app.get(
    '/api/v1/documents/:id/content',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'downloadDocument', tags, summary: "A document's file", params: IdParams, response: { 200: fileResponse('The file as uploaded (always an attachment)', Object.keys(svc.ALLOWED_TYPES)) } } },
    async (req, reply) => {
      const { doc, stream } = await svc.openDocument(deps.db, deps.storage, actorOf(req), req.params.id);
      reply.header('content-type', doc.content_type);
      // As the order page's proofs (proofs.routes.ts): downloaded, never rendered as a page of ours.
      reply.header('content-disposition', `attachment; filename="${doc.filename.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(doc.filename)}`);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', UPLOADED_FILE_CSP);
      return reply.send(stream);
    },
  );
}
