// An RMA request (ITM-6: identify the order, select the items, give proofs): staff or the client
// name the purchase (an invoice number) or the serials, each item with its fault and proofs; every
// item must be on that purchase and the client's own. The engine answers per item before anything
// is shipped (covered, remedies, freight, missing proof). One transaction: the RMA with its number,
// the items, the audit row and the outbox row.
import type { Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { clocksInsertSql, planNewClocks } from '../../core/clocks.ts';
import { todayIn } from '../../core/day.ts';
import { badField, CoreErrors, problem, type FieldProblem, type ProblemCode } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { enqueue } from '../../core/outbox.ts';
import { insertTimers } from '../../core/timers.ts';
import { sql } from 'kysely';
import { decideItem, rmaPolicy } from './decisions.ts';
import * as repo from './repository.ts';
import { RmaErrors } from './rma.errors.ts';

export const RMA_CHANNELS = ['portal', 'api', 'phone', 'email', 'console'] as const;
export type RmaChannel = (typeof RMA_CHANNELS)[number];
export const RMA_PROOFS = ['invoice', 'photos', 'logs', 'diagnosticReport'] as const;

export interface RmaItemFields {
  serial?: string;
  deviceId?: string;
  fault: string;
  proofs?: Partial<Record<(typeof RMA_PROOFS)[number], boolean>>;
}
export interface RmaFields {
  channel: RmaChannel;
  customerId?: string;
  /** The invoice (purchase document number) the items were shipped under. */
  invoice?: string;
  language?: 'en' | 'bg' | 'vi';
  items: RmaItemFields[];
}

export const REQUEST_PROBLEMS = ['serial-not-on-purchase', 'account-suspended', 'validation-failed', 'unknown-reference', 'policy-input-invalid', 'no-rma-policy'] as const satisfies readonly ProblemCode[];

/**
 * Opens an RMA in the caller's transaction. `onlyCustomers` limits the purchases to the client's own
 * (the portal: the customers with the signed-in e-mail).
 */
export async function insertRma(tx: Tx, actor: Actor, f: RmaFields, now: Date, onlyCustomers?: string[]) {
  const { org, pack } = await orgAndPack(tx, actor.organizationId);
  rmaPolicy(pack, now);
  if (!f.items.length) throw badField('body.items', 'select at least one item', 'required');
  const lines = await repo.purchaseLines(tx, actor.organizationId, f.invoice ? { document: f.invoice } : { deviceIds: f.items.flatMap((i) => (i.deviceId ? [i.deviceId] : [])), serials: f.items.flatMap((i) => (i.serial ? [i.serial] : [])) });
  if (f.invoice && !lines.length) throw problem(RmaErrors, 'serial-not-on-purchase', `No purchase ${f.invoice} in your organization`, { errors: [{ field: 'body.invoice', message: 'no such invoice' }] });
  const errors: FieldProblem[] = [];
  const picked: repo.PurchaseLine[] = [];
  const owner = (l: repo.PurchaseLine) => l.customer_id ?? l.device_customer_id;
  f.items.forEach((it, i) => {
    const field = it.deviceId ? `body.items.${i}.deviceId` : `body.items.${i}.serial`;
    if (!it.deviceId && !it.serial) {
      errors.push({ field: `body.items.${i}.serial`, message: 'give the serial or the device', code: 'required' });
      return;
    }
    const line = lines.find((l) => (it.deviceId ? l.device_id === it.deviceId : l.serial.toLowerCase() === it.serial!.toLowerCase()) && (!onlyCustomers || onlyCustomers.includes(owner(l) ?? '')));
    if (!line) {
      errors.push({ field, message: f.invoice ? `is not on invoice ${f.invoice}` : 'is not on any purchase of yours', code: 'not-on-purchase' });
      return;
    }
    if (picked.some((p) => p.device_id === line.device_id)) {
      errors.push({ field, message: 'is selected twice', code: 'duplicate' });
      return;
    }
    picked.push(line);
  });
  if (errors.length) throw problem(RmaErrors, 'serial-not-on-purchase', 'An item is not on the purchase', { errors });
  const owners = [...new Set(picked.map(owner))];
  const customerId = f.customerId ?? (owners.length === 1 ? owners[0] : undefined);
  if (!customerId) throw badField('body.customerId', owners.length > 1 ? 'the items belong to different clients: name the client' : 'the purchase names no client: give customerId', 'required');
  picked.forEach((l, i) => {
    if (owner(l) && owner(l) !== customerId) errors.push({ field: f.items[i].deviceId ? `body.items.${i}.deviceId` : `body.items.${i}.serial`, message: "is not this client's purchase", code: 'not-on-purchase' });
  });
  if (errors.length) throw problem(RmaErrors, 'serial-not-on-purchase', "An item is not on this client's purchase", { errors });
  const customer = await repo.customerOf(tx, actor.organizationId, customerId);
  if (!customer) throw problem(CoreErrors, 'unknown-reference', 'No such customer', { errors: [{ field: 'body.customerId', message: 'no such customer' }] });
  // ITM-12: a suspended account opens no RMA until staff lift the suspension.
  const hold = await repo.openHold(tx, actor.organizationId, customerId);
  if (hold) throw problem(RmaErrors, 'account-suspended', `The account is suspended (${hold.rule}) for an unreturned unit; staff must lift it first`, { rule: hold.rule, holdId: hold.id });

  const today = todayIn(org.time_zone, now);
  const row: Omit<repo.RmaRow, 'number'> = {
    id: uuidv7(),
    organization_id: actor.organizationId,
    state: 'requested',
    channel: f.channel,
    customer_id: customerId,
    language: f.language ?? customer.preferred_language ?? 'en',
    purchase_document: f.invoice ?? null,
    diagnosis: null,
    approval: null,
    authorized_at: null,
    receipt: null,
    dispute: null,
    late_consequence: null,
    return_hold: null,
    closed_at: null,
    version: 1,
    created_at: now,
    updated_at: now,
  };
  // The engine's answer per item, before anything is shipped.
  const items: repo.RmaItemRow[] = [];
  for (const [i, l] of picked.entries()) {
    const it = f.items[i];
    const proofs: Record<string, boolean> = { ...(it.proofs ?? {}) };
    if (l.document_type === 'invoice') proofs.invoice = true;
    const decision = await decideItem(tx, actor.organizationId, l.device_id, pack, { date: today, fault: it.fault, serial: l.serial, model: l.model, customer, proofs }, today);
    items.push({
      id: uuidv7(), organization_id: actor.organizationId, rma_id: row.id, position: i + 1, device_id: l.device_id, purchase_id: l.purchase_id, serial: l.serial, fault: it.fault, proofs, decision,
      findings: [], inspection_note: null, vendor_rma: null, advance_replacement: null, resolution: null, resolution_detail: null, service_order_id: null, retained: false, created_at: now,
    });
  }
  const number = await repo.insertRma(tx, { row, year: Number(today.slice(0, 4)) });
  await repo.insertItems(tx, items);
  // A pack clock that starts with the request (none in the shipped packs; the return clock starts at authorization).
  const subject = repo.rmaSubject(row);
  const { clocks, timers } = planNewClocks(pack, ['rma-requested'], now);
  if (clocks.length) await sql`${clocksInsertSql(subject, clocks)}`.execute(tx);
  await insertTimers(tx, subject, timers);
  await audit(tx, actor, { action: 'rma.created', entityType: repo.RMA_SUBJECT, entityId: row.id, after: { number, state: row.state, channel: row.channel, customerId, invoice: row.purchase_document, items: items.map((x) => ({ serial: x.serial, outcome: (x.decision as { outcome: string }).outcome })) } });
  await enqueue(tx, { organizationId: row.organization_id, topic: 'rma.requested', aggregateType: repo.RMA_SUBJECT, aggregateId: row.id, payload: { rmaId: row.id, number, customerId, language: row.language } });
  return { ...row, number } as repo.RmaRow;
}
