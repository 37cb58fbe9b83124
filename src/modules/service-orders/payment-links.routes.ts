// Stripe Payment Links for an order (issue 14): staff send the client a link for what is due, and
// see the links sent (sent / paid / deactivated). See payment-links.ts; docs/payments.md.
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { actorOf } from '../../server/auth.ts';
import { IdempotencyHeaders, IdParams, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import * as links from './payment-links.ts';

const Link = z.object({
  id: z.string().describe('Our record of the link (a stripe_checkouts row)'),
  url: z.string().nullable().describe("The link on Stripe's servers (https://buy.stripe.com/...)"),
  amountMinor: z.number().int(),
  currency: z.string(),
  state: z.enum(['sent', 'paid', 'deactivated', 'mismatch']).describe('sent: active, waiting for the client; paid: Stripe confirmed the payment (the link is then switched off); deactivated: switched off unpaid because the balance changed; mismatch: Stripe took another amount (nothing recorded)'),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
});
const Links = z.object({
  available: z.boolean().describe('Whether a link can be sent now (Stripe set up, something due)'),
  unavailable: z.enum(['payment-link-unavailable', 'nothing-due']).nullable().describe('Why not: no Stripe keys, or nothing due'),
  dueMinor: z.number().int(),
  currency: z.string(),
  links: z.array(Link).describe('Newest first'),
});

export async function paymentLinkRoutes(app: ZApp, deps: AppDeps) {
  const now = () => (deps.now ?? (() => new Date()))();
  app.get(
    '/api/v1/service-orders/:id/payment-links',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      schema: { operationId: 'listOrderPaymentLinks', tags: ['payments'], summary: "The Stripe Payment Links sent for the order's balance, and whether one can be sent now", params: IdParams, response: { 200: Links } },
    },
    async (req) => links.paymentLinksOf(deps, actorOf(req), req.params.id),
  );
  app.post(
    '/api/v1/service-orders/:id/payment-links',
    {
      config: { access: OFFICE, problems: [...links.SEND_LINK_PROBLEMS, 'validation-failed'] },
      schema: {
        operationId: 'sendOrderPaymentLink',
        tags: ['payments'],
        summary: "Send the client a Stripe Payment Link for what the order has due now, by the order's contact channel (e-mail or SMS) in the client's language",
        description:
          'While a link for the same amount is active it is sent again (no second link); a balance that changed switches the old link off in Stripe and makes a new one. ' +
          'The payment is recorded when Stripe\'s signed webhook confirms it (once), and the link is then switched off. 409 payment-link-unavailable without Stripe keys; 409 nothing-due; 422 no-client-contact. ' +
          'With an Idempotency-Key a retry answers the first answer and sends nothing again.',
        params: IdParams,
        headers: IdempotencyHeaders,
        response: { 200: z.object({ version: z.number().int().describe("The order's version after the change"), channel: z.enum(['email', 'sms']), resent: z.boolean().describe('The active link for this amount was sent again'), link: Link }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const prepared = await links.preparePaymentLink({ ...deps, now }, actor, req.params.id);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'] as string | undefined, requestHash('POST', req.url, req.body ?? {}), (tx) => links.sendPaymentLinkIn(tx, actor, prepared, now()), 200);
      return reply.status(r.status).send(r.body);
    },
  );
}
