// The append-only audit log: every change writes its rows in the same transaction. This file is the
// one writer of audit_events: `auditSql` builds the insert (one row or many), used on its own
// (`audit`, `auditMany`) or as a CTE inside a caller's single statement (the intake).
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../db/index.ts';
import type { Actor } from './actor.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

const j = (x: unknown) => (x === undefined || x === null ? null : x);

/**
 * The insert of audit rows by `actor`. `extraAfter` (a SQL jsonb expression, e.g. the number a CTE
 * just took) is merged into every row's `after`; `from` names the CTE it reads.
 */
export function auditSql(actor: Actor, entries: readonly AuditEntry[], opts: { extraAfter?: RawBuilder<unknown>; from?: RawBuilder<unknown> } = {}) {
  const rows = entries.map((e) => ({ action: e.action, entity_type: e.entityType, entity_id: e.entityId, before: j(e.before), after: j(e.after) }));
  const after = opts.extraAfter ? sql`coalesce(x.after, '{}'::jsonb) || ${opts.extraAfter}` : sql`x.after`;
  return sql`insert into audit_events (organization_id, actor_type, actor_id, channel, action, entity_type, entity_id, before, after)
    select ${actor.organizationId}, ${actor.type}, ${actor.id}, ${actor.channel}, x.action, x.entity_type, x.entity_id, x.before, ${after}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(action text, entity_type text, entity_id text, before jsonb, after jsonb)${opts.from ? sql`, ${opts.from}` : sql``}`;
}

export async function audit(tx: Tx, actor: Actor, e: AuditEntry) {
  await sql`${auditSql(actor, [e])}`.execute(tx);
}

export async function auditMany(tx: Tx, actor: Actor, entries: readonly AuditEntry[]) {
  if (entries.length) await sql`${auditSql(actor, entries)}`.execute(tx);
}
