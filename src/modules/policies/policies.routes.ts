import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { MANAGERS } from '../../core/actor.ts';
import { notFound } from '../../core/errors.ts';
import { IdempotencyHeaders, IsoDate, type ZApp } from '../../server/http.ts';
import { requestHash, withIdempotency } from '../../server/idempotency.ts';
import { closeScanWorkers } from './simulate-scan.ts';
import * as svc from './policies.service.ts';

const Body = z.record(z.string(), z.unknown()).describe('One version of a policy pack without its version, effective and appliesToExisting keys (docs/policy-packs.md)');
const Draft = z.object({
  version: z.number().int().describe('Send it back when saving or publishing; 0: no draft is stored yet (the body is the version in force)'),
  baseSeq: z.number().int(),
  body: Body,
  settings: z.array(z.string()).describe('Paths of the values marked as the business’s own settings (not stated by the seed)'),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
z.globalRegistry.add(Draft, { id: 'PolicyDraft' });
const Version = z.object({
  seq: z.number().int(),
  label: z.string(),
  effective: z.string(),
  appliesToExisting: z.boolean(),
  origin: z.string(),
  publishedAt: z.string(),
  publishedBy: z.string().nullable(),
  inForce: z.boolean(),
});
z.globalRegistry.add(Version, { id: 'PolicyVersion' });
const Texts = z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() });
const Side = z.object({ covered: z.boolean(), end: z.string().nullable(), status: z.string() });
const Simulation = z.object({
  at: z.string(),
  effective: z.string(),
  appliesToExisting: z.boolean(),
  devices: z.object({ simulated: z.number(), changed: z.number(), endMoved: z.number(), nowCovered: z.number(), nowNotCovered: z.number(), partCards: z.number(), cannotEvaluate: z.number() }),
  orders: z.object({ simulated: z.number(), changed: z.number(), decisionsChanged: z.number(), deadlinesMoved: z.number() }),
  total: z.object({ deviceChanges: z.number(), orderChanges: z.number() }),
  deviceChanges: z.array(
    z.object({
      deviceId: z.string(),
      serial: z.string(),
      customerId: z.string().nullable(),
      kinds: z.array(z.enum(['end-moved', 'now-covered', 'now-not-covered', 'part-card', 'cannot-evaluate'])),
      before: Side,
      after: Side,
      parts: z.array(z.object({ item: z.string(), category: z.string(), before: z.object({ covered: z.boolean(), end: z.string().nullable() }), after: z.object({ covered: z.boolean(), end: z.string().nullable() }) })),
      reasons: z.array(z.object({ rule: z.string(), text: Texts })),
      versions: z.object({ before: z.string(), after: z.string() }),
    }),
  ),
  orderChanges: z.array(
    z.object({
      orderId: z.string(),
      number: z.string(),
      kinds: z.array(z.enum(['decision-changed', 'deadline-moved'])),
      decision: z.object({ before: z.string(), after: z.string(), reasons: z.array(z.object({ rule: z.string(), text: Texts })) }).optional(),
      deadlines: z.array(z.object({ clock: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
    }),
  ),
});
z.globalRegistry.add(Simulation, { id: 'PolicySimulation' });
const Diff = z.object({
  from: z.number().int().nullable(),
  to: z.union([z.number().int(), z.literal('draft')]),
  changes: z.array(z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })),
});
const SeqParams = z.object({ seq: z.coerce.number().int().min(1).max(1_000_000) });

const draftOut = (d: svc.DraftView) => ({ ...d, settings: svc.settingPaths(d.body) });

export async function policiesRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['policy'];
  app.addHook('onClose', closeScanWorkers);
  const now = () => deps.now?.() ?? new Date();
  app.get('/api/v1/policy/versions', { config: { access: MANAGERS, problems: ['not-found'] }, schema: { operationId: 'listPolicyVersions', tags, summary: 'The published versions of the business’s policy', response: { 200: z.object({ items: z.array(Version), hasDraft: z.boolean() }) } } }, async (req) =>
    svc.listVersions(deps.db, actorOf(req)),
  );
  app.get(
    '/api/v1/policy/versions/:seq',
    { config: { access: MANAGERS, problems: ['not-found'] }, schema: { operationId: 'getPolicyVersion', tags, summary: 'One published version with its whole body', params: SeqParams, response: { 200: Version.extend({ body: Body }) } } },
    async (req) => svc.getVersion(deps.db, actorOf(req), req.params.seq),
  );
  app.get(
    '/api/v1/policy/versions/:seq/diff',
    { config: { access: MANAGERS, problems: ['not-found'] }, schema: { operationId: 'diffPolicyVersion', tags, summary: 'What a version changed against the one before it, path by path', params: SeqParams, response: { 200: Diff } } },
    async (req) => svc.diffVersion(deps.db, actorOf(req), req.params.seq),
  );
  app.get(
    '/api/v1/policy/export',
    {
      config: { access: MANAGERS, problems: ['not-found'] },
      schema: {
        operationId: 'exportPolicy',
        tags,
        summary: 'The policy as a pack file (YAML, the format `aftercare policy validate` reads): every version, or one',
        querystring: z.object({ seq: z.coerce.number().int().min(1).max(1_000_000).optional() }),
        response: { 200: z.string().describe('application/yaml') },
      },
    },
    async (req, reply) => {
      const text = await svc.exportYaml(deps.db, actorOf(req), req.query.seq);
      return reply.type('application/yaml; charset=utf-8').header('content-disposition', 'attachment; filename="policy.yaml"').send(text);
    },
  );
  app.get('/api/v1/policy/draft', { config: { access: MANAGERS, problems: ['not-found'] }, schema: { operationId: 'getPolicyDraft', tags, summary: 'The draft (or, before one is saved, the version in force to start from)', response: { 200: Draft } } }, async (req) =>
    draftOut(await svc.getDraft(deps.db, actorOf(req))),
  );
  app.put(
    '/api/v1/policy/draft',
    {
      config: { access: MANAGERS, problems: ['not-found', 'version-conflict', 'policy-invalid'] },
      schema: {
        operationId: 'savePolicyDraft',
        tags,
        summary: 'Save the draft; refused with every problem by field (body.terms.0.duration, ...) when it is not a valid version. Nothing is published.',
        body: z.object({ version: z.number().int().min(0), body: Body }),
        response: { 200: Draft },
      },
    },
    async (req) => draftOut(await svc.saveDraft(deps.db, actorOf(req), req.body)),
  );
  app.delete('/api/v1/policy/draft', { config: { access: MANAGERS }, schema: { operationId: 'discardPolicyDraft', tags, summary: 'Discard the draft', response: { 204: z.null() } } }, async (req, reply) => {
    await svc.discardDraft(deps.db, actorOf(req));
    return reply.status(204).send(null);
  });
  app.get('/api/v1/policy/draft/diff', { config: { access: MANAGERS, problems: ['not-found'] }, schema: { operationId: 'diffPolicyDraft', tags, summary: 'What the draft changes against the latest version', response: { 200: Diff } } }, async (req) =>
    svc.diffVersion(deps.db, actorOf(req), 'draft'),
  );
  app.post(
    '/api/v1/policy/draft/import',
    {
      config: { access: MANAGERS, problems: ['not-found', 'version-conflict', 'policy-invalid'] },
      schema: {
        operationId: 'importPolicyDraft',
        tags,
        summary: 'Make a pack file (YAML or JSON) the draft: its last version, or the one named',
        body: z.object({ yaml: z.string().min(1).max(900_000), version: z.string().min(1).max(100).optional(), draftVersion: z.number().int().min(0) }),
        response: { 200: Draft },
      },
    },
    async (req) => draftOut(await svc.importYaml(deps.db, actorOf(req), req.body)),
  );
  app.post(
    '/api/v1/policy/draft/simulate',
    {
      config: { access: MANAGERS, problems: ['not-found', 'no-draft', 'policy-invalid'] },
      schema: {
        operationId: 'simulatePolicyDraft',
        tags,
        summary: 'What the draft would change for every device and every open order, before publishing (nothing is written)',
        body: z.object({ effective: IsoDate, appliesToExisting: z.boolean(), at: IsoDate.optional() }),
        querystring: z.object({
          limit: z.coerce.number().int().min(0).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
          kind: z.enum(['end-moved', 'now-covered', 'now-not-covered', 'part-card', 'cannot-evaluate']).optional(),
        }),
        response: { 200: Simulation },
      },
    },
    async (req) => {
      const { limit, offset, kind } = req.query;
      // Over a large business the device scan runs in worker threads with connections of their own.
      const { matching, ...r } = await svc.simulate(deps.db, actorOf(req), req.body, now(), { page: { kind, offset, limit }, scan: { url: deps.pool?.options.connectionString } });
      return { ...r, total: { deviceChanges: matching, orderChanges: r.orderChanges.length }, orderChanges: r.orderChanges.slice(offset, offset + limit) };
    },
  );
  app.post(
    '/api/v1/policy/publish',
    {
      config: { access: MANAGERS, problems: ['not-found', 'no-draft', 'version-conflict', 'policy-invalid', 'effective-rewrites-decisions', 'idempotency-key-reused'] },
      schema: {
        operationId: 'publishPolicy',
        tags,
        summary: 'Publish the draft as a new version (ITS-11): from its effective date, for new devices only or also for those already sold; the clients it governs are told',
        headers: IdempotencyHeaders,
        body: z.object({ draftVersion: z.number().int().min(1), effective: IsoDate, appliesToExisting: z.boolean(), label: z.string().trim().min(1).max(40).regex(/^[\w.-]+$/, 'letters, digits, dots and dashes').optional() }),
        response: { 201: z.object({ version: Version, notified: z.number().int().describe('Clients sent a notice') }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const r = await withIdempotency(deps.db, actor, req.headers['idempotency-key'], requestHash('POST', req.url, req.body), (tx) => svc.publishIn(tx, actor, req.body, now()));
      return reply.status(r.status).send(r.body);
    },
  );
  app.get(
    '/api/v1/policy/holidays',
    {
      config: { access: MANAGERS, problems: ['not-found'] },
      schema: {
        operationId: 'listNationalHolidays',
        tags,
        summary: 'The public holidays of a country and year (date-holidays), as the calendar counts them',
        querystring: z.object({ country: z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166 code like BG'), year: z.coerce.number().int().min(1970).max(2199), region: z.string().max(10).optional(), lang: z.enum(['en', 'bg', 'vi']).optional() }),
        response: { 200: z.object({ items: z.array(z.object({ date: z.string(), name: z.string() })) }) },
      },
    },
    async (req) => {
      const items = svc.holidaysOf(req.query.country.toUpperCase(), req.query.year, req.query.region, req.query.lang);
      if (!items) throw notFound(`Holidays of ${req.query.country}`);
      return { items };
    },
  );
}
