import type { Db } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { audit } from '../../core/audit.ts';
import type { Actor, Role } from '../../core/actor.ts';
import { notFound, problem, versionConflict } from '../../core/errors.ts';
import { OrganizationErrors } from './organizations.errors.ts';
import { forgetApiKeys, hashPassword } from '../auth/auth.service.ts';
import * as repo from './organizations.repository.ts';
import { selectVersion, type Texts } from '../../policy/index.ts';
import { policyOf } from '../../core/policy-store.ts';
import { parseDate } from '../../policy/dates.ts';
import { todayIn } from '../../core/day.ts';

export const PACK_IDS = ['its', 'itmall', 'service-center', 'vn', 'itema'] as const;
export type PackId = (typeof PACK_IDS)[number];

export const orgView = (o: repo.OrgRow) => ({
  id: o.id,
  slug: o.slug,
  name: o.name,
  packId: o.pack_id,
  country: o.country,
  policyRev: o.policy_rev,
  timeZone: o.time_zone,
  currency: o.currency,
  languages: o.languages,
  version: o.version,
});
export const locationView = (l: repo.LocationRow) => ({ id: l.id, name: l.name, address: l.address, phone: l.phone, openingHours: l.opening_hours, version: l.version });
export const staffView = (u: repo.StaffRow) => ({ id: u.id, name: u.name, email: u.email, role: u.role as Role, disabled: u.disabled_at !== null, version: u.version });

export function isTimeZone(tz: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export async function getCurrent(db: Db, actor: Actor) {
  const o = await repo.getOrganization(db, actor.organizationId);
  if (!o) throw notFound('Organization');
  return orgView(o);
}

export interface OrgPatch {
  version: number;
  name?: string;
  country?: string | null;
  timeZone?: string;
  currency?: string;
  languages?: string[];
}

export async function updateCurrent(db: Db, actor: Actor, p: OrgPatch) {
  return db.transaction().execute(async (tx) => {
    const before = await repo.lockOrganization(tx, actor.organizationId);
    if (!before) throw notFound('Organization');
    if (before.version !== p.version) throw versionConflict(orgView(before));
    const after = await tx
      .updateTable('organizations')
      .set({
        name: p.name ?? before.name,
        country: p.country === undefined ? before.country : p.country,
        time_zone: p.timeZone ?? before.time_zone,
        currency: p.currency ?? before.currency,
        languages: p.languages ?? before.languages,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'organization.updated', entityType: 'organization', entityId: before.id, before: orgView(before), after: orgView(after) });
    return orgView(after);
  });
}

export async function listLocations(db: Db, actor: Actor) {
  return (await repo.listLocations(db, actor.organizationId)).map(locationView);
}

export async function createLocation(db: Db, actor: Actor, input: { name: string; address?: string | null; phone?: string | null; openingHours?: string | null }) {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('locations')
      .values({ id: uuidv7(), organization_id: actor.organizationId, name: input.name, address: input.address ?? null, phone: input.phone ?? null, opening_hours: input.openingHours ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'location.created', entityType: 'location', entityId: row.id, after: locationView(row) });
    return locationView(row);
  });
}

export async function updateLocation(db: Db, actor: Actor, id: string, p: { version: number; name?: string; address?: string | null; phone?: string | null; openingHours?: string | null }) {
  return db.transaction().execute(async (tx) => {
    const before = await repo.lockLocation(tx, actor.organizationId, id);
    if (!before) throw notFound('Location');
    if (before.version !== p.version) throw versionConflict(locationView(before));
    const after = await tx
      .updateTable('locations')
      .set({
        name: p.name ?? before.name,
        address: p.address === undefined ? before.address : p.address,
        phone: p.phone === undefined ? before.phone : p.phone,
        opening_hours: p.openingHours === undefined ? before.opening_hours : p.openingHours,
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('organization_id', '=', actor.organizationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'location.updated', entityType: 'location', entityId: id, before: locationView(before), after: locationView(after) });
    return locationView(after);
  });
}

export async function listStaff(db: Db, actor: Actor) {
  return (await repo.listStaff(db, actor.organizationId)).map(staffView);
}

export async function createStaff(db: Db, actor: Actor, input: { name: string; email: string; role: Role; password: string }) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (tx) => {
    const taken = await tx.selectFrom('staff_users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase())).executeTakeFirst();
    if (taken) throw problem(OrganizationErrors, 'email-taken', 'A staff user with this e-mail already exists', { errors: [{ field: 'body.email', message: 'already in use' }] });
    const row = await tx
      .insertInto('staff_users')
      .values({ id: uuidv7(), organization_id: actor.organizationId, name: input.name, email: input.email, role: input.role, password_hash: passwordHash })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'staff-user.created', entityType: 'staff-user', entityId: row.id, after: staffView(row) });
    return staffView(row);
  });
}

export interface StaffPatch {
  version: number;
  name?: string;
  role?: Role;
  /** true: deactivate (their sessions and API keys stop at once); false: reactivate. */
  disabled?: boolean;
  /** A new password (a reset by an owner or manager); their sessions end. */
  password?: string;
}

/**
 * Owners and managers change staff: role, name, deactivation, a password reset. A manager may not
 * touch an owner or make one; nobody deactivates or demotes the last active owner. A deactivated
 * user's sessions are revoked and the API keys they created too, in the same transaction.
 */
export async function updateStaff(db: Db, actor: Actor, id: string, p: StaffPatch) {
  const passwordHash = p.password ? await hashPassword(p.password) : undefined;
  const result = await db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('staff_users').selectAll().where('organization_id', '=', actor.organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) throw notFound('Staff user');
    if (before.version !== p.version) throw versionConflict(staffView(before));
    if (actor.role !== 'owner' && (before.role === 'owner' || p.role === 'owner')) {
      throw problem(OrganizationErrors, 'owner-only', 'Only an owner may change an owner or make one', { errors: [{ field: p.role === 'owner' ? 'body.role' : 'params.id', message: 'owners only' }] });
    }
    const losesOwner = before.role === 'owner' && before.disabled_at === null && (p.disabled === true || (p.role !== undefined && p.role !== 'owner'));
    if (losesOwner) {
      const owners = await tx.selectFrom('staff_users').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', actor.organizationId).where('role', '=', 'owner').where('disabled_at', 'is', null).executeTakeFirstOrThrow();
      if (Number(owners.n) <= 1) throw problem(OrganizationErrors, 'last-owner', 'The business needs an active owner', { errors: [{ field: p.disabled ? 'body.disabled' : 'body.role', message: 'this is the last active owner' }] });
    }
    const now = new Date();
    const disabledAt = p.disabled === undefined ? before.disabled_at : p.disabled ? (before.disabled_at ?? now) : null;
    const after = await tx
      .updateTable('staff_users')
      .set({ name: p.name ?? before.name, role: p.role ?? before.role, disabled_at: disabledAt, ...(passwordHash ? { password_hash: passwordHash } : {}), version: before.version + 1, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    let revokedKeys = 0;
    if ((disabledAt && !before.disabled_at) || passwordHash || (p.role && p.role !== before.role)) {
      // Sessions carry no role of their own, but a changed password or deactivation ends them.
      if (disabledAt || passwordHash) await tx.updateTable('sessions').set({ revoked_at: now }).where('staff_user_id', '=', id).where('revoked_at', 'is', null).execute();
    }
    if (disabledAt && !before.disabled_at) {
      const r = await tx.updateTable('api_keys').set({ revoked_at: now }).where('organization_id', '=', actor.organizationId).where('created_by', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      revokedKeys = Number(r.numUpdatedRows);
    }
    await audit(tx, actor, {
      action: passwordHash ? 'staff-user.password-reset' : 'staff-user.updated',
      entityType: 'staff-user',
      entityId: id,
      before: staffView(before),
      after: { ...staffView(after), ...(revokedKeys ? { revokedApiKeys: revokedKeys } : {}) },
    });
    return { view: staffView(after), revokedKeys };
  });
  if (result.revokedKeys) forgetApiKeys();
  return result.view;
}

export interface PolicyRule {
  id: string;
  text: Texts;
  /** Where the pack uses the rule besides its statement: a warranty term, a clock, ... */
  uses: { kind: 'term' | 'clock'; id: string; duration: string; text?: Texts }[];
}

/**
 * The policy pack in force today (in the organization's time zone): its version and every rule id
 * with its statement in the pack's languages, plus the terms and clocks that cite each rule.
 */
async function versionInForce(db: Db, actor: Actor) {
  const o = await repo.getOrganization(db, actor.organizationId);
  if (!o) throw notFound('Organization');
  const pack = await policyOf(db, o);
  const today = todayIn(o.time_zone);
  const day = parseDate(today);
  return { org: o, pack, today, v: selectVersion(pack, day, day) };
}

/**
 * The findings a technician can record at diagnosis: the exclusions of the pack version in force, each
 * with the rule that makes it an exclusion, its effect and its text in the asked language (then the
 * organization's first language, then English). Other finding codes are accepted by the API but
 * change nothing in the engine's decision.
 */
export async function findings(db: Db, actor: Actor, lang?: 'en' | 'bg' | 'vi') {
  const { org, v } = await versionInForce(db, actor);
  const langs = [lang, org.languages[0], 'en'].filter(Boolean) as ('en' | 'bg' | 'vi')[];
  const pick = (t: Texts) => langs.map((l) => t[l]).find((x) => x) ?? t.en;
  return {
    policyVersion: v.version,
    items: v.raw.exclusions.map((e) => ({ code: e.finding, rule: e.rule, effect: e.effect, text: pick(e.text) })),
  };
}

export async function policyPack(db: Db, actor: Actor) {
  const { pack, today, v } = await versionInForce(db, actor);
  const raw = v.raw;
  const rules = new Map<string, PolicyRule>();
  const rule = (id: string, text?: Texts) => {
    let r = rules.get(id);
    if (!r) rules.set(id, (r = { id, text: text ?? { en: id }, uses: [] }));
    return r;
  };
  for (const [id, text] of Object.entries(raw.rules)) rule(id, text);
  raw.terms.forEach((t, i) => {
    const what = [t.match.kind, t.match.category, t.match.condition].flat().filter(Boolean).join(' ');
    rule(t.rule, t.text).uses.push({ kind: 'term', id: what || `term ${i + 1}`, duration: t.duration, ...(t.text ? { text: t.text } : {}) });
  });
  for (const c of raw.clocks) rule(c.rule, c.text).uses.push({ kind: 'clock', id: c.id, duration: c.duration, text: c.text });
  const order = (id: string) => {
    const m = /^(.*)-(\d+)$/.exec(id);
    return m ? [m[1], Number(m[2])] as const : [id, 0] as const;
  };
  const sorted = [...rules.values()].sort((a, b) => {
    const [pa, na] = order(a.id);
    const [pb, nb] = order(b.id);
    return pa === pb ? na - nb : pa < pb ? -1 : 1;
  });
  return {
    packId: pack.id,
    name: pack.name,
    version: v.version,
    effective: raw.effective,
    at: today,
    languages: raw.settings.languages,
    versions: pack.versions.map((x) => ({ version: x.version, effective: x.raw.effective, inForce: x === v })),
    rules: sorted,
  };
}
