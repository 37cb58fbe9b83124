// Claim intake: one read and one write (plus the caller's BEGIN / COMMIT). Everything it needs from
// the database comes back from one query (the organization, the customer, the device with its parts,
// history and latest purchase), the engine decides and the clocks are planned in the process, and
// every row (order, clocks, timers, the order-page token, the audit event, the outbox row) is written
// by one statement whose first step takes the number, through the core's own row builders. Only a
// customer or device we have never seen costs extra round trips (they are created first).
// A claim from the public web form (`insertWebClaim`) reads no customer or device at all: what it
// says is kept as sent and the order waits for staff to link it (issue 15).
import type { Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { planNewClocks } from '../../core/clocks.ts';
import { todayIn } from '../../core/day.ts';
import { jsonPlain } from '../../core/json.ts';
import { badField, CoreErrors, problem, type ProblemCode } from '../../core/errors.ts';
import { orgOf, packOf, type Org } from '../../core/organization.ts';
import { newToken } from '../../core/tokens.ts';
import { decide, versionAt, type ClaimInput, type CompiledPack, type Decision } from '../../policy/index.ts';
import * as customers from '../customers/customers.service.ts';
import * as devicesRepo from '../devices/devices.repository.ts';
import * as devices from '../devices/devices.service.ts';
import { claimInput, policyError, reasonsOf } from './decisions.ts';
import * as repo from './repository.ts';
import type { CustomerLite, OrderRow, PurchaseLite } from './repository.ts';
import { CLOCK_EVENTS, type State } from './state-machine.ts';
import { NO_EXTRAS, orderView, type IntakeChannel, type OrderView } from './views.ts';

export interface WorkOrder {
  termsAccepted: boolean; // SC-2, ITEMA-11
  accessories: string[];
  complete: boolean;
  visibleCondition: string;
  dataBackedUp: boolean; // ITEMA-29
  passwordsRemoved: boolean; // ITEMA-29
  problemInClientsWords: string;
  signedBy: string;
}

export interface ClaimFields {
  channel: IntakeChannel;
  customerId?: string;
  customer?: { name: string; email?: string | null; phone?: string | null; address?: string | null; preferredLanguage?: 'en' | 'bg' | 'vi' | null };
  deviceId?: string;
  device?: { serial: string; manufacturer?: string; model?: string | null; category?: string };
  purchase?: { date?: string; place?: string };
  problem: string;
  proofs?: ClaimInput['proofs'];
  workOrder?: WorkOrder;
  /**
   * When the claim actually reached the business, if earlier than now (a phone call or an e-mail
   * entered later, an ISO instant). The claim's date and clocks run from it; the audit keeps both.
   */
  receivedAt?: string;
}

/** How far back staff may date a claim they enter late (a setting of the product, not of a seed). */
export const RECEIVED_AT_MAX_DAYS = 30;

/** The moment the claim reached the business: `receivedAt` when given (never after now, at most 30 days back). */
export function receivedMoment(receivedAt: string | undefined, now: Date): Date {
  if (receivedAt === undefined) return now;
  const at = new Date(receivedAt);
  if (Number.isNaN(at.getTime())) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.receivedAt', message: `"${receivedAt}" is not an instant like 2026-03-02T09:00:00Z`, code: 'invalid' }] }, { status: 422 });
  if (at.getTime() > now.getTime()) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.receivedAt', message: `the claim cannot be received (${at.toISOString()}) after it is entered (${now.toISOString()})`, code: 'in-future' }] }, { status: 422 });
  if (now.getTime() - at.getTime() > RECEIVED_AT_MAX_DAYS * 86_400_000) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.receivedAt', message: `more than ${RECEIVED_AT_MAX_DAYS} days ago: enter a claim within ${RECEIVED_AT_MAX_DAYS} days of receiving it`, code: 'too-old' }] }, { status: 422 });
  return at;
}

/**
 * What `insertClaim` can raise, for its routes to declare: bad work-order confirmations or customer
 * details (422), unknown ids, the engine refusing the device's record, and a device registered by a
 * concurrent claim at the same moment (the unique index: already-exists).
 */
export const INTAKE_PROBLEMS = ['validation-failed', 'unknown-reference', 'policy-input-invalid', 'already-exists'] as const satisfies readonly ProblemCode[];

export interface Intake {
  order: OrderView;
  orderPage: { token: string; path: string };
}

/** What the public web form sends: the client's own words, never matched against our records. */
export interface WebClaimFields {
  name: string;
  email: string;
  phone: string;
  address?: string;
  language?: 'en' | 'bg' | 'vi';
  serial: string;
  manufacturer?: string;
  model?: string;
  category?: string;
  purchaseDate?: string;
  purchasePlace?: string;
  problem: string;
  proofs?: ClaimInput['proofs'];
}

/** The public form's answer: only what the client sent, the number and the page link. */
export interface WebIntake {
  number: string;
  state: State;
  orderPage: { token: string; path: string };
  sent: WebClaimFields;
  /** The details and proofs the pack asks for that the client did not give (from what was sent only). */
  missing: { field: string; rule: string }[];
}

async function intakeCustomer(tx: Tx, actor: Actor, f: ClaimFields, found: CustomerLite | null): Promise<CustomerLite> {
  if (f.customerId) {
    if (!found) throw problem(CoreErrors, 'unknown-reference', 'No such customer', { errors: [{ field: 'body.customerId', message: 'no such customer' }] });
    return found;
  }
  if (!f.customer) throw badField('body.customer', 'give customerId or the customer (name and a phone or e-mail)', 'required');
  if (f.customer.email && found) return found;
  const v = await customers.insert(tx, actor, { ...f.customer, preferredChannel: f.customer.email ? 'email' : f.customer.phone ? 'phone' : null });
  return { id: v.id, name: v.name, email: v.email, phone: v.phone, address: v.address, preferred_language: v.preferredLanguage, preferred_channel: v.preferredChannel } as CustomerLite;
}

/** The device and whether it was registered just now (no parts, no history). */
async function intakeDevice(tx: Tx, actor: Actor, f: ClaimFields, found: devicesRepo.DeviceRow[], customerId: string): Promise<{ device?: devicesRepo.DeviceRow; created: boolean }> {
  if (f.deviceId) {
    if (!found.length) throw problem(CoreErrors, 'unknown-reference', 'No such device', { errors: [{ field: 'body.deviceId', message: 'no such device' }] });
    return { device: found[0], created: false };
  }
  if (!f.device) return { created: false };
  if (found.length === 1) return { device: found[0], created: false };
  if (found.length > 1) throw badField('body.device.manufacturer', 'several manufacturers use this serial; name the manufacturer', 'ambiguous');
  // A device we never sold (a repair shop's usual case): registered with what the client told us.
  if (f.device.manufacturer && f.device.category) {
    const v = await devices.insert(tx, actor, { serial: f.device.serial, manufacturer: f.device.manufacturer, model: f.device.model ?? null, category: f.device.category, customerId }, 'body.device.category');
    return { device: await devicesRepo.get(tx, actor.organizationId, v.id), created: true };
  }
  return { created: false };
}

/**
 * What the client confirms on the signed work order, as the pack asks (SC-2, ITEMA-11, ITEMA-29):
 * every missing confirmation at once, so the clerk fixes the form in one go.
 */
export function checkWorkOrder(pack: CompiledPack, moment: Date, w: WorkOrder, path: string) {
  const asked = versionAt(pack, moment.toISOString()).raw.intake.workOrderConfirmations;
  const errors = asked.filter((c) => w[c.field] !== true).map((c) => ({ field: `${path}.${c.field}`, message: `${c.text.en} (${c.rule})`, code: 'required' }));
  if (errors.length) throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors }, { status: 422 });
}

/**
 * Without a device on record the engine does not decide, but the claim's own gaps are listed all the
 * same (ITEMA-27 details, ITEMA-10 / ITS-5 / ITS-6 proofs, ITS-7), named as the engine names them.
 */
export function requirementGaps(req: ReturnType<typeof versionAt>['raw']['requirements'], details: Record<string, string>, proofs: Record<string, boolean>) {
  const out: { field: string; rule: string }[] = [];
  for (const field of req.details?.fields ?? []) if (!details[field]) out.push({ field: `details.${field}`, rule: req.details!.rule });
  for (const p of req.proofs) if (!p.anyOf.some((k) => proofs[k] === true)) out.push({ field: `proofs.${p.anyOf.join('|')}`, rule: p.rule });
  return out;
}

/**
 * Inside a caller's transaction (the HTTP create with its Idempotency-Key, the web form, the demo seed).
 * `opts.contactChannel`: the channel the intake's workshop card sets (issue 16), so the intake's own
 * "received" message goes by it too.
 */
export async function insertClaim(tx: Tx, actor: Actor, f: ClaimFields, now: Date, opts: { contactChannel?: string } = {}): Promise<Intake> {
  const read = await repo.readIntake(tx, actor.organizationId, {
    deviceId: f.deviceId ?? null,
    serial: f.deviceId ? null : (f.device?.serial ?? null),
    manufacturer: f.deviceId ? null : (f.device?.manufacturer?.toLowerCase() ?? null),
    customerId: f.customerId ?? null,
    email: f.customerId ? null : (f.customer?.email?.toLowerCase() ?? null),
  });
  const org = read.org!;
  const pack = await packOf(tx, org);
  // A claim entered later than it arrived: its date and the clocks it starts run from its arrival.
  const received = receivedMoment(f.receivedAt, now);
  if (f.workOrder) checkWorkOrder(pack, now, f.workOrder, 'body.workOrder');
  const v = versionAt(pack, received.toISOString());
  const customer = await intakeCustomer(tx, actor, f, read.customer);
  const { device, created } = await intakeDevice(tx, actor, f, read.devices, customer.id);
  const purchase = device && !created && read.purchase?.device_id === device.id ? read.purchase : undefined;
  const claimDate = todayIn(org.time_zone, received);
  // A claim cannot reach the business before the device was bought (the sale given now or recorded).
  const soldOn = f.purchase?.date ?? (purchase?.sold_on ? String(purchase.sold_on).slice(0, 10) : undefined);
  if (f.receivedAt !== undefined && soldOn && claimDate < soldOn)
    throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'body.receivedAt', message: `the claim cannot be received (${claimDate}) before the purchase (${soldOn})`, code: 'before-purchase' }] }, { status: 422 });
  const details = claimDetails(customer, device, { model: f.device?.model, serial: f.device?.serial, purchaseDate: f.purchase?.date, purchasePlace: f.purchase?.place }, purchase, f.problem);
  // A valid device registration's proofs count as given (ITS-5, ITS-6).
  const proofs = { ...claimProofs(f.proofs, purchase), ...(device && !created ? (read.registration_proofs?.[device.id] ?? {}) : {}) };
  const row = newOrderRow(org, v, now, claimDate, {
    channel: f.channel,
    customerId: customer.id,
    deviceId: device?.id ?? null,
    language: customer.preferred_language ?? null,
    contactChannel: opts.contactChannel ?? customer.preferred_channel,
    problem: f.problem,
    details,
    proofs,
    workOrder: f.workOrder ?? null,
  });
  if (received !== now) row.claim_received_at = received;
  // The engine's provisional decision, once, from the history read above.
  let decision: Decision | undefined;
  if (device) {
    try {
      decision = decide(claimInput(row), { device: devices.toDeviceInput(device, created ? [] : read.parts), events: created ? [] : devices.toDeviceEvents(read.events) }, pack, todayIn(org.time_zone, now));
    } catch (e) {
      policyError(e);
    }
  }
  const missing = decision ? decision.missing.map((m) => ({ field: m.field, rule: m.rule })) : requirementGaps(v.raw.requirements, details, proofs);
  // The device itself is a detail the pack asks for (ITEMA-27), or else the claim's first proof.
  if (!device) missing.unshift({ field: 'device', rule: deviceRule(v) });
  const token = await writeNewOrder(tx, actor, pack, row, decision, missing, now, device?.id ?? null);
  return { order: orderView(row, NO_EXTRAS), orderPage: { token, path: `/api/v1/order-page/${token}` } };
}

/**
 * The public web form (issue 15): nothing the client typed is looked up. An e-mail or a serial is
 * no proof of who the client is, so the claim is attached to no customer and no device: what was
 * sent is kept as sent (`submitted`, and the ITEMA-27 details from it), the engine does not decide,
 * and the order waits in the staff queue "to link" until staff match it (`linkClaim`). Its answer
 * repeats only what was sent, with the number and the page link; the page shows nothing stored.
 */
export async function insertWebClaim(tx: Tx, actor: Actor, s: WebClaimFields, now: Date): Promise<WebIntake> {
  const org = await orgOf(tx, actor.organizationId);
  const pack = await packOf(tx, org);
  const v = versionAt(pack, now.toISOString());
  const claimDate = todayIn(org.time_zone, now);
  const sent = { name: s.name, email: s.email, phone: s.phone, address: s.address ?? null };
  const details = claimDetails(sent, undefined, s, undefined, s.problem);
  const proofs = claimProofs(s.proofs, undefined);
  const row = newOrderRow(org, v, now, claimDate, {
    channel: 'web-form',
    customerId: null,
    deviceId: null,
    language: s.language ?? null,
    contactChannel: 'email',
    problem: s.problem,
    details,
    proofs,
    workOrder: null,
  });
  row.submitted = s;
  row.awaiting_link = true;
  const gaps = requirementGaps(v.raw.requirements, details, proofs);
  const token = await writeNewOrder(tx, actor, pack, row, undefined, [{ field: 'device', rule: deviceRule(v) }, ...gaps], now, null);
  return { number: row.number, state: row.state as State, orderPage: { token, path: `/api/v1/order-page/${token}` }, sent: s, missing: gaps };
}

type PackVersion = ReturnType<typeof versionAt>;
const deviceRule = (v: PackVersion) => v.raw.requirements.details?.rule ?? v.raw.requirements.proofs[0]?.rule ?? '';

/** ITEMA-27: what the client gave, completed from our own records (when there are any). */
export function claimDetails(
  customer: Pick<CustomerLite, 'name' | 'address' | 'email' | 'phone'> | null,
  device: Pick<devicesRepo.DeviceRow, 'model' | 'serial'> | undefined,
  sent: { model?: string | null; serial?: string; purchaseDate?: string; purchasePlace?: string },
  purchase: PurchaseLite | undefined,
  problem: string,
) {
  const details: Record<string, string> = {};
  const put = (k: string, val: string | null | undefined) => {
    if (val !== null && val !== undefined && String(val).trim() !== '') details[k] = String(val);
  };
  put('name', customer?.name);
  put('address', customer?.address);
  put('email', customer?.email);
  put('phone', customer?.phone);
  put('model', device?.model ?? sent.model);
  put('serial', device?.serial ?? sent.serial);
  put('purchaseDate', sent.purchaseDate ?? purchase?.sold_on);
  put('purchasePlace', sent.purchasePlace ?? purchase?.place);
  put('description', problem);
  return details;
}

/** The proofs the client named, and the payment document on our own record (ITEMA-10, ITS-6). */
export function claimProofs(sent: ClaimInput['proofs'] | undefined, purchase: PurchaseLite | undefined) {
  const proofs: Record<string, boolean> = { ...(sent ?? {}) } as Record<string, boolean>;
  if (purchase) {
    if (purchase.document_type === 'invoice') proofs.invoice = true;
    if (purchase.document_type === 'receipt') proofs.receipt = true;
    if (purchase.document_type === 'contract') proofs.serviceContract = true;
  }
  return proofs;
}

interface NewOrder {
  channel: IntakeChannel;
  customerId: string | null;
  deviceId: string | null;
  language: string | null;
  contactChannel: string | null;
  problem: string;
  details: Record<string, string>;
  proofs: Record<string, boolean>;
  workOrder: WorkOrder | null;
}

/** The new order's row, before its number (taken by the write, its first step). */
function newOrderRow(org: Org, v: PackVersion, now: Date, claimDate: string, n: NewOrder): OrderRow {
  const state: State = n.workOrder ? 'received' : 'claimed';
  // The pack says whether a claim waits for pre-authorization (ITEMA-28: contact before sending
  // anything; a device not yet in our hands waits for it) and through which channels it need not.
  const preAuth = v.raw.intake.preAuthorization;
  const preAuthRequired = !!preAuth && !n.workOrder && !preAuth.exceptChannels.includes(n.channel);
  return {
    id: uuidv7(),
    organization_id: org.id,
    number: '',
    state,
    channel: n.channel,
    customer_id: n.customerId,
    device_id: n.deviceId,
    language: n.language ?? v.raw.settings.languages[0] ?? 'en',
    contact_channel: n.contactChannel,
    problem: n.problem,
    claim_date: claimDate,
    details: n.details,
    proofs: n.proofs,
    missing: [],
    pre_authorization_required: preAuthRequired,
    pre_authorization_rule: preAuthRequired ? preAuth!.rule : null,
    pre_authorized_at: null,
    decision: null,
    decision_final: false,
    under_warranty: null,
    findings: [],
    insignificant: false,
    work_order: n.workOrder,
    received_on: n.workOrder ? claimDate : null,
    quote: null,
    client_decision: null,
    test_result: null,
    findings_protocol: null,
    currency: v.raw.settings.currency,
    policy_version: v.version,
    version: 1,
    created_at: now,
    updated_at: now,
    submitted: null,
    awaiting_link: false,
    closed_at: null,
    claim_received_at: null,
    dead_pixels: null,
    use_country: null,
    claim_part_id: null,
  };
}

/** Plans the first clocks and writes the order with them, its page token, audit and outbox rows. Returns the token. */
async function writeNewOrder(tx: Tx, actor: Actor, pack: CompiledPack, row: OrderRow, decision: Decision | undefined, missing: { field: string; rule: string }[], now: Date, deviceId: string | null) {
  row.missing = missing;
  // Made plain once (texts become { en, bg, vi }), returned as that and stored as its text.
  row.decision = decision ? jsonPlain(decision) : null;
  const decisionJson = row.decision ? JSON.stringify(row.decision) : null;
  row.policy_version = decision?.policyVersion ?? row.policy_version;
  // The claim's clocks run from when it was received (a call entered later); the work order's from now.
  const received = row.claim_received_at ?? now;
  const fromClaim = planNewClocks(pack, ['claim-received'], received);
  const fromOpen = row.work_order ? planNewClocks(pack, CLOCK_EVENTS.open!, now) : { clocks: [], timers: [] };
  const started = new Set(fromClaim.clocks.map((c) => c.clock_id));
  const openClocks = fromOpen.clocks.filter((c) => !started.has(c.clock_id));
  const openIds = new Set(openClocks.map((c) => c.id));
  const clocks = [...fromClaim.clocks, ...openClocks];
  const timers = [...fromClaim.timers, ...fromOpen.timers.filter((t) => openIds.has(t.clock_row_id))];
  const token = newToken();
  row.number = await repo.writeIntake(tx, actor, {
    row,
    decisionJson,
    year: Number(row.claim_date.slice(0, 4)),
    clocks,
    timers,
    token,
    audit: { state: row.state, via: row.channel, ...(row.claim_received_at ? { receivedAt: row.claim_received_at.toISOString(), enteredAt: now.toISOString() } : {}), policyVersion: row.policy_version, outcome: decision?.outcome ?? null, provisional: decision?.provisional ?? true, reasons: reasonsOf(decision), missing, ...(row.awaiting_link ? { awaitingLink: true } : {}) },
    message: { orderId: row.id, customerId: row.customer_id, deviceId, language: row.language, channel: row.contact_channel, missing, preAuthorizationRequired: row.pre_authorization_required, orderPageToken: token },
  });
  return token;
}
