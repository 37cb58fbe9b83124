import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES, MANAGERS, OWNER, ROLES } from '../../core/actor.ts';
import { Currency, IdParams, type ZApp } from '../../server/http.ts';
import * as svc from './organizations.service.ts';
import { SESSION_COOKIE } from '../../server/auth.ts';
import { signIn } from '../auth/auth.service.ts';
import { SetupBody, setUpFirstBusiness, setupNeeded } from './first-run.service.ts';
import { SetupError } from './setup.service.ts';
import { problem, CoreErrors } from '../../core/errors.ts';

const Organization = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  packId: z.string().describe('The template its policy started from (its, itmall, service-center, vn, itema, blank); the policy itself is the business’s own (GET /api/v1/policy/versions)'),
  country: z.string().nullable().describe('ISO 3166 country: national holidays and the warranty’s territory'),
  policyRev: z.number().int().describe('Publications of the policy so far'),
  timeZone: z.string(),
  currency: z.string(),
  languages: z.array(z.string()),
  version: z.number().int(),
});
z.globalRegistry.add(Organization, { id: 'Organization' });
const Location = z.object({ id: z.string(), name: z.string(), address: z.string().nullable(), phone: z.string().nullable(), openingHours: z.string().nullable(), version: z.number().int() });
z.globalRegistry.add(Location, { id: 'Location' });
const StaffUser = z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.enum(ROLES), disabled: z.boolean(), version: z.number().int() });
z.globalRegistry.add(StaffUser, { id: 'StaffUser' });
const Texts = z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() });
const PolicyPackInForce = z.object({
  packId: z.string(),
  name: Texts,
  version: z.string().describe('The version in force today'),
  effective: z.string().describe('The date that version took effect'),
  at: z.string().describe('Today in the organization’s time zone'),
  languages: z.array(z.string()).describe('The pack’s languages'),
  versions: z.array(z.object({ version: z.string(), effective: z.string(), inForce: z.boolean() })),
  rules: z.array(
    z.object({
      id: z.string(),
      text: Texts,
      uses: z.array(z.object({ kind: z.enum(['term', 'clock']), id: z.string(), duration: z.string(), text: Texts.optional() })),
    }),
  ),
});
z.globalRegistry.add(PolicyPackInForce, { id: 'PolicyPackInForce' });
const TimeZone = z.string().refine(svc.isTimeZone, 'is not an IANA time zone such as Europe/Sofia');

export async function organizationsRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['organization'];
  app.get('/api/v1/organization', { config: { access: ALL_ROLES, problems: ['not-found'] }, schema: { operationId: 'getOrganization', tags, summary: 'The signed-in organization', response: { 200: Organization } } }, async (req) =>
    svc.getCurrent(deps.db, actorOf(req)),
  );
  app.get(
    '/api/v1/organization/policy-pack',
    { config: { access: MANAGERS, problems: ['not-found'] }, schema: { operationId: 'getPolicyPack', tags, summary: 'The policy pack in force: its version and every rule with its text', response: { 200: PolicyPackInForce } } },
    async (req) => svc.policyPack(deps.db, actorOf(req)),
  );
  app.get(
    '/api/v1/organization/findings',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      schema: {
        operationId: 'listDiagnosisFindings',
        tags,
        summary: 'The findings a technician can record at diagnosis: the pack’s exclusions with their rule, effect and text',
        querystring: z.object({ lang: z.enum(['en', 'bg', 'vi']).optional() }),
        response: {
          200: z.object({
            policyVersion: z.string(),
            items: z.array(z.object({ code: z.string(), rule: z.string(), effect: z.enum(['not-covered', 'void', 'paid']), text: z.string() })),
          }),
        },
      },
    },
    async (req) => svc.findings(deps.db, actorOf(req), req.query.lang),
  );
  app.patch(
    '/api/v1/organization',
    {
      config: { access: OWNER, problems: ['not-found', 'version-conflict'] },
      schema: {
        operationId: 'updateOrganization',
        tags,
        summary: 'Change the organization (send the version you read; 409 if it changed since)',
        body: z.object({
          version: z.number().int(),
          name: z.string().min(1).max(200).optional(),
          country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 code such as BG').nullish(),
          timeZone: TimeZone.optional(),
          currency: Currency.optional(),
          languages: z.array(z.enum(['en', 'bg', 'vi'])).min(1).optional(),
        }),
        response: { 200: Organization },
      },
    },
    async (req) => svc.updateCurrent(deps.db, actorOf(req), req.body),
  );

  app.get('/api/v1/locations', { config: { access: ALL_ROLES }, schema: { operationId: 'listLocations', tags, summary: 'Locations', response: { 200: z.object({ items: z.array(Location) }) } } }, async (req) => ({
    items: await svc.listLocations(deps.db, actorOf(req)),
  }));
  app.post(
    '/api/v1/locations',
    {
      config: { access: MANAGERS },
      schema: {
        operationId: 'createLocation',
        tags,
        summary: 'Add a location',
        body: z.object({ name: z.string().min(1).max(200), address: z.string().max(500).nullish(), phone: z.string().max(50).nullish(), openingHours: z.string().max(300).nullish() }),
        response: { 201: Location },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.createLocation(deps.db, actorOf(req), req.body)),
  );
  app.patch(
    '/api/v1/locations/:id',
    {
      config: { access: MANAGERS, problems: ['not-found', 'version-conflict'] },
      schema: {
        operationId: 'updateLocation',
        tags,
        summary: 'Change a location',
        params: IdParams,
        body: z.object({ version: z.number().int(), name: z.string().min(1).max(200).optional(), address: z.string().max(500).nullish(), phone: z.string().max(50).nullish(), openingHours: z.string().max(300).nullish() }),
        response: { 200: Location },
      },
    },
    async (req) => svc.updateLocation(deps.db, actorOf(req), req.params.id, req.body),
  );

  app.get('/api/v1/staff-users', { config: { access: MANAGERS }, schema: { operationId: 'listStaffUsers', tags, summary: 'Staff users', response: { 200: z.object({ items: z.array(StaffUser) }) } } }, async (req) => ({
    items: await svc.listStaff(deps.db, actorOf(req)),
  }));
  app.post(
    '/api/v1/staff-users',
    {
      config: { access: OWNER, problems: ['email-taken', 'already-exists'] },
      schema: {
        operationId: 'createStaffUser',
        tags,
        summary: 'Add a staff user',
        body: z.object({ name: z.string().min(1).max(200), email: z.email(), role: z.enum(ROLES), password: z.string().min(10, 'must be at least 10 characters').max(1000) }),
        response: { 201: StaffUser },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.createStaff(deps.db, actorOf(req), req.body)),
  );
  app.patch(
    '/api/v1/staff-users/:id',
    {
      config: { access: MANAGERS, problems: ['not-found', 'version-conflict', 'owner-only', 'last-owner'] },
      schema: {
        operationId: 'updateStaffUser',
        tags,
        summary: 'Change a staff user: role, name, deactivate (their sessions and API keys stop at once) or reactivate, reset the password',
        params: IdParams,
        body: z.object({
          version: z.number().int(),
          name: z.string().min(1).max(200).optional(),
          role: z.enum(ROLES).optional(),
          disabled: z.boolean().optional(),
          password: z.string().min(10, 'must be at least 10 characters').max(1000).optional(),
        }),
        response: { 200: StaffUser },
      },
    },
    async (req) => svc.updateStaff(deps.db, actorOf(req), req.params.id, req.body),
  );

  // The first-run set-up (issue 11, docs/operations.md): only while no organization exists, and only
  // with the one-time token `aftercare start` prints.
  app.get(
    '/api/v1/setup',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getSetupStatus',
        tags,
        summary: 'Whether the first business is still to be set up (no organization exists yet)',
        description: 'Says nothing but whether any organization exists: the console shows its first-run set-up screen instead of the sign-in while `needed` is true.',
        response: { 200: z.object({ needed: z.boolean() }) },
      },
    },
    async () => ({ needed: await setupNeeded(deps.db) }),
  );
  app.post(
    '/api/v1/setup',
    {
      config: { access: 'public', problems: ['validation-failed', 'setup-token-invalid', 'already-set-up', 'too-many-attempts'] },
      schema: {
        operationId: 'setUpFirstBusiness',
        tags,
        summary: 'Create the first business (as `aftercare org create` does) and sign its owner in',
        description:
          'Only while no organization exists (409 `already-set-up` after) and with the one-time token `aftercare start` printed on the server\'s output (422 `setup-token-invalid` naming `body.token`). ' +
          'The business, its first owner, its locations and its policy from a template (its, itmall, service-center, vn, itema, blank) in one transaction, exactly as `aftercare org create`; ' +
          'a bad or taken value is refused by field (422 `validation-failed`, `errors[].code`: `taken`, `too_small`, `invalid_format`, `invalid_value`, `custom`, `required`) and nothing is written. ' +
          'The token is consumed by the business it creates (a retry gets 409). On success the owner is signed in: the answer is the sign-in\'s, with its HttpOnly session cookie.',
        body: SetupBody,
        response: {
          201: z.object({
            user: z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.enum(ROLES), organizationId: z.string() }),
            organization: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
            expiresAt: z.string(),
          }),
        },
      },
    },
    async (req, reply) => {
      let created;
      try {
        created = await setUpFirstBusiness(deps.db, req.body);
      } catch (e) {
        if (e instanceof SetupError)
          throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: e.issues.map((i) => ({ field: `body.${i.field}`, message: i.message, code: i.code })) }, { status: 422 });
        throw e;
      }
      const r = await signIn(deps.db, { ...created.owner, ip: req.ip }, { ttlHours: deps.config.sessionTtlHours, limits: deps.config.signInLimits });
      reply.setCookie(SESSION_COOKIE, r.token, { httpOnly: true, secure: deps.config.cookieSecure, sameSite: 'strict', path: '/', expires: r.expiresAt });
      return reply.status(201).send({ user: r.user, organization: r.organization, expiresAt: r.expiresAt.toISOString() });
    },
  );
}
