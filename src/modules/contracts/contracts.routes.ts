import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, MANAGERS, OFFICE } from '../../core/actor.ts';
import { IdempotencyHeaders, IdParams, IsoDate, page, PageQuery, Uuid, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import * as svc from './contracts.service.ts';

const Texts = z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() });
export const Contract = z.object({
  id: z.string(),
  number: z.string(),
  customer: z.object({ id: z.string(), name: z.string() }),
  tier: z.object({ id: z.string(), name: Texts, calendar: z.enum(['business', '24/7']), rule: z.string().nullable() }),
  startsOn: z.string(),
  endsOn: z.string(),
  renewalOn: z.string(),
  status: z.enum(['active', 'expired', 'not-started', 'cancelled']).describe("As of today in the business's time zone; an expired or cancelled contract covers no new incident"),
  priceMinor: z.number().int(),
  currency: z.string(),
  included: z.array(z.object({ service: z.string(), quantity: z.number().int().nullable() })),
  sites: z.array(z.string()),
  devices: z.array(z.object({ id: z.string(), serial: z.string(), manufacturer: z.string(), model: z.string().nullable(), category: z.string() })),
  source: z.enum(['sold', 'included']).describe("'included': the maintenance that comes with qualified hardware (ITM-1)"),
  rule: z.string().nullable(),
  note: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
});
z.globalRegistry.add(Contract, { id: 'Contract' });

const Text = (max: number) => z.string().trim().min(1).max(max);
const ContractFields = z.object({
  customerId: Uuid,
  tier: z.string().min(1).max(100).describe("One of the policy's support tiers (GET /api/v1/organization/policy-pack: support.tiers)"),
  startsOn: IsoDate,
  endsOn: IsoDate,
  renewalOn: IsoDate.optional().describe('Default: the end date'),
  priceMinor: z.number().int().min(0).max(1e13).optional(),
  included: z.array(z.object({ service: z.enum(svc.INCLUDED_SERVICES), quantity: z.number().int().min(0).max(10000).nullish() })).max(20).optional(),
  deviceIds: z.array(Uuid).max(500).optional().describe('Covered devices; none and no sites: the contract covers all of the customer\'s devices'),
  sites: z.array(Text(200)).max(100).optional(),
  note: z.string().max(2000).nullish(),
});

const ContractAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('renew'), version: z.number().int(), endsOn: IsoDate, renewalOn: IsoDate.optional(), priceMinor: z.number().int().min(0).max(1e13).optional() }),
  z.object({ action: z.literal('cancel'), version: z.number().int(), reason: Text(1000) }),
]);

export async function contractsRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['contracts'];
  const now = () => deps.now?.() ?? new Date();
  app.get(
    '/api/v1/contracts',
    {
      config: { access: ALL_ROLES },
      schema: { operationId: 'listContracts', tags, summary: 'Maintenance contracts, newest first', querystring: PageQuery.extend({ customerId: Uuid.optional(), deviceId: Uuid.optional() }), response: { 200: page(Contract) } },
    },
    async (req) => svc.list(deps.db, actorOf(req), req.query, now()),
  );
  app.post(
    '/api/v1/contracts',
    {
      config: { access: MANAGERS, problems: [...svc.CREATE_PROBLEMS] },
      schema: { operationId: 'createContract', tags, summary: 'Add a maintenance contract (its renewal reminder goes out before the renewal date)', headers: IdempotencyHeaders, body: ContractFields, response: { 201: Contract } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.insert(tx, actor, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.post(
    '/api/v1/contracts/included-maintenance',
    {
      config: { access: OFFICE, problems: [...svc.INCLUDED_PROBLEMS] },
      schema: {
        operationId: 'createIncludedMaintenance',
        tags,
        summary: "The maintenance included with a qualified device (ITM-1): a contract of the policy's tier and term from the device's shipping date",
        headers: IdempotencyHeaders,
        body: z.object({ deviceId: Uuid }),
        response: { 201: Contract },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.includeMaintenance(tx, actor, req.body.deviceId, now()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.get(
    '/api/v1/contracts/:id',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getContract', tags, summary: 'One contract', params: IdParams, response: { 200: Contract } } },
    async (req) => svc.get(deps.db, actorOf(req), req.params.id, now()),
  );
  app.post(
    '/api/v1/contracts/:id/actions',
    {
      config: { access: MANAGERS, problems: [...svc.ACT_PROBLEMS] },
      schema: { operationId: 'performContractAction', tags, summary: 'Renew (a later end; a new reminder) or cancel a contract (send the version you read; a retry with the same Idempotency-Key gets the first answer)', headers: IdempotencyHeaders, params: IdParams, body: ContractAction, response: { 200: Contract } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.actIn(tx, actor, req.params.id, req.body, now()), 200);
      return reply.status(r.status).send(r.body);
    },
  );
}
