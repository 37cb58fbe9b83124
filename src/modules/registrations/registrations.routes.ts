// Device registrations (ITS-5, ITS-6): the client's routes under /api/v1/client (their session
// cookie) and the staff's under /api/v1/registrations. See docs/registrations-and-plans.md.
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import { IdParams, IsoDate, PageQuery, type ZApp } from '../../server/http.ts';
import { fileResponse } from '../../server/openapi.ts';
import { UPLOADED_FILE_CSP } from '../../server/security.ts';
import { readFilePart, UPLOAD_PROBLEMS } from '../../server/uploads.ts';
import { ClientAccountErrors } from '../client-account/client-account.errors.ts';
import { clientOf, CLIENT_COOKIE } from '../client-account/client-account.service.ts';
import { ALLOWED_TYPES } from '../purchases/purchases.service.ts';
import { stripeEnabled } from '../stripe/stripe.service.ts';
import { REGISTRATION_STATES } from './state-machine.ts';
import * as svc from './registrations.service.ts';

const Texts = z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() });
export const Registration = z.object({
  id: z.string(),
  number: z.string(),
  state: z.enum(REGISTRATION_STATES),
  channel: z.string(),
  device: z.object({ id: z.string(), serial: z.string(), manufacturer: z.string(), model: z.string().nullable() }),
  customer: z.object({ id: z.string(), name: z.string(), email: z.string().nullable() }),
  serviceEvent: z.string().describe('installation, activation or repair-completed: the service whose date the client gave'),
  serviceDate: z.string(),
  document: z.object({ type: z.string(), filename: z.string().nullable(), contentType: z.string().nullable(), sizeBytes: z.number().nullable() }),
  feeMinor: z.number().int(),
  currency: z.string(),
  paymentMethod: z.string().nullable().describe('stripe, cash or card-terminal once paid'),
  paidAt: z.string().nullable(),
  proofs: z.record(z.string(), z.boolean()).describe('The claim proofs the registration gives while it is paid (ITS-5, ITS-6)'),
  refusalReason: z.string().nullable(),
  refundFailure: z.object({ reason: z.string().describe("Stripe's failure_reason (expired_or_canceled_card, declined, ...), canceled, or Stripe's error code"), at: z.string() }).nullable().describe("A refund of the fee Stripe did not make (refund.failed); the registration keeps its state"),
  rule: z.string(),
  policyVersion: z.string(),
  allowedActions: z.array(z.enum(['record-payment', 'refuse'])),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
z.globalRegistry.add(Registration, { id: 'Registration' });

const Terms = z
  .object({
    rule: z.string(),
    feeMinor: z.number().int(),
    currency: z.string(),
    serviceEvents: z.array(z.string()),
    documents: z.array(z.object({ type: z.string(), proof: z.string(), rule: z.string() })),
    proves: z.array(z.string()),
    text: Texts,
    policyVersion: z.string(),
  })
  .nullable()
  .describe("What the business asks (its pack's `registration`); null when it takes no registrations");

const fileField = (message: string) => ({ errors: [{ field: 'body.file', message }] });

export async function registrationsRoutes(app: ZApp, deps: AppDeps) {
  const now = () => (deps.now ?? (() => new Date()))();
  const client = async (req: { cookies?: Record<string, string | undefined> }) => {
    const c = await clientOf(deps.db, req.cookies?.[CLIENT_COOKIE], now());
    if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
    return c;
  };
  const ctags = ['client account'];
  const tags = ['registrations'];

  app.get(
    '/api/v1/client/registrations',
    {
      config: { access: 'public', problems: ['client-not-signed-in'] },
      schema: { operationId: 'listClientRegistrations', tags: ctags, summary: "The signed-in client's device registrations, and what a registration takes (ITS-5)", response: { 200: z.object({ terms: Terms, onlinePayment: z.boolean(), items: z.array(Registration) }) } },
    },
    async (req) => ({ ...(await svc.listForClient(deps.db, await client(req), now())), onlinePayment: stripeEnabled(deps.config) }),
  );

  app.post(
    '/api/v1/client/registrations',
    {
      config: { access: 'public', problems: ['client-not-signed-in', ...svc.CREATE_PROBLEMS] },
      schema: {
        operationId: 'createClientRegistration',
        tags: ctags,
        summary: 'Register a device of your account: its serial, the installation or repair date and the kind of document (ITS-5); then upload the document and pay the fee. A pending registration of the same device is answered again (200).',
        body: z.object({ serial: z.string().trim().min(1).max(200), serviceEvent: z.string().min(1).max(40), serviceDate: IsoDate, documentType: z.string().min(1).max(40) }),
        response: { 200: Registration, 201: Registration },
      },
    },
    async (req, reply) => {
      const r = await svc.createForClient(deps.db, await client(req), req.body, now());
      return reply.status(r.created ? 201 : 200).send(r.registration);
    },
  );

  app.post(
    '/api/v1/client/registrations/:id/document',
    {
      config: { access: 'public', problems: ['client-not-signed-in', ...UPLOAD_PROBLEMS, 'req-file-too-large', ...svc.DOCUMENT_PROBLEMS] },
      schema: { operationId: 'uploadClientRegistrationDocument', tags: ctags, summary: 'The invoice or service contract (ITS-6): multipart/form-data with one field `file` (PDF, PNG, JPEG or WebP)', params: IdParams, response: { 200: Registration } },
    },
    async (req) => {
      const c = await client(req);
      const part = await readFilePart(req, { tooLarge: () => problem(CoreErrors, 'req-file-too-large', `The file is larger than ${deps.config.uploadMaxBytes} bytes`, fileField('too large')) });
      if (!part || part.data.length === 0) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', fileField('missing'), { status: 400 });
      return svc.attachDocument(deps.db, deps.storage, c, req.params.id, { filename: part.filename || 'document', contentType: part.mimetype, data: part.data }, now());
    },
  );

  app.post(
    '/api/v1/client/registrations/:id/checkout',
    {
      config: { access: 'public', problems: ['client-not-signed-in', ...svc.CLIENT_CHECKOUT_PROBLEMS] },
      schema: { operationId: 'createClientRegistrationCheckout', tags: ctags, summary: "Pay the registration fee online: a Stripe Checkout page's address (the same one for a retry); the registration becomes valid when Stripe confirms the payment", params: IdParams, response: { 200: z.object({ url: z.string(), sessionId: z.string(), checkoutId: z.string() }) } },
    },
    async (req) => {
      const c = await client(req);
      const org = await deps.db.selectFrom('organizations').select('slug').where('id', '=', c.organization_id).executeTakeFirstOrThrow();
      const base = deps.config.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;
      return svc.startCheckout(deps, c, req.params.id, { base, slug: org.slug });
    },
  );

  app.get(
    '/api/v1/registrations',
    {
      config: { access: ALL_ROLES },
      schema: {
        operationId: 'listRegistrations',
        tags,
        summary: 'Device registrations, newest first, by state (pending, paid, refused, expired, refunded), with the count per state',
        querystring: PageQuery.extend({ state: z.enum(REGISTRATION_STATES).optional() }),
        response: { 200: z.object({ items: z.array(Registration), nextCursor: z.string().nullable(), counts: z.record(z.string(), z.number()) }) },
      },
    },
    async (req) => svc.list(deps.db, actorOf(req), req.query),
  );

  app.get(
    '/api/v1/registrations/:id',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getRegistration', tags, summary: 'One device registration', params: IdParams, response: { 200: Registration } } },
    async (req) => svc.get(deps.db, actorOf(req), req.params.id),
  );

  app.post(
    '/api/v1/registrations/:id/actions',
    {
      config: { access: OFFICE, problems: [...svc.ACT_PROBLEMS] },
      schema: {
        operationId: 'performRegistrationAction',
        tags,
        summary: 'Record the fee paid at the counter, or refuse the registration (a fee paid online is refunded through Stripe)',
        params: IdParams,
        body: z.discriminatedUnion('action', [
          z.object({ action: z.literal('record-payment'), method: z.enum(['cash', 'card-terminal']), version: z.number().int() }),
          z.object({ action: z.literal('refuse'), reason: z.string().trim().min(1).max(500), version: z.number().int() }),
        ]),
        response: { 200: Registration },
      },
    },
    async (req) => svc.act(deps, actorOf(req), req.params.id, req.body),
  );

  app.get(
    '/api/v1/registrations/:id/document',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'downloadRegistrationDocument', tags, summary: "The registration's invoice or service contract", params: IdParams, response: { 200: fileResponse('The file as the client sent it (always an attachment)', Object.keys(ALLOWED_TYPES)) } } },
    async (req, reply) => {
      const { doc, stream } = await svc.openDocument(deps.db, deps.storage, actorOf(req), req.params.id);
      reply.header('content-type', doc.content_type);
      reply.header('content-disposition', `attachment; filename="${doc.filename.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(doc.filename)}`);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', UPLOADED_FILE_CSP);
      return reply.send(stream);
    },
  );
}
