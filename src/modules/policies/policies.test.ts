// Issue 11: a business's policy is its own, stored as versions; set-up, the draft, validation on the
// field, the simulator, publishing (ITS-11) with its notices over real SMTP, diff, export / import.
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEMO_NOW, snapshot, type TestContext } from '../../../test/db.ts';
import type { Mailbox } from '../../../test/smtp.ts';
import { useAppWithMailbox } from '../../../test/mail-app.ts';
import { SESSION_COOKIE, newToken, sha256 } from '../../server/auth.ts';
import { parsePack } from '../../policy/index.ts';
import { createBusiness, SetupError } from '../organizations/setup.service.ts';
import { DeliveryWorker } from '../notifications/delivery-worker.ts';

let t: TestContext;
let box: Mailbox;
const at = '2026-11-21';
useAppWithMailbox({ config: {} }, (s) => ({ t, box } = s));

const call = (org: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown, role: 'owner' | 'manager' | 'technician' = 'manager') =>
  t.app.inject({ method, url, headers: { cookie: t.cookies[org][role] }, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('policies as versions in the database', () => {
  test('each demo business has its pack as version 1, and its lookups read that copy', async () => {
    const rows = await t.db.selectFrom('policy_versions').select(['organization_id', 'seq', 'label', 'origin']).orderBy('organization_id').execute();
    expect(rows.length).toBe(5);
    expect(new Set(rows.map((r) => r.seq))).toEqual(new Set([1]));
    const org = await t.db.selectFrom('organizations').select(['policy_rev', 'pack_id']).where('id', '=', t.orgs['itema-pg']).executeTakeFirstOrThrow();
    expect(org).toEqual({ policy_rev: 1, pack_id: 'itema' });
    const r = await call('itema-pg', 'GET', `/api/v1/warranty?serial=DEMO-ITEMA-LAPTOP&at=${at}`);
    expect(r.statusCode).toBe(200);
    expect(r.json().coverage).toMatchObject({ pack: 'itema', policyVersion: '2026.1' });
  });

  test('the versions are listed, viewable, and the first one differs from nothing', async () => {
    const list = (await call('its', 'GET', '/api/v1/policy/versions')).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ seq: 1, label: '2026.1', origin: 'its', inForce: true });
    const v = (await call('its', 'GET', '/api/v1/policy/versions/1')).json();
    expect(v.body.terms.length).toBeGreaterThan(0);
    expect((await call('its', 'GET', '/api/v1/policy/versions/9')).statusCode).toBe(404);
    expect((await call('its', 'GET', '/api/v1/policy/versions', undefined, 'technician')).statusCode).toBe(403);
  });
});

describe('the draft is validated as `policy validate` does, on the field', () => {
  const draft = async (org: string) => (await call(org, 'GET', '/api/v1/policy/draft')).json();

  test('a duration like "3 mnths" is refused on the field and nothing is saved', async () => {
    const d = await draft('its');
    expect(d.version).toBe(0);
    d.body.terms[0].duration = '3 mnths';
    const before = await snapshot(t.db);
    const r = await call('its', 'PUT', '/api/v1/policy/draft', { version: 0, body: d.body });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('policy-invalid');
    expect(r.json().errors).toContainEqual({ field: 'body.terms.0.duration', message: '"3 mnths" is not a duration like "3 months"' });
    expect(await snapshot(t.db)).toEqual(before);
    expect(await t.db.selectFrom('policy_drafts').selectAll().execute()).toEqual([]);
  });

  test('an unknown category is refused, naming the known ones', async () => {
    const d = await draft('its');
    d.body.terms[0].match = { ...d.body.terms[0].match, category: 'toaster' };
    const r = await call('its', 'PUT', '/api/v1/policy/draft', { version: 0, body: d.body });
    expect(r.statusCode).toBe(422);
    const e = r.json().errors.find((x: { field: string }) => x.field === 'body.terms.0.match.category');
    expect(e.message).toMatch(/^unknown category "toaster"; known categories: /);
  });

  test('a valid draft is saved; a stale version is a conflict', async () => {
    const d = await draft('vn');
    const ok = await call('vn', 'PUT', '/api/v1/policy/draft', { version: 0, body: d.body });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().version).toBe(1);
    expect((await call('vn', 'PUT', '/api/v1/policy/draft', { version: 0, body: d.body })).statusCode).toBe(409);
    expect((await call('vn', 'DELETE', '/api/v1/policy/draft')).statusCode).toBe(204);
  });
});

describe('a section the policy lacks is added, validated as `policy validate` does, saved, published', () => {
  // The service-center pack has no part terms, and knows the categories laptop, phone, tablet.
  const org = 'service-center';
  const draft = async () => (await call(org, 'GET', '/api/v1/policy/draft')).json();
  const save = (body: unknown) => call(org, 'PUT', '/api/v1/policy/draft', { version: 0, body });

  test.each([
    ['a duration like "3 mnths"', { ssd: { duration: '3 mnths', rule: 'SC-1', setting: true } }, 'body.parts.ssd.duration', /^"3 mnths" is not a duration like "3 months"$/],
    ['an unknown category', { toaster: { duration: '3 months', rule: 'SC-1', setting: true } }, 'body.parts.toaster', /^unknown category "toaster"; known categories: desktop, laptop, monitor, phone, printer, tablet/],
    ['a rule the policy does not list', { ssd: { duration: '3 months', rule: 'OWN-7', setting: true } }, 'body.parts.ssd.rule', /OWN-7/],
  ])('a new part term with %s is refused on the field and nothing is saved', async (_what, parts, field, message) => {
    const d = await draft();
    expect(d.body.parts ?? {}).toEqual({});
    const before = await snapshot(t.db);
    const r = await save({ ...d.body, parts });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors).toContainEqual({ field, message: expect.stringMatching(message) });
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('a category, a part term, a rule text, a remedy, a fee and a clock added to a draft are saved and published as the next version', async () => {
    const d = await draft();
    const body = structuredClone(d.body);
    body.rules['OWN-1'] = { en: 'SSDs fitted here are warranted for 6 months.', bg: 'Монтираните тук SSD дискове имат гаранция 6 месеца.' };
    // A new category first (its names per language), then its part term.
    body.categories = { ...(body.categories ?? {}), ssd: { names: { en: 'SSD', bg: 'SSD диск', vi: 'Ổ SSD' }, synonyms: ['solid state drive'] } };
    body.parts = { ssd: { duration: '6 months', rule: 'OWN-1', setting: true } };
    body.remedies = [...(body.remedies ?? []), { type: 'credit', rule: 'OWN-1', chosenBy: 'business', requiresConfirmedDefect: false, text: { en: 'A credit note when no part is available.' } }];
    body.fees = { ...(body.fees ?? {}), transport: { amount: 1500, rules: ['OWN-1'], text: { en: 'Courier both ways' }, setting: true } };
    body.clocks = [...(body.clocks ?? []), { id: 'own-callback', rule: 'OWN-1', kind: 'target', duration: '4 hours', startsAt: 'claim-received', stopsAt: 'diagnosed', text: { en: 'We call back within 4 hours.' }, setting: true }];
    const saved = await save(body);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().settings).toEqual(expect.arrayContaining(['parts.ssd', 'fees.transport']));
    const pub = await t.app.inject({ method: 'POST', url: '/api/v1/policy/publish', headers: { cookie: t.cookies[org].manager, 'idempotency-key': 'sc-sections' }, payload: { draftVersion: saved.json().version, effective: '2099-01-01', appliesToExisting: false } });
    expect(pub.statusCode, pub.body).toBe(201);
    const v = (await call(org, 'GET', `/api/v1/policy/versions/${pub.json().version.seq}`)).json();
    expect(v.body.parts).toEqual({ ssd: { duration: '6 months', rule: 'OWN-1', setting: true } });
    expect(v.body.fees.transport).toMatchObject({ amount: 1500, rules: ['OWN-1'] });
    expect(v.body.remedies.at(-1)).toMatchObject({ type: 'credit', rule: 'OWN-1' });
    expect(v.body.clocks.at(-1)).toMatchObject({ id: 'own-callback', kind: 'target' });
  });
});

describe('export and import as YAML', () => {
  test('the export is a pack file `policy validate` accepts; importing it makes the same draft', async () => {
    const r = await call('itema-pg', 'GET', '/api/v1/policy/export');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/yaml/);
    const pack = parsePack(r.body);
    expect(pack.versions.map((v) => v.version)).toEqual(['2026.1']);
    const imp = await call('itema-pg', 'POST', '/api/v1/policy/draft/import', { yaml: r.body, draftVersion: 0 });
    expect(imp.statusCode).toBe(200);
    const diff = (await call('itema-pg', 'GET', '/api/v1/policy/draft/diff')).json();
    expect(diff.changes).toEqual([]);
    await call('itema-pg', 'DELETE', '/api/v1/policy/draft');
  });

  test('a broken file is refused with the path of each problem', async () => {
    const doc = parseYaml((await call('itema-pg', 'GET', '/api/v1/policy/export')).body);
    doc.versions[0].terms[0].duration = '3 mnths';
    const { stringify } = await import('yaml');
    const r = await call('itema-pg', 'POST', '/api/v1/policy/draft/import', { yaml: stringify(doc), draftVersion: 0 });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors.map((e: { field: string }) => e.field)).toContain('body.yaml.versions.0.terms.0.duration');
    expect((await call('itema-pg', 'POST', '/api/v1/policy/draft/import', { yaml: 'a: [', draftVersion: 0 })).json().errors[0].field).toBe('body.yaml');
  });
});

describe('simulate and publish (ITS-11)', () => {
  test('a longer term for devices already sold: simulated, published, the answer changes and the client is told by e-mail', async () => {
    const org = 'itmall';
    const lookup = async () => (await call(org, 'GET', `/api/v1/warranty?serial=DEMO-ITMALL-SWITCH&at=${at}`)).json();
    const before = await lookup();
    const d = (await call(org, 'GET', '/api/v1/policy/draft')).json();
    // Every term one year longer.
    for (const term of d.body.terms) {
      const m = /^(\d+) (month|year)s?$/.exec(term.duration);
      if (m) term.duration = m[2] === 'year' ? `${Number(m[1]) + 1} years` : `${Number(m[1]) + 12} months`;
    }
    const saved = await call(org, 'PUT', '/api/v1/policy/draft', { version: 0, body: d.body });
    expect(saved.statusCode).toBe(200);
    const sim = await call(org, 'POST', '/api/v1/policy/draft/simulate', { effective: at, appliesToExisting: true });
    expect(sim.statusCode).toBe(200);
    const s = sim.json();
    expect(s.devices.simulated).toBeGreaterThan(0);
    expect(s.devices.endMoved).toBeGreaterThan(0);
    const sw = s.deviceChanges.find((c: { serial: string }) => c.serial === 'DEMO-ITMALL-SWITCH');
    expect(sw.kinds).toContain('end-moved');
    expect(sw.versions).toEqual({ before: '2026.1', after: 'draft' });
    // The list is paged by the route: one kind, from an offset, at most a limit; the total counts them all.
    expect(s.total.deviceChanges).toBe(s.devices.changed);
    const moved = s.deviceChanges.filter((c: { kinds: string[] }) => c.kinds.includes('end-moved'));
    const page = (await call(org, 'POST', '/api/v1/policy/draft/simulate?kind=end-moved&offset=1&limit=1', { effective: at, appliesToExisting: true })).json();
    expect(page.total.deviceChanges).toBe(moved.length);
    expect(page.deviceChanges).toEqual(moved.slice(1, 2));
    expect(page.devices).toEqual(s.devices);
    // For new devices only: nothing already sold changes.
    const none = (await call(org, 'POST', '/api/v1/policy/draft/simulate', { effective: at, appliesToExisting: false })).json();
    expect(none.devices.changed).toBe(0);

    const pub = await t.app.inject({ method: 'POST', url: '/api/v1/policy/publish', headers: { cookie: t.cookies[org].manager, 'idempotency-key': 'pub-1' }, payload: { draftVersion: 1, effective: at, appliesToExisting: true } });
    expect(pub.statusCode).toBe(201);
    expect(pub.json().version).toMatchObject({ seq: 2, label: '2026.1'.slice(0, 4) + '.2', appliesToExisting: true, origin: 'editor' });
    expect(pub.json().notified).toBeGreaterThan(0);
    // A retry with the same key answers the same, and publishes nothing twice.
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/policy/publish', headers: { cookie: t.cookies[org].manager, 'idempotency-key': 'pub-1' }, payload: { draftVersion: 1, effective: at, appliesToExisting: true } });
    expect(again.json()).toEqual(pub.json());
    expect((await t.db.selectFrom('policy_versions').select('seq').where('organization_id', '=', t.orgs[org]).execute()).length).toBe(2);

    const after = await lookup();
    expect(after.coverage.policyVersion).toBe('2026.2');
    expect(after.coverage.device.end).not.toBe(before.coverage.device.end);
    expect(after.coverage.device.end).toBe(sw.after.end);

    const diff = (await call(org, 'GET', '/api/v1/policy/versions/2/diff')).json();
    expect(diff.from).toBe(1);
    expect(diff.changes.some((c: { path: string }) => /^terms\.\d+\.duration$/.test(c.path))).toBe(true);

    const notices = await t.db.selectFrom('outbox').select(['payload']).where('organization_id', '=', t.orgs[org]).where('topic', '=', 'policy.changed').execute();
    expect(notices.length).toBe(pub.json().notified);
    const w = new DeliveryWorker(t.db, { ...t.config, smtp: box.config, mailFrom: 'service@aftercare.test', publicUrl: 'https://shop.example' });
    await w.runOnce();
    await w.stop();
    const mails = [...box.messages.values()].filter((m) => /warranty terms change/.test(m.subject ?? ''));
    expect(mails.length).toBeGreaterThan(0);
    const mail = mails.find((m) => m.text?.includes('DEMO-ITMALL-SWITCH'))!;
    expect(mail.text).toContain('ITS-11');
    expect(mail.text).toMatch(/DEMO-ITMALL-SWITCH\): the warranty now ends on /);
  });

  test('an effective date in the past that would rewrite decided orders is refused on the field; nothing changes', async () => {
    const org = 'service-center';
    const d = (await call(org, 'GET', '/api/v1/policy/draft')).json();
    const saved = await call(org, 'PUT', '/api/v1/policy/draft', { version: 0, body: d.body });
    expect(saved.statusCode).toBe(200);
    const before = await snapshot(t.db);
    const r = await call(org, 'POST', '/api/v1/policy/publish', { draftVersion: 1, effective: '2020-01-01', appliesToExisting: true });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('effective-rewrites-decisions');
    expect(r.json().errors[0].field).toBe('body.effective');
    expect(await snapshot(t.db)).toEqual(before);
    await call(org, 'DELETE', '/api/v1/policy/draft');
  });

  test('the holidays of a country come from date-holidays', async () => {
    const r = (await call('its', 'GET', '/api/v1/policy/holidays?country=BG&year=2026')).json();
    expect(r.items).toContainEqual(expect.objectContaining({ date: '2026-03-03' }));
    expect((await call('its', 'GET', '/api/v1/policy/holidays?country=QQ&year=2026')).statusCode).toBe(404);
  });
});

describe('set-up and staff', () => {
  const business = (over: Record<string, unknown> = {}) => ({
    slug: 'acme-repairs',
    name: 'Acme Repairs',
    country: 'BG',
    timeZone: 'Europe/Sofia',
    currency: 'EUR',
    languages: ['bg', 'en'],
    owner: { name: 'Mila Ivanova', email: 'mila@acme.example', password: 'correct horse battery' },
    locations: [{ name: 'Sofia', address: 'bul. Vitosha 1, Sofia', phone: '+359 2 111 2222', openingHours: 'Mon–Fri 09:00–18:00' }],
    policy: 'itema',
    ...over,
  });

  test('a business is created with its owner, location and its own copy of the template; its owner signs in', async () => {
    const b = await createBusiness(t.db, business());
    const o = await t.db.selectFrom('organizations').selectAll().where('id', '=', b.id).executeTakeFirstOrThrow();
    expect(o).toMatchObject({ slug: 'acme-repairs', country: 'BG', currency: 'EUR', pack_id: 'itema', policy_rev: 1 });
    const v = await t.db.selectFrom('policy_versions').selectAll().where('organization_id', '=', b.id).executeTakeFirstOrThrow();
    expect((v.body as { settings: { currency: string; timeZone: string } }).settings).toMatchObject({ currency: 'EUR', timeZone: 'Europe/Sofia' });
    const loc = await t.db.selectFrom('locations').selectAll().where('organization_id', '=', b.id).executeTakeFirstOrThrow();
    expect(loc.opening_hours).toBe('Mon–Fri 09:00–18:00');
    const s = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: 'mila@acme.example', password: 'correct horse battery' } });
    expect(s.statusCode).toBe(200);
  });

  test('a blank start, and bad set-up input refused by field with nothing written', async () => {
    await createBusiness(t.db, business({ slug: 'blank-shop', owner: { name: 'B', email: 'b@blank.example', password: 'long enough pw' }, policy: 'blank', languages: ['vi'], country: 'VN', timeZone: 'Asia/Ho_Chi_Minh', currency: 'VND' }));
    const before = await snapshot(t.db);
    const e = await createBusiness(t.db, business({ country: 'Bulgaria', owner: { name: 'X', email: 'mila@acme.example', password: 'short' } })).catch((x) => x);
    expect(e).toBeInstanceOf(SetupError);
    expect((e as SetupError).issues.map((i) => i.field).sort()).toEqual(['country', 'owner.password']);
    const taken = await createBusiness(t.db, business()).catch((x) => x);
    expect((taken as SetupError).issues.map((i) => i.field).sort()).toEqual(['owner.email', 'slug']);
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('a deactivated user’s session and API keys stop working at once', async () => {
    const org = t.orgs['vn'];
    const tech = await t.db.selectFrom('staff_users').selectAll().where('organization_id', '=', org).where('role', '=', 'technician').executeTakeFirstOrThrow();
    const token = newToken();
    await t.db.insertInto('sessions').values({ token_hash: sha256(token), organization_id: org, staff_user_id: tech.id, expires_at: new Date(DEMO_NOW.getTime() + 86_400_000 * 3650) }).execute();
    const cookie = `${SESSION_COOKIE}=${token}`;
    const key = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { cookie: t.cookies.vn.owner }, payload: { name: 'tech tool', role: 'technician' } });
    expect(key.statusCode).toBe(201);
    // The key was made by the owner; one made by the technician's own session:
    await t.db.updateTable('api_keys').set({ created_by: tech.id }).where('id', '=', key.json().id).execute();
    const bearer = { authorization: `Bearer ${key.json().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/organization', headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/organization', headers: bearer })).statusCode).toBe(200);
    const r = await t.app.inject({ method: 'PATCH', url: `/api/v1/staff-users/${tech.id}`, headers: { cookie: t.cookies.vn.manager }, payload: { version: tech.version, disabled: true } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ disabled: true });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/organization', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/organization', headers: bearer })).statusCode).toBe(401);
  });

  test('a manager may not touch an owner; the last owner cannot be deactivated', async () => {
    const org = t.orgs['its'];
    const owner = await t.db.selectFrom('staff_users').selectAll().where('organization_id', '=', org).where('role', '=', 'owner').executeTakeFirstOrThrow();
    const m = await t.app.inject({ method: 'PATCH', url: `/api/v1/staff-users/${owner.id}`, headers: { cookie: t.cookies.its.manager }, payload: { version: owner.version, disabled: true } });
    expect([m.statusCode, m.json().code]).toEqual([403, 'owner-only']);
    const o = await t.app.inject({ method: 'PATCH', url: `/api/v1/staff-users/${owner.id}`, headers: { cookie: t.cookies.its.owner }, payload: { version: owner.version, role: 'manager' } });
    expect([o.statusCode, o.json().code, o.json().errors[0].field]).toEqual([409, 'last-owner', 'body.role']);
  });

  test('a password reset ends the user’s sessions and the new password signs in', async () => {
    const org = t.orgs['its'];
    const fd = await t.db.selectFrom('staff_users').selectAll().where('organization_id', '=', org).where('role', '=', 'front-desk').executeTakeFirstOrThrow();
    const r = await t.app.inject({ method: 'PATCH', url: `/api/v1/staff-users/${fd.id}`, headers: { cookie: t.cookies.its.owner }, payload: { version: fd.version, password: 'a brand new secret' } });
    expect(r.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/organization', headers: { cookie: t.cookies.its['front-desk'] } })).statusCode).toBe(401);
    const s = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: fd.email, password: 'a brand new secret' } });
    expect(s.statusCode).toBe(200);
  });
});
