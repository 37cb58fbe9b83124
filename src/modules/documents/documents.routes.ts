import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES } from '../../core/actor.ts';
import { IdParams, IsoDate, type ZApp } from '../../server/http.ts';
import { fileResponse } from '../../server/openapi.ts';
import { DOC_LANGS } from './documents.i18n.ts';
import * as svc from './documents.service.ts';

const Lang = z.enum(DOC_LANGS).optional().describe("Language of the document; default the client's preferred language, else the business's first");

function sendPdf(reply: import('fastify').FastifyReply, r: { pdf: Buffer; filename: string }) {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `inline; filename="${r.filename}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(r.pdf);
}

export async function documentsRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['documents'];
  const pdf = fileResponse('The PDF', ['application/pdf']);
  app.get(
    '/api/v1/devices/:id/documents/warranty-card.pdf',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'policy-input-invalid'] },
      schema: {
        operationId: 'getDeviceWarrantyCardPdf',
        tags,
        summary: 'Warranty card (PDF): terms and end dates as the policy engine computes them, part cards (ITEMA-25), legal guarantee, rule ids',
        params: IdParams,
        querystring: z.object({ at: IsoDate.optional().describe('Coverage as of this date; default today in the organization’s time zone'), lang: Lang }),
        response: { 200: pdf },
      },
    },
    async (req, reply) => sendPdf(reply, await svc.warrantyCard(deps.db, deps.config, actorOf(req), req.params.id, req.query)),
  );
  app.get(
    '/api/v1/documents/warranty-request-form.pdf',
    {
      config: { access: 'public', problems: ['not-found'] },
      schema: {
        operationId: 'getWarrantyRequestFormPdf',
        tags,
        summary: 'Blank warranty request form to fill in by hand (ITEMA-27, ITEMA-28). Public: pass ?org= (the business slug) when not signed in',
        querystring: z.object({ org: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a business slug such as itema-pg').optional(), lang: Lang }),
        response: { 200: pdf },
      },
    },
    async (req, reply) => sendPdf(reply, await svc.requestForm(deps.db, deps.config, req.actor, req.query)),
  );

  const OrderDocs = z.object({ items: z.array(z.object({ kind: z.enum(svc.ORDER_DOCUMENTS), filename: z.string(), url: z.string(), createdAt: z.string() })) });
  app.get(
    '/api/v1/service-orders/:id/documents',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'listServiceOrderDocuments', tags, summary: 'The documents of an order (work order, quote, completion certificate, payment receipt, findings protocol) as its state allows, with their links', params: IdParams, response: { 200: OrderDocs } } },
    async (req) => {
      const o = await svc.staffOrder(deps.db, actorOf(req), req.params.id);
      return { items: await svc.documentsOf(deps.db, o, `/api/v1/service-orders/${o.id}`) };
    },
  );
  const TokenParams = z.object({ token: z.string().min(16).max(200) });
  app.get(
    '/api/v1/order-page/:token/documents',
    { config: { access: 'public', problems: ['not-found'] }, schema: { operationId: 'listOrderPageDocuments', tags, summary: "The order's documents, for the client with the order page link", params: TokenParams, response: { 200: OrderDocs } } },
    async (req) => {
      const o = await svc.clientOrder(deps, req.params.token);
      return { items: await svc.documentsOf(deps.db, o, `/api/v1/order-page/${req.params.token}`) };
    },
  );
  // One PDF route per document, for staff and for the client's link; 409 document-not-available while
  // the order's state has no such document.
  const what: Record<svc.OrderDocument, string> = {
    'work-order': 'The signed work order / intake receipt (SC-2, ITEMA-11, ITEMA-29)',
    quote: 'The quote: cost, duration, advice, the decision window (SC-5, SC-6)',
    'completion-certificate': 'The completion certificate: works, parts (removed parts kept, ITEMA-23 / ITM-11), test (SC-8), warranty on the handover day (SC-10)',
    'payment-receipt': 'The payment receipt: charges, payments with method and amount, balance (SC-10)',
    'findings-protocol': "The findings protocol: the client's disagreement at handover (ITEMA-23)",
    'warranty-card': 'The device’s warranty card as it stood on the handover day, given to the client at handover (SC-10)',
  };
  for (const kind of svc.ORDER_DOCUMENTS) {
    const render = svc.ORDER_RENDERERS[kind];
    const pdfName = kind.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()); // work-order → WorkOrder
    app.get(
      `/api/v1/service-orders/:id/documents/${kind}.pdf`,
      {
        config: { access: ALL_ROLES, problems: svc.ORDER_DOCUMENT_PROBLEMS[kind] },
        schema: { operationId: `getServiceOrder${pdfName}Pdf`, tags, summary: `${what[kind]} as PDF, from the recorded order`, params: IdParams, querystring: z.object({ lang: Lang }), response: { 200: pdf } },
      },
      async (req, reply) => sendPdf(reply, await render(deps.db, deps.config, await svc.staffOrder(deps.db, actorOf(req), req.params.id), req.query)),
    );
    app.get(
      `/api/v1/order-page/:token/documents/${kind}.pdf`,
      {
        config: { access: 'public', problems: svc.ORDER_DOCUMENT_PROBLEMS[kind] },
        schema: { operationId: `getOrderPage${pdfName}Pdf`, tags, summary: `${what[kind]} as PDF, for the client with the order page link`, params: TokenParams, querystring: z.object({ lang: Lang }), response: { 200: pdf } },
      },
      async (req, reply) => sendPdf(reply, await render(deps.db, deps.config, await svc.clientOrder(deps, req.params.token), req.query)),
    );
  }
}
