// Security headers on every response (@fastify/helmet) and the cross-site request check for
// cookie-authenticated state changes. docs/ARCHITECTURE.md, "Security headers and CSRF".
import crypto from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CoreErrors, problem } from '../core/errors.ts';
import { CLIENT_COOKIE } from '../modules/client-account/client-account.service.ts';
import { SESSION_COOKIE } from './auth.ts';

type Directives = Record<string, readonly string[]>;
const serialize = (d: Directives) =>
  Object.entries(d)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join(';');

/** What every policy says: no framing, no <base>, no plugins. */
const LOCKED: Directives = { 'base-uri': ["'none'"], 'frame-ancestors': ["'none'"], 'object-src': ["'none'"] };

/**
 * Every response that sets no policy of its own (API answers, generated PDFs, static assets): it
 * loads nothing, so JSON or a file opened in a tab can never run or fetch anything.
 */
const DEFAULT_DIRECTIVES: Directives = { 'default-src': ["'none'"], ...LOCKED, 'form-action': ["'none'"] };
export const DEFAULT_CSP = serialize(DEFAULT_DIRECTIVES);

/**
 * The web app's pages (web/dist/index.html, src/server/web.ts). Scripts and style sheets only from
 * this server (Vite emits no inline script); Mantine writes its CSS variables and responsive rules
 * into <style> elements, which carry this response's nonce (MantineProvider getStyleNonce, from
 * <meta property="csp-nonce">), so no 'unsafe-inline'. Style attributes React sets are CSSOM and
 * need nothing. `data:` images: the favicon.
 */
export function webAppCsp(nonce: string) {
  return serialize({
    'default-src': ["'self'"],
    ...LOCKED,
    'connect-src': ["'self'"],
    'font-src': ["'self'"],
    'form-action': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", `'nonce-${nonce}'`],
  });
}

/**
 * The API reference (@fastify/swagger-ui at /api/v1/docs): its page has no inline script, but Swagger
 * UI's bundle injects a <style> element of its own (without a nonce), hence 'unsafe-inline' for styles
 * on this page only; it shows images given as data: URLs. Scripts stay 'self'.
 */
export const SWAGGER_UI_CSP = serialize({
  'default-src': ["'self'"],
  ...LOCKED,
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
});

/** Files members of the public or staff uploaded: never a page of ours, nothing runs, nothing loads. */
export const UPLOADED_FILE_CSP = "sandbox; default-src 'none'";

export const newNonce = () => crypto.randomBytes(16).toString('base64');

/** helmet's headers, with our policy: one set for every response (pages and files override the CSP). */
export async function installSecurityHeaders(app: FastifyInstance) {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: DEFAULT_DIRECTIVES },
    // Old browsers' equivalent of frame-ancestors 'none'.
    xFrameOptions: { action: 'deny' },
    // The order page's address carries its token: no other site ever learns it from a Referer.
    referrerPolicy: { policy: 'same-origin' },
  });
}

/**
 * Fastify answers a URL it cannot route (a bad percent-encoding, a path parameter over the length
 * limit) before any hook runs, so helmet never sees it: its problem gets the essential headers here.
 */
type FrameworkErrorHandler = (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => void;
export function withSecurityHeaders(handler: FrameworkErrorHandler): FrameworkErrorHandler {
  return (err, req, reply) => {
    reply.header('content-security-policy', DEFAULT_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    handler(err, req, reply);
  };
}

// ---------- cross-site request forgery ----------

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SESSION_COOKIES = [SESSION_COOKIE, CLIENT_COOKIE];

/** The origin (scheme://host[:port]) of an Origin or Referer value, or undefined when it has none. */
function originOf(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `from` is this server: the host the request was sent to (any scheme), or PUBLIC_URL's origin. */
function isOwnOrigin(req: FastifyRequest, from: URL, publicOrigin: string | undefined) {
  if (publicOrigin && from.origin === publicOrigin) return true;
  try {
    // The Host header, normalized as the browser would write it for that scheme (case, default port).
    return new URL(`${from.protocol}//${req.host}`).host === from.host;
  } catch {
    return false;
  }
}

/**
 * Refuses a state-changing request (POST, PUT, PATCH, DELETE) that carries a session cookie (staff
 * or client account) and says it comes from another site: its Origin, or without one its Referer, is
 * not this server. Browsers send Origin on every cross-origin POST (and on their own fetches), so a
 * page elsewhere cannot make a signed-in browser change anything, whatever the body's type (a form's
 * text/plain or multipart needs no preflight). A request with neither header is let through: no
 * browser sends such a cross-site request, and scripts (curl with a cookie jar) send neither. Without
 * a cookie (API keys, the public forms) nothing is checked. Runs before the session is looked up and
 * before the body is read.
 */
export function installCsrfCheck(app: FastifyInstance, publicUrl: string | undefined) {
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  app.addHook('onRequest', async (req) => {
    if (!UNSAFE.has(req.method)) return;
    if (!SESSION_COOKIES.some((name) => req.cookies?.[name])) return;
    const origin = req.headers.origin;
    const referer = req.headers.referer;
    const claimed = origin ?? referer;
    if (claimed === undefined) return;
    const from = originOf(claimed);
    if (from && isOwnOrigin(req, from, publicOrigin)) return;
    throw problem(
      CoreErrors,
      'cross-site-request',
      `A ${req.method} with a session cookie from ${origin !== undefined ? `Origin ${origin}` : 'a Referer'} that is not this server's; send it from the app's own pages, or use an API key`,
    );
  });
}
