import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { IdempotencyHeaders, IdParams, page, PageQuery, Uuid, type ZApp } from '../../server/http.ts';
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
  mergedIntoId: z.string().nullable().describe('Set on a duplicate merged into another customer (kept, never deleted)'),
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
    '/api/v1/customers/matches',
    {
      config: { access: ALL_ROLES },
      schema: {
        operationId: 'matchCustomers',
        tags,
        summary: 'Customers an intake may be about, so a client is not entered twice: the same e-mail, the same phone however typed, or a name containing what was typed (at least 3 letters)',
        querystring: z.object({ email: z.string().max(320).optional(), phone: z.string().max(40).optional(), name: z.string().max(300).optional() }),
        response: { 200: z.object({ items: z.array(z.object({ customer: Customer, matchedBy: z.array(z.enum(['email', 'phone', 'name'])) })) }) },
      },
    },
    async (req) => svc.matches(deps.db, actorOf(req), req.query),
  );
  app.get(
    '/api/v1/customers/:id/overview',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      schema: {
        operationId: 'getCustomerOverview',
        tags,
        summary: 'The customer page: the customer with every device, order and purchase on record (newest first)',
        params: IdParams,
        response: {
          200: z.object({
            customer: Customer,
            devices: z.array(z.object({ id: z.string(), serial: z.string(), manufacturer: z.string(), model: z.string().nullable(), category: z.string(), condition: z.string() })),
            orders: z.array(z.object({ id: z.string(), number: z.string(), state: z.string(), claimDate: z.string(), deviceId: z.string().nullable(), problem: z.string() })),
            purchases: z.array(z.object({ id: z.string(), deviceId: z.string(), documentType: z.string(), documentNumber: z.string(), soldOn: z.string() })),
          }),
        },
      },
    },
    async (req) => svc.overview(deps.db, actorOf(req), req.params.id),
  );
  app.post(
    '/api/v1/customers/:id/merge',
    {
      config: { access: OFFICE, problems: ['not-found', 'unknown-reference', 'version-conflict', 'customer-merged', 'merge-invalid'] },
      schema: {
        operationId: 'mergeCustomers',
        tags,
        summary: "Merge a duplicate into this customer: its devices, orders, purchases and the rest move here, empty fields are filled from it, and it is kept marked merged (send both versions you read; 409 if either changed)",
        params: IdParams,
        body: z.object({ duplicateId: Uuid, version: z.number().int().describe("This customer's version"), duplicateVersion: z.number().int().describe("The duplicate's version") }),
        response: { 200: z.object({ customer: Customer, duplicate: Customer, moved: z.record(z.string(), z.number().int()).describe('Rows moved, per table') }) },
      },
    },
    async (req) => svc.merge(deps.db, actorOf(req), req.params.id, req.body),
  );
  app.get(
    '/api/v1/customers/:id',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getCustomer', tags, summary: 'One customer', params: IdParams, response: { 200: Customer } } },
    async (req) => svc.get(deps.db, actorOf(req), req.params.id),
  );
  app.patch(
    '/api/v1/customers/:id',
    {
      config: { access: OFFICE, problems: ['not-found', 'version-conflict', 'already-exists', 'customer-merged'] },
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
