import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { problem } from '../../core/errors.ts';
import { type ZApp } from '../../server/http.ts';
import { rateLimiter } from '../../core/rate-limit.ts';
import { ClientAccountErrors } from './client-account.errors.ts';
import * as svc from './client-account.service.ts';

const Lang = z.enum(['en', 'bg', 'vi']);
const Order = z.object({ number: z.string(), state: z.string(), problem: z.string(), claimDate: z.string() });
const ClientAccount = z.object({
  organization: z.object({ name: z.string(), slug: z.string() }),
  email: z.string(),
  name: z.string().nullable(),
  devices: z.array(
    z.object({
      id: z.string(),
      serial: z.string(),
      manufacturer: z.string(),
      model: z.string().nullable(),
      category: z.string(),
      warranty: z.object({
        at: z.string(),
        covered: z.boolean(),
        explanation: z.array(z.string()),
        status: z.string(),
        end: z.string().nullable(),
        requirements: z
          .array(z.object({ anyOf: z.array(z.string()), rule: z.string(), text: z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() }), satisfied: z.boolean() }))
          .describe('The proofs a claim needs (ITS-5, ITS-6), each satisfied or not by those on record (a valid device registration)'),
        coverage: z.record(z.string(), z.unknown()).describe('The engine’s coverage report, as in the warranty lookup'),
      }),
      orders: z.array(Order),
    }),
  ),
  otherOrders: z.array(Order).describe('Orders with no device on record'),
});
z.globalRegistry.add(ClientAccount, { id: 'ClientAccount' });

export async function clientAccountRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['client account'];
  // Per address and per e-mail: bounds both mail bombing one client and probing many addresses.
  const perIp = rateLimiter(deps.db, { name: 'client-link-ip', max: 10, windowMs: 10 * 60_000 });
  const perEmail = rateLimiter(deps.db, { name: 'client-link-email', max: 3, windowMs: 10 * 60_000 });
  const openLimit = rateLimiter(deps.db, { name: 'client-link-open', max: 30, windowMs: 60_000 });
  const cookie = (req: { cookies?: Record<string, string | undefined> }) => req.cookies?.[svc.CLIENT_COOKIE];

  app.post(
    '/api/v1/client/sign-in-link',
    {
      config: { access: 'public', problems: ['rate-limited'] },
      schema: {
        operationId: 'requestClientSignInLink',
        tags,
        summary: 'E-mail a one-time sign-in link to a client of the business (answers the same whether or not the address is known)',
        body: z.object({ organization: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'is not a business id like itema-pg'), email: z.email().max(320), lang: Lang.optional() }),
        response: { 202: z.object({ sent: z.literal(true), message: z.string() }) },
      },
    },
    async (req, reply) => {
      await perIp(req.ip);
      await perEmail(`${req.body.organization}:${req.body.email.trim().toLowerCase()}`);
      await svc.requestLink(deps.db, req.body);
      return reply.status(202).send({ sent: true, message: 'If this address is known to the business, a sign-in link is on its way.' });
    },
  );

  app.post(
    '/api/v1/client/session',
    {
      config: { access: 'public', problems: ['rate-limited', 'invalid-sign-in-link'] },
      schema: {
        operationId: 'createClientSession',
        tags,
        summary: "Open a sign-in link: exchange its token for the client's session cookie (single use)",
        body: z.object({ token: z.string().min(20).max(200) }),
        response: { 200: z.object({ expiresAt: z.string() }) },
      },
    },
    async (req, reply) => {
      await openLimit(req.ip);
      const r = await svc.openLink(deps.db, req.body.token);
      reply.setCookie(svc.CLIENT_COOKIE, r.session, { httpOnly: true, secure: deps.config.cookieSecure, sameSite: 'strict', path: '/api/v1/client', expires: r.expiresAt });
      return { expiresAt: r.expiresAt.toISOString() };
    },
  );

  app.get(
    '/api/v1/client/account',
    {
      config: { access: 'public', problems: ['client-not-signed-in', 'policy-input-invalid'] },
      schema: { operationId: 'getClientAccount', tags, summary: "The signed-in client's devices, each with its warranty and service history", querystring: z.object({ lang: Lang.optional() }), response: { 200: ClientAccount } },
    },
    async (req) => {
      const c = await svc.clientOf(deps.db, cookie(req));
      if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
      return svc.account(deps.db, c, req.query.lang ?? 'en');
    },
  );

  const now = () => deps.now?.() ?? new Date();
  const ClaimToLink = z.object({ number: z.string(), state: z.string(), problem: z.string(), claimDate: z.string(), serial: z.string().nullable().describe('The serial the claim was sent with') });
  app.get(
    '/api/v1/client/claims',
    {
      config: { access: 'public', problems: ['client-not-signed-in'] },
      schema: {
        operationId: 'listClientClaimsToLink',
        tags,
        summary: "The signed-in client's claims from the public web form, sent with their e-mail address, that wait to be linked to their record (issue 15)",
        response: { 200: z.object({ items: z.array(ClaimToLink) }) },
      },
    },
    async (req) => {
      const c = await svc.clientOf(deps.db, cookie(req));
      if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
      return { items: await svc.claimsToLink(deps.db, c) };
    },
  );

  app.post(
    '/api/v1/client/claims/:number/link',
    {
      config: { access: 'public', problems: ['client-not-signed-in', 'not-found', 'unknown-reference', 'version-conflict', 'not-awaiting-link', 'policy-input-invalid'] },
      schema: {
        operationId: 'linkClientClaim',
        tags,
        summary:
          'The signed-in client links a claim of theirs from the web form to their own record (the e-mail proved by the sign-in link): to their customer record and to their device with the serial sent, or the one given; then the engine decides',
        params: z.object({ number: z.string().min(1).max(40) }),
        body: z.object({ deviceId: z.uuid().optional().describe('One of your devices; default: yours with the serial the claim was sent with, if any') }),
        response: { 200: z.object({ number: z.string(), state: z.string(), linked: z.literal(true), device: z.string().nullable().describe('The serial of the device linked, if any') }) },
      },
    },
    async (req) => {
      const c = await svc.clientOf(deps.db, cookie(req));
      if (!c) throw problem(ClientAccountErrors, 'client-not-signed-in', 'Sign in with the link we e-mail you');
      return svc.linkOwnClaim(deps.db, c, req.params.number, req.body, now());
    },
  );

  app.post(
    '/api/v1/client/sign-out',
    { config: { access: 'public' }, schema: { operationId: 'signOutClient', tags, summary: 'End the client session', response: { 204: z.null() } } },
    async (req, reply) => {
      await svc.signOut(deps.db, cookie(req));
      reply.clearCookie(svc.CLIENT_COOKIE, { path: '/api/v1/client' });
      return reply.status(204).send(null);
    },
  );
}
