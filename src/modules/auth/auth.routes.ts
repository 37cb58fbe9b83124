import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf, SESSION_COOKIE } from '../../server/auth.ts';
import { ALL_ROLES, MANAGERS, ROLES } from '../../core/actor.ts';
import { IdParams, type ZApp } from '../../server/http.ts';
import { createApiKey, listApiKeys, revokeApiKey, signIn, signOut } from './auth.service.ts';

const RoleSchema = z.enum(ROLES);
const Me = z.object({
  user: z.object({ id: z.string(), name: z.string(), role: RoleSchema, type: z.enum(['staff', 'api-key', 'system']) }),
  organizationId: z.string(),
});
const ApiKey = z.object({ id: z.string(), name: z.string(), role: RoleSchema, prefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });
z.globalRegistry.add(ApiKey, { id: 'ApiKey' });

export async function authRoutes(app: ZApp, deps: AppDeps) {
  app.post(
    '/api/v1/auth/sign-in',
    {
      config: { access: 'public', problems: ['invalid-credentials', 'too-many-attempts'] },
      schema: {
        operationId: 'signIn',
        tags: ['auth'],
        summary: 'Sign in with e-mail and password; sets an HttpOnly session cookie',
        description:
          'After too many failed sign-ins for one e-mail address (or from one client address) within a window, further attempts ' +
          'get 429 `too-many-attempts` with a Retry-After header, without the password being checked, until the window ends ' +
          '(SIGN_IN_MAX_FAILURES_PER_EMAIL, SIGN_IN_MAX_FAILURES_PER_IP, SIGN_IN_WINDOW_MINUTES). A successful sign-in clears the count of its e-mail address.',
        body: z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1000) }),
        response: {
          200: z.object({
            user: z.object({ id: z.string(), name: z.string(), email: z.string(), role: RoleSchema, organizationId: z.string() }),
            organization: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
            expiresAt: z.string(),
          }),
        },
      },
    },
    async (req, reply) => {
      const r = await signIn(deps.db, { ...req.body, ip: req.ip }, { ttlHours: deps.config.sessionTtlHours, limits: deps.config.signInLimits });
      reply.setCookie(SESSION_COOKIE, r.token, {
        httpOnly: true,
        secure: deps.config.cookieSecure,
        sameSite: 'strict',
        path: '/',
        expires: r.expiresAt,
      });
      return { user: r.user, organization: r.organization, expiresAt: r.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/auth/sign-out',
    {
      config: { access: ALL_ROLES },
      schema: { operationId: 'signOut', tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } },
    },
    async (req, reply) => {
      await signOut(deps.db, actorOf(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    { config: { access: ALL_ROLES }, schema: { operationId: 'getCurrentUser', tags: ['auth'], summary: 'Who am I', response: { 200: Me } } },
    async (req) => {
      const a = actorOf(req);
      return { user: { id: a.id, name: a.name, role: a.role, type: a.type }, organizationId: a.organizationId };
    },
  );

  app.get(
    '/api/v1/api-keys',
    { config: { access: MANAGERS }, schema: { operationId: 'listApiKeys', tags: ['auth'], summary: 'API keys of the organization', response: { 200: z.object({ items: z.array(ApiKey) }) } } },
    async (req) => ({ items: await listApiKeys(deps.db, actorOf(req)) }),
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { access: MANAGERS, problems: ['forbidden'] },
      schema: {
        operationId: 'createApiKey',
        tags: ['auth'],
        summary: 'Create an API key for an integration; the token is shown only in this response',
        description: 'The key\'s role is your own or one with fewer rights (owner > manager > front-desk > technician): a manager cannot create an owner key (403 `forbidden`).',
        body: z.object({ name: z.string().min(1).max(200), role: RoleSchema }),
        response: { 201: ApiKey.extend({ token: z.string() }) },
      },
    },
    async (req, reply) => reply.status(201).send(await createApiKey(deps.db, actorOf(req), req.body)),
  );

  app.delete(
    '/api/v1/api-keys/:id',
    { config: { access: MANAGERS, problems: ['not-found'] }, schema: { operationId: 'revokeApiKey', tags: ['auth'], summary: 'Revoke an API key', description: 'Only a key whose role is your own or one with fewer rights (owner > manager > front-desk > technician): a manager cannot revoke an owner key (403 `forbidden`).', params: IdParams, response: { 200: ApiKey } } },
    async (req) => revokeApiKey(deps.db, actorOf(req), req.params.id),
  );
}
