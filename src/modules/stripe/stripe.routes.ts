// Stripe's webhook: POST /api/v1/stripe/webhook. The body is read raw (the signature is over the
// exact bytes), so the route lives in its own plugin whose JSON parser keeps the Buffer.
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import type { ZApp } from '../../server/http.ts';
import * as svc from './stripe.service.ts';

export async function stripeRoutes(app: ZApp, deps: AppDeps) {
  await app.register(async (raw) => {
    raw.removeContentTypeParser('application/json');
    raw.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    raw.post(
      '/api/v1/stripe/webhook',
      {
        config: { access: 'public', problems: [...svc.WEBHOOK_PROBLEMS] },
        schema: {
          operationId: 'receiveStripeWebhook',
          tags: ['payments'],
          summary: "Stripe's event notifications (Checkout Sessions paid or expired, refunds), signed with the webhook secret",
          description:
            'The body is the event exactly as Stripe sent it (application/json), verified against the Stripe-Signature header with STRIPE_WEBHOOK_SECRET. ' +
            'Each event id is processed once; repeats and event types Aftercare does not use are acknowledged with 200 and change nothing. ' +
            '404 when online payment is not set up.',
          headers: z.object({ 'stripe-signature': z.string().max(2000).optional().describe("Stripe's signature: t=<timestamp>,v1=<HMAC-SHA256>") }),
          response: { 200: z.object({ received: z.literal(true), outcome: z.enum(['processed', 'duplicate', 'ignored', 'amount-mismatch']) }) },
        },
      },
      async (req) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '');
        return svc.handleWebhook(deps, body, [req.headers['stripe-signature']].flat()[0], (deps.now ?? (() => new Date()))()) as Promise<{ received: true; outcome: 'processed' | 'duplicate' | 'ignored' | 'amount-mismatch' }>;
      },
    );
  });
}
