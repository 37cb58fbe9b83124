import { z } from 'zod';
import { EVENT_TYPES } from '../../policy/types.ts';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { IdempotencyHeaders, IdParams, IsoDate, page, PageQuery, Term, Uuid, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import * as svc from './devices.service.ts';

const CategoryNames = z.record(z.string(), z.string()).nullable().optional().describe("The category's names per language in the business's policy (GET of one device; null: the policy names it not)");
const Part = z.object({ id: z.string(), category: z.string(), categoryNames: CategoryNames, serial: z.string().nullable(), term: z.string().nullable() });
export const Device = z.object({
  id: z.string(),
  customerId: z.string().nullable(),
  serial: z.string(),
  manufacturer: z.string(),
  model: z.string().nullable(),
  category: z.string(),
  categoryNames: CategoryNames,
  kind: z.enum(svc.KINDS),
  condition: z.enum(svc.CONDITIONS),
  discountDefect: z.string().nullable(),
  term: z.string().nullable(),
  manufacturerWarranty: z.object({ term: z.string(), provider: z.string().nullable() }).nullable(),
  parts: z.array(Part),
  version: z.number().int(),
  createdAt: z.string(),
});
z.globalRegistry.add(Device, { id: 'Device' });

export const DeviceEventSchema = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  date: z.string(),
  partId: z.string().nullable(),
  replacesPartId: z.string().nullable(),
  category: z.string().nullable(),
  underWarranty: z.boolean().nullable(),
  term: z.string().nullable(),
  planId: z.string().nullable(),
  note: z.string().nullable(),
  orderRef: z.string().nullable(),
  purchaseId: z.string().nullable(),
  recordedAt: z.string(),
  recordedBy: z.string().nullable(),
  voided: z.object({ at: z.string(), reason: z.string(), by: z.string().nullable() }).nullable().describe('Set when the event was voided (a wrong entry): the engine no longer reads it; it is never deleted'),
});
z.globalRegistry.add(DeviceEventSchema, { id: 'DeviceEvent' });

const Slug = z.string().trim().min(1).max(100);
const PartFields = z.object({
  id: z.string().min(1).max(100).describe('Id of the part on this device, e.g. battery-1'),
  category: Slug.describe('battery, ssd, adapter, ...'),
  serial: z.string().max(200).nullish(),
  term: Term.nullish().describe("The part's own term from its card, e.g. '6 months' or 'none' (ITEMA-7)"),
});
const DeviceBase = z.object({
  customerId: Uuid.nullish(),
  serial: z.string().trim().min(1).max(200),
  manufacturer: z.string().trim().min(1).max(200),
  model: z.string().max(200).nullish(),
  category: Slug.describe('laptop, switch, server, monitor, installation, ...'),
  kind: z.enum(svc.KINDS).optional(),
  condition: z.enum(svc.CONDITIONS).optional(),
  discountDefect: z.string().max(500).nullish().describe('For discounted devices: the defect the discount was given for (ITEMA-8)'),
  term: Term.nullish().describe("The device's own term from its card, overriding the pack's default (ITEMA-5)"),
  manufacturerWarranty: z.object({ term: Term, provider: z.string().max(200).nullish() }).nullish(),
});
export const DeviceFields = DeviceBase.extend({ parts: z.array(PartFields).max(100).optional() }).superRefine((d, ctx) => {
  if (d.condition === 'discounted' && !d.discountDefect) {
    ctx.addIssue({ code: 'custom', path: ['discountDefect'], message: 'required for a discounted device (ITEMA-8)' });
  }
  const ids = new Set<string>();
  d.parts?.forEach((p, i) => {
    if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['parts', i, 'id'], message: 'duplicate part id' });
    ids.add(p.id);
  });
});

export const EventFields = z.object({
  type: z.enum(EVENT_TYPES),
  date: IsoDate,
  partId: z.string().max(100).nullish(),
  replacesPartId: z.string().max(100).nullish(),
  category: z.string().max(100).nullish(),
  underWarranty: z.boolean().nullish(),
  term: Term.nullish(),
  planId: z.string().max(100).nullish(),
  note: z.string().max(2000).nullish(),
  orderRef: z.string().max(100).nullish(),
});

export async function devicesRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['devices'];
  app.get(
    '/api/v1/devices',
    {
      config: { access: ALL_ROLES },
      schema: {
        operationId: 'listDevices',
        tags,
        summary: 'List devices, newest first',
        querystring: PageQuery.extend({
          serial: z.string().max(200).optional().describe('The exact serial'),
          q: z.string().trim().min(2).max(200).optional().describe('Any part of the serial or the model, any case (at least 2 characters)'),
          manufacturer: z.string().max(200).optional(),
          model: z.string().max(200).optional(),
          category: z.string().max(100).optional(),
          condition: z.enum(svc.CONDITIONS).optional(),
          customerId: Uuid.optional(),
        }),
        response: { 200: page(Device) },
      },
    },
    async (req) => svc.list(deps.db, actorOf(req), req.query),
  );
  app.post(
    '/api/v1/devices',
    {
      config: { access: OFFICE, problems: ['unknown-reference', 'serial-taken', 'already-exists', 'validation-failed'] },
      schema: {
        operationId: 'createDevice',
        tags,
        summary: "Register a device (serial unique per manufacturer); a category given in words the business's policy knows is stored as its code, an unknown one is refused (422) with the known categories",
        headers: IdempotencyHeaders,
        body: DeviceFields,
        response: { 201: Device },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.insert(tx, actor, req.body, 'body.category', deps.now?.() ?? new Date()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.get(
    '/api/v1/devices/:id',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getDevice', tags, summary: 'One device', params: IdParams, response: { 200: Device } } },
    async (req) => svc.getNamed(deps.db, actorOf(req), req.params.id),
  );
  app.patch(
    '/api/v1/devices/:id',
    {
      config: { access: OFFICE, problems: ['not-found', 'version-conflict', 'unknown-reference', 'validation-failed', 'already-exists'] },
      schema: {
        operationId: 'updateDevice',
        tags,
        summary: 'Change a device (send the version you read; 409 with the current state if it changed)',
        params: IdParams,
        body: DeviceBase.partial().extend({ version: z.number().int() }),
        response: { 200: Device },
      },
    },
    async (req) => svc.update(deps.db, actorOf(req), req.params.id, req.body),
  );
  app.get(
    '/api/v1/devices/:id/events',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'history-invalid'] },
      schema: { operationId: 'listDeviceEvents', tags, summary: "The device's history, in date order", params: IdParams, response: { 200: z.object({ items: z.array(DeviceEventSchema) }) } },
    },
    async (req) => ({ items: await svc.listEvents(deps.db, actorOf(req), req.params.id) }),
  );
  app.post(
    '/api/v1/devices/:id/events',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'history-invalid'] },
      schema: {
        operationId: 'createDeviceEvent',
        tags,
        summary: "Record an event in the device's history (repair accepted, part replaced, ...)",
        params: IdParams,
        headers: IdempotencyHeaders,
        body: EventFields,
        response: { 201: DeviceEventSchema },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) =>
        svc.addEvent(tx, actor, req.params.id, req.body),
      );
      return reply.status(r.status).send(r.body);
    },
  );
  app.post(
    '/api/v1/devices/:id/events/:eventId/void',
    {
      config: { access: OFFICE, problems: ['not-found', 'event-voided', 'history-invalid', 'idempotency-key-reused'] },
      schema: {
        operationId: 'voidDeviceEvent',
        tags,
        summary: "Correct the device's history: void a wrong event with a reason (it is kept, struck through, and the engine no longer reads it)",
        params: IdParams.extend({ eventId: Uuid }),
        headers: IdempotencyHeaders,
        body: z.object({ reason: z.string().trim().min(3).max(1000).describe('Why the event is wrong (kept in the audit)') }),
        response: { 200: DeviceEventSchema },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const now = deps.now?.() ?? new Date();
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.voidEvent(tx, actor, req.params.id, req.params.eventId, req.body.reason, now), 200);
      return reply.status(r.status).send(r.body);
    },
  );
}
