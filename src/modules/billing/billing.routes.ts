// Tax documents over HTTP: an order's invoices, receipts and credit notes for staff and for the
// client's order page, each as JSON and as PDF. Payments, refunds and quotes are changes of the
// order: their routes are the service order's (service-orders.routes.ts).
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { ALL_ROLES } from '../../core/actor.ts';
import { notFound } from '../../core/errors.ts';
import { actorOf } from '../../server/auth.ts';
import { IdParams, sendPdf, Uuid, type ZApp } from '../../server/http.ts';
import { fileResponse } from '../../server/openapi.ts';
import { DOC_LANGS } from '../documents/documents.i18n.ts';
import { clientOrder, staffOrder, taxDocumentPdf } from '../documents/documents.service.ts';
import * as svc from './billing.service.ts';

const Lang = z.enum(DOC_LANGS).optional().describe('Language of the document; default the language it was issued in');
const Money = z.number().int().describe('minor units of `currency`');
export const TaxDocument = z.object({
  id: z.string(),
  kind: z.enum(svc.TAX_DOCUMENT_KINDS),
  number: z.string().describe('INV-2026-000042, RC-…, CN-…: per organization, series and year, without gaps'),
  subject: z.object({ type: z.string(), id: z.string(), number: z.string() }),
  currency: z.string(),
  lines: z.array(z.object({ kind: z.enum(svc.LINE_KINDS), description: z.string(), quantity: z.number(), unitMinor: Money, partId: z.string().nullable(), amountMinor: Money })),
  tax: z.object({ name: z.record(z.string(), z.string()), ratePercent: z.number(), pricesInclude: z.boolean(), registration: z.string().nullable() }),
  netMinor: Money,
  taxMinor: Money,
  totalMinor: Money,
  refersTo: z.string().nullable().describe('A credit note: the invoice or receipt it corrects'),
  reason: z.string().nullable(),
  rule: z.string().nullable(),
  language: z.string(),
  issuedAt: z.string(),
  pdf: z.string().describe('The PDF'),
});
z.globalRegistry.add(TaxDocument, { id: 'TaxDocument' });
const TaxDocuments = z.object({ items: z.array(TaxDocument) });


export async function billingRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['billing'];
  const pdf = fileResponse('The PDF', ['application/pdf']);
  const withLink = (base: string) => (d: svc.TaxDocumentRow) => ({ ...svc.taxDocumentView(d), pdf: `${base}/${d.id}/pdf` });

  app.get(
    '/api/v1/service-orders/:id/tax-documents',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'listServiceOrderTaxDocuments', tags, summary: "The order's invoices, receipts and credit notes, in the order they were issued", params: IdParams, response: { 200: TaxDocuments } } },
    async (req) => {
      const o = await staffOrder(deps.db, actorOf(req), req.params.id);
      return { items: (await svc.documentsOf(deps.db, o.organization_id, 'service-order', o.id)).map(withLink('/api/v1/tax-documents')) };
    },
  );
  app.get(
    '/api/v1/tax-documents/:id',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getTaxDocument', tags, summary: 'One invoice, receipt or credit note as issued', params: IdParams, response: { 200: TaxDocument } } },
    async (req) => {
      const d = await svc.documentById(deps.db, actorOf(req).organizationId, req.params.id);
      if (!d) throw notFound('Tax document');
      return withLink('/api/v1/tax-documents')(d);
    },
  );
  app.get(
    '/api/v1/tax-documents/:id/pdf',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getTaxDocumentPdf', tags, summary: "An invoice, receipt or credit note as PDF, with the business's tax details", params: IdParams, querystring: z.object({ lang: Lang }), response: { 200: pdf } } },
    async (req, reply) => sendPdf(reply, await taxDocumentPdf(deps.db, deps.config, actorOf(req).organizationId, req.params.id, req.query)),
  );

  const TokenParams = z.object({ token: z.string().min(16).max(200) });
  app.get(
    '/api/v1/order-page/:token/tax-documents',
    { config: { access: 'public', problems: ['not-found'] }, schema: { operationId: 'listOrderPageTaxDocuments', tags, summary: "The order's invoices, receipts and credit notes, for the client with the order page link", params: TokenParams, response: { 200: TaxDocuments } } },
    async (req) => {
      const o = await clientOrder(deps, req.params.token);
      return { items: (await svc.documentsOf(deps.db, o.organization_id, 'service-order', o.id)).map(withLink(`/api/v1/order-page/${req.params.token}/tax-documents`)) };
    },
  );
  app.get(
    '/api/v1/order-page/:token/tax-documents/:documentId/pdf',
    {
      config: { access: 'public', problems: ['not-found'] },
      schema: { operationId: 'getOrderPageTaxDocumentPdf', tags, summary: "One of the order's tax documents as PDF, for the client with the order page link", params: TokenParams.extend({ documentId: Uuid }), querystring: z.object({ lang: Lang }), response: { 200: pdf } },
    },
    async (req, reply) => {
      const o = await clientOrder(deps, req.params.token);
      const d = await svc.documentById(deps.db, o.organization_id, req.params.documentId);
      // Another order's document is as unknown as a missing one.
      if (!d || d.subject_type !== 'service-order' || d.subject_id !== o.id) throw notFound('Tax document');
      return sendPdf(reply, await taxDocumentPdf(deps.db, deps.config, o.organization_id, d.id, req.query));
    },
  );
}
