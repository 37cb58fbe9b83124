import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { audit, auditMany } from '../../core/audit.ts';
import type { Actor } from '../../core/actor.ts';
import { CoreErrors, notFound, problem, versionConflict } from '../../core/errors.ts';
import { businessCountry, samePhone } from '../../core/phone.ts';
import { policyOfOrg } from '../../core/organization.ts';
import { sql } from 'kysely';
import { CustomerErrors } from './customers.errors.ts';
import { decodeCursor, toPage } from '../../server/http.ts';
import * as repo from './customers.repository.ts';

export const CUSTOMER_KINDS = ['person', 'company'] as const;
export const CHANNELS = ['email', 'phone', 'sms', 'post', 'in-person'] as const;

export interface CustomerInput {
  kind?: (typeof CUSTOMER_KINDS)[number];
  name: string;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  preferredLanguage?: string | null;
  preferredChannel?: (typeof CHANNELS)[number] | null;
  externalRef?: string | null;
}

export const customerView = (c: repo.CustomerRow) => ({
  id: c.id,
  kind: c.kind as (typeof CUSTOMER_KINDS)[number],
  name: c.name,
  email: c.email,
  phone: c.phone,
  address: c.address,
  preferredLanguage: c.preferred_language,
  preferredChannel: c.preferred_channel as (typeof CHANNELS)[number] | null,
  externalRef: c.external_ref,
  mergedIntoId: c.merged_into_id,
  version: c.version,
  createdAt: c.created_at.toISOString(),
});
export type CustomerView = ReturnType<typeof customerView>;

export async function list(db: Db, actor: Actor, f: Omit<repo.CustomerFilter, 'after'> & { cursor?: string }) {
  const rows = await repo.list(db, actor.organizationId, { ...f, after: decodeCursor(f.cursor) });
  return toPage(rows, f.limit, customerView);
}

export async function get(db: Db, actor: Actor, id: string) {
  const c = await repo.get(db, actor.organizationId, id);
  if (!c) throw notFound('Customer');
  return customerView(c);
}

/** Inside a caller's transaction (the HTTP create, the CSV import). */
export async function insert(tx: Tx, actor: Actor, input: CustomerInput) {
  const row = await tx
    .insertInto('customers')
    .values({
      id: uuidv7(),
      organization_id: actor.organizationId,
      kind: input.kind ?? 'person',
      name: input.name,
      email: input.email ?? null,
      phone: input.phone ?? null,
      address: input.address ?? null,
      preferred_language: input.preferredLanguage ?? null,
      preferred_channel: input.preferredChannel ?? null,
      external_ref: input.externalRef ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const view = customerView(row);
  await audit(tx, actor, { action: 'customer.created', entityType: 'customer', entityId: row.id, after: view });
  return view;
}

export async function update(db: Db, actor: Actor, id: string, p: Partial<CustomerInput> & { version: number }) {
  return db.transaction().execute(async (tx) => {
    const before = await repo.lock(tx, actor.organizationId, id);
    if (!before) throw notFound('Customer');
    if (before.version !== p.version) throw versionConflict(customerView(before));
    if (before.merged_into_id) throw mergedProblem(before);
    const pick = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
    const after = await tx
      .updateTable('customers')
      .set({
        kind: pick(p.kind, before.kind),
        name: pick(p.name, before.name),
        email: pick(p.email, before.email),
        phone: pick(p.phone, before.phone),
        address: pick(p.address, before.address),
        preferred_language: pick(p.preferredLanguage, before.preferred_language),
        preferred_channel: pick(p.preferredChannel, before.preferred_channel),
        external_ref: pick(p.externalRef, before.external_ref),
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('organization_id', '=', actor.organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'customer.updated', entityType: 'customer', entityId: id, before: customerView(before), after: customerView(after) });
    return customerView(after);
  });
}

const mergedProblem = (c: repo.CustomerRow) =>
  problem(CustomerErrors, 'customer-merged', 'This customer was merged into another', { mergedIntoId: c.merged_into_id, current: customerView(c) });

export type MatchReason = 'email' | 'phone' | 'name';

/**
 * Intake suggests a client we already have instead of creating a second one: the same e-mail, the
 * same phone however typed ("0888 123 456" is +359888123456, read in the business's country), or a
 * name containing what was typed (at least 3 letters). The strongest matches first.
 */
export async function matches(db: Db, actor: Actor, f: { email?: string; phone?: string; name?: string }) {
  const digits = f.phone?.replace(/\D/g, '') ?? '';
  const name = f.name?.trim() ?? '';
  const q = { email: f.email?.trim() || undefined, phoneDigits: digits.length >= 6 ? digits.slice(-6) : undefined, name: name.length >= 3 ? name : undefined };
  if (!q.email && !q.phoneDigits && !q.name) return { items: [] };
  const rows = await repo.candidates(db, actor.organizationId, q);
  const country = q.phoneDigits ? businessCountry(await policyOfOrg(db, actor.organizationId)) : undefined;
  const items = rows
    .map((c) => {
      const by: MatchReason[] = [];
      if (q.email && c.email?.toLowerCase() === q.email.toLowerCase()) by.push('email');
      if (q.phoneDigits && c.phone && samePhone(c.phone, f.phone!, country)) by.push('phone');
      if (q.name && c.name.toLowerCase().includes(q.name.toLowerCase())) by.push('name');
      return { customer: customerView(c), matchedBy: by };
    })
    .filter((m) => m.matchedBy.length > 0)
    .sort((a, b) => rank(b.matchedBy) - rank(a.matchedBy));
  return { items: items.slice(0, 10) };
}
const rank = (by: MatchReason[]) => (by.includes('email') ? 4 : 0) + (by.includes('phone') ? 4 : 0) + (by.includes('name') ? 1 : 0);

/** The customer page: the customer, every device and order, and the purchases on record. */
export async function overview(db: Db, actor: Actor, id: string) {
  const c = await repo.get(db, actor.organizationId, id);
  if (!c) throw notFound('Customer');
  const r = await repo.overview(db, actor.organizationId, id);
  return {
    customer: customerView(c),
    devices: r.devices.map((d) => ({ id: d.id, serial: d.serial, manufacturer: d.manufacturer, model: d.model, category: d.category, condition: d.condition })),
    orders: r.orders.map((o) => ({ id: o.id, number: o.number, state: o.state, claimDate: o.claim_date, deviceId: o.device_id, problem: o.problem })),
    purchases: r.purchases.map((p) => ({ id: p.id, deviceId: p.device_id, documentType: p.document_type, documentNumber: p.document_number, soldOn: p.sold_on })),
  };
}

/**
 * Merges a duplicate into this customer: everything that names the duplicate (devices, orders,
 * purchases, contracts, tickets, registrations, accounts, messages — every table with a customer)
 * moves here, with its version raised so an editor holding the old one gets 409; the kept customer's
 * empty fields are filled from the duplicate; the duplicate is kept, marked merged (never deleted).
 * Both versions are checked; both customers' audit trails say what moved (through src/core).
 */
export async function merge(db: Db, actor: Actor, id: string, b: { duplicateId: string; version: number; duplicateVersion: number }) {
  if (b.duplicateId === id) throw problem(CustomerErrors, 'merge-invalid', 'A customer cannot be merged into itself', { errors: [{ field: 'body.duplicateId', message: 'is the customer itself' }] });
  return db.transaction().execute(async (tx) => {
    // Locked in id order, so two merges of the same pair never deadlock.
    const [first, second] = [id, b.duplicateId].sort();
    const a = await repo.lock(tx, actor.organizationId, first);
    const z = await repo.lock(tx, actor.organizationId, second);
    const keep = first === id ? a : z;
    const dup = first === id ? z : a;
    if (!keep) throw notFound('Customer');
    if (!dup) throw problem(CoreErrors, 'unknown-reference', 'No such customer', { errors: [{ field: 'body.duplicateId', message: 'no such customer' }] });
    if (keep.version !== b.version) throw versionConflict(customerView(keep));
    if (dup.version !== b.duplicateVersion) throw problem(CoreErrors, 'version-conflict', 'The duplicate was changed by someone else; here is its current state', { current: customerView(dup), errors: [{ field: 'body.duplicateVersion', message: `is ${dup.version} now` }] });
    if (keep.merged_into_id) throw mergedProblem(keep);
    if (dup.merged_into_id) throw problem(CustomerErrors, 'customer-merged', 'The duplicate was already merged', { mergedIntoId: dup.merged_into_id, current: customerView(dup), errors: [{ field: 'body.duplicateId', message: 'already merged' }] });
    const moved: Record<string, number> = {};
    for (const t of await repo.customerTables(tx)) {
      if (t.table_name === 'customers') continue;
      const r = await sql`update ${sql.table(t.table_name)} set customer_id = ${keep.id}${t.has_version ? sql`, version = version + 1` : sql``}
                           where organization_id = ${actor.organizationId} and customer_id = ${dup.id}`.execute(tx);
      const n = Number(r.numAffectedRows ?? 0);
      if (n) moved[t.table_name] = n;
    }
    const fill = <T>(k: T | null, d: T | null) => k ?? d;
    const now = new Date();
    const after = await tx
      .updateTable('customers')
      .set({
        email: fill(keep.email, dup.email),
        phone: fill(keep.phone, dup.phone),
        address: fill(keep.address, dup.address),
        preferred_language: fill(keep.preferred_language, dup.preferred_language),
        preferred_channel: fill(keep.preferred_channel, dup.preferred_channel),
        external_ref: fill(keep.external_ref, dup.external_ref),
        version: keep.version + 1,
        updated_at: now,
      })
      .where('id', '=', keep.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const dupAfter = await tx.updateTable('customers').set({ merged_into_id: keep.id, version: dup.version + 1, updated_at: now }).where('id', '=', dup.id).returningAll().executeTakeFirstOrThrow();
    await auditMany(tx, actor, [
      { action: 'customer.merged', entityType: 'customer', entityId: keep.id, before: customerView(keep), after: { ...customerView(after), duplicate: customerView(dup), moved } },
      { action: 'customer.merged-into', entityType: 'customer', entityId: dup.id, before: customerView(dup), after: { ...customerView(dupAfter), mergedInto: keep.id, moved } },
    ]);
    return { customer: customerView(after), duplicate: customerView(dupAfter), moved };
  });
}
