// The workshop card of a service order (issue 16): technician, priority, promised date, contact
// channel, passcode (staff who repair only), pre-check, internal notes, and a message to the client.
// See workshop.ts; docs/workshop.md.
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { actorOf } from '../../server/auth.ts';
import { IdempotencyHeaders, IdParams, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { keyringOf } from '../../core/secrets.ts';
import { CHANGE_PROBLEMS } from './changes.ts';
import * as w from './workshop.ts';
import * as photos from './photos.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import { fileResponse } from '../../server/openapi.ts';
import { readFilePart, UPLOAD_PROBLEMS } from '../../server/uploads.ts';
import { ProofErrors } from '../proofs/proofs.errors.ts';
import { Uuid } from '../../server/http.ts';
import { WorkshopFieldsShape } from './workshop.schemas.ts';

const Workshop = z.object({
  orderId: z.string(),
  number: z.string(),
  version: z.number().int().describe("The order's version: send it back with a change (409 with the current state if it changed)"),
  technician: z.object({ id: z.string(), name: z.string() }).nullable().describe('Who works on the order'),
  assignable: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })).describe('The active staff the order can be assigned to'),
  priority: z.enum(w.PRIORITIES),
  promisedOn: z.string().nullable().describe('The date promised to the client at intake'),
  contactChannel: z.enum(w.CONTACT_CHANNELS).describe("How the client gets the order's messages (each step, and staff's own)"),
  passcodeSet: z.boolean().describe('Whether a passcode or unlock pattern is recorded (never the passcode itself: GET …/workshop/passcode)'),
  passcodeReadable: z.boolean().describe('Whether the caller may read it (technician, manager, owner)'),
  category: z.string().nullable().describe("The device's category: which pre-check list applies"),
  precheck: z.array(z.object({ code: z.string(), result: z.enum(w.PRECHECK_RESULTS) })).describe('The pre-check at intake, per item of the category’s list'),
  notes: z.array(z.object({ id: z.string(), body: z.string(), byName: z.string(), at: z.string() })).describe('Internal notes: staff only'),
});
z.globalRegistry.add(Workshop, { id: 'ServiceOrderWorkshop' });

const Photo = z.object({
  id: z.string(),
  filename: z.string(),
  contentType: z.enum(photos.PHOTO_TYPES as [string, ...string[]]).describe('Sniffed from the content, not the declared type'),
  sizeBytes: z.number().int(),
  createdAt: z.string(),
  url: z.string().describe('Where staff see it (an image; the console shows it as a thumbnail)'),
});
z.globalRegistry.add(Photo, { id: 'ServiceOrderPhoto' });
const fileField = (message: string) => ({ errors: [{ field: 'body.file', message }] });

const WorkshopBody = z.object({
  version: z.number().int().describe('The order version you read; 409 with the current state if it changed'),
  ...WorkshopFieldsShape,
});

export async function workshopRoutes(app: ZApp, deps: AppDeps) {
  const now = () => deps.now?.() ?? new Date();
  const tags = ['service orders'];

  app.get(
    '/api/v1/service-orders/:id/workshop',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getServiceOrderWorkshop', tags, summary: 'The workshop card: technician, priority, promised date, contact channel, pre-check, internal notes (whether a passcode is set, never the passcode)', params: IdParams, response: { 200: Workshop } } },
    async (req) => w.workshopOf(deps.db, actorOf(req), req.params.id),
  );

  app.get(
    '/api/v1/workshop/intake-options',
    {
      config: { access: ALL_ROLES },
      schema: {
        operationId: 'getWorkshopIntakeOptions',
        tags,
        summary: 'What the intake form offers for the workshop card before the order exists: the pre-check list of a device category and the staff an order can be assigned to',
        querystring: z.object({ category: z.string().trim().max(100).optional().describe("The device's category (laptop, phone, …); any other or none: the general list") }),
        response: { 200: z.object({ precheck: z.array(z.string()).describe('The pre-check items of the category, in order'), assignable: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })) }) },
      },
    },
    async (req) => w.intakeOptions(deps.db, actorOf(req), req.query.category),
  );

  app.patch(
    '/api/v1/service-orders/:id/workshop',
    {
      config: { access: ALL_ROLES, problems: w.WORKSHOP_PROBLEMS },
      schema: {
        operationId: 'updateServiceOrderWorkshop',
        tags,
        summary: 'Change the workshop fields given (a technician records the pre-check and the passcode; assignment, priority, promised date and channel are the front desk’s or a manager’s: 403 naming the field). Audited; the passcode only as changed',
        params: IdParams,
        body: WorkshopBody,
        response: { 200: Workshop },
      },
    },
    async (req) => w.updateWorkshop(deps.db, keyringOf(deps.config), actorOf(req), req.params.id, req.body, now()),
  );

  app.get(
    '/api/v1/service-orders/:id/workshop/passcode',
    {
      config: { access: w.PASSCODE_READERS, problems: ['not-found', 'secret-key-unavailable'] },
      schema: { operationId: 'readServiceOrderPasscode', tags, summary: 'The device’s passcode and unlock pattern, for who repairs it (technician, manager, owner); each reading is audited', params: IdParams, response: { 200: z.object({ passcode: z.string().nullable(), unlockPattern: z.string().nullable() }) } },
    },
    async (req, reply) => {
      void reply.header('cache-control', 'no-store');
      return w.revealPasscode(deps.db, keyringOf(deps.config), actorOf(req), req.params.id);
    },
  );

  app.post(
    '/api/v1/service-orders/:id/photos',
    {
      config: { access: ALL_ROLES, problems: [...UPLOAD_PROBLEMS, 'file-too-large', ...photos.PHOTO_PROBLEMS, 'validation-failed'] },
      schema: {
        operationId: 'uploadServiceOrderPhoto',
        tags,
        summary: 'An intake photo of the device (multipart/form-data, one field `file`: JPEG, PNG or WebP by its content, size limited). Staff only: never on the client’s page, a document or a message. The same photo twice is answered with the first copy (200)',
        params: IdParams,
        response: { 200: Photo, 201: Photo },
      },
    },
    async (req, reply) => {
      const max = deps.config.uploadMaxBytes;
      // Another organization's order (or none) is 404 before the body is read.
      await photos.listPhotos(deps.db, actorOf(req), req.params.id);
      const part = await readFilePart(req, { tooLarge: () => problem(ProofErrors, 'file-too-large', `The photo is larger than ${max} bytes`, fileField(`at most ${max} bytes`)) });
      if (!part || part.fieldname !== 'file') throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', fileField('missing'), { status: 400 });
      if (part.data.length === 0) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', fileField('empty file'), { status: 400 });
      const r = await photos.addPhoto(deps.db, deps.storage, actorOf(req), req.params.id, { filename: part.filename, data: part.data }, now());
      return reply.status(r.created ? 201 : 200).send(r.photo);
    },
  );

  app.get(
    '/api/v1/service-orders/:id/photos',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'listServiceOrderPhotos', tags, summary: "The order's intake photos (staff only)", params: IdParams, response: { 200: z.object({ items: z.array(Photo) }) } } },
    async (req) => ({ items: await photos.listPhotos(deps.db, actorOf(req), req.params.id) }),
  );

  app.get(
    '/api/v1/service-orders/:id/photos/:photoId',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getServiceOrderPhoto', tags, summary: 'One intake photo (the image, as stored)', params: IdParams.extend({ photoId: Uuid }), response: { 200: fileResponse('The photo', photos.PHOTO_TYPES) } } },
    async (req, reply) => {
      const { doc, stream } = await photos.openPhoto(deps.db, deps.storage, actorOf(req), req.params.id, req.params.photoId);
      // Sniffed at upload: shown as an image, never run as anything else.
      reply.header('content-type', doc.content_type);
      reply.header('content-disposition', `inline; filename="${doc.filename.replace(/[^\w.-]/g, '_')}"`);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', "sandbox; default-src 'none'");
      reply.header('cache-control', 'private, max-age=86400, immutable');
      return reply.send(stream);
    },
  );

  app.post(
    '/api/v1/service-orders/:id/notes',
    {
      config: { access: ALL_ROLES, problems: [...w.WORKSHOP_PROBLEMS, 'idempotency-key-reused'] },
      schema: {
        operationId: 'addServiceOrderNote',
        tags,
        summary: 'An internal note on the order (staff only: never on the order page, a document or a message)',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: z.object({ body: z.string().trim().min(1).max(4000), version: z.number().int().optional().describe('The order version you read (optional: a note never conflicts with another)') }),
        response: { 200: Workshop },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), async (tx) => {
        await w.addNoteIn(tx, actor, req.params.id, req.body, now());
        return w.workshopOf(tx, actor, req.params.id);
      }, 200);
      return reply.status(r.status).send(r.body);
    },
  );

  app.post(
    '/api/v1/service-orders/:id/messages',
    {
      config: { access: OFFICE, problems: [...CHANGE_PROBLEMS, 'idempotency-key-reused'] },
      schema: {
        operationId: 'messageServiceOrderClient',
        tags,
        summary: "A message to the client about the order, by the order's contact channel (SMS or e-mail) with the order page's link; it shows in the order's messages",
        params: IdParams,
        headers: IdempotencyHeaders,
        body: z.object({ text: z.string().trim().min(1).max(1000), version: z.number().int().optional().describe('The order version you read (optional)') }),
        response: { 200: z.object({ version: z.number().int().describe("The order's version after it"), channel: z.enum(w.CONTACT_CHANNELS).describe('The channel it goes out by') }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => w.messageClient(tx, actor, req.params.id, req.body, now()), 200);
      return reply.status(r.status).send(r.body);
    },
  );
}
