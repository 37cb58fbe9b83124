// Setting up a business (issue 11): the organization, its first owner, its locations and its policy
// from a starting point, in one transaction. Used by `aftercare org create` (src/cli/org.ts), by the
// console's first-run set-up screen (first-run.service.ts, POST /api/v1/setup) and by tests; the demo seed writes its five businesses through the same policy adoption.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { audit } from '../../core/audit.ts';
import { systemActor } from '../../core/actor.ts';
import { hashPassword } from '../auth/auth.service.ts';
import { adoptTemplate, TEMPLATES, type TemplateId } from '../policies/templates.service.ts';
import { isTimeZone } from './organizations.service.ts';

const Lang = z.enum(['en', 'bg', 'vi']);

export const LocationInput = z.object({
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().max(500).nullish(),
  phone: z.string().trim().max(50).nullish(),
  /** As the business writes it on its door: "Mon–Fri 09:00–18:00, Sat 10:00–14:00". */
  openingHours: z.string().trim().max(300).nullish(),
});

/** The slug a business name gives when none is chosen: "Sofia Repairs" → sofia-repairs (letters outside a–z dropped). */
export const slugOf = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);

export const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const BusinessInput = z.object({
  slug: z.string().regex(SLUG, 'a slug is lower-case letters, digits and dashes, like acme-repairs'),
  name: z.string().trim().min(1).max(200),
  country: z.string().regex(/^[A-Z]{2}$/, 'a country is an ISO 3166 code like BG'),
  timeZone: z.string().refine(isTimeZone, 'is not an IANA time zone such as Europe/Sofia'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'a currency is an ISO 4217 code like EUR'),
  languages: z.array(Lang).min(1),
  owner: z.object({ name: z.string().trim().min(1).max(200), email: z.email(), password: z.string().min(10, 'must be at least 10 characters').max(1000) }),
  locations: z.array(LocationInput).min(1, 'a business has at least one location'),
  policy: z.enum(TEMPLATES),
});
export type BusinessInput = z.infer<typeof BusinessInput>;

export class SetupError extends Error {
  constructor(readonly issues: SetupIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
  }
}

/** A field of the business that is wrong; `code` says what, for a screen that words it in its user's language. */
export type SetupIssue = { field: string; message: string; code: string };

/**
 * Creates the business; refuses a taken slug or owner e-mail with the field named. `within` runs first
 * in the same transaction, under the set-up lock (the first-run screen checks there that no business
 * exists yet and consumes its token), `actor` names who did it in the audit.
 */
export async function createBusiness(
  db: Db,
  input: unknown,
  opts: { within?: (tx: Db) => Promise<void>; actor?: string } = {},
): Promise<{ id: string; slug: string; owner: { email: string; password: string } }> {
  const parsed = BusinessInput.safeParse(input);
  if (!parsed.success)
    throw new SetupError(parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'input', message: i.message, code: i.code === 'invalid_type' && i.input === undefined ? 'required' : i.code })));
  const b = parsed.data;
  const passwordHash = await hashPassword(b.owner.password);
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('aftercare-org-create'))`.execute(tx);
    await opts.within?.(tx);
    const issues: SetupIssue[] = [];
    if (await tx.selectFrom('organizations').select('id').where('slug', '=', b.slug).executeTakeFirst()) issues.push({ field: 'slug', message: `"${b.slug}" is taken`, code: 'taken' });
    if (await tx.selectFrom('staff_users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', b.owner.email.toLowerCase())).executeTakeFirst())
      issues.push({ field: 'owner.email', message: 'already in use', code: 'taken' });
    if (issues.length) throw new SetupError(issues);
    const id = uuidv7();
    await tx
      .insertInto('organizations')
      .values({ id, slug: b.slug, name: b.name, pack_id: b.policy, country: b.country, time_zone: b.timeZone, currency: b.currency, languages: b.languages })
      .execute();
    const a = systemActor(id, opts.actor ?? 'cli');
    for (const l of b.locations) {
      await tx.insertInto('locations').values({ id: uuidv7(), organization_id: id, name: l.name, address: l.address ?? null, phone: l.phone ?? null, opening_hours: l.openingHours ?? null }).execute();
    }
    const ownerId = uuidv7();
    await tx.insertInto('staff_users').values({ id: ownerId, organization_id: id, email: b.owner.email, name: b.owner.name, role: 'owner', password_hash: passwordHash }).execute();
    await adoptTemplate(tx, id, b.policy as TemplateId, { timeZone: b.timeZone, currency: b.currency, languages: b.languages, country: b.country }, opts.actor ?? 'cli');
    await audit(tx, a, {
      action: 'organization.created',
      entityType: 'organization',
      entityId: id,
      after: { slug: b.slug, name: b.name, country: b.country, timeZone: b.timeZone, currency: b.currency, languages: b.languages, policy: b.policy, owner: b.owner.email, locations: b.locations.length },
    });
    return { id, slug: b.slug, owner: { email: b.owner.email, password: b.owner.password } };
  });
}
