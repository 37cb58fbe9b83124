// An organization's own policy (issue 11): the versions stored in policy_versions, compiled into the
// same CompiledPack the engine has always read. The shipped packs (packs/*.yaml) are templates a
// business starts from; once it exists, its policy is its data.
//
// Compiling a pack costs milliseconds, a lookup microseconds: the compiled policy is kept per
// organization under the organization's `policy_rev`, which every publication increments in the
// same transaction as the new version. Every reader already reads the organization row (its time
// zone, its currency), so it learns the revision for free and a process notices another process's
// publication on its very next read.
import { sql } from 'kysely';
import type { Db, Tx } from '../db/index.ts';
import { compilePack, getShippedPack, SHIPPED_PACKS, type CompiledPack, type PackVersion, type Texts } from '../policy/index.ts';

export interface PolicyOwner {
  id: string;
  pack_id: string;
  policy_rev: number;
}

interface Entry {
  rev: number;
  pack: CompiledPack;
}
const cache = new Map<string, Entry>();
const loading = new Map<string, Promise<Entry>>();
const MAX_CACHED = 2_000;

/** The stored form of one version, as policy_versions keeps it. */
export interface StoredVersion {
  label: string;
  effective: string;
  applies_to_existing: boolean;
  body: unknown;
}

/** A pack version as the pack file would write it: the stored body with its label, date and scope. */
export function versionDoc(r: StoredVersion): PackVersion {
  return { ...(r.body as object), version: r.label, effective: r.effective, appliesToExisting: r.applies_to_existing } as PackVersion;
}

/** The pack's name: the template's when the policy started from one, else a neutral name. */
export function policyName(packId: string): Texts {
  return (SHIPPED_PACKS as readonly string[]).includes(packId) ? getShippedPack(packId).name : { en: 'Own policy', bg: 'Собствени условия', vi: 'Chính sách riêng' };
}

/** Compiles stored versions (plus, for the simulator and validation, a candidate) into a pack. */
export function compileStored(packId: string, rows: StoredVersion[]): CompiledPack {
  return compilePack({ id: packId, name: policyName(packId), versions: rows.map(versionDoc) });
}

async function load(db: Db | Tx, org: PolicyOwner): Promise<Entry> {
  // The revision and the versions in one statement, so the entry's key matches what it holds.
  const r = await sql<{ policy_rev: number; label: string | null; effective: string | null; applies_to_existing: boolean | null; body: unknown }>`
    select o.policy_rev, v.label, v.effective, v.applies_to_existing, v.body
      from organizations o left join policy_versions v on v.organization_id = o.id
     where o.id = ${org.id}
     order by v.seq`.execute(db);
  const rev = r.rows[0]?.policy_rev ?? org.policy_rev;
  const rows = r.rows.filter((x) => x.label !== null) as StoredVersion[];
  // An organization row written without a policy (a hand-made test or bench row) runs on the
  // template its pack_id names, as every organization did before policies were stored.
  const pack = rows.length ? compileStored(org.pack_id, rows) : getShippedPack(org.pack_id);
  return { rev, pack };
}

/** The compiled policy of an organization at the revision its row shows, when this process has it. */
export function cachedPolicy(org: PolicyOwner): CompiledPack | undefined {
  const hit = cache.get(org.id);
  return hit && hit.rev === org.policy_rev ? hit.pack : undefined;
}

/** The organization's policy: its stored versions, compiled once per revision. */
export async function policyOf(db: Db | Tx, org: PolicyOwner): Promise<CompiledPack> {
  const hit = cachedPolicy(org);
  if (hit) return hit;
  let p = loading.get(org.id);
  if (!p) {
    p = load(db, org).finally(() => loading.delete(org.id));
    loading.set(org.id, p);
  }
  const e = await p;
  // Keep the newest revision seen (a reader inside an older transaction may load an older one).
  const cur = cache.get(org.id);
  if (!cur || cur.rev <= e.rev) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(org.id, e);
  }
  // A caller whose transaction sees another revision than the shared load did gets what it sees.
  return e.rev === org.policy_rev ? e.pack : (await load(db, org)).pack;
}

/** Drop a cached policy (tests; a publication in this process needs nothing: the revision moves). */
export function forgetPolicies() {
  cache.clear();
}
