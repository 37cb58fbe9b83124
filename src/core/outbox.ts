// The outbox: messages that must leave the process (to the client or to staff), written in the same
// transaction as the state change they report. This file is the one writer of outbox rows: `enqueue`
// (one row, deduplicated by key), `enqueueMany`, and `outboxSql` as a CTE of a caller's statement. Nothing here sends anything: the delivery worker
// (issue 5) reads pending rows (delivered_at is null, available_at <= now()), delivers them, and sets
// delivered_at, or increments attempts and sets last_error and a later available_at.
// The contract (topics and payloads) is in docs/service-orders.md.
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../db/index.ts';
import { uuidv7 } from '../db/ids.ts';

/** Topics written today. Payloads always hold ids, never rendered text. */
export const OUTBOX_TOPICS = [
  'claim.received', // the client's claim with its order number (ITEMA-28)
  'order.quote-ready', // a quote the client can accept or refuse (SC-5)
  'order.decision-recorded', // the client's consent or refusal (SC-7)
  'order.ready', // ready for pickup: the client is notified (SC-9)
  'order.warranty-approved', // the diagnosis found a warranty repair: nothing to pay, the repair starts (issue 16)
  'order.repair-started', // the repair began (issue 16)
  'order.handed-over', // the device was collected; the documents are on the order page (SC-10, issue 16)
  'order.returned', // returned unrepaired (ITEMA-22, SC-12; issue 16)
  'order.cancelled', // the order was cancelled (issue 16)
  'order.disposal-reminder', // collect before the disposal deadline (SC-11)
  'order.collection-reminder', // collect within the window, after which the business is no longer liable (ITEMA-24); no disposal
  'order.unclaimed', // the collection deadline passed
  'deadline.at-risk', // a clock is at risk (staff)
  'deadline.breached', // a clock ran out (staff)
  'client.sign-in-link', // a one-time sign-in link for the client account (issue 6)
  'order.lookup-code', // a one-time code to decide on the page reached by order number and contact (issue 15)
  'order.message', // a message staff wrote to the client from the order page (issue 16), by the order's contact channel
  'policy.changed', // a new policy version governs the client's devices: what changed for each (ITS-11, issue 11)
] as const;
export type OutboxTopic = (typeof OUTBOX_TOPICS)[number];

export interface OutboxRow {
  organizationId: string;
  topic: OutboxTopic | (string & {});
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  /** A second enqueue with the same key (in this organization) is ignored. */
  dedupeKey?: string;
  /** Deliver no earlier than this instant (default: now). */
  availableAt?: Date;
}

/** A message a transition produces; the writer adds the organization and the aggregate. */
export interface OutboxMessage {
  topic: OutboxTopic | (string & {});
  payload: Record<string, unknown>;
}

/**
 * The insert of outbox rows without dedupe keys. `extraPayload` (a SQL jsonb expression, e.g. the
 * number a CTE just took) is merged into every payload; `from` names the CTE it reads.
 */
export function outboxSql(rows: readonly Omit<OutboxRow, 'dedupeKey' | 'availableAt'>[], opts: { extraPayload?: RawBuilder<unknown>; from?: RawBuilder<unknown> } = {}) {
  const data = rows.map((r) => ({ id: uuidv7(), organization_id: r.organizationId, topic: r.topic, aggregate_type: r.aggregateType, aggregate_id: r.aggregateId, payload: r.payload }));
  const payload = opts.extraPayload ? sql`x.payload || ${opts.extraPayload}` : sql`x.payload`;
  return sql`insert into outbox (id, organization_id, topic, aggregate_type, aggregate_id, payload)
    select x.id, x.organization_id, x.topic, x.aggregate_type, x.aggregate_id, ${payload}
    from jsonb_to_recordset(${JSON.stringify(data)}::jsonb) as x(id uuid, organization_id uuid, topic text, aggregate_type text, aggregate_id uuid, payload jsonb)${opts.from ? sql`, ${opts.from}` : sql``}`;
}

/** Writes outbox rows (no dedupe keys) inside the caller's transaction, in one statement. */
export async function enqueueMany(tx: Tx, rows: readonly Omit<OutboxRow, 'dedupeKey' | 'availableAt'>[]) {
  if (rows.length) await sql`${outboxSql(rows)}`.execute(tx);
}

/** Writes one outbox row inside the caller's transaction. Returns its id, or null if deduplicated. */
export async function enqueue(tx: Tx, row: OutboxRow): Promise<string | null> {
  const r = await tx
    .insertInto('outbox')
    .values({
      id: uuidv7(),
      organization_id: row.organizationId,
      topic: row.topic,
      aggregate_type: row.aggregateType,
      aggregate_id: row.aggregateId,
      payload: JSON.stringify(row.payload),
      dedupe_key: row.dedupeKey ?? null,
      ...(row.availableAt ? { available_at: row.availableAt } : {}),
    })
    .onConflict((oc) => oc.columns(['organization_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id ?? null;
}

/** Pending rows of one aggregate (tests, the order page's "what we sent you"). */
export function ofAggregate(tx: Tx | import('../db/index.ts').Db, organizationId: string, aggregateId: string) {
  return tx
    .selectFrom('outbox')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('aggregate_id', '=', aggregateId)
    .orderBy(sql`created_at, id`)
    .execute();
}
