// decide(claim, history, pack, moment): covered / not covered / needs inspection, with reasons that
// cite rule ids, the remedies open, what the client would pay and what is still missing.
//
// Order of judgement (docs/policy-engine.md): where the warranty applies (ITEMA-5), what is never
// covered (ITEMA-3), whose work it was (ITS-4), coverage on the claim date (commercial, else the
// legal guarantee ITEMA-30..33), the manufacturer's route (ITM-5, ITEMA-6), the discount defect
// (ITEMA-8), findings → exclusions, dead pixels (ITEMA-16), then missing details and proofs. Any
// exclusion makes the claim not covered; before diagnosis a covered claim is only provisional.
import { addTerm, formatDate, tryParseDate, type Day } from './dates.ts';
import { PolicyInputError } from './errors.ts';
import { computeCoverage, prepareEvents } from './coverage.ts';
import { categoryName, countryName, fieldName, say, termTexts, type Params } from './messages.ts';
import { judgePixels } from './pixels.ts';
import { proofRequirements } from './plans.ts';
import type { CompiledPack, CompiledVersion } from './pack.ts';
import { selectVersion } from './pack.ts';
import type { Basis, Charge, ClaimInput, CommercialPosition, Decision, DeviceEvent, DeviceInput, ItemCoverage, LegalNeed, LegalPosition, Missing, Outcome, Reason, Remedy } from './types.ts';

export interface History {
  device: DeviceInput;
  events: DeviceEvent[];
}

const PIXEL_KINDS = {
  brightPixels: { en: 'always-lit pixels', bg: 'постоянно светещи пиксели', vi: 'điểm ảnh luôn sáng' },
  darkPixels: { en: 'dark pixels', bg: 'тъмни пиксели', vi: 'điểm ảnh tối' },
  defectiveSubpixels: { en: 'defective subpixels', bg: 'дефектни субпиксели', vi: 'điểm ảnh phụ bị lỗi' },
  subpixelClusters: { en: 'clusters of defective subpixels', bg: 'групи дефектни субпиксели', vi: 'cụm điểm ảnh phụ bị lỗi' },
  pixelClusters5x5: { en: 'clusters of defective pixels in a 5 × 5 square', bg: 'групи дефектни пиксели в квадрат 5 × 5', vi: 'cụm điểm ảnh lỗi trong ô 5 × 5' },
} as const;
const ALLOWED = { en: 'allowed', bg: 'допустими', vi: 'cho phép' } as const;

const PAYER = {
  client: { en: 'client', bg: 'клиента', vi: 'khách hàng' },
  business: { en: 'business', bg: 'фирмата', vi: 'công ty' },
} as const;

function reason(rule: string, code: string, params: Params = {}): Reason {
  return { rule, code, text: say(code, params), params };
}

export function decide(claim: ClaimInput, history: History, pack: CompiledPack, moment: string): Decision {
  const momentDay = tryParseDate(moment);
  if (momentDay === undefined) throw new PolicyInputError([{ path: 'moment', message: `"${moment}" is not a calendar date like 2026-03-01` }]);
  const claimDay = tryParseDate(claim.date);
  if (claimDay === undefined) throw new PolicyInputError([{ path: 'claim.date', message: `"${claim.date}" is not a calendar date like 2026-03-01` }]);
  if (claimDay > momentDay) throw new PolicyInputError([{ path: 'claim.date', message: `the claim (${claim.date}) is after the moment asked (${moment})` }]);

  // Coverage is judged on the day the claim was made; later events only matter for the
  // consumer's rights (ITEMA-18, ITEMA-32).
  const all = prepareEvents(history.events, momentDay);
  const upToClaim = all.filter((x) => x.day <= claimDay);
  const coverage = computeCoverage(history.device, history.events, pack, claim.date, { prepared: upToClaim });
  // ITS-11: judge by the very version the coverage used and the decision records.
  const v = pack.versions.find((x) => x.version === coverage.policyVersion) ?? selectVersion(pack, undefined, claimDay);
  const raw = v.raw;

  let item: ItemCoverage = coverage.device;
  if (claim.partId !== undefined) {
    const p = coverage.parts.find((x) => x.item === claim.partId);
    if (!p) throw new PolicyInputError([{ path: 'claim.partId', message: `"${claim.partId}" is not a part of this device` }]);
    item = p;
  }

  const reasons: Reason[] = [];
  const remedies: Remedy[] = [];
  const charges: Charge[] = [];
  const missing: Missing[] = [];
  let notCovered = false;
  let paidAtTariff = false;
  let basis: Basis = 'none';

  // ITEMA-5: the warranty applies in the business's country; elsewhere, the manufacturer's terms.
  const country = claim.country === undefined ? undefined : countryCode(claim.country);
  if (raw.settings.country && country && country !== raw.settings.country.toUpperCase()) {
    notCovered = true;
    const rule = raw.settings.countryRule ?? item.rules[0];
    // The countries by name in each language ("България"), their codes in the reason's params.
    const home = raw.settings.country;
    reasons.push({ rule, code: 'outside-country', text: say('outside-country', () => ({ country: countryName(country), home: countryName(home) })), params: { country, home } });
    remedies.push({ type: 'manufacturer-service', rule, text: say('remedy-manufacturer-service', {}) });
  }

  // ITEMA-3: never covered (consumables, software); ITEMA-7: parts without a term.
  if (item.status === 'not-covered') {
    notCovered = true;
    const nc = v.notCovered.get(item.category);
    const code = nc ? 'not-covered-category' : 'part-no-term';
    reasons.push({ rule: nc?.rule ?? item.rules[0] ?? coverage.device.rules[0], code, text: say(code, () => ({ category: categoryName(item.category) })), params: { category: item.category } });
  }

  // ITS-4: only what the business installed, repaired or maintained.
  if (raw.coverage.ownWorkOnly && claim.servicedByBusiness === false) {
    notCovered = true;
    reasons.push(reason(raw.coverage.ownWorkOnly, 'not-own-work', {}));
  }

  const legal = coverage.legalGuarantee;
  const legalActive = !!legal && claimDay >= tryParseDate(legal.start)! && claimDay <= tryParseDate(legal.end)!;
  const startDay = item.start ? tryParseDate(item.start)! : undefined;
  const windowStart = coverage.device.start ? tryParseDate(coverage.device.start)! : startDay;

  // ITM-5 / ITEMA-6: the manufacturer's own protection, where recorded, on the claim date.
  const manufacturerRuns = !!item.manufacturer && startDay !== undefined && claimDay >= startDay && tryParseDate(item.manufacturer.end)! >= claimDay;
  if (item.status === 'active' || item.status === 'suspended') {
    basis = manufacturerRuns ? 'manufacturer' : 'commercial';
    reasons.push(reason(item.rules[0], 'in-coverage', { end: item.end!, start: item.start! }));
  } else if (item.status !== 'not-covered') {
    const code = item.status === 'void' ? 'claim-void' : item.status === 'not-started' ? 'claim-not-started' : 'claim-expired';
    const rule = item.status === 'void' ? (item.changes.find((c) => c.code === 'voided')?.rule ?? item.rules[0]) : item.rules[0];
    if (legalActive && item.status !== 'void') {
      // ITEMA-9: the legal guarantee stands independently of the commercial warranty.
      basis = 'legal-guarantee';
      reasons.push(reason(rule ?? legal!.rule, code, { end: item.end ?? '' }));
      reasons.push(reason(legal!.rule, 'legal-guarantee-applies', { end: legal!.end }));
    } else if (item.status === 'expired' && manufacturerRuns) {
      // ITM-5: the manufacturer's plan outlasts the business's own term; it still takes
      // precedence (pass-through), so the claim goes to the manufacturer.
      basis = 'manufacturer';
      reasons.push(reason(rule ?? coverage.device.rules[0], code, { end: item.end ?? '' }));
    } else {
      notCovered = true;
      reasons.push(reason(rule ?? coverage.device.rules[0], code, { end: item.end ?? '' }));
    }
  }
  if (basis === 'manufacturer') {
    // ITM-5 / ITEMA-6: the manufacturer's own protection takes precedence and is served by it.
    remedies.push({ type: 'manufacturer-service', rule: item.manufacturer!.rule, text: say('remedy-manufacturer-service', {}) });
    reasons.push(reason(item.manufacturer!.rule, 'manufacturer-route', { end: item.manufacturer!.end, provider: item.manufacturer!.provider ?? '' }));
  }

  // ITEMA-8: a discounted item is not covered for the defect it was discounted for.
  // A recorded discount defect means the item was discounted for it, whatever its condition
  // (a refurbished item can be discounted too).
  const dd = history.device.discountDefect;
  if (dd && (claim.defect === dd || claim.problem === dd || claim.findings?.includes(dd))) {
    notCovered = true;
    reasons.push(reason(discountRule(raw), 'discount-defect', { defect: dd }));
  }

  // Findings from diagnosis map to exclusions through the pack.
  for (const f of claim.findings ?? []) {
    const ex = v.exclusions.get(f);
    if (!ex) continue;
    notCovered = true;
    if (ex.effect === 'paid') paidAtTariff = true;
    reasons.push({ rule: ex.rule, code: `finding:${f}`, text: ex.text, params: { finding: f } });
  }

  // ITEMA-16: dead pixels judged by counts.
  const pp = raw.pixelPolicy;
  if (claim.deadPixels && pp && (v.pixelCategories.has(history.device.category) || v.pixelCategories.has(item.category))) {
    const verdict = judgePixels(claim.deadPixels, pp.limits);
    if (verdict.defect) {
      // params.over stays a stable code list ('darkPixels 3 > 2'); the texts name the kinds.
      const over = verdict.over.map((o) => `${o.kind} ${o.count} > ${o.limit}`).join(', ');
      const words = (lang: 'en' | 'bg' | 'vi') => verdict.over.map((o) => `${PIXEL_KINDS[o.kind][lang]}: ${o.count}, ${ALLOWED[lang]} ${o.limit}`).join('; ');
      reasons.push({ rule: pp.rule, code: 'pixels-defect', text: say('pixels-defect', () => ({ over: { en: words('en'), bg: words('bg'), vi: words('vi') } })), params: { over } });
    } else {
      notCovered = true;
      reasons.push(reason(pp.rule, 'pixels-within-limits', {}));
    }
  }

  // What the claim still lacks (ITEMA-27 details; ITS-5, ITS-6, ITEMA-10 proofs).
  const req = raw.requirements;
  if (req.details) {
    for (const field of req.details.fields) {
      const val = claim.details?.[field as keyof NonNullable<ClaimInput['details']>];
      if (val === undefined || String(val).trim() === '') missing.push({ field: `details.${field}`, rule: req.details.rule, text: say('missing-detail', () => ({ field: fieldName(field) })) });
    }
  }
  for (const p of req.proofs) {
    if (proofRequirements(v, { ...(claim.proofs ?? {}) }).find((x) => x.anyOf === p.anyOf)?.satisfied) continue;
    const given = p.anyOf.map((k) => claim.proofs?.[k as keyof NonNullable<ClaimInput['proofs']>]);
    if (given.some((x) => x === true)) continue;
    // ITS-5 / ITS-6: a proof not shown yet ("missing") may still come; one the client says does not
    // exist ("none": every accepted proof given as false) cannot make the claim valid.
    const status = given.every((x) => x === false) ? 'none' : 'missing';
    missing.push({ field: `proofs.${p.anyOf.join('|')}`, rule: p.rule, rules: p.rules ?? [p.rule], status, text: p.text });
  }
  // Every rule a missing item serves is cited (ITS-5 and ITS-6 for the invoice or contract).
  const missingRules: string[] = [];
  for (const m of missing) for (const r of m.rules ?? [m.rule]) if (!missingRules.includes(r)) missingRules.push(r);
  const none = missing.filter((m) => m.status === 'none');
  if (none.length) {
    notCovered = true;
    for (const m of none) reasons.push(reason(m.rule, 'proof-none', { proof: m.text, rules: (m.rules ?? [m.rule]).join(', ') }));
    for (const r of missingRules) if (!none.some((m) => m.rule === r) && none.some((m) => m.rules?.includes(r))) reasons.push(reason(r, 'proof-none-rule', {}));
  }

  let outcome: Outcome;
  let provisional = false;
  if (notCovered) outcome = 'not-covered';
  else if (missing.length > 0) {
    outcome = 'needs-inspection';
    reasons.push(reason(missing[0].rule, 'missing-information', { count: missing.length }));
    for (const r of missingRules) if (r !== missing[0].rule) reasons.push(reason(r, 'missing-for-rule', {}));
    const tariff = raw.fees.tariff;
    if (missing.some((m) => m.field.startsWith('proofs.')) && tariff) reasons.push({ rule: tariff.rules[0], code: 'without-proof-tariff', text: tariff.text });
  } else if (!claim.diagnosed) {
    outcome = 'needs-inspection';
    provisional = true;
    reasons.push(reason(item.rules[0] ?? coverage.device.rules[0], 'provisional', {}));
  } else outcome = 'covered';

  const currency = raw.settings.currency;
  if (!notCovered) {
    const consumerChooses = basis === 'legal-guarantee' && raw.consumerRights.consumerChoosesRemedy;
    for (const r of raw.remedies) {
      if (basis === 'manufacturer') break;
      if (r.requiresConfirmedDefect && claim.hardwareDefectConfirmed !== true) continue;
      let until: string | undefined;
      if (r.within) {
        // ITM-8: "the first 12 months" are the product's, from the device's commencement, also
        // for a claim on a part replaced later.
        const windowEnd = windowStart === undefined ? undefined : addTerm(windowStart, v.remedyWindows.get(r.type)!);
        if (windowEnd === undefined || claimDay > windowEnd) continue;
        until = formatDate(windowEnd);
      }
      remedies.push({ type: r.type, rule: consumerChooses && (r.type === 'repair' || r.type === 'replacement') ? consumerChooses : r.rule, text: r.text, until, chosenBy: consumerChooses ? 'consumer' : r.chosenBy });
    }
    const insignificantRule = claim.insignificant ? (raw.consumerRights.refundAfterRepairs?.rule ?? v.noFixWithin?.rules[0]) : undefined;
    rightsAfterNoFix(claim, claimDay, momentDay, v.noFixWithin, remedies, reasons, insignificantRule);
    refundAfterRepairs(all, claimDay, startDay, raw.consumerRights.refundAfterRepairs, remedies, reasons, insignificantRule);
    const fr = raw.fees.freight;
    // ITM-7: a valid claim on the business's own coverage; not one passed to the manufacturer
    // after the business's term ended (ITM-5).
    if (fr && (basis !== 'manufacturer' || item.status === 'active' || item.status === 'suspended')) {
      charges.push({ type: 'inbound-freight', payer: fr.inbound, when: 'always', rule: fr.rule, text: say('charge-inbound-freight', { payer: PAYER[fr.inbound] }) });
      charges.push({ type: 'outbound-freight', payer: fr.outbound, when: 'always', rule: fr.rule, text: say('charge-outbound-freight', { payer: PAYER[fr.outbound] }) });
    }
    // ITEMA-31: free of charge (no shipping either) while the legal guarantee runs; a claim on the
    // commercial warranty alone, after the legal guarantee ended, pays transport (ITEMA-13).
    if (raw.fees.freeOfCharge && (basis === 'legal-guarantee' || (basis === 'commercial' && (legalActive || !v.legal)))) {
      reasons.push(reason(raw.fees.freeOfCharge, 'free-of-charge', {}));
    } else if (raw.fees.transport && basis !== 'manufacturer') {
      const t = raw.fees.transport;
      charges.push({ type: 'transport', payer: 'client', amount: t.amount, currency: t.currency ?? currency, when: 'always', rule: t.rules[0], rules: t.rules, text: t.text });
    }
  } else {
    // Not covered: paid work at the tariff, what follows an expiry, and the fees on refusal.
    const tariff = raw.fees.tariff;
    if (tariff) remedies.push({ type: 'paid-repair', rule: tariff.rules[paidAtTariff && tariff.rules.length > 1 ? 1 : 0], text: tariff.text });
    if (item.status === 'expired' || item.status === 'not-started') {
      for (const a of raw.afterExpiry) remedies.push({ type: a.type === 'extension-offer' ? 'extension-offer' : a.type === 'paid-support' ? 'paid-support' : 'paid-repair', rule: a.rule, text: a.text });
    }
    const d = raw.fees.diagnosis;
    if (d) charges.push({ type: 'diagnosis', payer: 'client', amount: d.amount, currency: d.currency ?? currency, when: 'on-refusal', rule: d.rules[0], rules: d.rules, text: d.text });
    const t = raw.fees.transport;
    // ITEMA-22: on refusal the client owes transport as well as the diagnosis.
    if (t) charges.push({ type: 'transport', payer: 'client', amount: t.amount, currency: t.currency ?? currency, when: 'on-refusal', rule: d?.rules[0] ?? t.rules[0], rules: t.rules, text: t.text });
    if (claim.clientRefusesPaidRepair && d) {
      // ITEMA-22: diagnosis plus transport; SC-12: what the regulations require (the diagnosis).
      reasons.push({ ...reason(d.rules[0], 'refusal-owes-fees', {}), text: say(t ? 'refusal-owes-fees' : 'refusal-owes-diagnosis', {}) });
    }
  }

  // ITM-1: maintenance included with the sale serves the device once the warranty has ended; it is
  // maintenance (a contract), not a longer warranty, so the warranty verdict stands.
  const mt = coverage.maintenance;
  if (mt && mt.active && !(item.status === 'active' || item.status === 'suspended') && item.status !== 'not-covered') {
    reasons.push(reason(mt.rule, 'maintenance-active', { end: mt.end, start: mt.start }));
    remedies.unshift({ type: 'maintenance', rule: mt.rule, text: mt.text, until: mt.end });
  }

  // The legal guarantee, stated apart from the commercial verdict (ITEMA-9).
  const legalPos = legal ? legalPosition(claim, claimDay, momentDay, legal, v, all, startDay) : undefined;
  if (legalPos && legalPos.status === 'available' && basis === 'manufacturer' && !notCovered) {
    // ITEMA-9: while the manufacturer's warranty runs, the seller's liability under the legal
    // guarantee still stands: its remedies are offered beside the manufacturer's service.
    reasons.push(reason(v.legal!.independence ?? legal!.rule, 'legal-guarantee-beside', { end: legal!.end }));
    // (The consumer's rights after a month without a fix are already listed above.)
    for (const r of legalPos.remedies) if (r.type === 'repair' || r.type === 'replacement') remedies.push(r);
  }

  const commercialCovered = !notCovered && (basis === 'commercial' || basis === 'manufacturer');
  const commercial: CommercialPosition = {
    outcome: commercialCovered ? outcome : 'not-covered',
    basis: commercialCovered ? (basis as 'commercial' | 'manufacturer') : 'none',
    reasons: reasons.filter((r) => !LEGAL_CODES.has(r.code)),
  };

  const decision: Decision = {
    outcome,
    basis,
    provisional,
    pack: pack.id,
    policyVersion: coverage.policyVersion,
    at: formatDate(momentDay),
    item: item.item,
    reasons: [...coverage.reasons.filter((r) => r.code.startsWith('not-started') || r.code === 'minimum-term'), ...reasons],
    // The same remedy can come from two places (the tariff and the offers after expiry): list it once.
    remedies: remedies.filter((r, i) => remedies.findIndex((x) => x.type === r.type && x.rule === r.rule && x.basis === r.basis) === i),
    charges,
    missing,
    coverage,
    commercial,
  };
  if (legalPos) decision.legal = legalPos;
  return decision;
}

/** Reasons that state the legal guarantee's position, not the commercial verdict. */
const LEGAL_CODES = new Set(['legal-guarantee-applies', 'legal-guarantee-beside', 'free-of-charge']);

/**
 * ITEMA-9, ITEMA-30..33: the consumer's statutory claim against the seller, whatever the
 * commercial warranty says: open within the legal period, with the consumer's remedies and what
 * the claim needs.
 */
function legalPosition(
  claim: ClaimInput,
  claimDay: Day,
  momentDay: Day,
  legal: NonNullable<Decision['coverage']['legalGuarantee']>,
  v: CompiledVersion,
  all: readonly { day: Day; e: DeviceEvent }[],
  startDay: Day | undefined,
): LegalPosition {
  const raw = v.raw;
  const start = tryParseDate(legal.start)!;
  const end = tryParseDate(legal.end)!;
  const status: LegalPosition['status'] = claimDay < start ? 'not-started' : claimDay > end ? 'expired' : 'available';
  const choose = raw.consumerRights.consumerChoosesRemedy;
  const conformityRule = choose ?? legal.rule;
  const reasons: Reason[] = [reason(legal.rule, `legal-position-${status}`, { start: legal.start, end: legal.end })];
  const remedies: Remedy[] = [];
  if (status === 'available') {
    const lb = 'legal-guarantee' as const;
    remedies.push({ type: 'repair', rule: conformityRule, text: say('legal-remedy-repair', {}), chosenBy: choose ? 'consumer' : 'business', basis: lb });
    remedies.push({ type: 'replacement', rule: conformityRule, text: say('legal-remedy-replacement', {}), chosenBy: choose ? 'consumer' : 'business', basis: lb });
    if (raw.fees.freeOfCharge) reasons.push(reason(raw.fees.freeOfCharge, 'free-of-charge', {}));
    const rights: Remedy[] = [];
    const rightsReasons: Reason[] = [];
    const insignificantRule = claim.insignificant ? (raw.consumerRights.refundAfterRepairs?.rule ?? v.noFixWithin?.rules[0]) : undefined;
    rightsAfterNoFix(claim, claimDay, momentDay, v.noFixWithin, rights, rightsReasons, insignificantRule);
    refundAfterRepairs(all, claimDay, startDay, raw.consumerRights.refundAfterRepairs, rights, rightsReasons, insignificantRule);
    for (const r of rights) remedies.push({ ...r, basis: lb });
    reasons.push(...rightsReasons);
  }
  const needs: LegalNeed[] = [
    { code: 'non-conformity', rule: conformityRule, text: say('legal-needs-non-conformity', {}) },
    { code: 'within-period', rule: legal.rule, text: say('legal-needs-within-period', () => ({ end: legal.end, term: termTexts(v.legal!.term.amount, v.legal!.term.unit) })) },
    { code: 'proof-of-purchase', rule: legal.rule, text: say('legal-needs-proof-of-purchase', {}) },
  ];
  return { rule: legal.rule, status, start: legal.start, end: legal.end, remedies, needs, reasons };
}

// ITEMA-5: a country given by name or ISO alpha-3 code is the same country as its alpha-2 code.
const COUNTRY_NAMES: Record<string, string> = {
  BGR: 'BG', BULGARIA: 'BG', 'БЪЛГАРИЯ': 'BG', 'REPUBLIC OF BULGARIA': 'BG', 'РЕПУБЛИКА БЪЛГАРИЯ': 'BG',
  VNM: 'VN', VIETNAM: 'VN', 'VIET NAM': 'VN', 'VIỆT NAM': 'VN',
  GBR: 'GB', UK: 'GB', 'UNITED KINGDOM': 'GB', 'GREAT BRITAIN': 'GB',
  USA: 'US', 'UNITED STATES': 'US', 'UNITED STATES OF AMERICA': 'US',
  SGP: 'SG', SINGAPORE: 'SG',
};
function countryCode(c: string): string {
  const u = c.trim().toUpperCase();
  return COUNTRY_NAMES[u] ?? u;
}

function discountRule(raw: { rules: Record<string, unknown> }): string {
  return 'ITEMA-8' in raw.rules ? 'ITEMA-8' : Object.keys(raw.rules)[0];
}

/** ITEMA-18 / ITEMA-31: no fix within a month of the claim → terminate or reduce the price. */
function rightsAfterNoFix(
  claim: ClaimInput,
  claimDay: Day,
  moment: Day,
  rule: { term: import('./dates.ts').Term; rules: string[] } | undefined,
  remedies: Remedy[],
  reasons: Reason[],
  /** Set when the non-conformity is insignificant: the rule that then refuses termination (ITEMA-32). */
  insignificant?: string,
) {
  if (!rule) return;
  const deadline = addTerm(claimDay, rule.term);
  const fixed = claim.fixedOn === undefined ? undefined : tryParseDate(claim.fixedOn);
  if (claim.fixedOn !== undefined && fixed === undefined) throw new PolicyInputError([{ path: 'claim.fixedOn', message: `"${claim.fixedOn}" is not a calendar date like 2026-03-01` }]);
  const lateOrOpen = fixed === undefined ? moment > deadline : fixed > deadline;
  if (lateOrOpen) {
    // A remedy cites one rule id (the pack's first); the reasons cite every rule behind the right.
    if (!insignificant) remedies.push({ type: 'terminate', rule: rule.rules[0], text: say('remedy-terminate', {}), chosenBy: 'consumer' });
    remedies.push({ type: 'price-reduction', rule: rule.rules[0], text: say('remedy-price-reduction', {}), chosenBy: 'consumer' });
    for (const id of rule.rules) reasons.push(reason(id, 'no-fix-within', { deadline: formatDate(deadline) }));
    if (insignificant) reasons.push(reason(insignificant, 'insignificant-no-termination', {}));
  } else if (fixed === undefined) {
    reasons.push(reason(rule.rules[0], 'fix-due-by', { deadline: formatDate(deadline) }));
  }
}

/** ITEMA-32: after three repairs within the term, a further non-conformity entitles to a refund. */
function refundAfterRepairs(
  evs: readonly { day: Day; e: DeviceEvent }[],
  claimDay: Day,
  startDay: Day | undefined,
  rule: { count: number; rule: string } | undefined,
  remedies: Remedy[],
  reasons: Reason[],
  insignificant?: string,
) {
  if (!rule) return;
  let repairs = 0;
  for (const { day, e } of evs) {
    if (e.type === 'repair-completed' && e.underWarranty !== false && day <= claimDay && (startDay === undefined || day >= startDay)) repairs++;
  }
  if (repairs >= rule.count) {
    if (insignificant) {
      // The refund is the contract's termination, which an insignificant non-conformity does not allow.
      if (!reasons.some((r) => r.code === 'insignificant-no-termination')) reasons.push(reason(insignificant, 'insignificant-no-termination', {}));
      return;
    }
    remedies.push({ type: 'refund', rule: rule.rule, text: say('remedy-refund', { count: repairs }), chosenBy: 'consumer' });
    reasons.push(reason(rule.rule, 'repairs-count', { count: repairs }));
  }
}
