// The simulator (issue 11): what a draft would change, device by device and open order by open
// order, before it is published. Both sides are the engine's answers: the policy as published
// today, and the same policy with the draft appended as the next version (its effective date and
// whether it governs devices already sold, ITS-11). Nothing is written.
import { computeCoverage, decide, PolicyInputError, type CompiledPack, type CoverageReport, type DeviceEvent, type DeviceInput, type ItemCoverage, type Texts } from '../../policy/index.ts';

export type DeviceChangeKind = 'end-moved' | 'now-covered' | 'now-not-covered' | 'part-card' | 'cannot-evaluate';

export interface DeviceChange {
  deviceId: string;
  serial: string;
  customerId: string | null;
  kinds: DeviceChangeKind[];
  before: { covered: boolean; end: string | null; status: string };
  after: { covered: boolean; end: string | null; status: string };
  parts: { item: string; category: string; before: { covered: boolean; end: string | null }; after: { covered: boolean; end: string | null } }[];
  /** The rules and texts behind the new answer (the engine's reasons). */
  reasons: { rule: string; text: Texts }[];
  /** Which version answers before and after. */
  versions: { before: string; after: string };
}

export interface SimDevice {
  id: string;
  serial: string;
  customerId: string | null;
  input: DeviceInput;
  events: DeviceEvent[];
}

const side = (c: ItemCoverage) => ({ covered: c.covered, end: c.end ?? null, status: c.status });

function coverage(d: SimDevice, pack: CompiledPack, moment: string): CoverageReport | PolicyInputError {
  try {
    return computeCoverage(d.input, d.events, pack, moment);
  } catch (e) {
    if (e instanceof PolicyInputError) return e;
    throw e;
  }
}

/** What changes for one device at `moment`, or null when nothing does. */
export function compareDevice(d: SimDevice, before: CompiledPack, after: CompiledPack, moment: string): DeviceChange | null {
  const a = coverage(d, before, moment);
  const b = coverage(d, after, moment);
  if (a instanceof PolicyInputError || b instanceof PolicyInputError) {
    if (a instanceof PolicyInputError && b instanceof PolicyInputError) return null;
    const ok = (a instanceof PolicyInputError ? b : a) as CoverageReport;
    const bad = { covered: false, end: null, status: 'cannot-evaluate' };
    const err = (a instanceof PolicyInputError ? a : b) as PolicyInputError;
    return {
      deviceId: d.id,
      serial: d.serial,
      customerId: d.customerId,
      kinds: ['cannot-evaluate'],
      before: a instanceof PolicyInputError ? bad : side(ok.device),
      after: b instanceof PolicyInputError ? bad : side(ok.device),
      parts: [],
      reasons: err.issues.map((i) => ({ rule: 'policy', text: { en: `${i.path}: ${i.message}` } })),
      versions: { before: a instanceof PolicyInputError ? '' : a.policyVersion, after: b instanceof PolicyInputError ? '' : b.policyVersion },
    };
  }
  const kinds: DeviceChangeKind[] = [];
  if (a.device.covered && !b.device.covered) kinds.push('now-not-covered');
  else if (!a.device.covered && b.device.covered) kinds.push('now-covered');
  if ((a.device.end ?? null) !== (b.device.end ?? null)) kinds.push('end-moved');
  const parts: DeviceChange['parts'] = [];
  const beforeParts = new Map(a.parts.map((p) => [p.item, p]));
  for (const p of b.parts) {
    const q = beforeParts.get(p.item);
    const x = { covered: q?.covered ?? false, end: q?.end ?? null };
    const y = { covered: p.covered, end: p.end ?? null };
    if (x.covered !== y.covered || x.end !== y.end) parts.push({ item: p.item, category: p.category, before: x, after: y });
  }
  if (parts.length) kinds.push('part-card');
  if (!kinds.length) return null;
  return {
    deviceId: d.id,
    serial: d.serial,
    customerId: d.customerId,
    kinds,
    before: side(a.device),
    after: side(b.device),
    parts,
    reasons: b.reasons.map((r) => ({ rule: r.rule, text: r.text })),
    versions: { before: a.policyVersion, after: b.policyVersion },
  };
}

export interface SimOrder {
  id: string;
  number: string;
  claimDate: string;
  device: SimDevice | null;
  /** The order's running clocks: id and due instant as planned. */
  clocks: { clock: string; due: string | null }[];
  decided: { outcome: string } | null;
}

export interface OrderChange {
  orderId: string;
  number: string;
  kinds: ('decision-changed' | 'deadline-moved')[];
  decision?: { before: string; after: string; reasons: { rule: string; text: Texts }[] };
  deadlines: { clock: string; before: string | null; after: string | null }[];
}

/** The engine's decision for an open order's claim under both policies, as of the claim's day. */
export function compareOrder(o: SimOrder, before: CompiledPack, after: CompiledPack, clockDue: (pack: CompiledPack, clock: string) => string | null): OrderChange | null {
  const kinds: OrderChange['kinds'] = [];
  let decision: OrderChange['decision'];
  if (o.device) {
    const run = (p: CompiledPack) => {
      try {
        return decide({ date: o.claimDate }, { device: o.device!.input, events: o.device!.events }, p, o.claimDate);
      } catch (e) {
        if (e instanceof PolicyInputError) return undefined;
        throw e;
      }
    };
    const x = run(before);
    const y = run(after);
    if (x && y && x.outcome !== y.outcome) {
      kinds.push('decision-changed');
      decision = { before: x.outcome, after: y.outcome, reasons: y.reasons.map((r) => ({ rule: r.rule, text: r.text })) };
    }
  }
  const deadlines: OrderChange['deadlines'] = [];
  for (const c of o.clocks) {
    const x = c.due;
    const y = clockDue(after, c.clock);
    if (y !== undefined && x !== y) deadlines.push({ clock: c.clock, before: x, after: y });
  }
  if (deadlines.length) kinds.push('deadline-moved');
  if (!kinds.length) return null;
  return { orderId: o.id, number: o.number, kinds, ...(decision ? { decision } : {}), deadlines };
}
