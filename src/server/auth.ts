// Authentication (session cookie or API key) and the per-route role check. Every /api/v1 route must
// declare `config.access`; a route without one fails at start-up, so no route is open by accident.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.ts';
import type { Actor, Role, RouteAccess } from '../core/actor.ts';
import type { DeclaredProblems } from './problems.ts';
import { CoreErrors, problem } from '../core/errors.ts';
import { newToken, sha256 } from '../core/tokens.ts';

export const SESSION_COOKIE = 'aftercare_session';
export const API_KEY_PREFIX = 'ak_';

export { newToken, sha256 };

async function actorFromSession(db: Db, token: string): Promise<Actor | null> {
  const hash = sha256(token);
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('staff_users as u', 'u.id', 's.staff_user_id')
    .select(['u.id', 'u.name', 'u.role', 'u.organization_id'])
    .where('s.token_hash', '=', hash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', new Date())
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return { organizationId: row.organization_id, role: row.role as Role, type: 'staff', id: row.id, name: row.name, channel: 'console', sessionTokenHash: hash };
}

// Integrations call often; an API key's lookup is kept for a few seconds. Revoking a key clears it
// in this process at once; other server processes notice within API_KEY_CACHE_MS.
const API_KEY_CACHE_MS = 5_000;
const apiKeyCache = new Map<string, { actor: Actor | null; until: number }>();
export function forgetApiKeys() {
  apiKeyCache.clear();
}

async function actorFromApiKey(db: Db, token: string): Promise<Actor | null> {
  const hash = sha256(token);
  const now = Date.now();
  const hit = apiKeyCache.get(hash);
  if (hit && hit.until > now) return hit.actor;
  const actor = await loadApiKey(db, hash);
  if (apiKeyCache.size > 10_000) apiKeyCache.clear();
  apiKeyCache.set(hash, { actor, until: now + API_KEY_CACHE_MS });
  return actor;
}

async function loadApiKey(db: Db, hash: string): Promise<Actor | null> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'organization_id'])
    .where('secret_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return { organizationId: row.organization_id, role: row.role as Role, type: 'api-key', id: row.id, name: row.name, channel: 'api' };
}

export interface ApiRoute {
  method: string;
  url: string;
  access: RouteAccess;
  /** Status → the codes the route may answer (src/server/problems.ts). */
  problems: DeclaredProblems;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every /api/v1 route with the roles it admits: the table the access tests walk. */
    apiRoutes: ApiRoute[];
  }
}

export function installAuth(app: FastifyInstance, db: Db) {
  app.decorateRequest('actor', null);
  app.decorate('apiRoutes', [] as ApiRoute[]);

  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (!url.startsWith('/api/v1')) return;
    if (url.startsWith('/api/v1/docs')) {
      route.config = { ...(route.config ?? {}), access: 'public' };
      return;
    }
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${url} declares no config.access`);
    const problems = route.config?.declaredProblems ?? new Map();
    for (const m of [route.method].flat()) if (m !== 'HEAD') app.apiRoutes.push({ method: m, url, access, problems });
  });

  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined || access === 'public') {
      // Public routes still learn who is calling (sign-out, me) but never require it.
      if (access === undefined) return;
    }
    const auth = req.headers.authorization;
    let actor: Actor | null = null;
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m || !m[1].startsWith(API_KEY_PREFIX)) {
        if (access !== 'public') throw problem(CoreErrors, 'unauthenticated', 'Authorization must be "Bearer ak_..." with an API key');
      } else {
        actor = await actorFromApiKey(db, m[1]);
        if (!actor && access !== 'public') throw problem(CoreErrors, 'unauthenticated', 'Unknown or revoked API key');
      }
    } else {
      const token = req.cookies?.[SESSION_COOKIE];
      if (token) actor = await actorFromSession(db, token);
    }
    req.actor = actor;
    if (access === 'public') return;
    if (!actor) throw problem(CoreErrors, 'unauthenticated', 'Sign in first (POST /api/v1/auth/sign-in) or send an API key');
    if (!access.includes(actor.role)) {
      throw problem(CoreErrors, 'forbidden', `The ${actor.role} role may not use this route (allowed: ${access.join(', ')})`);
    }
  });
}

/** The signed-in actor of a route that requires one. */
export function actorOf(req: { actor: Actor | null }): Actor {
  if (!req.actor) throw problem(CoreErrors, 'unauthenticated', 'Sign in first');
  return req.actor;
}
