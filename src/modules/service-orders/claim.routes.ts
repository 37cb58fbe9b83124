// Issue 16: completing a claim after intake, and what the diagnosis form asks for, from the
// business's policy (never from which business it is).
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, OFFICE } from '../../core/actor.ts';
import { notFound } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { IdempotencyHeaders, IdParams, type ZApp } from '../../server/http.ts';
import { versionAt } from '../../policy/index.ts';
import * as devicesRepo from '../devices/devices.repository.ts';
import { changeReceivedAtIn, CLAIM_EDIT_PROBLEMS, completeClaim, DETAIL_FIELDS, PROOF_FIELDS, RECEIVED_AT_PROBLEMS } from './claim.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { ServiceOrder } from './service-orders.schemas.ts';
import * as repo from './repository.ts';

const Detail = z.string().trim().max(1000).nullable();
const ClaimEditBody = z
  .object({
    version: z.number().int(),
    details: z.object(Object.fromEntries(DETAIL_FIELDS.map((k) => [k, Detail.optional()])) as Record<(typeof DETAIL_FIELDS)[number], z.ZodOptional<typeof Detail>>).strict().optional().describe('ITEMA-27 / ITS-7: a value sets the detail, null clears it'),
    proofs: z.object(Object.fromEntries(PROOF_FIELDS.map((k) => [k, z.boolean().nullable().optional()])) as Record<(typeof PROOF_FIELDS)[number], z.ZodOptional<z.ZodNullable<z.ZodBoolean>>>).strict().optional().describe('ITS-5 / ITS-6 / ITEMA-10: true given, false "there is none", null not known'),
  })
  .strict();

/** The claim as completed: what the edit changed and the decision re-run on it (the whole order: GET /api/v1/service-orders/{id}). */
export const ClaimState = z.object({
  id: z.string(),
  number: z.string(),
  state: z.string(),
  details: z.record(z.string(), z.string()),
  proofs: z.record(z.string(), z.boolean()),
  missing: z.array(z.object({ field: z.string(), rule: z.string() })),
  decision: z.record(z.string(), z.unknown()).nullable(),
  decisionFinal: z.boolean(),
  underWarranty: z.boolean().nullable(),
  version: z.number().int(),
});
z.globalRegistry.add(ClaimState, { id: 'ClaimState' });

export const DiagnosisForm = z.object({
  insignificant: z.object({ rule: z.string() }).nullable().describe('Offered where the policy has a right to terminate or a refund after repairs (ITEMA-32): an insignificant fault gives neither'),
  deadPixels: z
    .object({ rule: z.string(), types: z.array(z.string()), limits: z.record(z.string(), z.number()) })
    .nullable()
    .describe("Offered where the policy judges dead pixels (ITEMA-16) and the device's category is one it judges"),
  country: z.object({ home: z.string(), rule: z.string().nullable() }).nullable().describe('Offered where the policy applies in one country (ITEMA-5)'),
  parts: z
    .array(z.object({ id: z.string(), category: z.string(), categoryNames: z.record(z.string(), z.string()).nullable().describe("The category's names per language in the business's policy (null: the policy names it not)"), term: z.string().nullable() }))
    .describe('The parts on record a claim may be about (ITEMA-7, ITM-10)'),
});
z.globalRegistry.add(DiagnosisForm, { id: 'DiagnosisForm' });

export async function claimRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['service orders'];
  const now = () => deps.now?.() ?? new Date();
  app.patch(
    '/api/v1/service-orders/:id/claim',
    {
      config: { access: OFFICE, problems: [...CLAIM_EDIT_PROBLEMS] },
      schema: {
        operationId: 'completeServiceOrderClaim',
        tags,
        summary: 'Complete or correct the claim on an open order: its details (ITEMA-27) and proofs (ITS-5, ITS-6); "missing" is recomputed and the decision re-run (the audit keeps the previous and the new decision). Send the version you read (409 if it changed)',
        params: IdParams,
        body: ClaimEditBody,
        response: { 200: ClaimState },
      },
    },
    async (req) => completeClaim(deps.db, actorOf(req), req.params.id, req.body, now()),
  );
  app.put(
    '/api/v1/service-orders/:id/received-at',
    {
      config: { access: OFFICE, problems: [...RECEIVED_AT_PROBLEMS] },
      schema: {
        operationId: 'changeServiceOrderReceivedAt',
        tags,
        summary:
          'When the claim actually reached the business, corrected on an open order (a call or an e-mail entered later, issue 11): the claim date and the clocks the receipt started run from it (pauses kept, due and at-risk recomputed), the decision is re-run, the audit keeps the old and the new moment. Not in the future, not after the order was entered, at most 30 days before it, not before the purchase. Send the version you read (409 if it changed)',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: z.object({ receivedAt: z.string().min(1).max(40).describe('An ISO instant, e.g. 2026-03-02T09:00:00Z'), version: z.number().int() }).strict(),
        response: { 200: ServiceOrder },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('PUT', req.url, req.body), (tx) => changeReceivedAtIn(tx, actor, req.params.id, req.body, now()), 200);
      return reply.status(r.status).send(r.body);
    },
  );
  app.get(
    '/api/v1/service-orders/:id/diagnosis-form',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      schema: { operationId: 'getDiagnosisForm', tags, summary: "What the diagnosis form asks for this order, from the business's policy: dead pixels, country of use, the part, an insignificant fault", params: IdParams, response: { 200: DiagnosisForm } },
    },
    async (req) => {
      const actor = actorOf(req);
      const o = await repo.getOrder(deps.db, actor.organizationId, req.params.id);
      if (!o) throw notFound('Service order');
      const { pack } = await orgAndPack(deps.db, actor.organizationId);
      const raw = versionAt(pack, now().toISOString()).raw;
      const device = o.device_id ? await devicesRepo.get(deps.db, actor.organizationId, o.device_id) : undefined;
      const parts = device ? await devicesRepo.partsOf(deps.db, actor.organizationId, [device.id]) : [];
      const pp = raw.pixelPolicy;
      const rights = raw.consumerRights;
      const insignificantRule = rights?.refundAfterRepairs?.rule ?? rights?.noFixWithin?.rules[0];
      return {
        insignificant: insignificantRule ? { rule: insignificantRule } : null,
        deadPixels: pp && (!device || pp.categories.includes(device.category) || parts.some((p) => pp.categories.includes(p.category))) ? { rule: pp.rule, types: Object.keys(pp.limits), limits: pp.limits } : null,
        country: raw.settings.country ? { home: raw.settings.country, rule: raw.settings.countryRule ?? null } : null,
        parts: parts.map((p) => ({ id: p.part_key, category: p.category, categoryNames: raw.categories?.[p.category]?.names ?? null, term: p.term })),
      };
    },
  );
}
