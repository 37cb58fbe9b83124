// Serves the web app (web/dist, built by `npm ci` or before `npm start`) at `/`. The app's pages are
// listed explicitly so the SPA fallback can never shadow `/api/*`: an unknown `/api/...` path still
// gets the API's problem+json 404, and an unknown page gets the same.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { newNonce, webAppCsp } from './security.ts';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** What web/vite.config.ts (html.cspNonce) writes where each page gets its own nonce. */
export const NONCE_PLACEHOLDER = 'AFTERCARE_CSP_NONCE';

/** The client-side routes of web/src (console and portal). */
export const WEB_PAGES = ['/', '/sign-in', '/search', '/intake', '/admin', '/queues/:queue', '/devices/:id', '/orders/:id', '/order', '/order/:token', '/claim/:org', '/account/:org',
  '/support', '/support/tickets/:id', '/contracts', '/contracts/:id', '/help/:org',
  '/rmas', '/rmas/new', '/rmas/queue/:queue', '/rmas/:id',
  '/registrations', '/policy', '/setup', '/messages'];

export async function webRoutes(app: FastifyInstance, dir = WEB_DIST) {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>Aftercare</title><p>The web app is not built: run <code>npm run build:web</code>. The API reference is at <a href="/api/v1/docs">/api/v1/docs</a>.</p>'),
    );
    return;
  }
  // Every page is index.html with a fresh nonce in its Content-Security-Policy and its tags, so the
  // file itself is never served as it is (its placeholder would match no policy).
  const html = fs.readFileSync(index, 'utf8');
  await app.register(async (web) => {
    await web.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: false, // one route per built file, nothing catch-all
      globIgnore: ['index.html'],
      index: false,
      decorateReply: true,
      setHeaders(res, file) {
        // Hashed asset names never change content; index.html must be revalidated.
        res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    for (const page of WEB_PAGES) {
      web.get(page, { schema: { hide: true } }, (_req, reply) => {
        const nonce = newNonce();
        return reply
          .header('cache-control', 'no-cache')
          .header('content-security-policy', webAppCsp(nonce))
          .type('text/html; charset=utf-8')
          .send(html.replaceAll(NONCE_PLACEHOLDER, nonce));
      });
    }
  });
}
