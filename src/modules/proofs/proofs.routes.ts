// Proof files of a claim: the client uploads them through the order page link; staff list and
// download them on the order. Routes: see docs/service-orders.md ("Proof files").
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { CoreErrors, notFound, problem } from '../../core/errors.ts';
import { IdParams, Uuid, type ZApp } from '../../server/http.ts';
import { fileResponse } from '../../server/openapi.ts';
import { readFilePart, UPLOAD_PROBLEMS } from '../../server/uploads.ts';
import { ALLOWED_TYPES } from '../purchases/purchases.service.ts';
import { rateLimiter } from '../../core/rate-limit.ts';
import * as orders from '../service-orders/service-orders.service.ts';
import { ProofFile } from './proofs.contract.ts';
import { ProofErrors } from './proofs.errors.ts';
import * as svc from './proofs.service.ts';
import { CLAIM_EDIT_PROBLEMS, PROOF_FILE_KINDS } from '../service-orders/service-orders.service.ts';


/** Issue 16: which proof the file is; given, it counts as shown and the decision is re-run. */
const ProofKindQuery = z.object({ proof: z.enum(PROOF_FILE_KINDS).optional().describe('Which proof this file is (invoice, receipt, warrantyCard, serviceContract): it then counts as given and the decision is re-run') });
const Token = z.object({ token: z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/) });
const gone = () => problem(CoreErrors, 'not-found', 'No order for this link or these details');
const fileField = (message: string) => ({ errors: [{ field: 'body.file', message }] });

/** The one `file` part of a multipart body, read whole (the multipart limit bounds it). */
async function readUpload(req: FastifyRequest, maxBytes: number) {
  const part = await readFilePart(req, { tooLarge: () => problem(ProofErrors, 'file-too-large', `The file is larger than ${maxBytes} bytes`, fileField(`at most ${maxBytes} bytes`)) });
  if (!part || part.fieldname !== 'file') throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', fileField('missing'), { status: 400 });
  if (part.data.length === 0) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', fileField('empty file'), { status: 400 });
  return { filename: part.filename || 'upload', contentType: part.mimetype, data: part.data };
}

function sendFile(reply: FastifyReply, doc: { content_type: string; filename: string }, stream: NodeJS.ReadableStream) {
  reply.header('content-type', doc.content_type);
  // Sent by a member of the public: downloaded, never rendered as a page of ours.
  reply.header('content-disposition', `attachment; filename="${doc.filename.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(doc.filename)}`);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "sandbox; default-src 'none'");
  return reply.send(stream);
}

export async function proofsRoutes(app: ZApp, deps: AppDeps) {
  // Uploads are the heaviest public request: a tighter limit than the order page's own.
  const uploadLimit = rateLimiter(deps.db, { name: 'proof-upload', max: 10, windowMs: 60_000 });
  const pageLimit = rateLimiter(deps.db, { name: 'proof-page', max: 60, windowMs: 60_000 });
  const proofBody = fileResponse('The file as the client sent it (always an attachment)', Object.keys(ALLOWED_TYPES));
  const staffBase = (id: string) => `/api/v1/service-orders/${id}`;

  app.post(
    '/api/v1/order-page/:token/proofs',
    {
      config: { access: 'public', problems: ['rate-limited', 'not-found', ...UPLOAD_PROBLEMS, 'file-too-large', 'unsupported-file-type', 'order-closed', 'too-many-proofs', 'policy-input-invalid'] },
      schema: {
        operationId: 'uploadOrderPageProof',
        tags: ['order page'],
        summary: 'Attach a proof (invoice, receipt, warranty card) to the claim: multipart/form-data with one field `file` (PDF, PNG, JPEG or WebP, size limited; rate-limited)',
        params: Token,
        querystring: ProofKindQuery,
        response: { 200: ProofFile, 201: ProofFile },
      },
    },
    async (req, reply) => {
      await uploadLimit(req.ip);
      const o = await orders.byToken(deps, req.params.token);
      if (!o) throw gone();
      const file = await readUpload(req, deps.config.uploadMaxBytes);
      const r = await svc.addProof(deps.db, deps.storage, orders.clientActor(o.organization_id), o, file, `/api/v1/order-page/${req.params.token}`, req.query.proof, deps.now?.() ?? new Date());
      return reply.status(r.created ? 201 : 200).send(r.proof);
    },
  );

  app.post(
    '/api/v1/service-orders/:id/proofs',
    {
      config: { access: OFFICE, problems: [...UPLOAD_PROBLEMS, 'file-too-large', 'unsupported-file-type', 'order-closed', 'too-many-proofs', ...CLAIM_EDIT_PROBLEMS] },
      schema: {
        operationId: 'uploadServiceOrderProof',
        tags: ['service orders'],
        summary: 'Staff attach a proof the client brought (multipart/form-data, one field `file`); with `proof` it counts as given, "missing" is recomputed and the decision re-run (the same file twice is answered with the first copy, 200)',
        params: IdParams,
        querystring: ProofKindQuery,
        response: { 200: ProofFile, 201: ProofFile },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const o = await orders.orderRow(deps.db, actor.organizationId, req.params.id);
      if (!o) throw notFound('Service order');
      const file = await readUpload(req, deps.config.uploadMaxBytes);
      const r = await svc.addProof(deps.db, deps.storage, actor, o, file, staffBase(o.id), req.query.proof, deps.now?.() ?? new Date());
      return reply.status(r.created ? 201 : 200).send(r.proof);
    },
  );

  app.get(
    '/api/v1/order-page/:token/proofs/:proofId',
    { config: { access: 'public', problems: ['rate-limited', 'not-found'] }, schema: { operationId: 'downloadOrderPageProof', tags: ['order page'], summary: 'A proof file of this order, for the client', params: Token.extend({ proofId: Uuid }), response: { 200: proofBody } } },
    async (req, reply) => {
      await pageLimit(req.ip);
      const o = await orders.byToken(deps, req.params.token);
      if (!o) throw gone();
      const { doc, stream } = await svc.openProof(deps.db, deps.storage, o.organization_id, o.id, req.params.proofId);
      return sendFile(reply, doc, stream);
    },
  );

  app.get(
    '/api/v1/service-orders/:id/proofs',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'listServiceOrderProofs', tags: ['service orders'], summary: "The order's proof files (sent with the claim)", params: IdParams, response: { 200: z.object({ items: z.array(ProofFile) }) } } },
    async (req) => {
      const actor = actorOf(req);
      const o = await orders.orderRow(deps.db, actor.organizationId, req.params.id);
      if (!o) throw notFound('Service order');
      return { items: await svc.listProofs(deps.db, actor.organizationId, o.id, staffBase(o.id)) };
    },
  );

  app.get(
    '/api/v1/service-orders/:id/proofs/:proofId',
    { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'downloadServiceOrderProof', tags: ['service orders'], summary: 'Download one proof file of the order', params: IdParams.extend({ proofId: Uuid }), response: { 200: proofBody } } },
    async (req, reply) => {
      const actor = actorOf(req);
      const { doc, stream } = await svc.openProof(deps.db, deps.storage, actor.organizationId, req.params.id, req.params.proofId);
      return sendFile(reply, doc, stream);
    },
  );
}
