// What staff and the client see of an RMA: the row and its items, the clocks (from the engine), the
// actions legal now (the table, narrowed by the pack and the items), what is expected of the client.
import type { Db, Tx } from '../../db/index.ts';
import { subjectClocks } from '../../core/clocks.ts';
import { orgAndPack } from '../../core/organization.ts';
import { openRemedies, rmaPolicy, type RmaPolicy } from './decisions.ts';
import * as repo from './repository.ts';
import { rmaAllowedActions, type RmaAction, type RmaState } from './state-machine.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
type Obj = Record<string, unknown>;

export function itemView(i: repo.RmaItemRow) {
  const d = i.decision as Obj | null;
  return {
    id: i.id,
    position: i.position,
    deviceId: i.device_id,
    purchaseId: i.purchase_id,
    serial: i.serial,
    fault: i.fault,
    proofs: (i.proofs ?? {}) as Record<string, boolean>,
    decision: d ? { outcome: String(d.outcome), basis: String(d.basis), provisional: Boolean(d.provisional), reasons: (d.reasons ?? []) as Obj[], remedies: (d.remedies ?? []) as Obj[], charges: (d.charges ?? []) as Obj[], missing: (d.missing ?? []) as Obj[] } : null,
    findings: i.findings,
    inspectionNote: i.inspection_note,
    vendorRma: (i.vendor_rma ?? null) as Obj | null,
    advanceReplacement: (i.advance_replacement ?? null) as Obj | null,
    resolution: i.resolution,
    resolutionDetail: (i.resolution_detail ?? null) as Obj | null,
    serviceOrderId: i.service_order_id,
    retained: i.retained,
  };
}

export function rmaView(r: repo.RmaRow, items: repo.RmaItemRow[]) {
  return {
    id: r.id,
    number: r.number,
    state: r.state as RmaState,
    channel: r.channel,
    customerId: r.customer_id,
    language: r.language,
    invoice: r.purchase_document,
    diagnosis: (r.diagnosis ?? null) as Obj | null,
    authorization: (r.approval ?? null) as Obj | null,
    authorizedAt: iso(r.authorized_at),
    receipt: (r.receipt ?? null) as Obj | null,
    dispute: (r.dispute ?? null) as Obj | null,
    lateConsequence: (r.late_consequence ?? null) as Obj | null,
    returnHold: (r.return_hold ?? null) as { reason: string; since: string; by: string } | null,
    closedAt: iso(r.closed_at),
    items: items.filter((i) => i.rma_id === r.id).map(itemView),
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
export type RmaView = ReturnType<typeof rmaView>;

/** The actions legal now: the table's, narrowed by what the pack and the items allow. */
export function legalActions(r: repo.RmaRow, items: repo.RmaItemRow[], policy: RmaPolicy, suspended: boolean, returnRunning = true): RmaAction[] {
  return rmaAllowedActions(r.state as RmaState).filter((a) => {
    switch (a) {
      case 'hold-return':
        return !r.return_hold && returnRunning;
      case 'resume-return':
        return !!r.return_hold;
      case 'authorize':
        return !(policy.remoteDiagnosis?.required && !r.diagnosis);
      case 'remote-diagnosis':
        return !r.diagnosis;
      case 'ship-advance-replacement':
        return !suspended && items.some((i) => !i.advance_replacement && openRemedies(i.decision).includes('advance-replacement'));
      case 'send-to-vendor':
        return !!policy.vendorRma && items.some((i) => !i.vendor_rma && !i.resolution && (i.decision as { outcome?: string; provisional?: boolean } | null)?.outcome === 'covered' && !(i.decision as { provisional?: boolean }).provisional);
      case 'resolve':
        return items.every((i) => !(i.decision as { provisional?: boolean } | null)?.provisional && !(i.vendor_rma && !(i.vendor_rma as { answer?: string }).answer));
      case 'open-dispute':
        return !!policy.disputes && !r.dispute;
      default:
        return true;
    }
  });
}

/** What the client is expected to do now, with its deadline (the return clock's due time). */
export function expected(r: repo.RmaRow, clocks: { id: string; due: string; stoppedAt: string | null; status: string }[], policy: RmaPolicy) {
  const ret = clocks.find((c) => c.id === policy.returnClock && !c.stoppedAt);
  switch (r.state) {
    case 'requested':
      return { code: 'await-remote-diagnosis', due: null, rule: policy.remoteDiagnosis?.rule ?? null };
    case 'diagnosed':
      return { code: 'await-authorization', due: null, rule: null };
    case 'authorized':
    case 'return-late':
      if (r.return_hold) return { code: 'return-held', due: null, rule: policy.clock.rule };
      return { code: r.state === 'return-late' ? 'return-overdue' : 'send-items', due: ret?.due ?? null, rule: policy.clock.rule };
    case 'received':
    case 'inspected':
    case 'at-vendor':
      return { code: 'await-inspection', due: null, rule: null };
    case 'disputed':
      return { code: 'await-governance', due: null, rule: policy.disputes?.rule ?? null };
    default:
      return { code: 'nothing', due: null, rule: null };
  }
}

export async function detail(db: Db | Tx, orgId: string, id: string, moment: Date) {
  const r = await repo.getRma(db, orgId, id);
  if (!r) return undefined;
  const { pack } = await orgAndPack(db, orgId);
  const policy = rmaPolicy(pack, r.created_at);
  const [items, charges, holds, files, audit, clocks, hold] = await Promise.all([
    repo.itemsOf(db, orgId, [r.id]),
    repo.chargesOf(db, orgId, r.id),
    repo.holdsOf(db, orgId, r.id),
    repo.filesOf(db, orgId, r.id),
    repo.auditOf(db, orgId, r.id),
    subjectClocks(db, pack, repo.rmaSubject(r), moment).then((cs) =>
      // A cancelled RMA's clocks were stopped by the cancellation: not met, cancelled.
      r.state === 'cancelled' ? cs.map((c) => (c.stoppedAt && c.stoppedAt === iso(r.closed_at) ? { ...c, status: 'cancelled', remainingMs: 0 } : c)) : cs,
    ),
    repo.openHold(db, orgId, r.customer_id),
  ]);
  const customer = await repo.customerOf(db, orgId, r.customer_id);
  return {
    ...rmaView(r, items),
    customer: customer ? { id: customer.id, name: customer.name, email: customer.email, kind: customer.kind } : null,
    clocks,
    allowedActions: legalActions(r, items, policy, !!hold, clocks.some((c) => c.id === policy.returnClock && !c.stoppedAt)),
    expected: expected(r, clocks, policy),
    accountSuspended: hold ? { holdId: hold.id, rule: hold.rule, since: hold.created_at.toISOString() } : null,
    charges: charges.map((c) => ({ id: c.id, itemId: c.item_id, kind: c.kind, amountMinor: Number(c.amount_minor), currency: c.currency, rule: c.rule, createdAt: c.created_at.toISOString() })),
    holds: holds.map((h) => ({ id: h.id, rule: h.rule, createdAt: h.created_at.toISOString(), liftedAt: iso(h.lifted_at), liftedBy: h.lifted_by })),
    files: files.map((f) => ({ id: f.id, itemId: f.item_id, kind: f.kind, filename: f.filename, contentType: f.content_type, sizeBytes: f.size_bytes, url: `/api/v1/rmas/${r.id}/files/${f.id}` })),
    timeline: audit.map((a) => ({ at: a.occurred_at.toISOString(), action: a.action, from: ((a.before as Obj | null)?.state as string | undefined) ?? null, to: ((a.after as Obj | null)?.state as string | undefined) ?? null, channel: a.channel, by: `${a.actor_type}:${a.actor_id ?? ''}` })),
    policy: {
      remoteDiagnosis: policy.remoteDiagnosis ?? null,
      returnClock: policy.returnClock,
      lateReturn: policy.lateReturn ?? null,
      freight: policy.freight ?? null,
      disputes: policy.disputes ?? null,
      vendorRma: policy.vendorRma ?? null,
      retainRemoved: policy.retainRemoved ?? null,
      exclusions: policy.exclusions.map((e) => ({ finding: e.finding, rule: e.rule, effect: e.effect, text: e.text })),
    },
  };
}
export type RmaDetail = NonNullable<Awaited<ReturnType<typeof detail>>>;
