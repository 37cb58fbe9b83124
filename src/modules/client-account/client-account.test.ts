import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const ask = (email: string, organization = 'itema-pg', ip = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/v1/client/sign-in-link', payload: { organization, email }, remoteAddress: ip });
const open = (token: string) => t.app.inject({ method: 'POST', url: '/api/v1/client/session', payload: { token } });
const tokens = () => t.db.selectFrom('client_sign_in_tokens').selectAll().execute();
const sessions = () => t.db.selectFrom('client_sessions').selectAll().execute();

/** Delivers the outbox (no SMTP here: messages are kept) and reads the last sign-in link sent to `email`. */
async function lastLink(email: string) {
  const w = new DeliveryWorker(t.db, t.config);
  await w.runOnce();
  await w.stop();
  const n = await t.db.selectFrom('notifications').selectAll().where('recipient', '=', email).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
  const link = /https?:\/\/\S+\/account\/[a-z0-9-]+\?token=([^&\s]+)/.exec(n.body);
  expect(link, n.body).toBeTruthy();
  return { notification: n, token: decodeURIComponent(link![1]) };
}

describe('client account', () => {
  test('a link by e-mail opens the client session: their devices with warranty and services; single use', async () => {
    const r = await ask('Ivan.Petrov@example.bg');
    expect(r.statusCode).toBe(202);
    const { notification, token } = await lastLink('ivan.petrov@example.bg');
    expect(notification).toMatchObject({ channel: 'email', language: 'bg', status: 'kept' });
    expect(notification.subject).toContain('връзка за вход');
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16); // ≥ 128 bits (256 here)
    const stored = await tokens();
    expect(stored.some((x) => x.token_hash === token)).toBe(false); // only the hash is kept

    const s = await open(token);
    expect(s.statusCode).toBe(200);
    const setCookie = String(s.headers['set-cookie']);
    expect(setCookie).toMatch(/^aftercare_client=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Path=\/api\/v1\/client/);
    const cookie = setCookie.split(';')[0];
    const acc = await t.app.inject({ url: '/api/v1/client/account?lang=bg', headers: { cookie } });
    expect(acc.statusCode).toBe(200);
    const a = acc.json();
    expect(a).toMatchObject({ email: 'ivan.petrov@example.bg', name: 'Иван Петров', organization: { slug: 'itema-pg' } });
    expect(a.devices.length).toBeGreaterThan(0);
    for (const d of a.devices) {
      const staff = await t.app.inject({ url: `/api/v1/devices/${d.id}/warranty?lang=bg`, headers: { cookie: t.cookies['itema-pg'].owner } });
      expect(d.warranty.covered).toBe(staff.json().covered);
      expect(d.warranty.explanation).toEqual(staff.json().explanation);
    }
    expect(JSON.stringify(a)).not.toMatch(/staff|audit|@itema-pg\.example/); // no staff data

    // The client cookie is no staff session, and a staff session is no client account.
    expect((await t.app.inject({ url: '/api/v1/devices', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/client/account', headers: { cookie: t.cookies['itema-pg'].owner } })).statusCode).toBe(401);

    // Used once: a second opening is refused and changes nothing.
    const before = { ...(await snapshot(t.db)), sessions: (await sessions()).length };
    const again = await open(token);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'invalid-sign-in-link' });
    expect(again.json().errors[0].field).toBe('body.token');
    expect({ ...(await snapshot(t.db)), sessions: (await sessions()).length }).toEqual(before);

    const out = await t.app.inject({ method: 'POST', url: '/api/v1/client/sign-out', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/client/account', headers: { cookie } })).statusCode).toBe(401);
  });

  test('wrong and expired tokens are refused and change nothing', async () => {
    expect((await ask('ivan.petrov@example.bg', 'itema-pg', '10.0.0.2')).statusCode).toBe(202);
    const { token } = await lastLink('ivan.petrov@example.bg');
    await t.db.updateTable('client_sign_in_tokens').set({ expires_at: new Date('2000-01-01T00:00:00Z') }).where('used_at', 'is', null).execute();
    const before = { ...(await snapshot(t.db)), tokens: JSON.stringify(await tokens()), sessions: (await sessions()).length };
    for (const bad of [token, `${token.slice(0, -4)}AAAA`, 'x'.repeat(43)]) {
      const r = await open(bad);
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect((await open('short')).json().errors[0].field).toBe('body.token');
    expect({ ...(await snapshot(t.db)), tokens: JSON.stringify(await tokens()), sessions: (await sessions()).length }).toEqual(before);
  });

  test('the request answers the same whether or not the address is known; bad input names the field; rate-limited', async () => {
    const before = (await tokens()).length;
    const known = await ask('office@stroyinvest.example.bg', 'itema-pg', '10.0.0.3');
    const unknown = await ask('nobody@example.com', 'itema-pg', '10.0.0.3');
    const noOrg = await ask('nobody@example.com', 'no-such-shop', '10.0.0.3');
    expect([known.statusCode, unknown.statusCode, noOrg.statusCode]).toEqual([202, 202, 202]);
    expect(unknown.body).toBe(known.body);
    expect(noOrg.body).toBe(known.body);
    expect((await tokens()).length).toBe(before + 1);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/client/sign-in-link', payload: { organization: 'itema-pg', email: 'not-an-email' }, remoteAddress: '10.0.0.4' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.email');
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await ask('flood@example.com', 'itema-pg', '10.0.0.5')).statusCode);
    expect(codes).toEqual([202, 202, 202, 429]);
  });
});
