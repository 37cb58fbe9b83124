// The organization-and-policy loader: every feature that asks the policy engine starts here, so the
// policy an organization runs on is found in one place: its own stored versions (issue 11,
// src/core/policy-store.ts), compiled once per publication and cached.
import type { Db, Tx } from '../db/index.ts';
import type { CompiledPack } from '../policy/index.ts';
import { policyOf } from './policy-store.ts';

export interface Org {
  id: string;
  slug: string;
  /** The template the policy started from (its, itmall, service-center, vn, itema, blank). */
  pack_id: string;
  /** Publications so far: the cache key of the compiled policy. */
  policy_rev: number;
  time_zone: string;
  currency: string;
}

export const orgOf = (db: Db | Tx, id: string) =>
  db.selectFrom('organizations').select(['id', 'slug', 'pack_id', 'policy_rev', 'time_zone', 'currency']).where('id', '=', id).executeTakeFirstOrThrow() as Promise<Org>;

/** The policy of an organization row (its stored versions at the row's revision). */
export const packOf = (db: Db | Tx, org: Pick<Org, 'id' | 'pack_id' | 'policy_rev'>): Promise<CompiledPack> => policyOf(db, org);

/** The organization and its policy, in one call. */
export async function orgAndPack(db: Db | Tx, id: string): Promise<{ org: Org; pack: CompiledPack }> {
  const org = await orgOf(db, id);
  return { org, pack: await policyOf(db, org) };
}

/** An organization's policy by its id. */
export async function policyOfOrg(db: Db | Tx, id: string): Promise<CompiledPack> {
  return (await orgAndPack(db, id)).pack;
}

/** An organization's id by its public slug (the public routes name the business by it). */
export async function orgIdBySlug(db: Db | Tx, slug: string): Promise<string | undefined> {
  return (await db.selectFrom('organizations').select('id').where('slug', '=', slug).executeTakeFirst())?.id;
}
