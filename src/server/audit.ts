// The append-only audit log: every state change writes one row in the same transaction.
import type { Tx } from '../db/index.ts';
import type { Actor } from './context.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export async function audit(tx: Tx, actor: Actor, e: AuditEntry) {
  await tx
    .insertInto('audit_events')
    .values({
      organization_id: actor.organizationId,
      actor_type: actor.type,
      actor_id: actor.id,
      channel: actor.channel,
      action: e.action,
      entity_type: e.entityType,
      entity_id: e.entityId,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
    })
    .execute();
}
