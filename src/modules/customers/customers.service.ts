import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { audit } from '../../core/audit.ts';
import type { Actor } from '../../core/actor.ts';
import { notFound, versionConflict } from '../../core/errors.ts';
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
