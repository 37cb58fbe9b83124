// The RMA's transitions: per action a guard (what must hold, refused with the field named and
// nothing changed) and its effects (item columns, device events, charges, holds, a linked service
// order), then the core's one writer of state (`writeTransition`: the row, the clocks, the audit
// row, the outbox). Behaviour comes from the pack's `rma` section, never from the pack's name.
import type { Tx } from '../../db/index.ts';
import { systemActor, type Actor } from '../../core/actor.ts';
import { todayIn } from '../../core/day.ts';
import { badField, CoreErrors, notFound, problem, versionConflict, type ProblemCode } from '../../core/errors.ts';
import { orgAndPack, type Org } from '../../core/organization.ts';
import { evaluatePackClock, type CompiledPack } from '../../policy/index.ts';
import { subjectClocks } from '../../core/clocks.ts';
import { writeTransition } from '../../core/transitions.ts';
import type { Db } from '../../db/index.ts';
import * as billing from '../billing/billing.service.ts';
import * as devices from '../devices/devices.service.ts';
import * as orders from '../service-orders/service-orders.service.ts';
import { decideItem, inboundPayer, isCovered, openRemedies, outboundPayer, rmaPolicy, type RmaPolicy } from './decisions.ts';
import { rmaKind } from './kind.ts';
import * as repo from './repository.ts';
import { RmaErrors } from './rma.errors.ts';
import { RMA_CLOCK_EVENTS, RMA_CLOCK_OPS, RMA_TRANSITIONS, rmaAllowedActions, type RmaAction, type RmaState } from './state-machine.ts';

export const DIAGNOSIS_OUTCOMES = ['return-needed', 'fixed-remotely', 'not-covered', 'not-a-fault'] as const;
export const RESOLUTIONS = ['repair', 'replacement', 'credit', 'not-covered'] as const;
export const DISPUTE_OUTCOMES = ['upheld', 'overturned', 'settled'] as const;
type Resolution = (typeof RESOLUTIONS)[number];

type V = { version: number };
export type RmaActionBody =
  | ({ action: 'remote-diagnosis'; outcome: (typeof DIAGNOSIS_OUTCOMES)[number]; note: string; hardwareDefectConfirmed?: boolean } & V)
  | ({ action: 'authorize' } & V)
  | ({ action: 'ship-advance-replacement'; itemId: string; replacementSerial: string; carrier?: string; tracking?: string } & V)
  | ({ action: 'receive'; carrier: string; tracking: string; units: { itemId: string; serial: string; model?: string }[] } & V)
  | ({ action: 'inspect'; items: { itemId: string; findings: string[]; note?: string }[] } & V)
  | ({ action: 'send-to-vendor'; itemId: string; vendor: string; reference?: string; carrier?: string; tracking?: string } & V)
  | ({ action: 'vendor-answer'; itemId: string; answer: 'accepted' | 'refused'; note: string } & V)
  | ({ action: 'resolve'; items: { itemId: string; resolution: Resolution; replacementSerial?: string; note?: string }[]; shipment?: { carrier: string; tracking: string } } & V)
  | ({ action: 'open-dispute'; reason: string } & V)
  | ({ action: 'settle-dispute'; outcome: (typeof DISPUTE_OUTCOMES)[number]; note: string } & V)
  | ({ action: 'cancel'; reason: string } & V)
  | ({ action: 'hold-return'; reason: string } & V)
  | ({ action: 'resume-return'; reason?: string } & V)
  | ({ action: 'mark-late' } & V)
  | ({ action: 'apply-late-consequence' } & V);

/** What `act` can raise, for its route to declare. */
export const ACT_PROBLEMS = [
  'not-found', 'version-conflict', 'illegal-transition', 'validation-failed', 'remote-diagnosis-required', 'already-received', 'serial-mismatch', 'account-suspended', 'remedy-not-open', 'serial-taken', 'policy-input-invalid', 'no-rma-policy', 'unknown-reference', 'already-exists',
] as const satisfies readonly ProblemCode[];

interface Ctx {
  tx: Tx;
  actor: Actor;
  row: repo.RmaRow;
  items: repo.RmaItemRow[];
  org: Org;
  pack: CompiledPack;
  policy: RmaPolicy;
  now: Date;
  today: string;
}

interface Effect {
  to?: RmaState;
  set?: Record<string, unknown>;
  audit?: Record<string, unknown>;
  outbox?: { topic: string; payload: Record<string, unknown> }[];
  /** Item writes, done after every guard passed. */
  after?: () => Promise<void>;
}

const json = (x: unknown) => JSON.stringify(x);
const itemOf = (c: Ctx, id: string, field: string) => {
  const it = c.items.find((i) => i.id === id);
  if (!it) throw problem(CoreErrors, 'unknown-reference', 'No such item on this RMA', { errors: [{ field, message: 'is not an item of this RMA' }] });
  return it;
};
const diagnosisOf = (r: repo.RmaRow) => r.diagnosis as { outcome: string; hardwareDefectConfirmed?: boolean } | null;

/** The return deadline as the engine has it now (an open hold moves it by the time held so far). */
async function returnDue(c: Ctx) {
  return (await subjectClocks(c.tx, c.pack, repo.rmaSubject(c.row), c.now)).find((k) => k.id === c.policy.returnClock && !k.stoppedAt)?.due ?? null;
}

/** Re-asks the engine for an item (after the remote diagnosis or the inspection). */
async function redecide(c: Ctx, it: repo.RmaItemRow, extra: { diagnosed?: boolean; findings?: string[]; hardwareDefectConfirmed?: boolean }) {
  const customer = (await repo.customerOf(c.tx, c.row.organization_id, c.row.customer_id))!;
  const model = (await c.tx.selectFrom('devices').select('model').where('organization_id', '=', c.row.organization_id).where('id', '=', it.device_id).executeTakeFirst())?.model ?? null;
  return decideItem(c.tx, c.row.organization_id, it.device_id, c.pack, { date: c.today, fault: it.fault, serial: it.serial, model, customer, proofs: it.proofs as Record<string, boolean>, ...extra }, c.today);
}

const effects: { [A in RmaActionBody['action']]: (c: Ctx, b: Extract<RmaActionBody, { action: A }>) => Promise<Effect> } = {
  // ITM-3 / ITM-6 step 1: what remote testing or remote access found. It closes the request (fixed
  // remotely, not covered, not a fault) or leaves it to be authorized; a confirmed hardware defect
  // is what opens an advance replacement (ITM-8), so each item is asked again.
  async 'remote-diagnosis'(c, b) {
    const confirmed = b.hardwareDefectConfirmed ?? false;
    const decisions = await Promise.all(c.items.map((it) => redecide(c, it, { hardwareDefectConfirmed: confirmed })));
    const closes = b.outcome !== 'return-needed';
    return {
      to: closes ? 'closed' : 'diagnosed',
      set: { diagnosis: json({ outcome: b.outcome, note: b.note, hardwareDefectConfirmed: confirmed, rule: c.policy.remoteDiagnosis?.rule ?? null, at: c.now.toISOString(), by: c.actor.name }), ...(closes ? { closed_at: c.now } : {}) },
      audit: { outcome: b.outcome, hardwareDefectConfirmed: confirmed, rule: c.policy.remoteDiagnosis?.rule },
      outbox: closes ? [{ topic: 'rma.closed', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, outcome: b.outcome } }] : [],
      after: async () => {
        for (const [i, it] of c.items.entries()) await repo.updateItem(c.tx, c.row.organization_id, it.id, { decision: decisions[i] });
      },
    };
  },

  // The RMA's approval: the return instruction and the freight split go on the slip; the return
  // clock starts (ITM-12). Where the pack asks for a remote diagnosis first (ITM-3), none → 422.
  async authorize(c) {
    const rd = c.policy.remoteDiagnosis;
    if (rd?.required && !c.row.diagnosis) {
      throw problem(RmaErrors, 'remote-diagnosis-required', `A remote diagnosis must be recorded before the RMA is authorized (${rd.rule})`, { rule: rd.rule, errors: [{ field: 'diagnosis', message: `record the remote diagnosis first (${rd.rule})`, code: 'required' }] });
    }
    const freight = { inbound: inboundPayer(c.items[0]?.decision) ?? c.policy.freight?.inbound ?? 'client', outbound: c.policy.freight?.outbound ?? 'business', rule: c.policy.freight?.rule ?? null };
    // The deadline the return clock will have (it starts with this transition), for the client's message.
    const due = evaluatePackClock(c.pack, c.policy.returnClock, { start: c.now.toISOString(), pauses: [] }, c.now.toISOString()).due;
    return {
      set: { approval: json({ instruction: c.policy.returnInstruction, freight, returnClock: c.policy.returnClock, rule: c.policy.clock.rule, at: c.now.toISOString() }), authorized_at: c.now },
      audit: { freight, clock: c.policy.returnClock },
      outbox: [{ topic: 'rma.authorized', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, rule: c.policy.clock.rule, due } }],
    };
  },

  // ITM-8: within the first 12 months of a confirmed hardware defect (the engine's remedy), the
  // replacement ships first; the faulty unit's return stays on the return clock (ITM-12).
  async 'ship-advance-replacement'(c, b) {
    const it = itemOf(c, b.itemId, 'body.itemId');
    if (it.advance_replacement) throw badField('body.itemId', 'an advance replacement was already shipped for this item', 'already-shipped');
    const hold = await repo.openHold(c.tx, c.row.organization_id, c.row.customer_id);
    if (hold) throw problem(RmaErrors, 'account-suspended', `The account is suspended (${hold.rule}): no advance replacement until staff lift it`, { rule: hold.rule, holdId: hold.id });
    const offered = openRemedies(it.decision);
    if (!offered.includes('advance-replacement')) {
      throw problem(RmaErrors, 'remedy-not-open', 'An advance replacement is not open for this item (ITM-8: a confirmed hardware defect within the first 12 months)', { offered, errors: [{ field: 'body.itemId', message: 'no advance replacement is open for this item (ITM-8)' }] });
    }
    const detail = { replacementSerial: b.replacementSerial, carrier: b.carrier ?? null, tracking: b.tracking ?? null, shippedAt: c.now.toISOString(), outboundFreight: outboundPayer(it.decision) ?? 'business', rule: 'ITM-8' };
    return {
      audit: { itemId: it.id, advanceReplacement: detail },
      outbox: [{ topic: 'rma.advance-replacement-shipped', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, serial: b.replacementSerial, due: await returnDue(c) } }],
      after: async () => {
        const ev = await devices.replaceUnit(c.tx, c.actor, it.device_id, { serial: b.replacementSerial, date: c.today, orderRef: c.row.number, field: 'body.replacementSerial', at: c.now });
        await repo.updateItem(c.tx, c.row.organization_id, it.id, { advance_replacement: { ...detail, replacementEventId: ev.id } });
      },
    };
  },

  async 'mark-late'() {
    return { outbox: [] };
  },

  // ITM-12: past the return clock's escalation, the pack's consequence, once: the full unit price
  // of every unit not back, or the client's account suspended.
  async 'apply-late-consequence'(c) {
    const late = c.policy.lateReturn;
    if (!late || c.row.late_consequence) return { outbox: [] };
    const units: { itemId: string; amountMinor: number; currency: string }[] = [];
    if (late.consequence === 'charge-unit-price') {
      for (const it of c.items) {
        const p = it.purchase_id ? await c.tx.selectFrom('purchases').select(['price_minor', 'currency']).where('organization_id', '=', c.row.organization_id).where('id', '=', it.purchase_id).executeTakeFirst() : undefined;
        units.push({ itemId: it.id, amountMinor: Number(p?.price_minor ?? 0), currency: p?.currency ?? c.org.currency });
      }
    }
    const consequence = { consequence: late.consequence, rule: late.rule, at: c.now.toISOString(), units };
    return {
      set: { late_consequence: json(consequence) },
      audit: consequence,
      outbox: [{ topic: 'rma.late-consequence', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, consequence: late.consequence, rule: late.rule } }],
      after: async () => {
        for (const u of units) await repo.insertCharge(c.tx, { orgId: c.row.organization_id, rmaId: c.row.id, itemId: u.itemId, kind: 'unit-price', amountMinor: u.amountMinor, currency: u.currency, rule: late.rule, at: c.now });
        if (late.consequence === 'suspend-account') await repo.insertHold(c.tx, { orgId: c.row.organization_id, customerId: c.row.customer_id, rmaId: c.row.id, rule: late.rule, at: c.now });
      },
    };
  },

  // Receipt against the authorized serials: a unit whose serial (or model) is not its item's is
  // refused with the reason, and nothing is recorded. The return clock stops (ITM-12).
  async receive(c, b) {
    const errors: { field: string; message: string; code?: string }[] = [];
    const seen = new Set<string>();
    for (const [i, u] of b.units.entries()) {
      const it = c.items.find((x) => x.id === u.itemId);
      if (!it) {
        errors.push({ field: `body.units.${i}.itemId`, message: 'is not an item of this RMA', code: 'unknown' });
        continue;
      }
      if (seen.has(it.id)) errors.push({ field: `body.units.${i}.itemId`, message: 'is received twice', code: 'duplicate' });
      seen.add(it.id);
      if (u.serial.trim().toLowerCase() !== it.serial.toLowerCase()) errors.push({ field: `body.units.${i}.serial`, message: `is not the authorized serial ${it.serial}`, code: 'mismatch', expected: it.serial } as (typeof errors)[number]);
      if (u.model) {
        const model = (await c.tx.selectFrom('devices').select('model').where('organization_id', '=', c.row.organization_id).where('id', '=', it.device_id).executeTakeFirst())?.model;
        if (model && u.model.trim().toLowerCase() !== model.toLowerCase()) errors.push({ field: `body.units.${i}.model`, message: `is not the authorized model ${model}`, code: 'mismatch', expected: model } as (typeof errors)[number]);
      }
    }
    c.items.forEach((it) => {
      if (!seen.has(it.id)) errors.push({ field: 'body.units', message: `item ${it.position} (${it.serial}) is missing`, code: 'required' });
    });
    if (errors.length) throw problem(RmaErrors, 'serial-mismatch', `The receipt is refused: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
    const receipt = { carrier: b.carrier, tracking: b.tracking, receivedAt: c.now.toISOString(), by: c.actor.name, late: c.row.state === 'return-late' };
    return { set: { receipt: json(receipt), return_hold: null }, audit: receipt, outbox: [{ topic: 'rma.received', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number } }] };
  },

  // Inspection findings per item; the pack's exclusions (ITM-13) make the engine's final answer.
  async inspect(c, b) {
    const confirmed = diagnosisOf(c.row)?.hardwareDefectConfirmed;
    const planned: { it: repo.RmaItemRow; findings: string[]; note: string | null }[] = b.items.map((x, i) => ({ it: itemOf(c, x.itemId, `body.items.${i}.itemId`), findings: [...new Set(x.findings)], note: x.note ?? null }));
    const decisions = await Promise.all(planned.map((p) => redecide(c, p.it, { diagnosed: true, findings: p.findings, ...(confirmed !== undefined ? { hardwareDefectConfirmed: confirmed } : {}) })));
    return {
      audit: { items: planned.map((p, i) => ({ itemId: p.it.id, findings: p.findings, outcome: decisions[i].outcome })) },
      after: async () => {
        for (const [i, p] of planned.entries()) await repo.updateItem(c.tx, c.row.organization_id, p.it.id, { findings: p.findings, inspection_note: p.note, decision: decisions[i] });
      },
    };
  },

  // ITM-5: a covered item passed on to its manufacturer's RMA, tracked the same way.
  async 'send-to-vendor'(c, b) {
    const rule = c.policy.vendorRma;
    if (!rule) throw problem(CoreErrors, 'illegal-transition', 'This business does not pass items on to manufacturers');
    const it = itemOf(c, b.itemId, 'body.itemId');
    const d = it.decision as { outcome: string; basis: string; provisional: boolean } | null;
    if (!d || d.provisional) throw badField('body.itemId', 'inspect the item first', 'not-inspected');
    if (!isCovered(d) && d.basis !== 'manufacturer') throw problem(RmaErrors, 'remedy-not-open', 'Only a covered item is sent on to its manufacturer (ITM-5)', { offered: openRemedies(d), errors: [{ field: 'body.itemId', message: 'is not covered' }] });
    const vendor = { vendor: b.vendor, reference: b.reference ?? null, carrier: b.carrier ?? null, tracking: b.tracking ?? null, sentAt: c.now.toISOString(), rule };
    return { audit: { itemId: it.id, vendor }, after: () => repo.updateItem(c.tx, c.row.organization_id, it.id, { vendor_rma: vendor }) };
  },

  // ITM-5: the manufacturer's answer; a refusal keeps its evidence (files uploaded to the RMA).
  async 'vendor-answer'(c, b) {
    const it = itemOf(c, b.itemId, 'body.itemId');
    const v = it.vendor_rma as Record<string, unknown> | null;
    if (!v || v.answer) throw badField('body.itemId', 'this item is not waiting for its manufacturer', 'not-at-vendor');
    const vendor = { ...v, answer: b.answer, note: b.note, answeredAt: c.now.toISOString() };
    return { audit: { itemId: it.id, answer: b.answer }, after: () => repo.updateItem(c.tx, c.row.organization_id, it.id, { vendor_rma: vendor }) };
  },

  // Resolution per item (ITM-6): repair (a service order linked to the RMA, through the service
  // orders' intake), replacement (device events: the engine keeps the original term, ITM-9, with at
  // least the pack's minimum, ITM-10; the removed unit passes to the business, ITM-11), credit (the
  // unit's price), or not covered (returned with the reasons). Outbound freight: the decision's (ITM-7).
  async resolve(c, b) {
    const errors: { field: string; message: string; code?: string }[] = [];
    const plan = b.items.map((x, i) => ({ x, i, it: itemOf(c, x.itemId, `body.items.${i}.itemId`) }));
    for (const it of c.items) if (!plan.some((p) => p.it.id === it.id)) errors.push({ field: 'body.items', message: `item ${it.position} (${it.serial}) has no resolution`, code: 'required' });
    for (const { x, i, it } of plan) {
      const d = it.decision as { provisional: boolean; outcome: string } | null;
      const vendor = it.vendor_rma as { answer?: string } | null;
      if (vendor && !vendor.answer) errors.push({ field: `body.items.${i}.itemId`, message: 'is still with its manufacturer', code: 'at-vendor' });
      if (!d || d.provisional) errors.push({ field: `body.items.${i}.itemId`, message: 'inspect the item first', code: 'not-inspected' });
      if (x.resolution === 'not-covered') continue;
      if (it.advance_replacement && x.resolution !== 'replacement') errors.push({ field: `body.items.${i}.resolution`, message: 'an advance replacement was shipped: the resolution is the replacement', code: 'advance-replacement' });
      const offered = openRemedies(it.decision);
      const open = x.resolution === 'replacement' ? it.advance_replacement || offered.includes('replacement') || offered.includes('advance-replacement') : offered.includes(x.resolution);
      if (!isCovered(it.decision) || !open) errors.push({ field: `body.items.${i}.resolution`, message: `${x.resolution} is not open for this item (open: ${offered.join(', ') || 'none'})`, code: 'not-open' });
      if (x.resolution === 'replacement' && !it.advance_replacement && !x.replacementSerial) errors.push({ field: `body.items.${i}.replacementSerial`, message: 'the replacement unit\'s serial is required', code: 'required' });
    }
    if (errors.length) throw problem(RmaErrors, 'remedy-not-open', 'The resolution cannot be recorded', { errors });
    const retainRule = c.policy.retainRemoved ?? null;
    const out = plan.map(({ x, i, it }) => {
      const covered = x.resolution !== 'not-covered';
      const d = it.decision as { reasons?: { rule: string; code: string; text: unknown }[] } | null;
      return {
        it, x, i, covered,
        detail: {
          resolution: x.resolution,
          note: x.note ?? null,
          // ITM-7: the business pays the way back on a valid claim; the client otherwise.
          outboundFreight: covered ? (outboundPayer(it.decision) ?? c.policy.freight?.outbound ?? 'business') : 'client',
          freightRule: c.policy.freight?.rule ?? null,
          ...(x.resolution === 'not-covered' ? { reasons: (d?.reasons ?? []).filter((r) => r.code !== 'provisional') } : {}),
          ...(x.resolution === 'replacement' ? { replacementSerial: x.replacementSerial ?? (it.advance_replacement as { replacementSerial: string }).replacementSerial, removedSerial: it.serial, retainedRule: retainRule } : {}),
        } as Record<string, unknown>,
      };
    });
    return {
      set: { closed_at: c.now },
      audit: { items: out.map((o) => ({ itemId: o.it.id, resolution: o.x.resolution })), shipment: b.shipment ?? null },
      outbox: [{ topic: 'rma.resolved', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number } }],
      after: async () => {
        for (const o of out) {
          let serviceOrderId: string | null = null;
          if (o.x.resolution === 'repair') {
            // Through the service orders' intake (its public face), never its routes.
            const customer = (await repo.customerOf(c.tx, c.row.organization_id, c.row.customer_id))!;
            const { order } = await orders.insertClaim(c.tx, c.actor, {
              channel: 'api', customerId: c.row.customer_id, deviceId: o.it.device_id, problem: o.it.fault, proofs: o.it.proofs as Record<string, boolean>,
              workOrder: { termsAccepted: true, accessories: [], complete: true, visibleCondition: o.it.inspection_note ?? '', dataBackedUp: false, passwordsRemoved: false, problemInClientsWords: o.it.fault, signedBy: `${customer.name} (${c.row.number})` },
            }, c.now);
            serviceOrderId = order.id;
            o.detail.serviceOrderNumber = order.number;
          }
          if (o.x.resolution === 'replacement') {
            // The device's serial follows the new unit; its history keeps the old one (a device-replaced
            // event), from which the engine keeps the term (ITM-9) with its minimum (ITM-10). The
            // replacement record (PDF) is drawn from that event.
            const eventId = o.it.advance_replacement
              ? (o.it.advance_replacement as { replacementEventId?: string }).replacementEventId
              : (await devices.replaceUnit(c.tx, c.actor, o.it.device_id, { serial: o.x.replacementSerial!, date: c.today, orderRef: c.row.number, field: `body.items.${o.i}.replacementSerial`, at: c.now })).id;
            if (eventId) o.detail.replacementRecord = { eventId, url: `/api/v1/rmas/${c.row.id}/items/${o.it.id}/replacement-record.pdf` };
          }
          if (o.x.resolution === 'credit') {
            const p = o.it.purchase_id ? await c.tx.selectFrom('purchases').select(['price_minor', 'currency', 'document_number']).where('organization_id', '=', c.row.organization_id).where('id', '=', o.it.purchase_id).executeTakeFirst() : undefined;
            o.detail.amountMinor = Number(p?.price_minor ?? 0);
            o.detail.currency = p?.currency ?? c.org.currency;
            o.detail.invoice = p?.document_number ?? null;
            // The credit note (gap-free tax document numbering, billing's): the unit's price credited.
            const note = await billing.issueCreditNote(c.tx, c.actor, {
              subject: { type: repo.RMA_SUBJECT, id: c.row.id, number: c.row.number },
              customerId: c.row.customer_id,
              language: c.row.language,
              currency: o.detail.currency as string,
              amountMinor: o.detail.amountMinor as number,
              description: `${o.it.serial}: ${o.it.fault}`,
              reason: `RMA ${c.row.number}: credit for the returned item${p?.document_number ? ` (invoice ${p.document_number})` : ''}`,
              rule: 'ITM-6',
            }, c.now);
            o.detail.creditNote = { id: note.id, number: note.number, totalMinor: Number(note.total_minor), url: `/api/v1/tax-documents/${note.id}/pdf` };
          }
          // ITM-11: the removed unit passes to the business on a replacement.
          const retained = o.x.resolution === 'replacement' && !!retainRule;
          await repo.updateItem(c.tx, c.row.organization_id, o.it.id, { resolution: o.x.resolution, resolution_detail: { ...o.detail, shipment: b.shipment ?? null }, service_order_id: serviceOrderId, retained });
        }
      },
    };
  },

  // ITM-14: the client disputes the decision; the governance team decides. While a consumer's dispute
  // runs the legal guarantee is suspended (ITEMA-33): dispute-opened / -closed device events, which
  // the engine reads where the pack has a legal guarantee.
  async 'open-dispute'(c, b) {
    const d = c.policy.disputes;
    if (!d) throw problem(CoreErrors, 'illegal-transition', 'This business has no dispute escalation');
    if (c.row.dispute && !(c.row.dispute as { closedAt?: string }).closedAt) throw problem(CoreErrors, 'illegal-transition', 'A dispute is already open');
    const consumer = (await repo.customerOf(c.tx, c.row.organization_id, c.row.customer_id))?.kind === 'person';
    const dispute = { reason: b.reason, rule: d.rule, team: d.team, contact: d.contact ?? null, openedAt: c.now.toISOString(), openedBy: c.actor.name, returnTo: c.row.state, consumer };
    return {
      set: { dispute: json(dispute) },
      audit: { rule: d.rule, reason: b.reason, consumer },
      outbox: [{ topic: 'rma.dispute-opened', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, rule: d.rule } }],
      after: async () => {
        if (consumer) for (const it of c.items) await devices.insertEvent(c.tx, c.actor, it.device_id, { type: 'dispute-opened', date: c.today, orderRef: c.row.number, note: b.reason });
      },
    };
  },

  async 'settle-dispute'(c, b) {
    const d = c.row.dispute as { returnTo: RmaState; consumer: boolean } & Record<string, unknown>;
    const dispute = { ...d, outcome: b.outcome, note: b.note, closedAt: c.now.toISOString(), closedBy: c.actor.name };
    return {
      to: d.returnTo,
      set: { dispute: json(dispute) },
      audit: { outcome: b.outcome },
      outbox: [{ topic: 'rma.dispute-settled', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, outcome: b.outcome } }],
      after: async () => {
        if (d.consumer) for (const it of c.items) await devices.insertEvent(c.tx, c.actor, it.device_id, { type: 'dispute-closed', date: c.today, orderRef: c.row.number, note: b.note });
      },
    };
  },

  // Cancelled: every running clock of the RMA stops and its timers are cancelled (the core's `stop`),
  // so no reminder, late notice or late consequence follows; the client hears it.
  async cancel(c, b) {
    return {
      set: { closed_at: c.now, return_hold: null },
      audit: { reason: b.reason },
      outbox: [{ topic: 'rma.cancelled', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, reason: b.reason } }],
    };
  },

  // The return deadline held (the core pauses the return clock and its timers) with the reason: a
  // carrier strike, a customs hold, the business's own delay. Resumed, it runs on from where it stood.
  async 'hold-return'(c, b) {
    if (c.row.return_hold) throw problem(CoreErrors, 'illegal-transition', 'The return deadline is already held', { allowed: ['resume-return'], current: { id: c.row.id, number: c.row.number, state: c.row.state, version: c.row.version } });
    const hold = { reason: b.reason, since: c.now.toISOString(), by: c.actor.name };
    return {
      set: { return_hold: json(hold) },
      audit: { reason: b.reason, clock: c.policy.returnClock },
      outbox: [{ topic: 'rma.return-held', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, reason: b.reason } }],
    };
  },

  async 'resume-return'(c, b) {
    const held = c.row.return_hold as { reason: string; since: string } | null;
    if (!held) throw problem(CoreErrors, 'illegal-transition', 'The return deadline is not held', { allowed: ['hold-return'], current: { id: c.row.id, number: c.row.number, state: c.row.state, version: c.row.version } });
    return {
      set: { return_hold: null },
      audit: { reason: b.reason ?? null, heldSince: held.since, heldReason: held.reason, clock: c.policy.returnClock },
      outbox: [{ topic: 'rma.return-resumed', payload: { customerId: c.row.customer_id, language: c.row.language, number: c.row.number, due: await returnDue(c) } }],
    };
  },
};

/** Applies an action to a locked RMA: the table, the guard, the effects, then the one writer. */
export async function actOnRma(tx: Tx, actor: Actor, row: repo.RmaRow, body: RmaActionBody, now: Date): Promise<repo.RmaRow> {
  const to = RMA_TRANSITIONS[row.state as RmaState]?.[body.action as RmaAction];
  if (!to) {
    if (body.action === 'receive' && row.receipt) throw problem(RmaErrors, 'already-received', `The RMA ${row.number} was already received`, { current: { id: row.id, number: row.number, state: row.state, version: row.version } });
    const allowed = rmaAllowedActions(row.state as RmaState);
    throw problem(CoreErrors, 'illegal-transition', `Cannot ${body.action} an RMA that is ${row.state} (allowed: ${allowed.join(', ') || 'none'})`, { allowed, current: { id: row.id, number: row.number, state: row.state, version: row.version } });
  }
  const { org, pack } = await orgAndPack(tx, row.organization_id);
  const policy = rmaPolicy(pack, now);
  const items = await repo.itemsOf(tx, row.organization_id, [row.id]);
  const c: Ctx = { tx, actor, row, items, org, pack, policy, now, today: todayIn(org.time_zone, now) };
  const e = await (effects[body.action] as (c: Ctx, b: RmaActionBody) => Promise<Effect>)(c, body);
  await e.after?.();
  const base = { rmaId: row.id, number: row.number };
  return writeTransition(tx, actor, rmaKind, row, {
    action: body.action,
    to: e.to ?? to,
    set: e.set,
    clockEvents: RMA_CLOCK_EVENTS[body.action] ?? [],
    clocks: RMA_CLOCK_OPS[body.action],
    audit: e.audit,
    outbox: (e.outbox ?? []).map((m) => ({ topic: m.topic, payload: { ...base, ...m.payload } })),
  }, pack, now);
}

export async function act(db: Db, actor: Actor, id: string, body: RmaActionBody, now: Date) {
  return db.transaction().execute(async (tx) => {
    const row = await rmaKind.lock(tx, actor.organizationId, id);
    if (!row) throw notFound('RMA');
    if (row.version !== body.version) throw versionConflict({ id: row.id, number: row.number, state: row.state, version: row.version });
    return actOnRma(tx, actor, row, body, now);
  });
}

/** The job runner's moves (the return clock's timers). */
export const systemAct = (tx: Tx, row: repo.RmaRow, action: 'mark-late' | 'apply-late-consequence', now: Date) =>
  actOnRma(tx, systemActor(row.organization_id, 'jobs'), row, { action, version: row.version } as RmaActionBody, now);
