// Client accounts (issue 6, client portal): a client asks for a sign-in link by e-mail; the link
// carries a one-time token (256 bits, only its SHA-256 stored, 20 minutes, single use) delivered as
// an outbox message (topic client.sign-in-link) by the notifications worker. Opening it gives a
// client session (its own cookie, never a staff session) that reads the devices and orders of the
// customer records with that e-mail address in that organization, and each device's warranty.
import type { Db } from '../../db/index.ts';
import { newToken, sha256 } from '../../server/auth.ts';
import { sql } from 'kysely';
import { systemActor, type Actor } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import * as orders from '../service-orders/service-orders.service.ts';
import { ClientAccountErrors } from './client-account.errors.ts';
import { enqueue } from '../../core/outbox.ts';
import { byDeviceId } from '../warranty/warranty.service.ts';
import type { Lang } from '../../policy/index.ts';

export const CLIENT_COOKIE = 'aftercare_client';
export const LINK_TTL_MS = 20 * 60_000;
export const SESSION_TTL_MS = 12 * 3600_000;

const norm = (email: string) => email.trim().toLowerCase();

/**
 * Sends a sign-in link when the organization has a customer with this e-mail; does nothing
 * otherwise. The caller answers the same either way.
 */
export async function requestLink(db: Db, input: { organization: string; email: string; lang?: Lang }, now = new Date()) {
  const email = norm(input.email);
  const org = await db.selectFrom('organizations').select(['id']).where('slug', '=', input.organization).executeTakeFirst();
  if (!org) return;
  const customer = await db
    .selectFrom('customers')
    .select(['id', 'preferred_language'])
    .where('organization_id', '=', org.id)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
    .orderBy('id')
    .executeTakeFirst();
  if (!customer) return;
  const token = newToken();
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('client_sign_in_tokens').values({ token_hash: sha256(token), organization_id: org.id, email, expires_at: new Date(now.getTime() + LINK_TTL_MS) }).execute();
    // The link's token travels in the payload like the order page's: the worker needs it to write
    // the message; it is short-lived and single use.
    await enqueue(tx, {
      organizationId: org.id,
      topic: 'client.sign-in-link',
      aggregateType: 'customer',
      aggregateId: customer.id,
      payload: { customerId: customer.id, email, signInToken: token, language: input.lang ?? customer.preferred_language ?? undefined, channel: 'email' },
    });
  });
}

/** Exchanges a link's token for a client session; a wrong, expired or used token changes nothing. */
export async function openLink(db: Db, token: string, now = new Date()) {
  return db.transaction().execute(async (tx) => {
    const used = await tx
      .updateTable('client_sign_in_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', sha256(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['organization_id', 'email'])
      .executeTakeFirst();
    if (!used) throw problem(ClientAccountErrors, 'invalid-sign-in-link', 'This sign-in link is wrong, expired or already used; ask for a new one', { errors: [{ field: 'body.token', message: 'wrong, expired or already used' }] });
    const session = newToken();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await tx.insertInto('client_sessions').values({ token_hash: sha256(session), organization_id: used.organization_id, email: used.email, expires_at: expiresAt }).execute();
    return { session, expiresAt };
  });
}

export async function clientOf(db: Db, cookie: string | undefined, now = new Date()) {
  if (!cookie) return null;
  return (
    (await db
      .selectFrom('client_sessions')
      .select(['token_hash', 'organization_id', 'email'])
      .where('token_hash', '=', sha256(cookie))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst()) ?? null
  );
}

export async function signOut(db: Db, cookie: string | undefined) {
  if (cookie) await db.updateTable('client_sessions').set({ revoked_at: new Date() }).where('token_hash', '=', sha256(cookie)).execute();
}

/** The client's own view: their devices, each with its warranty and its orders. Nothing about staff. */
export async function account(db: Db, c: { organization_id: string; email: string }, lang: Lang) {
  const org = await db.selectFrom('organizations').select(['name', 'slug']).where('id', '=', c.organization_id).executeTakeFirstOrThrow();
  const customers = await db
    .selectFrom('customers')
    .select(['id', 'name'])
    .where('organization_id', '=', c.organization_id)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', c.email))
    .orderBy('id')
    .execute();
  const ids = customers.map((x) => x.id);
  const devices = ids.length
    ? await db.selectFrom('devices').select(['id', 'serial', 'manufacturer', 'model', 'category']).where('organization_id', '=', c.organization_id).where('customer_id', 'in', ids).orderBy('id').execute()
    : [];
  const deviceIds = devices.map((d) => d.id);
  const orders = ids.length
    ? await db
        .selectFrom('service_orders')
        .select(['id', 'number', 'state', 'problem', 'claim_date', 'device_id', 'created_at'])
        .where('organization_id', '=', c.organization_id)
        .where((eb) => eb.or([eb('customer_id', 'in', ids), ...(deviceIds.length ? [eb('device_id', 'in', deviceIds)] : [])]))
        .orderBy('id', 'desc')
        .execute()
    : [];
  const actor = systemActor(c.organization_id, 'client-account');
  const out = [];
  for (const d of devices) {
    const w = await byDeviceId(db, actor, d.id, { lang });
    out.push({
      ...d,
      warranty: { at: w.at, covered: w.covered, explanation: w.explanation, status: w.coverage.device.status, end: w.coverage.device.end ?? null, requirements: w.requirements, coverage: w.coverage as unknown as Record<string, unknown> },
      orders: orders.filter((o) => o.device_id === d.id).map(orderView),
    });
  }
  return {
    organization: { name: org.name, slug: org.slug },
    email: c.email,
    name: customers[0]?.name ?? null,
    devices: out,
    otherOrders: orders.filter((o) => !o.device_id || !deviceIds.includes(o.device_id)).map(orderView),
  };
}

const orderView = (o: { id: string; number: string; state: string; problem: string; claim_date: string; created_at: Date }) => ({
  number: o.number,
  state: o.state,
  problem: o.problem,
  claimDate: o.claim_date,
});

// ---------- the client's own public claims (issue 15) ----------
// A claim from the public web form is matched to nobody (anyone may type any e-mail). The client
// who proves the e-mail address by opening a sign-in link sent to it is a verified channel: signed
// in, they see the claims sent with that address that still wait to be linked, and link one to
// their own record themselves: to the customer with that address and to their device with the
// serial they sent (or the one of theirs they choose). Then the engine decides on the device's
// history, as after a link by staff. The link is the service orders' own (`linkClaim`: a change
// through the transition writer, audited as service-order.linked by the client account).

type Client = { organization_id: string; email: string };

const sentEmail = sql<string>`lower(submitted->>'email')`;

export async function claimsToLink(db: Db, c: Client) {
  const rows = await db
    .selectFrom('service_orders')
    .select(['number', 'state', 'problem', 'claim_date', 'submitted'])
    .where('organization_id', '=', c.organization_id)
    .where('awaiting_link', '=', true)
    .where(sentEmail, '=', c.email.toLowerCase())
    .orderBy('id', 'desc')
    .execute();
  return rows.map((o) => ({ number: o.number, state: o.state, problem: o.problem, claimDate: o.claim_date, serial: ((o.submitted ?? {}) as { serial?: string }).serial ?? null }));
}

export async function linkOwnClaim(db: Db, c: Client, number: string, body: { deviceId?: string }, now: Date) {
  const o = await db
    .selectFrom('service_orders')
    .select(['id', 'version', 'submitted'])
    .where('organization_id', '=', c.organization_id)
    .where('number', '=', number)
    .where('awaiting_link', '=', true)
    .where(sentEmail, '=', c.email.toLowerCase())
    .executeTakeFirst();
  // Someone else's claim, or one already linked: the same answer as no claim at all.
  if (!o) throw problem(CoreErrors, 'not-found', 'No claim of yours with this number waits to be linked', { errors: [{ field: 'params.number', message: 'no claim of yours with this number waits to be linked' }] });
  const customer = await db
    .selectFrom('customers')
    .select('id')
    .where('organization_id', '=', c.organization_id)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', c.email.toLowerCase()))
    .orderBy('id')
    .executeTakeFirst();
  if (!customer) throw problem(CoreErrors, 'not-found', 'No client record with this e-mail address', { errors: [{ field: 'session', message: 'no client record with this e-mail address' }] });
  const mine = await db.selectFrom('devices').select(['id', 'serial']).where('organization_id', '=', c.organization_id).where('customer_id', '=', customer.id).execute();
  let deviceId: string | undefined;
  if (body.deviceId) {
    if (!mine.some((d) => d.id === body.deviceId)) throw problem(CoreErrors, 'unknown-reference', 'Not one of your devices', { errors: [{ field: 'body.deviceId', message: 'not one of your devices' }] });
    deviceId = body.deviceId;
  } else {
    const serial = ((o.submitted ?? {}) as { serial?: string }).serial?.trim().toLowerCase();
    deviceId = serial ? mine.find((d) => d.serial.toLowerCase() === serial)?.id : undefined;
  }
  const actor: Actor = { organizationId: c.organization_id, role: 'front-desk', type: 'system', id: 'client-account', name: `client ${c.email}`, channel: 'client-account' };
  const linked = await orders.linkClaim(db, actor, o.id, { customerId: customer.id, deviceId, version: Number(o.version) }, now);
  return { number, state: linked.state, linked: true as const, device: deviceId ? (mine.find((d) => d.id === deviceId)?.serial ?? null) : null };
}
