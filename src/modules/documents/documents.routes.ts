import { z } from 'zod';
import type { AppDeps } from '../../server/app.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES } from '../../server/context.ts';
import { IdParams, IsoDate, problems, type ZApp } from '../../server/http.ts';
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
  app.get(
    '/api/v1/devices/:id/documents/warranty-card.pdf',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags,
        summary: 'Warranty card (PDF): terms and end dates as the policy engine computes them, part cards (ITEMA-25), legal guarantee, rule ids',
        params: IdParams,
        querystring: z.object({ at: IsoDate.optional().describe('Coverage as of this date; default today in the organization’s time zone'), lang: Lang }),
        response: { 200: z.any().describe('application/pdf'), ...problems },
      },
    },
    async (req, reply) => sendPdf(reply, await svc.warrantyCard(deps.db, deps.config, actorOf(req), req.params.id, req.query)),
  );
  app.get(
    '/api/v1/documents/warranty-request-form.pdf',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Blank warranty request form to fill in by hand (ITEMA-27, ITEMA-28). Public: pass ?org= (the business slug) when not signed in',
        querystring: z.object({ org: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a business slug such as itema-pg').optional(), lang: Lang }),
        response: { 200: z.any().describe('application/pdf'), ...problems },
      },
    },
    async (req, reply) => sendPdf(reply, await svc.requestForm(deps.db, deps.config, req.actor, req.query)),
  );
}
