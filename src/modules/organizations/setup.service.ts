// Setting up a business (issue 11): the organization, its first owner, its locations and its policy
// from a starting point, in one transaction. Used by `aftercare org create` (src/cli/org.ts) and by
// tests; the demo seed writes its five businesses through the same policy adoption.
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

export const BusinessInput = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'a slug is lower-case letters, digits and dashes, like acme-repairs'),
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
  constructor(readonly issues: { field: string; message: string }[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
  }
}

/** Creates the business; refuses a taken slug or owner e-mail with the field named. */
export async function createBusiness(db: Db, input: unknown): Promise<{ id: string; slug: string }> {
  const parsed = BusinessInput.safeParse(input);
  if (!parsed.success) throw new SetupError(parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'input', message: i.message })));
  const b = parsed.data;
  const passwordHash = await hashPassword(b.owner.password);
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('aftercare-org-create'))`.execute(tx);
    const issues: { field: string; message: string }[] = [];
    if (await tx.selectFrom('organizations').select('id').where('slug', '=', b.slug).executeTakeFirst()) issues.push({ field: 'slug', message: `"${b.slug}" is taken` });
    if (await tx.selectFrom('staff_users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', b.owner.email.toLowerCase())).executeTakeFirst())
      issues.push({ field: 'owner.email', message: 'already in use' });
    if (issues.length) throw new SetupError(issues);
    const id = uuidv7();
    await tx
      .insertInto('organizations')
      .values({ id, slug: b.slug, name: b.name, pack_id: b.policy, country: b.country, time_zone: b.timeZone, currency: b.currency, languages: b.languages })
      .execute();
    const a = systemActor(id, 'cli');
    for (const l of b.locations) {
      await tx.insertInto('locations').values({ id: uuidv7(), organization_id: id, name: l.name, address: l.address ?? null, phone: l.phone ?? null, opening_hours: l.openingHours ?? null }).execute();
    }
    const ownerId = uuidv7();
    await tx.insertInto('staff_users').values({ id: ownerId, organization_id: id, email: b.owner.email, name: b.owner.name, role: 'owner', password_hash: passwordHash }).execute();
    await adoptTemplate(tx, id, b.policy as TemplateId, { timeZone: b.timeZone, currency: b.currency, languages: b.languages, country: b.country }, 'cli');
    await audit(tx, a, {
      action: 'organization.created',
      entityType: 'organization',
      entityId: id,
      after: { slug: b.slug, name: b.name, country: b.country, timeZone: b.timeZone, currency: b.currency, languages: b.languages, policy: b.policy, owner: b.owner.email, locations: b.locations.length },
    });
    return { id, slug: b.slug };
  });
}
