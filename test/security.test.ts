// Security headers on pages, API answers and files, and the cross-site check of cookie-authenticated
// state changes (src/server/security.ts; docs/ARCHITECTURE.md, "Security headers and CSRF").
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIENT_COOKIE } from '../src/modules/client-account/client-account.service.ts';
import { installErrorHandler } from '../src/core/errors.ts';
import { newToken, sha256 } from '../src/server/auth.ts';
import { DEFAULT_CSP, installCsrfCheck, UPLOADED_FILE_CSP } from '../src/server/security.ts';
import { setupApp, type TestContext } from './db.ts';
import { multipart, PDF } from './multipart.ts';

let t: TestContext;
beforeAll(async () => {
  // The pages are web/dist/index.html with a nonce: build it if its sources changed (as web.test.ts).
  execFileSync(process.execPath, [path.resolve('web/build.mjs'), '--quiet'], { stdio: 'inherit' });
  t = await setupApp();
}, 180_000);
afterAll(() => t?.close());

const csp = (h: Record<string, unknown>) => String(h['content-security-policy'] ?? '');
const directives = (policy: string) => new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));

/** What every answer carries, whatever its kind. */
function expectCommonHeaders(h: Record<string, unknown>, what: string) {
  expect(h['x-content-type-options'], what).toBe('nosniff');
  expect(h['referrer-policy'], what).toBe('same-origin');
  expect(h['x-frame-options'], what).toBe('DENY');
  expect(h['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(csp(h), what).not.toBe('');
}

describe('security headers', () => {
  test('the web app pages: a policy with a fresh style nonce per page, the same nonce on its tags, no inline allowance', async () => {
    const nonces = new Set<string>();
    for (const url of ['/', '/sign-in', '/admin', '/order', '/claim/itema-pg', '/account/itema-pg', '/order/some-token']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expectCommonHeaders(res.headers, url);
      const d = directives(csp(res.headers));
      expect(d.get('default-src'), url).toEqual(["'self'"]);
      expect(d.get('script-src'), url).toEqual(["'self'"]);
      expect(d.get('frame-ancestors'), url).toEqual(["'none'"]);
      expect(d.get('object-src'), url).toEqual(["'none'"]);
      expect(d.get('base-uri'), url).toEqual(["'none'"]);
      expect(csp(res.headers), url).not.toContain('unsafe-inline');
      expect(csp(res.headers), url).not.toContain('unsafe-eval');
      const style = d.get('style-src')!;
      expect(style[0]).toBe("'self'");
      const nonce = /^'nonce-([A-Za-z0-9+/=]{20,})'$/.exec(style[1])![1];
      nonces.add(nonce);
      // Mantine reads it from the meta tag; the placeholder never reaches a browser.
      expect(res.body, url).toContain(`<meta property="csp-nonce" nonce="${nonce}">`);
      expect(res.body).not.toContain('AFTERCARE_CSP_NONCE');
      expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script anywhere
    }
    expect(nonces.size).toBe(7);
    // index.html itself (with its placeholder) is not served; the hashed assets are, with the headers.
    expect((await t.app.inject({ url: '/index.html' })).statusCode).toBe(404);
    const page = await t.app.inject({ url: '/' });
    const script = /<script[^>]*src="([^"]+)"/.exec(page.body)![1];
    const asset = await t.app.inject({ url: script });
    expect(asset.statusCode).toBe(200);
    expectCommonHeaders(asset.headers, script);
  });

  test('API answers (JSON and problems) may load and frame nothing', async () => {
    for (const [url, status] of [['/api/v1/health', 200], ['/api/v1/openapi.json', 200], ['/api/v1/auth/me', 401], ['/api/v1/nope', 404]] as const) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(status);
      expectCommonHeaders(res.headers, url);
      expect(csp(res.headers), url).toBe(DEFAULT_CSP);
      expect(directives(DEFAULT_CSP).get('default-src')).toEqual(["'none'"]);
      expect(directives(DEFAULT_CSP).get('frame-ancestors')).toEqual(["'none'"]);
    }
    // URLs fastify refuses before any hook runs (a bad percent-encoding, an over-long id) get them too.
    for (const url of ['/api/v1/devices/%E0%A4%A', `/api/v1/devices/${'a'.repeat(200)}`]) {
      const res = await t.app.inject({ url });
      expect([400, 414], url).toContain(res.statusCode);
      expect(csp(res.headers), url).toBe(DEFAULT_CSP);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
    }
    const signedIn = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: t.cookies['itema-pg'].owner } });
    expect(signedIn.statusCode).toBe(200);
    expect(csp(signedIn.headers)).toBe(DEFAULT_CSP);
  });

  test('the API reference has its own policy, which still frames nothing', async () => {
    const page = await t.app.inject({ url: '/api/v1/docs/' });
    expect(page.statusCode).toBe(200);
    expectCommonHeaders(page.headers, 'docs');
    const d = directives(csp(page.headers));
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp(page.headers)).not.toContain('upgrade-insecure-requests'); // the server may well run on plain http
  });

  test('uploaded files (purchase documents and order-page proofs) are sandboxed attachments; generated PDFs get the default policy', async () => {
    const cookie = t.cookies['itema-pg']['front-desk'];
    const purchase = await t.db.selectFrom('purchases').select('id').where('organization_id', '=', t.orgs['itema-pg']).executeTakeFirstOrThrow();
    const m = multipart('invoice <1>.pdf', 'application/pdf', PDF);
    const up = await t.app.inject({ method: 'POST', url: `/api/v1/purchases/${purchase.id}/documents`, payload: m.payload, headers: { ...m.headers, cookie } });
    expect(up.statusCode).toBe(201);
    const doc = await t.app.inject({ url: `/api/v1/documents/${up.json().id}/content`, headers: { cookie } });
    expect(doc.statusCode).toBe(200);
    expectCommonHeaders(doc.headers, 'document');
    expect(csp(doc.headers)).toBe(UPLOADED_FILE_CSP);
    expect(doc.headers['content-disposition']).toMatch(/^attachment; filename="invoice__1_.pdf"; filename\*=UTF-8''invoice%20%3C1%3E.pdf$/);

    // An order-page proof: the same policy as an uploaded document.
    const claim = await t.app.inject({
      method: 'POST',
      url: '/api/v1/web-claims/itema-pg',
      payload: { name: 'Header Client', email: 'header@example.com', phone: '+359 88 765 4321', serial: 'HDR-1', manufacturer: 'HP', category: 'laptop', problem: 'Does not start' },
    });
    expect(claim.statusCode).toBe(201);
    const p = multipart('receipt.pdf', 'application/pdf', PDF);
    const proof = await t.app.inject({ method: 'POST', url: `/api/v1/order-page/${claim.json().orderPage.token}/proofs`, payload: p.payload, headers: p.headers });
    expect(proof.statusCode).toBe(201);
    const file = await t.app.inject({ url: proof.json().url });
    expect(file.statusCode).toBe(200);
    expect(csp(file.headers)).toBe(csp(doc.headers));
    expectCommonHeaders(file.headers, 'proof');

    const device = await t.db.selectFrom('devices').select('id').where('organization_id', '=', t.orgs['itema-pg']).executeTakeFirstOrThrow();
    const card = await t.app.inject({ url: `/api/v1/devices/${device.id}/documents/warranty-card.pdf`, headers: { cookie } });
    expect(card.statusCode).toBe(200);
    expect(card.headers['content-type']).toBe('application/pdf');
    expectCommonHeaders(card.headers, 'warranty card');
    expect(csp(card.headers)).toBe(DEFAULT_CSP);
  });
});

describe('cross-site requests with a session cookie', () => {
  const HOST = 'aftercare.example';
  const own = { host: HOST, origin: `https://${HOST}` };
  const evil = { host: HOST, origin: 'https://evil.example' };
  const me = (cookie: string) => t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
  const documents = async (purchaseId: string) => (await t.db.selectFrom('documents').select('id').where('purchase_id', '=', purchaseId).execute()).length;

  async function staffSession() {
    const user = await t.db.selectFrom('staff_users').select(['id', 'organization_id']).where('email', '=', 'manager@itema-pg.example').executeTakeFirstOrThrow();
    const token = newToken();
    await t.db.insertInto('sessions').values({ token_hash: sha256(token), organization_id: user.organization_id, staff_user_id: user.id, expires_at: new Date(Date.now() + 3_600_000) }).execute();
    return `aftercare_session=${token}`;
  }
  const refused = (res: { statusCode: number; json(): { code?: string } }, what: string) => {
    expect(res.statusCode, what).toBe(403);
    expect(res.json().code, what).toBe('cross-site-request');
  };

  test('a text/plain sign-out and a multipart upload from another site are refused and change nothing; from our own pages they pass', async () => {
    const cookie = await staffSession();
    // text/plain needs no preflight: a page anywhere could send this with the victim's cookie.
    refused(await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: { ...evil, cookie, 'content-type': 'text/plain' }, payload: 'x' }), 'sign-out from evil.example');
    expect((await me(cookie)).statusCode).toBe(200); // still signed in

    const purchase = await t.db.selectFrom('purchases').select('id').where('organization_id', '=', t.orgs['itema-pg']).executeTakeFirstOrThrow();
    const before = await documents(purchase.id);
    const m = multipart('x.pdf', 'application/pdf', PDF);
    const upload = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: `/api/v1/purchases/${purchase.id}/documents`, payload: m.payload, headers: { ...m.headers, cookie, ...headers } });
    refused(await upload(evil), 'upload from evil.example');
    refused(await upload({ host: HOST, origin: 'null' }), 'upload from an opaque origin');
    refused(await upload({ host: HOST, referer: 'https://evil.example/page' }), 'upload with a foreign Referer and no Origin');
    refused(await upload({ host: HOST, origin: `https://${HOST}.evil.example` }), 'a look-alike host');
    refused(await upload({ host: HOST, origin: `https://${HOST}:8443` }), 'another port');
    expect(await documents(purchase.id)).toBe(before);

    expect((await upload(own)).statusCode).toBe(201);
    expect((await upload({ host: HOST, origin: `http://${HOST}` })).statusCode).toBe(201); // a proxy that terminates TLS: the host decides
    expect((await upload({ host: `${HOST.toUpperCase()}:443`, origin: `https://${HOST}` })).statusCode).toBe(201);
    expect((await upload({ host: HOST, referer: `https://${HOST}/orders/1` })).statusCode).toBe(201);
    // Neither Origin nor Referer: a script (curl with a cookie jar); no browser sends a cross-site POST so.
    expect((await upload({ host: HOST })).statusCode).toBe(201);
    expect(await documents(purchase.id)).toBe(before + 5);

    // Reads are not state changes.
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { ...evil, cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: { ...own, cookie } })).statusCode).toBe(204);
  });

  test('PATCH and DELETE are checked too', async () => {
    const cookie = t.cookies['itema-pg'].owner;
    const key = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie }, payload: { name: 'csrf', role: 'technician' } });
    expect(key.statusCode).toBe(201);
    refused(await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.json().id}`, headers: { ...evil, cookie } }), 'DELETE');
    expect((await t.db.selectFrom('api_keys').select('revoked_at').where('id', '=', key.json().id).executeTakeFirstOrThrow()).revoked_at).toBeNull();
    refused(await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: { ...evil, cookie }, payload: {} }), 'PATCH');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.json().id}`, headers: { ...own, cookie } })).statusCode).toBe(200);
  });

  test("the client account's cookie is checked as the staff one", async () => {
    const token = newToken();
    await t.db.insertInto('client_sessions').values({ token_hash: sha256(token), organization_id: t.orgs['itema-pg'], email: 'ivan.petrov@example.bg', expires_at: new Date(Date.now() + 3_600_000) }).execute();
    const cookie = `${CLIENT_COOKIE}=${token}`;
    refused(await t.app.inject({ method: 'POST', url: '/api/v1/client/sign-out', headers: { ...evil, cookie, 'content-type': 'text/plain' }, payload: '' }), 'client sign-out from evil.example');
    expect((await t.app.inject({ url: '/api/v1/client/account', headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/client/sign-out', headers: { ...own, cookie } })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/client/account', headers: { cookie } })).statusCode).toBe(401);
  });

  test('without a cookie nothing is checked: API keys and the public forms work from anywhere', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie: t.cookies['itema-pg'].owner }, payload: { name: 'integration', role: 'front-desk' } });
    const auth = { authorization: `Bearer ${created.json().token}` };
    const customer = await t.app.inject({ method: 'POST', url: '/api/v1/customers', headers: { ...evil, ...auth }, payload: { name: 'Key Client', email: 'key.client@example.com' } });
    expect(customer.statusCode).toBe(201);
    const link = await t.app.inject({ method: 'POST', url: '/api/v1/client/sign-in-link', headers: evil, payload: { organization: 'itema-pg', email: 'nobody@example.com' } });
    expect(link.statusCode).toBe(202);
  });
});

describe('the Origin check against PUBLIC_URL', () => {
  // The hook alone: what counts as our own origin behind a proxy that rewrites Host.
  async function app(publicUrl?: string) {
    const a = Fastify();
    installErrorHandler(a);
    await a.register(fastifyCookie);
    installCsrfCheck(a, publicUrl);
    a.post('/change', async () => ({ ok: true }));
    return a;
  }
  const post = (a: Awaited<ReturnType<typeof app>>, headers: Record<string, string>) => a.inject({ method: 'POST', url: '/change', headers: { cookie: 'aftercare_session=x', host: '127.0.0.1:3000', ...headers } });

  test('PUBLIC_URL is our origin too, scheme and port included; the Host still is', async () => {
    const a = await app('https://shop.example/aftercare/');
    expect((await post(a, { origin: 'https://shop.example' })).statusCode).toBe(200);
    expect((await post(a, { referer: 'https://shop.example/aftercare/orders/1' })).statusCode).toBe(200);
    expect((await post(a, { origin: 'http://127.0.0.1:3000' })).statusCode).toBe(200);
    expect((await post(a, { origin: 'http://shop.example' })).statusCode).toBe(403);
    expect((await post(a, { origin: 'https://shop.example:8443' })).statusCode).toBe(403);
    expect((await post(a, { origin: 'https://evil.example' })).statusCode).toBe(403);
    const none = await app();
    expect((await post(none, { origin: 'https://shop.example' })).statusCode).toBe(403);
    expect((await post(none, { origin: 'not a url' })).statusCode).toBe(403);
    expect((await post(none, { origin: 'file://' })).statusCode).toBe(403);
    expect((await post(none, {})).statusCode).toBe(200);
  });
});
