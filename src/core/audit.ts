// The append-only audit log: every change writes its rows in the same transaction. This file is the
// one writer of audit_events: `auditSql` builds the insert (one row or many), used on its own
// (`audit`, `auditMany`) or as a CTE inside a caller's single statement (the intake). The database
// chains each row it inserts to the organization's previous one (a hash chain, see below).
import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../db/index.ts';
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

// ---------- the hash chain (migrations 0020, 0026) ----------
// Rows are written unsealed; `sealAudit` chains every committed unsealed row of an organization to
// the one before (sha256 over the previous hash and the row, in SQL: audit_seal) under the
// organization's audit_heads lock, which only sealers take, so writers never queue on each other
// (issue 10). The job runner seals every minute (crontab `audit-seal`); `aftercare audit verify`
// seals, then `verifyAuditChain` recomputes the chain: the first row whose position, link or
// content does not match is reported.

/** Seals every unsealed audit row (of one organization, or all); returns how many rows it sealed. */
export async function sealAudit(db: Db, opts: { organizationId?: string } = {}): Promise<number> {
  const orgs = opts.organizationId
    ? [opts.organizationId]
    : (await sql<{ organization_id: string }>`select distinct organization_id from audit_events where chain_seq is null`.execute(db)).rows.map((r) => r.organization_id);
  const BATCH = 5000;
  let total = 0;
  for (const org of orgs) {
    for (;;) {
      const n = Number((await sql<{ n: number }>`select audit_seal(${org}::uuid, ${BATCH}) as n`.execute(db)).rows[0].n);
      total += n;
      if (n < BATCH) break;
    }
  }
  return total;
}

export interface BrokenAuditRow {
  id: string;
  chainSeq: string;
  occurredAt: Date | null;
  action: string;
  reason: 'content-changed' | 'link-broken' | 'row-missing-before' | 'rows-missing-at-end';
}

export interface AuditChainReport {
  organizationId: string;
  slug: string;
  rows: number;
  /** The chain's last position and hash: note them elsewhere to detect a rewrite of the whole chain later. */
  head: { seq: string; hash: string } | null;
  broken: BrokenAuditRow | null;
  /** Rows written since the last seal: not yet in the chain, so not yet checked. */
  unsealed: number;
}

export async function verifyAuditChain(db: Db, opts: { organizationId?: string } = {}): Promise<AuditChainReport[]> {
  const orgs = await db
    .selectFrom('organizations')
    .select(['id', 'slug'])
    .$if(!!opts.organizationId, (q) => q.where('id', '=', opts.organizationId!))
    .orderBy('slug')
    .execute();
  const out: AuditChainReport[] = [];
  for (const o of orgs) {
    const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('organization_id', '=', o.id).executeTakeFirst();
    const r = await sql<{ rows: string; unsealed: string; last_seq: string | null; last_hash: string | null; id: string | null; chain_seq: string | null; occurred_at: Date | null; action: string | null; reason: BrokenAuditRow['reason'] | null }>`
      with c as (
        select e.id, e.chain_seq, e.occurred_at, e.action, e.prev_hash, e.hash,
               audit_event_hash(e.prev_hash, e) as computed,
               lag(e.hash) over w as before_hash, lag(e.chain_seq) over w as before_seq
          from audit_events e where e.organization_id = ${o.id} and e.chain_seq is not null
        window w as (order by e.chain_seq)
      ), bad as (
        select id, chain_seq, occurred_at, action,
               case when chain_seq <> coalesce(before_seq, 0) + 1 then 'row-missing-before'
                    when prev_hash <> coalesce(before_hash, '') then 'link-broken'
                    when hash <> computed then 'content-changed' end as reason
          from c
      )
      select (select count(*) from c) as rows,
             (select count(*) from audit_events u where u.organization_id = ${o.id} and u.chain_seq is null) as unsealed,
             (select chain_seq from c order by chain_seq desc limit 1) as last_seq,
             (select hash from c order by chain_seq desc limit 1) as last_hash,
             b.id, b.chain_seq, b.occurred_at, b.action, b.reason
        from (select 1) one
        left join lateral (select * from bad where reason is not null order by chain_seq limit 1) b on true`.execute(db);
    const x = r.rows[0];
    let broken: BrokenAuditRow | null = x.id ? { id: String(x.id), chainSeq: String(x.chain_seq), occurredAt: x.occurred_at!, action: x.action!, reason: x.reason! } : null;
    // Rows cut from the end leave the head further on than the last row.
    if (!broken && head && (String(head.seq) !== String(x.last_seq ?? 0) || head.hash !== (x.last_hash ?? ''))) {
      broken = { id: '', chainSeq: String(BigInt(x.last_seq ?? '0') + 1n), occurredAt: null, action: '', reason: 'rows-missing-at-end' };
    }
    out.push({ organizationId: o.id, slug: o.slug, rows: Number(x.rows), unsealed: Number(x.unsealed), head: head ? { seq: String(head.seq), hash: head.hash } : null, broken });
  }
  return out;
}
