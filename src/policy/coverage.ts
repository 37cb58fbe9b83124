// Coverage computed from a device's history: a warranty is never a stored date (ARCHITECTURE.md,
// "the one idea"). Each item (the device and each part) runs a timeline: its term starts at the
// commencement event, repairs may suspend it (ITEMA-14) or grant a term of their own (ITS-2),
// extensions add to it (ITS-3), replacements keep it with a minimum (ITEMA-17, ITM-9, ITM-10), and
// a void ends it (ITS-9). The legal guarantee runs beside it on its own timeline (ITEMA-33).
//
// Readings (docs/policy-engine.md): an end date is the last day covered, start + term
// (90 days from 1 March covers up to and including 30 May); a repair suspends the term for
// (notified − accepted) days; events after the moment asked are ignored, so a past date answers as
// the record stood then.
import { addTerm, formatDate, parseDate, tryParseDate, type Day, type Term } from './dates.ts';
import { PolicyInputError } from './errors.ts';
import { categoryName, eventNames, say, termTexts, type Params } from './messages.ts';
import { canonicalCategory, findTerm, selectVersion, type CompiledPack, type CompiledVersion } from './pack.ts';
import type {
  CoverageChange,
  CoverageInterval,
  CoverageReport,
  DeviceEvent,
  DeviceInput,
  ItemCoverage,
  ItemKind,
  LegalGuarantee,
  MaintenanceCoverage,
  Reason,
} from './types.ts';
import { tryParseTerm } from './dates.ts';

const termWords = new WeakMap<Term, ReturnType<typeof termTexts>>();
/** A term in words per language, built once per parsed term. */
function tt(t: Term) {
  let w = termWords.get(t);
  if (!w) {
    w = termTexts(t.amount, t.unit);
    termWords.set(t, w);
  }
  return w;
}

interface Ev {
  day: Day;
  e: DeviceEvent;
}

const ORIGIN_TYPES = new Set(['sale', 'delivery', 'shipping', 'installation', 'activation', 'repair-completed']);

/** Dates parsed once, events at or before the moment, in date order (stable for the same day). */
export function prepareEvents(events: readonly DeviceEvent[], at: Day): Ev[] {
  const out: Ev[] = [];
  let sorted = true;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const day = tryParseDate(e.date);
    if (day === undefined) throw new PolicyInputError([{ path: `events[${i}].date`, message: `"${e.date}" is not a calendar date like 2026-03-01` }]);
    if (day > at) continue;
    if (out.length && out[out.length - 1].day > day) sorted = false;
    out.push({ day, e });
  }
  if (!sorted) out.sort((a, b) => a.day - b.day);
  return out;
}

interface Timeline {
  start: Day;
  end: Day;
  intervals: CoverageInterval[];
  changes: CoverageChange[];
  /** Start of a suspension still running at the moment asked. */
  openSuspension?: Day;
  voidedOn?: Day;
  endedOn?: Day;
}

interface RunOpts {
  suspendRule?: string; // ITEMA-14 (or ITEMA-33 for the legal guarantee)
  disputes?: boolean; // ITEMA-33
  repairTerm?: { term: Term; rule: string }; // ITS-2
  planTerms?: CompiledVersion['plans']; // ITS-3
  replacement?: CompiledVersion['replacementMinimum']; // ITM-10, for device-replaced
  keepsTermRule?: string; // ITM-9 / ITEMA-17
  transferable?: boolean;
  voidable: boolean;
  voidRule?: string;
  baseRule: string;
  baseCode: string;
}

function change(day: Day, rule: string, code: string, params: Params | (() => Params), days?: number, newEnd?: Day): CoverageChange {
  return { date: formatDate(day), rule, code, days, newEnd: newEnd === undefined ? undefined : formatDate(newEnd), text: say(code, params) };
}

/** Runs one item's term through the history from its start. */
function runTimeline(start: Day, term: Term, evs: readonly Ev[], at: Day, o: RunOpts): Timeline {
  let end = addTerm(start, term);
  const intervals: CoverageInterval[] = [];
  const baseEnd = end;
  const changes: CoverageChange[] = [change(start, o.baseRule, o.baseCode, () => ({ term: tt(term), start: formatDate(start), end: formatDate(baseEnd) }), undefined, end)];
  let segStart = start;
  let segRule = o.baseRule;
  let open: Day | undefined; // start of the current suspension (a repair, a dispute, or both)
  // ITEMA-33: a repair and a dispute may overlap; the period runs again only once both are over.
  let inRepair = false;
  let inDispute = false;
  let voidedOn: Day | undefined;
  let endedOn: Day | undefined;

  for (let i = 0; i < evs.length; i++) {
    const { day, e } = evs[i];
    // Before the term starts only a bought extension counts (ITS-3: a plan bought with the
    // product, before its installation, still adds its duration).
    if (day < start && e.type !== 'extension-purchased') continue;
    switch (e.type) {
      case 'repair-accepted':
      case 'dispute-opened': {
        const repair = e.type === 'repair-accepted';
        const applies = repair ? !inRepair && e.underWarranty !== false : o.disputes && !inDispute;
        // While already suspended the term is not running, so the end is no bar.
        if (o.suspendRule && applies && (open !== undefined || day <= end)) {
          if (repair) inRepair = true;
          else inDispute = true;
          if (open === undefined) {
            open = day;
            if (day > segStart) intervals.push({ from: formatDate(segStart), to: formatDate(day - 1), kind: 'running', rule: segRule });
          }
        }
        break;
      }
      case 'repair-completed':
      case 'dispute-closed': {
        const closes = e.type === 'repair-completed' ? 'repair' : 'dispute';
        const wasOpen = closes === 'repair' ? inRepair : inDispute;
        if (closes === 'repair') inRepair = false;
        else inDispute = false;
        if (open !== undefined && wasOpen && !inRepair && !inDispute) {
          const days = day - open;
          const from = open;
          end += days;
          const newEnd = end;
          intervals.push({ from: formatDate(open), to: formatDate(Math.max(open, day - 1)), kind: 'suspended', rule: o.suspendRule! });
          changes.push(
            change(day, o.suspendRule!, closes === 'repair' ? 'suspended-for-repair' : 'suspended-for-dispute', () => ({ days: termTexts(days, 'days'), from: formatDate(from), to: formatDate(day), end: formatDate(newEnd) }), days, end),
          );
          open = undefined;
          segStart = day;
        }
        if (e.type === 'repair-completed' && o.repairTerm) {
          const own = addTerm(day, o.repairTerm.term);
          if (day > end) {
            // ITS-2: coverage had lapsed; the repair opens a new period of its own.
            intervals.push({ from: formatDate(segStart), to: formatDate(end), kind: 'running', rule: segRule });
            segStart = day;
            segRule = o.repairTerm.rule;
            end = own;
            changes.push(change(day, o.repairTerm.rule, 'repair-term', { term: tt(o.repairTerm.term), end: formatDate(end) }, undefined, end));
          } else if (own > end) {
            end = own;
            changes.push(change(day, o.repairTerm.rule, 'repair-term', { term: tt(o.repairTerm.term), end: formatDate(end) }, undefined, end));
          }
        }
        break;
      }
      case 'extension-purchased': {
        if (!o.planTerms) break;
        const plan = e.planId === undefined ? undefined : o.planTerms.get(e.planId);
        if (!plan) {
          throw new PolicyInputError([
            { path: `events[${i}].planId`, message: `"${e.planId ?? ''}" is not an extension plan of this pack (${[...o.planTerms.keys()].join(', ') || 'none'})` },
          ]);
        }
        if (day > end) {
          // ITS-10/ITS-3: bought after expiry, the extension runs from its purchase.
          intervals.push({ from: formatDate(segStart), to: formatDate(end), kind: 'running', rule: segRule });
          segStart = day;
          segRule = plan.rule;
          end = addTerm(day, plan.term);
        } else {
          end = addTerm(end, plan.term);
        }
        changes.push(change(day, plan.rule, 'extension', { plan: plan.name, term: tt(plan.term), end: formatDate(end) }, undefined, end));
        break;
      }
      case 'device-replaced':
        if (o.keepsTermRule) changes.push(change(day, o.keepsTermRule, 'replacement-keeps-term', { end: formatDate(end) }));
        if (o.replacement && day <= end) {
          const min = addTerm(day, o.replacement.term);
          if (min > end) {
            end = min;
            changes.push(change(day, o.replacement.rule, 'replacement-minimum', { term: tt(o.replacement.term), end: formatDate(end) }, undefined, end));
          }
        }
        break;
      case 'warranty-voided':
        if (o.voidable && voidedOn === undefined && day <= end) {
          voidedOn = day;
          changes.push(change(day, e.rule ?? o.voidRule ?? o.baseRule, 'voided', { date: formatDate(day), note: e.note ?? '' }));
        }
        break;
      case 'ownership-transferred':
        if (o.transferable === false && endedOn === undefined && day <= end) {
          endedOn = day;
          changes.push(change(day, o.baseRule, 'ended-on-transfer', { date: formatDate(day) }));
        } else if (o.transferable) {
          changes.push(change(day, o.baseRule, 'follows-device', { date: formatDate(day) }));
        }
        break;
      default:
        break;
    }
    if (voidedOn !== undefined || endedOn !== undefined) break;
  }

  const stop = voidedOn ?? endedOn;
  if (stop !== undefined) {
    if (open !== undefined) {
      intervals.push({ from: formatDate(open), to: formatDate(stop), kind: 'suspended', rule: o.suspendRule! });
      open = undefined;
    } else if (stop >= segStart) intervals.push({ from: formatDate(segStart), to: formatDate(stop), kind: 'running', rule: segRule });
    end = Math.min(end, stop);
  } else if (open !== undefined) {
    // ITEMA-14: still in repair; the term has not run since the repair began, so the end moves
    // a day later for every day in the shop. Shown as it stands today.
    const soFar = Math.max(0, at - open);
    end += soFar;
    intervals.push({ from: formatDate(open), kind: 'suspended', rule: o.suspendRule! });
  } else {
    intervals.push({ from: formatDate(segStart), to: formatDate(Math.max(segStart, end)), kind: 'running', rule: segRule });
  }
  return { start, end, intervals, changes, openSuspension: open, voidedOn, endedOn };
}

function itemStatus(t: Timeline | undefined, at: Day): ItemCoverage['status'] {
  if (!t) return 'not-started';
  if (t.voidedOn !== undefined && t.voidedOn <= at) return 'void';
  if (t.start > at) return 'not-started';
  if (t.openSuspension !== undefined) return 'suspended';
  if (t.endedOn !== undefined && t.endedOn <= at) return 'expired';
  return at <= t.end ? 'active' : 'expired';
}

/** `shared`: the timeline is also the device's, so the item gets copies of its lists to write into. */
function toItem(item: string, category: string, kind: ItemKind, t: Timeline | undefined, term: Term | null | undefined, at: Day, rules: string[], shared = false): ItemCoverage {
  const status = itemStatus(t, at);
  const covered = status === 'active' || status === 'suspended';
  const ruleSet = rules.slice();
  if (t) {
    for (const c of t.changes) if (!ruleSet.includes(c.rule)) ruleSet.push(c.rule);
    // A repair still open (ITEMA-14) has no change yet, only its suspended interval.
    for (const iv of t.intervals) if (!ruleSet.includes(iv.rule)) ruleSet.push(iv.rule);
  }
  return {
    item,
    category,
    kind,
    covered,
    status,
    start: t && formatDate(t.start),
    end: t && formatDate(t.end),
    daysLeft: t && covered ? t.end - at : undefined,
    term: term === null ? 'none' : term?.text,
    // A part that shares the device's timeline must not write into the device's lists.
    intervals: t ? (shared ? t.intervals.slice() : t.intervals) : [],
    changes: t ? (shared ? t.changes.slice() : t.changes) : [],
    rules: ruleSet,
  };
}

function firstOf(evs: readonly Ev[], types: readonly string[], partId?: string): Day | undefined {
  for (const { day, e } of evs) if (types.includes(e.type) && (partId === undefined || e.partId === undefined || e.partId === partId)) return day;
  return undefined;
}

function parseItemTerm(s: string | undefined, path: string): Term | null | undefined {
  if (s === undefined) return undefined;
  const t = tryParseTerm(s);
  if (t === undefined) throw new PolicyInputError([{ path, message: `"${s}" is not a duration like "3 months"` }]);
  return t;
}

function maxTerm(a: Term, min: Term | null | undefined, from: Day): Term {
  if (!min) return a;
  return addTerm(from, min) > addTerm(from, a) ? min : a;
}

export interface CoverageOptions {
  /** Precomputed events (from prepareEvents) to avoid parsing twice. */
  prepared?: Ev[];
}

/**
 * Coverage of a device and its parts at a moment (a calendar date), computed from its history and
 * the business's pack. Pure: same inputs, same answer.
 */
export function computeCoverage(device: DeviceInput, events: readonly DeviceEvent[], pack: CompiledPack, at: string, opts: CoverageOptions = {}): CoverageReport {
  const atDay = tryParseDate(at);
  if (atDay === undefined) throw new PolicyInputError([{ path: 'at', message: `"${at}" is not a calendar date like 2026-03-01` }]);
  const evs = opts.prepared ?? prepareEvents(events, atDay);
  const origin = firstOf(evs, [...ORIGIN_TYPES]);
  const v = selectVersion(pack, origin, atDay);
  const reasons: Reason[] = [];

  const kind: ItemKind = device.kind ?? 'device';
  const condition = device.condition ?? 'new';
  // The domain vocabulary: a category given in words the pack knows under a code is that code.
  const category = canonicalCategory(v, device.category);
  if (category !== device.category) device = { ...device, category };
  const nc = v.notCovered.get(device.category);
  const termRule = findTerm(v, kind, device.category, condition);
  if (!termRule && !nc) {
    throw new PolicyInputError([
      { path: 'device.category', message: `no term of pack ${pack.id} ${v.version} applies to a ${condition} ${kind} of category "${device.category}"; known categories: ${v.knownCategories.join(', ')}` },
    ]);
  }

  let deviceTerm: Term | null | undefined;
  let deviceTl: Timeline | undefined;
  const deviceRules: string[] = [];
  let manufacturer: ItemCoverage['manufacturer'];
  if (nc) {
    reasons.push({ rule: nc.rule, code: 'not-covered-category', text: say('not-covered-category', () => ({ category: categoryName(device.category) })), params: { category: device.category } });
    deviceRules.push(nc.rule);
  } else if (termRule) {
    // ITEMA-7: a component the pack gives a limited term or none (a battery, a power adapter)
    // keeps that term when it is sold on its own, not the term of a whole device.
    const packPart = v.parts.get(device.category);
    const rule = packPart && device.term === undefined ? packPart.rule : termRule.source.rule;
    deviceRules.push(rule);
    const stated = parseItemTerm(device.term, 'device.term');
    const mfr = parseItemTerm(device.manufacturerWarranty?.term, 'device.manufacturerWarranty.term');
    deviceTerm =
      stated !== undefined ? stated : packPart ? packPart.term : termRule.source.manufacturerTerm && mfr !== undefined ? mfr : termRule.term;
    const start = firstOf(evs, termRule.commencement);
    if (deviceTerm && start !== undefined) {
      let term = deviceTerm;
      if (termRule.minimum && stated !== undefined) {
        // ITEMA-6: a stated term never goes below the pack's minimum (refurbished: 3 months).
        const t = maxTerm(term, termRule.minimum, start);
        if (t !== term) reasons.push({ rule, code: 'minimum-term', text: say('minimum-term', { term: tt(t) }) });
        term = t;
      }
      deviceTerm = term;
      deviceTl = runTimeline(start, term, evs, atDay, {
        suspendRule: v.raw.coverage.suspendDuringRepair,
        repairTerm: v.repairTerm,
        planTerms: v.plans,
        replacement: v.replacementMinimum,
        keepsTermRule: v.raw.coverage.replacementKeepsTerm,
        transferable: v.raw.coverage.transferable,
        voidable: true,
        voidRule: v.raw.coverage.voidRule,
        baseRule: rule,
        baseCode: 'base-term',
      });
      const precedence = v.raw.coverage.manufacturerPrecedence;
      if (termRule.source.servedBy === 'manufacturer') {
        // ITEMA-6: new products carry the manufacturer's warranty, served at its service centers.
        manufacturer = { end: formatDate(mfr ? addTerm(start, mfr) : deviceTl.end), provider: device.manufacturerWarranty?.provider, rule };
      } else if (precedence && mfr) {
        // ITM-5: the manufacturer's own plan, where it exists, takes precedence while it runs.
        manufacturer = { end: formatDate(addTerm(start, mfr)), provider: device.manufacturerWarranty?.provider, rule: precedence };
      }
    } else if (deviceTerm === null) {
      reasons.push({ rule, code: 'no-term', text: say('no-term', () => ({ category: categoryName(device.category) })) });
    } else {
      reasons.push({ rule, code: 'not-started', text: say('not-started', () => ({ events: eventNames(termRule.commencement) })) });
    }
  }
  const deviceCov = toItem('device', device.category, kind, deviceTl, deviceTerm, atDay, deviceRules);
  // ITEMA-3: never covered, whatever the history (not merely 'not started'); ITEMA-7: an item
  // whose term is 'none' has no warranty at all.
  if (nc || deviceTerm === null) deviceCov.status = 'not-covered';
  if (manufacturer) deviceCov.manufacturer = manufacturer;
  if (deviceTl) reasons.push(statusReason(deviceCov, deviceRules[0]));

  const parts = computeParts(device, evs, v, atDay, deviceTl, deviceTerm, deviceRules[0]);
  const legal = computeLegal(evs, v, atDay);
  const report: CoverageReport = { pack: pack.id, policyVersion: v.version, at: formatDate(atDay), device: deviceCov, parts, legalGuarantee: legal, reasons };
  const maintenance = computeMaintenance(device, evs, v, atDay);
  if (maintenance) report.maintenance = maintenance;
  return report;
}

/**
 * ITM-1: maintenance included with the sale of qualified hardware runs beside the warranty from its
 * commencement for its own length; it never lengthens the warranty term.
 */
function computeMaintenance(device: DeviceInput, evs: readonly Ev[], v: CompiledVersion, at: Day): MaintenanceCoverage | undefined {
  for (const m of v.maintenance) {
    if (!m.categories.has(device.category)) continue;
    const start = firstOf(evs, m.commencement);
    if (start === undefined) return undefined;
    const end = addTerm(start, m.term);
    return { rule: m.rule, start: formatDate(start), end: formatDate(end), active: at >= start && at <= end, term: m.term.text, text: m.text };
  }
  return undefined;
}

function statusReason(c: ItemCoverage, rule: string): Reason {
  const code = `status-${c.status}`;
  const params = { end: c.end ?? '', daysLeft: c.daysLeft ?? 0 };
  return { rule, code, text: say(code, params), params };
}

// A part cites its pack's own rules; where the pack has none for parts, the device's term rule
// (never another business's rule id).
// The hot path's helpers are module-level functions, not closures: the TypeScript loader keeps
// function names (esbuild keepNames), which costs a defineProperty call for every closure made.
interface PartsCtx {
  evs: readonly Ev[];
  v: CompiledVersion;
  at: Day;
  deviceTl: Timeline | undefined;
  deviceTerm: Term | null | undefined;
  deviceRule: string;
  byId: Map<string, { tl?: Timeline; cov: ItemCoverage }>;
}

function partOpts(v: CompiledVersion, rule: string): RunOpts {
  return {
    suspendRule: v.raw.coverage.suspendDuringRepair,
    transferable: v.raw.coverage.transferable,
    voidable: true,
    voidRule: v.raw.coverage.voidRule,
    baseRule: rule,
    baseCode: 'part-term',
  };
}

/** A part with a card of its own (or sharing the device's coverage when it has no term of its own). */
function addOwnPart(ctx: PartsCtx, id: string, category: string, stated: string | undefined, path: string, start: Day | undefined, viaRule?: string) {
  const { v, at, byId, deviceTl, deviceTerm, deviceRule, evs } = ctx;
  category = canonicalCategory(v, category);
  const nc = v.notCovered.get(category);
  if (nc) {
    const cov = toItem(id, category, 'part', undefined, null, at, [nc.rule]);
    cov.status = 'not-covered';
    byId.set(id, { cov });
    return;
  }
  const st = parseItemTerm(stated, path);
  const packPart = v.parts.get(category);
  let term: Term | null | undefined = st !== undefined ? st : packPart ? packPart.term : viaRule ? v.moduleCard?.term : undefined;
  const rule = viaRule ?? packPart?.rule ?? deviceRule;
  if (term === undefined) {
    // No term of its own: the part shares the device's coverage.
    if (viaRule) term = deviceTerm ?? null;
    else {
      const cov = toItem(id, category, 'part', deviceTl, deviceTerm, at, [deviceRule], true);
      byId.set(id, { tl: deviceTl, cov });
      return;
    }
  }
  if (term === null || start === undefined) {
    const cov = toItem(id, category, 'part', undefined, term, at, [rule]);
    cov.status = term === null ? 'not-covered' : 'not-started';
    byId.set(id, { cov });
    return;
  }
  const tl = runTimeline(start, term, evs, at, partOpts(v, rule));
  byId.set(id, { tl, cov: toItem(id, category, 'part', tl, term, at, [rule]) });
}

function computeParts(
  device: DeviceInput,
  evs: readonly Ev[],
  v: CompiledVersion,
  at: Day,
  deviceTl: Timeline | undefined,
  deviceTerm: Term | null | undefined,
  deviceRule: string,
): ItemCoverage[] {
  const out: ItemCoverage[] = [];
  const byId = new Map<string, { tl?: Timeline; cov: ItemCoverage }>();
  const ctx: PartsCtx = { evs, v, at, deviceTl, deviceTerm, deviceRule, byId };
  (device.parts ?? []).forEach((p, i) => addOwnPart(ctx, p.id, p.category, p.term, `device.parts[${i}].term`, deviceTl?.start));

  evs.forEach(({ day, e }, i) => {
    if (e.type !== 'part-replaced' && e.type !== 'module-added') return;
    const id = e.partId;
    if (!id) throw new PolicyInputError([{ path: `events[${i}].partId`, message: `a ${e.type} event needs the new part's id` }]);
    let old = e.replacesPartId ? byId.get(e.replacesPartId) : undefined;
    if (e.type === 'part-replaced' && e.replacesPartId && !old) {
      throw new PolicyInputError([{ path: `events[${i}].replacesPartId`, message: `"${e.replacesPartId}" is not a part of this device` }]);
    }
    // A warranty replacement of a component the device's list does not name (no replacesPartId,
    // no term of its own on the event): the component was covered as part of the device, so the
    // new one keeps the device's period (ITM-9, ITEMA-17) with the pack's minimum (ITM-10).
    const deviceComponent =
      e.type === 'part-replaced' && !e.replacesPartId && e.term === undefined && e.underWarranty !== false &&
      deviceTl !== undefined && day >= deviceTl.start && day <= deviceTl.end && (deviceTl.voidedOn === undefined || day < deviceTl.voidedOn);
    if (deviceComponent) old = { tl: deviceTl, cov: { category: e.category ?? 'module', rules: [deviceRule] } as ItemCoverage };
    const category = e.category ?? old?.cov.category ?? 'module';
    const keepRule = v.raw.coverage.replacementKeepsTerm ?? old?.cov.rules[0] ?? deviceRule;
    // A replacement after the old part's coverage ended is not a warranty replacement, whatever the
    // flag says (types.ts: under warranty "while covered"): it gets a card of its own below.
    if (e.type === 'part-replaced' && e.underWarranty !== false && old && (old.tl === undefined || day <= old.tl.end)) {
      // ITEMA-17 / ITM-9: a warranty replacement keeps the original terms; ITM-10: at least the minimum.
      if (!deviceComponent) {
        old.cov.status = 'expired';
        old.cov.covered = false;
        old.cov.changes.push(change(day, keepRule, 'part-removed', { part: e.replacesPartId! }));
      }
      const base = old.tl;
      let end = base ? base.end : undefined;
      const changes: CoverageChange[] = [];
      const keep = v.raw.coverage.replacementKeepsTerm;
      if (keep && end !== undefined) changes.push(change(day, keep, 'replacement-keeps-term', { end: formatDate(end) }, undefined, end));
      if (v.replacementMinimum) {
        const min = addTerm(day, v.replacementMinimum.term);
        if (end === undefined || min > end) {
          end = min;
          changes.push(change(day, v.replacementMinimum.rule, 'replacement-minimum', { term: tt(v.replacementMinimum.term), end: formatDate(end) }, undefined, end));
        }
      }
      if (end === undefined) {
        const cov = toItem(id, category, 'part', undefined, null, at, [keepRule]);
        cov.status = 'not-covered';
        byId.set(id, { cov });
        return;
      }
      const tl: Timeline = {
        start: day,
        end,
        intervals: [{ from: formatDate(day), to: formatDate(Math.max(day, end)), kind: 'running', rule: changes[changes.length - 1]?.rule ?? keepRule }],
        changes,
        openSuspension: base?.openSuspension,
        voidedOn: base?.voidedOn,
      };
      byId.set(id, { tl, cov: toItem(id, category, 'part', tl, undefined, at, [keepRule]) });
      return;
    }
    if (old) {
      old.cov.status = 'expired';
      old.cov.covered = false;
    }
    // ITEMA-25: an added module, or a part replaced outside warranty, gets a card of its own.
    addOwnPart(ctx, id, category, e.term, `events[${i}].term`, day, v.moduleCard?.rule ?? deviceRule);
  });
  for (const { cov } of byId.values()) out.push(cov);
  return out;
}

function computeLegal(evs: readonly Ev[], v: CompiledVersion, at: Day): LegalGuarantee | undefined {
  const lg = v.legal;
  if (!lg) return undefined;
  // ITEMA-33: rights run from delivery, or from the sale when no delivery is recorded: the
  // legal guarantee's commencement list is in order of preference, not the earliest of them.
  let start: Day | undefined;
  for (const type of lg.commencement) if ((start = firstOf(evs, [type])) !== undefined) break;
  if (start === undefined) return undefined;
  const filtered = lg.repair ? evs : evs.filter((x) => x.e.type !== 'repair-accepted' && x.e.type !== 'repair-completed');
  const tl = runTimeline(start, lg.term, filtered, at, {
    suspendRule: lg.rule,
    disputes: lg.dispute,
    voidable: false,
    transferable: true,
    baseRule: lg.rule,
    baseCode: 'legal-term',
  });
  let suspendedDays = 0;
  for (const c of tl.changes) if (c.days) suspendedDays += c.days;
  if (tl.openSuspension !== undefined) suspendedDays += Math.max(0, at - tl.openSuspension);
  return {
    rule: lg.rule,
    start: formatDate(start),
    end: formatDate(tl.end),
    active: at >= start && at <= tl.end,
    suspendedDays,
    intervals: tl.intervals,
  };
}

export { parseDate };
