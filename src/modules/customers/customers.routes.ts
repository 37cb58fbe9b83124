import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { IdempotencyHeaders, IdParams, page, PageQuery, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import * as svc from './customers.service.ts';

export const Customer = z.object({
  id: z.string(),
  kind: z.enum(svc.CUSTOMER_KINDS),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
  preferredLanguage: z.string().nullable(),
  preferredChannel: z.enum(svc.CHANNELS).nullable(),
  externalRef: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
});
z.globalRegistry.add(Customer, { id: 'Customer' });

export const CustomerFields = z.object({
  kind: z.enum(svc.CUSTOMER_KINDS).optional().describe('person (default) or company'),
  name: z.string().trim().min(1).max(300),
  email: z.email().max(320).nullish(),
  phone: z.string().regex(/^\+?[0-9 ()./-]{3,40}$/, 'must be a phone number').nullish(),
  address: z.string().max(1000).nullish(),
  preferredLanguage: z.enum(['en', 'bg', 'vi']).nullish(),
  preferredChannel: z.enum(svc.CHANNELS).nullish(),
  externalRef: z.string().max(200).nullish().describe('Your own id for this customer (e.g. from the previous system)'),
});

export async function customersRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['customers'];
  app.get(
    '/api/v1/customers',
    {
      config: { access: ALL_ROLES },
      schema: {
        operationId: 'listCustomers',
        tags,
        summary: 'List customers, newest first',
        querystring: PageQuery.extend({
          q: z.string().max(200).optional().describe('Part of the name, e-mail or phone'),
          email: z.string().max(320).optional(),
          externalRef: z.string().max(200).optional(),
        }),
        response: { 200: page(Customer) },
      },
    },
    async (req) => svc.list(deps.db, actorOf(req), req.query),
  );
  app.post(
    '/api/v1/customers',
    {
      config: { access: OFFICE, problems: ['already-exists'] },
      schema: { operationId: 'createCustomer', tags, summary: 'Add a customer', headers: IdempotencyHeaders, body: CustomerFields, response: { 201: Customer } },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.insert(tx, actor, req.body));
      return reply.status(r.status).send(r.body);
    },
  );
  app.get(
    '/api/v1/customers/:id',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getCustomer', tags, summary: 'One customer', params: IdParams, response: { 200: Customer } } },
    async (req) => svc.get(deps.db, actorOf(req), req.params.id),
  );
  app.patch(
    '/api/v1/customers/:id',
    {
      config: { access: OFFICE, problems: ['not-found', 'version-conflict', 'already-exists'] },
      schema: {
        operationId: 'updateCustomer',
        tags,
        summary: 'Change a customer (send the version you read; 409 with the current state if it changed)',
        params: IdParams,
        body: CustomerFields.partial().extend({ version: z.number().int() }),
        response: { 200: Customer },
      },
    },
    async (req) => svc.update(deps.db, actorOf(req), req.params.id, req.body),
  );
}
