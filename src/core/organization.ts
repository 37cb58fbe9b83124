// The organization-and-pack loader: every feature that asks the policy engine starts here, so the
// pack an organization runs on is found in one place (today a shipped pack by id; the business's
// own stored versions next).
import type { Db, Tx } from '../db/index.ts';
import { getShippedPack, type CompiledPack } from '../policy/index.ts';

export interface Org {
  id: string;
  slug: string;
  pack_id: string;
  time_zone: string;
  currency: string;
}

export const orgOf = (db: Db | Tx, id: string) =>
  db.selectFrom('organizations').select(['id', 'slug', 'pack_id', 'time_zone', 'currency']).where('id', '=', id).executeTakeFirstOrThrow() as Promise<Org>;

/** The pack an organization row names. */
export const packOf = (org: Pick<Org, 'pack_id'>): CompiledPack => getShippedPack(org.pack_id);

/** The organization and its pack, in one call. */
export async function orgAndPack(db: Db | Tx, id: string): Promise<{ org: Org; pack: CompiledPack }> {
  const org = await orgOf(db, id);
  return { org, pack: packOf(org) };
}

/** An organization's id by its public slug (the public routes name the business by it). */
export async function orgIdBySlug(db: Db | Tx, slug: string): Promise<string | undefined> {
  return (await db.selectFrom('organizations').select('id').where('slug', '=', slug).executeTakeFirst())?.id;
}
