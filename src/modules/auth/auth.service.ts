// Sign-in, sessions and API keys. Passwords are hashed with Argon2id (@node-rs/argon2, prebuilt).
import { hash, verify } from '@node-rs/argon2';
import type { SignInLimits } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { audit } from '../../core/audit.ts';
import { API_KEY_PREFIX, forgetApiKeys, newToken, sha256 } from '../../server/auth.ts';
import { ROLES, type Actor, type Role } from '../../core/actor.ts';
import { CoreErrors, notFound, problem } from '../../core/errors.ts';
import { AuthErrors } from './auth.errors.ts';
import { signInKeys, signInSucceeded, takeSignInAttempt } from './sign-in-limit.ts';

export const hashPassword = (password: string) => hash(password);
/** Drops this process's cached API-key lookups (a revocation takes effect here at once). */
export { forgetApiKeys };

// Verifying against a fixed hash when the user is unknown keeps the response time the same, so the
// timing does not tell which e-mail addresses exist.
let dummyHash: Promise<string> | undefined;

/**
 * Password sign-in. Too many failures for the address or from the client address (`limits`,
 * sign-in-limit.ts) get 429 before anything is looked up or verified, for known and unknown
 * addresses alike.
 */
export async function signIn(
  db: Db,
  input: { email: string; password: string; ip?: string },
  opts: { ttlHours: number; limits: SignInLimits },
) {
  const { email, password } = input;
  const keys = signInKeys(email, input.ip);
  await takeSignInAttempt(db, keys, opts.limits);
  const user = await db
    .selectFrom('staff_users as u')
    .innerJoin('organizations as o', 'o.id', 'u.organization_id')
    .select(['u.id', 'u.name', 'u.email', 'u.role', 'u.password_hash', 'u.organization_id', 'u.disabled_at', 'o.name as organization_name', 'o.slug'])
    .where((eb) => eb(eb.fn('lower', ['u.email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  dummyHash ??= hash('not a password');
  const ok = await verify(user?.password_hash ?? (await dummyHash), password).catch(() => false);
  if (!user || !ok || user.disabled_at) throw problem(AuthErrors, 'invalid-credentials', 'Wrong e-mail or password');
  const token = newToken();
  const actor: Actor = { organizationId: user.organization_id, role: user.role as Role, type: 'staff', id: user.id, name: user.name, channel: 'console' };
  const expiresAt = new Date(Date.now() + opts.ttlHours * 3600_000);
  await db.transaction().execute(async (tx) => {
    await signInSucceeded(tx, keys);
    await tx.insertInto('sessions').values({ token_hash: sha256(token), organization_id: user.organization_id, staff_user_id: user.id, expires_at: expiresAt }).execute();
    await audit(tx, actor, { action: 'session.created', entityType: 'staff-user', entityId: user.id });
  });
  return {
    token,
    expiresAt,
    user: { id: user.id, name: user.name, email: user.email, role: user.role as Role, organizationId: user.organization_id },
    organization: { id: user.organization_id, name: user.organization_name, slug: user.slug },
  };
}

export async function signOut(db: Db, actor: Actor) {
  if (!actor.sessionTokenHash) return;
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('sessions').set({ revoked_at: new Date() }).where('token_hash', '=', actor.sessionTokenHash!).execute();
    await audit(tx, actor, { action: 'session.revoked', entityType: 'staff-user', entityId: actor.id });
  });
}

const keyView = (k: { id: string; name: string; role: string; prefix: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }) => ({
  id: k.id,
  name: k.name,
  role: k.role as Role,
  prefix: k.prefix,
  createdAt: k.created_at.toISOString(),
  revokedAt: k.revoked_at?.toISOString() ?? null,
});

export async function listApiKeys(db: Db, actor: Actor) {
  const rows = await db.selectFrom('api_keys').selectAll().where('organization_id', '=', actor.organizationId).orderBy('created_at', 'desc').execute();
  return rows.map(keyView);
}

/**
 * Nobody hands out or takes away more rights than their own role has: a key's role must be the
 * actor's own or one with fewer rights. The roles' rights are nested (every route admits one of
 * OWNER ⊂ MANAGERS ⊂ OFFICE ⊂ ALL_ROLES), so ROLES, most rights first, orders them.
 */
function mayHandleKey(actor: Actor, keyRole: Role, verb: 'create' | 'revoke') {
  if (ROLES.indexOf(keyRole) < ROLES.indexOf(actor.role)) {
    throw problem(CoreErrors, 'forbidden', `A ${actor.role} may not ${verb} an API key with the ${keyRole} role, which has more rights than their own`);
  }
}

export async function createApiKey(db: Db, actor: Actor, input: { name: string; role: Role }) {
  mayHandleKey(actor, input.role, 'create');
  const token = `${API_KEY_PREFIX}${newToken()}`;
  const id = uuidv7();
  const row = await db.transaction().execute(async (tx) => {
    const r = await tx
      .insertInto('api_keys')
      .values({ id, organization_id: actor.organizationId, name: input.name, role: input.role, prefix: token.slice(0, 10), secret_hash: sha256(token), created_by: actor.type === 'staff' ? actor.id : null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'api-key.created', entityType: 'api-key', entityId: id, after: keyView(r) });
    return r;
  });
  return { ...keyView(row), token };
}

/** For the demo data and tests: an API key with a known token. */
export async function insertApiKey(db: Db, organizationId: string, name: string, role: Role, token: string) {
  await db
    .insertInto('api_keys')
    .values({ id: uuidv7(), organization_id: organizationId, name, role, prefix: token.slice(0, 10), secret_hash: sha256(token) })
    .onConflict((oc) => oc.column('secret_hash').doNothing())
    .execute();
}

export async function revokeApiKey(db: Db, actor: Actor, id: string) {
  return db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('api_keys').selectAll().where('organization_id', '=', actor.organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw notFound('API key');
    mayHandleKey(actor, before.role as Role, 'revoke');
    const after = await tx.updateTable('api_keys').set({ revoked_at: before.revoked_at ?? new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'api-key.revoked', entityType: 'api-key', entityId: id, before: keyView(before), after: keyView(after) });
    return keyView(after);
  }).finally(forgetApiKeys);
}
