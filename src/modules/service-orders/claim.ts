// Completing a claim after intake (issue 16): staff add or correct the details the pack asks for
// (the ITEMA-27 address, the model, the purchase date, ...) and the proofs (ITS-5, ITS-6, ITEMA-10)
// on an open order; a proof file uploaded with its kind counts as given. Each change re-runs the
// engine on the completed claim: the new decision replaces the stored one, the audit keeps both
// (`previous` and `decision`), and "missing" is what the engine still misses. What the diagnosis
// recorded for the rules (ITEMA-16 pixels, ITEMA-5 country, ITEMA-7 part) is read from the order, so
// a decision re-run after diagnosis stays the diagnosis's. Written through `changeIn`
// (src/core/transitions.ts' writer: version + 1, audit, clocks), like every change of an order.
import type { Tx } from '../../db/index.ts';
import type { Actor } from '../../core/actor.ts';
import { badField, CoreErrors, problem, type ProblemCode } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { versionAt, type ClaimInput, type Decision } from '../../policy/index.ts';
import { decideFor, plain, reasonsOf } from './decisions.ts';
import { RECEIVED_AT_MAX_DAYS, requirementGaps } from './intake.ts';
import { todayIn } from '../../core/day.ts';
import { changeIn } from './changes.ts';
import type { OrderRow } from './repository.ts';

export const DETAIL_FIELDS = ['name', 'address', 'email', 'phone', 'model', 'serial', 'purchaseDate', 'purchasePlace', 'description'] as const;
export const PROOF_FIELDS = ['invoice', 'receipt', 'warrantyCard', 'serviceContract', 'paymentConfirmed', 'accountRegistered', 'itemsNamed'] as const;
/** The proofs a file can be (an upload says which one it is). */
export const PROOF_FILE_KINDS = ['invoice', 'receipt', 'warrantyCard', 'serviceContract'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];
export type ProofField = (typeof PROOF_FIELDS)[number];

export interface ClaimEdit {
  version?: number;
  /** A value sets the detail, null clears it. */
  details?: Partial<Record<DetailField, string | null>>;
  /** true: given; false: the client says there is none (ITS-5 / ITS-6); null: not known. */
  proofs?: Partial<Record<ProofField, boolean | null>>;
}

/** Closed orders are history: their claim is what it was. */
const CLOSED = ['handed-over', 'returned', 'disposed', 'cancelled', 'settled'];

export const CLAIM_EDIT_PROBLEMS = ['not-found', 'version-conflict', 'illegal-transition', 'validation-failed', 'policy-input-invalid'] as const satisfies readonly ProblemCode[];

const decisionSummary = (o: Pick<OrderRow, 'decision' | 'missing' | 'decision_final'>) => {
  const d = o.decision as Decision | null;
  return { outcome: d?.outcome ?? null, final: o.decision_final, reasons: reasonsOf(d ?? undefined), missing: o.missing };
};

/** The claim completed: the details and proofs merged, the decision re-run. In the caller's transaction. */
export async function completeClaimIn(tx: Tx, actor: Actor, id: string, f: ClaimEdit, now: Date, via: string) {
  return changeIn(tx, actor, id, f.version, now, async (tx, o) => {
    if (CLOSED.includes(o.state)) throw problem(CoreErrors, 'illegal-transition', `The order is ${o.state}; its claim can no longer be changed`, {});
    if (!f.details && !f.proofs) throw badField('body.details', 'give details or proofs to change', 'required');
    const details = { ...(o.details as Record<string, string>) };
    for (const [k, v] of Object.entries(f.details ?? {})) {
      if (v === null || v === undefined || String(v).trim() === '') delete details[k];
      else details[k] = String(v).trim();
    }
    const proofs = { ...(o.proofs as Record<string, boolean>) };
    for (const [k, v] of Object.entries(f.proofs ?? {})) {
      if (v === null || v === undefined) delete proofs[k];
      else proofs[k] = v;
    }
    const { org, pack } = await orgAndPack(tx, o.organization_id);
    const next: OrderRow = { ...o, details, proofs };
    // After diagnosis the decision stays a diagnosis's: the same findings and recorded facts.
    const extra: Partial<ClaimInput> = o.decision_final ? { diagnosed: true, findings: o.findings } : {};
    const decision = await decideFor(tx, next, pack, org, extra, now);
    const v = versionAt(pack, now.toISOString());
    const missing = decision ? decision.missing.map((m) => ({ field: m.field, rule: m.rule })) : requirementGaps(v.raw.requirements, details, proofs);
    if (!o.device_id) missing.unshift({ field: 'device', rule: v.raw.requirements.details?.rule ?? v.raw.requirements.proofs[0]?.rule ?? '' });
    const changed = { details: Object.keys(f.details ?? {}), proofs: Object.keys(f.proofs ?? {}) };
    return {
      action: 'claim-completed',
      set: {
        details: JSON.stringify(details),
        proofs: JSON.stringify(proofs),
        missing: JSON.stringify(missing),
        ...(decision ? { decision: JSON.stringify(plain(decision)), policy_version: decision.policyVersion } : {}),
        // A final decision re-run decides whether this is a warranty repair (approve-warranty reads it).
        ...(decision && o.decision_final ? { under_warranty: decision.outcome === 'covered' } : {}),
      },
      audit: {
        via,
        by: `${actor.type}:${actor.id}`,
        changed,
        previous: decisionSummary(o),
        decision: { outcome: decision?.outcome ?? null, final: o.decision_final, reasons: reasonsOf(decision), missing },
      },
    };
  });
}

export async function completeClaim(db: import('../../db/index.ts').Db, actor: Actor, id: string, f: ClaimEdit & { version: number }, now: Date) {
  return db.transaction().execute((tx) => completeClaimIn(tx, actor, id, f, now, actor.channel));
}

export const RECEIVED_AT_PROBLEMS = ['not-found', 'version-conflict', 'illegal-transition', 'validation-failed', 'policy-input-invalid', 'idempotency-key-reused'] as const satisfies readonly ProblemCode[];

const badReceived = (message: string, code: string) =>
  problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.receivedAt', message, code }] }, { status: 422 });

/**
 * When the claim actually reached the business, corrected on an open order (issue 11: a phone call
 * or an e-mail entered later). Checked as at intake — an instant, not in the future, not after the
 * order was entered, at most RECEIVED_AT_MAX_DAYS before it was entered, not before the purchase —
 * then the claim's date moves to the new moment's day (in the business's time zone), the clocks the
 * claim's receipt started run from it (their pauses kept, due and at-risk times recomputed, timers
 * planned again), the decision is re-run on the new date, and the audit keeps the old and the new
 * moment beside the moment the order was entered. In the caller's transaction.
 */
export async function changeReceivedAtIn(tx: Tx, actor: Actor, id: string, f: { receivedAt: string; version: number }, now: Date) {
  return changeIn(tx, actor, id, f.version, now, async (tx, o) => {
    if (CLOSED.includes(o.state)) throw problem(CoreErrors, 'illegal-transition', `The order is ${o.state}; when its claim was received can no longer be changed`, {});
    const at = new Date(f.receivedAt);
    if (Number.isNaN(at.getTime())) throw badReceived(`"${f.receivedAt}" is not an instant like 2026-03-02T09:00:00Z`, 'invalid');
    if (at.getTime() > now.getTime()) throw badReceived(`the claim cannot be received (${at.toISOString()}) in the future (now ${now.toISOString()})`, 'in-future');
    if (at.getTime() > o.created_at.getTime()) throw badReceived(`the claim cannot be received (${at.toISOString()}) after the order was entered (${o.created_at.toISOString()})`, 'after-entered');
    if (o.created_at.getTime() - at.getTime() > RECEIVED_AT_MAX_DAYS * 86_400_000) throw badReceived(`more than ${RECEIVED_AT_MAX_DAYS} days before the order was entered (${o.created_at.toISOString()})`, 'too-old');
    const { org, pack } = await orgAndPack(tx, o.organization_id);
    const claimDate = todayIn(org.time_zone, at);
    const soldOn = (o.details as Record<string, string | undefined>).purchaseDate;
    if (soldOn && claimDate < soldOn) throw badReceived(`the claim cannot be received (${claimDate}) before the purchase (${soldOn})`, 'before-purchase');
    const previous = o.claim_received_at ?? o.created_at;
    const next: OrderRow = { ...o, claim_date: claimDate, claim_received_at: at };
    const extra: Partial<ClaimInput> = o.decision_final ? { diagnosed: true, findings: o.findings } : {};
    const decision = await decideFor(tx, next, pack, org, extra, now);
    return {
      action: 'claim-received-changed',
      set: {
        claim_received_at: at,
        claim_date: claimDate,
        ...(decision ? { decision: JSON.stringify(plain(decision)), policy_version: decision.policyVersion } : {}),
        ...(decision && o.decision_final ? { under_warranty: decision.outcome === 'covered' } : {}),
      },
      retimeClocks: { event: 'claim-received', start: at },
      audit: {
        by: `${actor.type}:${actor.id}`,
        receivedAt: { from: previous.toISOString(), to: at.toISOString() },
        enteredAt: o.created_at.toISOString(),
        claimDate: { from: o.claim_date, to: claimDate },
        previous: decisionSummary(o),
        decision: { outcome: decision?.outcome ?? null, final: o.decision_final, reasons: reasonsOf(decision) },
      },
    };
  });
}
