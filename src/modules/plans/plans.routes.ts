// Warranty plans (ITS-3, ITS-10, ITEMA-29): what a device can be sold now, the counter sale, and
// the client's online purchase. See docs/registrations-and-plans.md.
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { notFound, problem } from '../../core/errors.ts';
import { IdempotencyHeaders, IdParams, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { ClientAccountErrors } from '../client-account/client-account.errors.ts';
import { clientOf, CLIENT_COOKIE } from '../client-account/client-account.service.ts';
import { stripeEnabled } from '../stripe/stripe.service.ts';
import * as svc from './plans.service.ts';

const Texts = z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() });
const Offer = z.object({
  id: z.string(),
  name: Texts,
  duration: z.string(),
  priceMinor: z.number().int().optional(),
  currency: z.string(),
  rule: z.string(),
  window: z.enum(['at-sale', 'during-coverage', 'after-expiry']).describe('The window it would be bought in now'),
});
export const PlanSale = z.object({
  id: z.string(),
  deviceId: z.string(),
  planId: z.string(),
  window: z.string(),
  priceMinor: z.number().int(),
  currency: z.string(),
  channel: z.string().describe('counter or portal'),
  state: z.enum(['pending', 'paid', 'refunded', 'cancelled']),
  paymentMethod: z.string().nullable(),
  paidOn: z.string().nullable(),
  deviceEventId: z.string().nullable().describe('The extension-purchased event the engine applies (ITS-3)'),
  refundFailure: z.object({ reason: z.string().describe("Stripe's failure_reason (expired_or_canceled_card, declined, ...), canceled, or Stripe's error code"), at: z.string() }).nullable().describe('A refund of the price Stripe did not make'),
  createdAt: z.string(),
});
z.globalRegistry.add(PlanSale, { id: 'PlanSale' });
const Plans = z.object({
  at: z.string(),
  coverage: z.object({ status: z.string(), end: z.string().nullable(), rule: z.string().nullable().describe('The rule that set this end: the term (ITS-2) or the last plan (ITS-3)') }),
  offers: z.array(Offer),
  sales: z.array(PlanSale.extend({ name: Texts, duration: z.string().nullable(), rule: z.string().nullable() }).describe("A sale, with its plan's name, duration and rule in the policy")),
});
const PlanId = z.string().trim().min(1).max(63).regex(/^[a-z0-9][a-z0-9-]*$/, 'is not a plan id like plus-12-months');

export async function plansRoutes(app: ZApp, deps: AppDeps) {
  const now = () => (deps.now ?? (() => new Date()))();
  const tags = ['plans'];

  app.get(
    '/api/v1/devices/:id/plans',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'policy-input-invalid'] },
      schema: { operationId: 'listDevicePlans', tags, summary: "The warranty plans the device can be sold now (the business's policy: which devices, at sale / during coverage / after expiry) and the plans sold for it", params: IdParams, response: { 200: Plans } },
    },
    async (req) => svc.forDevice(deps.db, actorOf(req).organizationId, req.params.id, now()),
  );

  app.post(
    '/api/v1/devices/:id/plans',
    {
      config: { access: OFFICE, problems: [...svc.SELL_PROBLEMS] },
      schema: {
        operationId: 'sellDevicePlan',
        tags,
        summary: 'Sell a warranty plan at the counter, paid on the spot: the extension is applied to the device at once (ITS-3)',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: z.object({ planId: PlanId, method: z.enum(['cash', 'card-terminal']) }),
        response: { 201: PlanSale },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.sellAtCounter(tx, actor, req.params.id, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );

  const client = async (req: { cookies?: Record<string, string | undefined> }) => {
    const c = await clientOf(deps.db, req.cookies?.[CLIENT_COOKIE], now());
    if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
    return c;
  };
  const ownDevice = async (c: { organization_id: string; email: string }, id: string) => {
    const d = await deps.db
      .selectFrom('devices as d')
      .innerJoin('customers as c', (j) => j.onRef('c.id', '=', 'd.customer_id').onRef('c.organization_id', '=', 'd.organization_id'))
      .select('d.id')
      .where('d.organization_id', '=', c.organization_id)
      .where('d.id', '=', id)
      .where((eb) => eb(eb.fn('lower', ['c.email']), '=', c.email))
      .executeTakeFirst();
    if (!d) throw notFound('Device');
  };

  app.get(
    '/api/v1/client/devices/:id/plans',
    {
      config: { access: 'public', problems: ['client-not-signed-in', 'not-found', 'policy-input-invalid'] },
      schema: { operationId: 'listClientDevicePlans', tags: ['client account'], summary: 'The warranty plans you can buy for a device of yours now, and whether online payment is offered', params: IdParams, response: { 200: Plans.extend({ onlinePayment: z.boolean() }) } },
    },
    async (req) => {
      const c = await client(req);
      await ownDevice(c, req.params.id);
      return { ...(await svc.forDevice(deps.db, c.organization_id, req.params.id, now())), onlinePayment: stripeEnabled(deps.config) };
    },
  );

  app.post(
    '/api/v1/client/devices/:id/plans/checkout',
    {
      config: { access: 'public', problems: ['client-not-signed-in', ...svc.ONLINE_PROBLEMS] },
      schema: {
        operationId: 'createClientPlanCheckout',
        tags: ['client account'],
        summary: "Buy a warranty plan for a device of yours online: a Stripe Checkout page's address (the same one for a retry); the plan applies when Stripe confirms the payment",
        params: IdParams,
        body: z.object({ planId: PlanId }),
        response: { 200: z.object({ url: z.string(), sessionId: z.string(), checkoutId: z.string() }) },
      },
    },
    async (req) => {
      const c = await client(req);
      const org = await deps.db.selectFrom('organizations').select('slug').where('id', '=', c.organization_id).executeTakeFirstOrThrow();
      const base = deps.config.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;
      return svc.buyOnline(deps, c, req.params.id, req.body.planId, { base, slug: org.slug }, now());
    },
  );
}
