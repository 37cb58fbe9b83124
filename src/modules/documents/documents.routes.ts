import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES } from '../../core/actor.ts';
import { IdParams, IsoDate, sendPdf, Uuid, type ZApp } from '../../server/http.ts';
import { fileResponse } from '../../server/openapi.ts';
import { DOC_LANGS } from './documents.i18n.ts';
import * as svc from './documents.service.ts';
import { createRenderPool, DocumentCache } from './render-pool.ts';
import { LABEL_SIZES } from './labels.ts';
import { rateLimiter } from '../../core/rate-limit.ts';
import { AppError, CoreErrors, problem } from '../../core/errors.ts';

const Lang = z.enum(DOC_LANGS).optional().describe("Language of the document; default the client's preferred language, else the business's first");


/** How long a request from an address already over the form's limit is held before its 429. */
const OVER_LIMIT_DELAY_MS = 1000;

export async function documentsRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['documents'];
  const pdf = fileResponse('The PDF', ['application/pdf']);
  const render = { pool: createRenderPool({ threads: deps.config.documentWorkers }), cache: new DocumentCache(deps.config.documentCacheEntries) };
  const renderer = render;
  app.addHook('onClose', () => render.pool.close());
  // The request form is the QR target printed on every warranty card: public, so limited per address.
  const limit = rateLimiter(deps.db, { name: 'request-form-ip', max: deps.config.publicFormPerMinute, windowMs: 60_000 });
  // An address over the limit stays over it until its window ends (PostgreSQL said when): until
  // then this process answers 429 itself, without another write to the rate_limits row, and only
  // after holding the request for OVER_LIMIT_DELAY_MS: a client that keeps asking on N connections
  // is then answered N times a second, not as fast as the event loop can turn (the flood of
  // one client: thousands of 429s a second kept the event loop busy and every other request waited).
  const blocked = new Map<string, number>();
  const formLimit = async (ip: string) => {
    const until = blocked.get(ip);
    if (until !== undefined && until > Date.now()) {
      await new Promise((r) => setTimeout(r, Math.min(OVER_LIMIT_DELAY_MS, until - Date.now())));
      const left = Math.max(1, Math.ceil((until - Date.now()) / 1000));
      throw problem(CoreErrors, 'rate-limited', `Too many requests; try again in ${left} s`, { retryAfterSeconds: left }, { headers: { 'retry-after': String(left) } });
    }
    blocked.delete(ip);
    try {
      await limit(ip);
    } catch (e) {
      const left = e instanceof AppError && e.code === 'rate-limited' ? Number(e.extra.retryAfterSeconds) : 0;
      if (left > 0) {
        if (blocked.size > 10_000) blocked.clear();
        blocked.set(ip, Date.now() + left * 1000);
      }
      throw e;
    }
  };
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
    '/api/v1/devices/:id/documents/replacement-record.pdf',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'policy-input-invalid'] },
      schema: {
        operationId: 'getDeviceReplacementRecordPdf',
        tags,
        summary: 'Replacement record (PDF) of a unit exchange of the device (its device-replaced event): removed and new serial, the warranty the new unit keeps as the engine computes it, the rules that set it (ITM-9, ITM-10, ITEMA-17)',
        params: IdParams,
        querystring: z.object({ event: Uuid.optional().describe('The device-replaced event (GET /api/v1/devices/{id}/events); default the latest'), lang: Lang }),
        response: { 200: pdf },
      },
    },
    async (req, reply) => sendPdf(reply, await svc.replacementRecord(deps.db, deps.config, render.pool, actorOf(req), req.params.id, req.query.event, req.query)),
  );
  app.get(
    '/api/v1/documents/warranty-request-form.pdf',
    {
      config: { access: 'public', problems: ['not-found', 'rate-limited'] },
      schema: {
        operationId: 'getWarrantyRequestFormPdf',
        tags,
        summary:
          'Blank warranty request form to fill in by hand (ITEMA-27, ITEMA-28). Public: pass ?org= (the business slug) when not signed in. The same for everyone: cacheable (ETag, If-None-Match gives 304); limited per client address',
        querystring: z.object({ org: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a business slug such as itema-pg').optional(), lang: Lang }),
        response: { 200: pdf, 304: z.null().describe('Not modified: the form with this ETag is still current') },
      },
    },
    async (req, reply) => {
      if (!req.actor) await formLimit(req.ip);
      const r = await svc.requestForm(deps.db, deps.config, render, req.actor, req.query);
      // It holds nothing personal: shared caches may keep it for an hour, then revalidate by ETag.
      reply.header('etag', r.etag).header('vary', 'cookie, authorization');
      if (req.headers['if-none-match'] === r.etag) return reply.header('cache-control', 'public, max-age=3600').status(304).send(null);
      return sendPdf(reply, r).header('cache-control', 'public, max-age=3600');
    },
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
    'replacement-record': 'The replacement record of the unit exchanged under the order: removed and new serial, the warranty the new unit keeps and the rules that set it (ITEMA-17, ITM-9, ITM-10)',
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
      async (req, reply) => sendPdf(reply, await render(deps.db, deps.config, await svc.staffOrder(deps.db, actorOf(req), req.params.id), req.query, renderer.pool)),
    );
    app.get(
      `/api/v1/order-page/:token/documents/${kind}.pdf`,
      {
        config: { access: 'public', problems: svc.ORDER_DOCUMENT_PROBLEMS[kind] },
        schema: { operationId: `getOrderPage${pdfName}Pdf`, tags, summary: `${what[kind]} as PDF, for the client with the order page link (or the short-lived download token the lookup by number and contact gives)`, params: TokenParams, querystring: z.object({ lang: Lang }), response: { 200: pdf } },
      },
      // The page link's token, or a download token given with a lookup by number and contact (issue 16).
      async (req, reply) => sendPdf(reply, await render(deps.db, deps.config, await svc.clientDocumentOrder(deps, req.params.token, kind), req.query, renderer.pool)),
    );
  }
  // Labels and tickets for label and receipt printers (issue 16, labels.ts): staff print them at
  // intake; the order number is a Code 128 barcode. Never the passcode.
  app.get(
    '/api/v1/service-orders/:id/documents/label.pdf',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      schema: {
        operationId: 'getServiceOrderLabelPdf',
        tags,
        summary: 'The device label with the order number as a barcode, for a label printer: 62 mm tape (62 × 100 mm) or a 4 × 6 in label',
        params: IdParams,
        querystring: z.object({ lang: Lang, size: z.enum(LABEL_SIZES).default('62mm').describe('62mm (Brother QL and similar) or 4x6in (Zebra, Dymo 4XL)') }),
        response: { 200: pdf },
      },
    },
    async (req, reply) => sendPdf(reply, await svc.deviceLabel(deps.db, deps.config, await svc.staffOrder(deps.db, actorOf(req), req.params.id), req.query)),
  );
  app.get(
    '/api/v1/service-orders/:id/documents/ticket-80mm.pdf',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      schema: { operationId: 'getServiceOrderTicketPdf', tags, summary: "The client's repair ticket for an 80 mm receipt printer: the order number as a barcode, what was left, the promised date, the order page's QR code", params: IdParams, querystring: z.object({ lang: Lang }), response: { 200: pdf } },
    },
    async (req, reply) => sendPdf(reply, await svc.receipt80(deps.db, deps.config, await svc.staffOrder(deps.db, actorOf(req), req.params.id), req.query)),
  );
}
