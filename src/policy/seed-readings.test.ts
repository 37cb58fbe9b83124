// The seeds read as they are written (issue 11, "Rules read as the seeds say"): one table per
// reading, each row naming the rule. docs/policy-rules.md records each reading.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeCoverage } from './coverage.ts';
import { decide } from './decide.ts';
import { PolicyInputError } from './errors.ts';
import { compilePack, getShippedPack, SHIPPED_PACKS } from './pack.ts';
import { evaluatePackClock } from './pack-clocks.ts';
import { resolveCategory } from './vocabulary.ts';
import type { ClaimInput, Decision, DeviceEvent, DeviceInput } from './types.ts';

type PackId = (typeof SHIPPED_PACKS)[number];
const PACKS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packs');
const ev = (type: DeviceEvent['type'], date: string, extra: Partial<DeviceEvent> = {}): DeviceEvent => ({ type, date, ...extra });
const dec = (pack: PackId, device: DeviceInput, events: DeviceEvent[], claim: ClaimInput, moment = claim.date): Decision => decide(claim, { device, events }, getShippedPack(pack), moment);
/** A shipped pack's YAML, edited: for readings a business may change in its own policy. */
type EditableVersion = { parts?: unknown; clocks: { id: string; kind?: string; escalation?: unknown }[] };
function editedPack(id: PackId, edit: (v: EditableVersion) => void) {
  const doc = parseYaml(readFileSync(path.join(PACKS, `${id}.yaml`), 'utf8'), { merge: true }) as { versions: EditableVersion[] };
  for (const v of doc.versions) edit(v);
  return compilePack(parseYaml(stringify(doc)));
}

const ITEMA_DETAILS = {
  name: 'Ivan Petrov', address: 'ul. Vitosha 1, Sofia', email: 'ivan@example.bg', phone: '+359888123456', model: 'ThinkPad T480',
  serial: 'PF3K9XQ2', purchaseDate: '2026-01-10', purchasePlace: 'ITEMA-PG Sofia', description: 'Does not power on',
};
const itemaClaim = (date: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({ date, diagnosed: true, country: 'BG', details: ITEMA_DETAILS, proofs: { warrantyCard: true, invoice: true }, ...extra });
const itsClaim = (date: string, proofs: ClaimInput['proofs']): ClaimInput => ({
  date, diagnosed: true, servicedByBusiness: true, details: { name: 'Ann Lee', serial: 'SRV-1', description: 'Backups fail' }, proofs,
});
const itmClaim = (date: string): ClaimInput => ({ date, diagnosed: true, details: { name: 'Ops', email: 'ops@example.com', serial: 'SG-77', description: 'PSU fault' }, proofs: { invoice: true } });
const sold = [ev('sale', '2026-01-10')];
const laptopWithParts: DeviceInput = {
  category: 'laptop', condition: 'refurbished', term: '12 months',
  parts: [{ id: 'battery-1', category: 'battery' }, { id: 'adapter-1', category: 'power-adapter' }, { id: 'kb-1', category: 'keyboard' }],
};

describe('ITEMA-9: the legal guarantee stands beside the manufacturer’s warranty', () => {
  const newLaptop: DeviceInput = { category: 'laptop', condition: 'new', manufacturerWarranty: { term: '24 months', provider: 'Lenovo' } };
  it.each([
    // claim date, legal status, legal remedies beside the manufacturer's service
    ['2026-06-01', 'available', ['repair', 'replacement']],
    ['2027-12-31', 'available', ['repair', 'replacement']],
  ])('a new product claimed on %s: the manufacturer serves it and the seller’s legal remedies are offered beside (ITEMA-9, ITEMA-30)', (date, status, legal) => {
    const d = dec('itema', newLaptop, sold, itemaClaim(date));
    expect(d.basis).toBe('manufacturer');
    expect(d.commercial).toMatchObject({ outcome: 'covered', basis: 'manufacturer' });
    expect(d.remedies[0]).toMatchObject({ type: 'manufacturer-service', rule: 'ITEMA-6' });
    expect(d.remedies.filter((r) => r.basis === 'legal-guarantee').map((r) => r.type)).toEqual(legal);
    expect(d.reasons.find((r) => r.code === 'legal-guarantee-beside')).toMatchObject({ rule: 'ITEMA-9' });
    expect(d.legal).toMatchObject({ status, rule: 'ITEMA-33', end: '2028-01-10' });
    expect(d.legal!.remedies.every((r) => r.chosenBy === 'consumer' && r.basis === 'legal-guarantee')).toBe(true);
  });

  it('an excluded fault gets no legal remedies beside the manufacturer’s service (ITEMA-9, ITEMA-15)', () => {
    const d = dec('itema', newLaptop, sold, itemaClaim('2026-06-01', { findings: ['liquid-ingress'] }));
    expect(d.outcome).toBe('not-covered');
    expect(d.remedies.filter((r) => r.basis === 'legal-guarantee')).toEqual([]);
  });
});

describe('commercial and legal: a decision states the two positions apart (ITEMA-9, ITEMA-7, ITEMA-3, ITEMA-33)', () => {
  interface Row {
    name: string;
    device: DeviceInput;
    claim: ClaimInput;
    commercial: { outcome: string; basis: string; rule: string };
    legal: string | undefined;
  }
  const rows: Row[] = [
    {
      name: 'a battery past its ITEMA-7 term is not covered commercially; the statutory claim is reported beside it (ITEMA-7, ITEMA-9)',
      device: laptopWithParts, claim: itemaClaim('2026-09-01', { partId: 'battery-1' }), // battery: 10 January + 6 months = 10 July
      commercial: { outcome: 'not-covered', basis: 'none', rule: 'ITEMA-7' }, legal: 'available',
    },
    {
      name: 'a keyboard is never covered commercially (ITEMA-3); the seller’s legal liability is still reported (ITEMA-9)',
      device: laptopWithParts, claim: itemaClaim('2026-03-01', { partId: 'kb-1' }),
      commercial: { outcome: 'not-covered', basis: 'none', rule: 'ITEMA-3' }, legal: 'available',
    },
    {
      name: 'a power adapter has no commercial warranty (ITEMA-7); the legal position stands apart (ITEMA-9)',
      device: laptopWithParts, claim: itemaClaim('2026-03-01', { partId: 'adapter-1' }),
      commercial: { outcome: 'not-covered', basis: 'none', rule: 'ITEMA-7' }, legal: 'available',
    },
    {
      name: 'within the card, both positions hold: covered commercially, legal claim available (ITEMA-6, ITEMA-33)',
      device: laptopWithParts, claim: itemaClaim('2026-06-01'),
      commercial: { outcome: 'covered', basis: 'commercial', rule: 'ITEMA-6' }, legal: 'available',
    },
    {
      name: 'a 36-month card claimed after the 2 legal years: covered commercially, the legal period has expired (ITEMA-33)',
      device: { category: 'laptop', condition: 'refurbished', term: '36 months' }, claim: itemaClaim('2028-06-01'),
      commercial: { outcome: 'covered', basis: 'commercial', rule: 'ITEMA-6' }, legal: 'expired',
    },
    {
      name: 'a business without a legal guarantee in its pack states no legal position (ITM-4)',
      device: { category: 'server' }, claim: itmClaim('2026-06-01'),
      commercial: { outcome: 'covered', basis: 'commercial', rule: 'ITM-4' }, legal: undefined,
    },
  ];
  it.each(rows)('$name', ({ device, claim, commercial, legal }) => {
    const pack: PackId = device.category === 'server' ? 'itmall' : 'itema';
    const events = pack === 'itmall' ? [ev('shipping', '2026-01-15')] : sold;
    const d = dec(pack, device, events, claim);
    expect(d.commercial).toMatchObject({ outcome: commercial.outcome, basis: commercial.basis });
    expect(d.commercial.reasons.map((r) => r.rule)).toContain(commercial.rule);
    expect(d.commercial.reasons.map((r) => r.code)).not.toContain('legal-guarantee-applies');
    if (legal === undefined) {
      expect(d.legal).toBeUndefined();
      return;
    }
    expect(d.legal?.status).toBe(legal);
    expect(d.legal?.needs.map((n) => [n.code, n.rule])).toEqual([
      ['non-conformity', 'ITEMA-30'],
      ['within-period', 'ITEMA-33'],
      ['proof-of-purchase', 'ITEMA-33'],
    ]);
    if (legal === 'available') {
      expect(d.legal!.remedies.map((r) => [r.type, r.rule, r.chosenBy])).toEqual(expect.arrayContaining([['repair', 'ITEMA-30', 'consumer'], ['replacement', 'ITEMA-30', 'consumer']]));
      expect(d.legal!.reasons.map((r) => r.rule)).toEqual(expect.arrayContaining(['ITEMA-33', 'ITEMA-31']));
    } else {
      expect(d.legal!.remedies).toEqual([]);
    }
  });

  it('the legal position’s texts speak the client’s language (ITEMA-33)', () => {
    const d = dec('itema', laptopWithParts, sold, itemaClaim('2026-09-01', { partId: 'battery-1' }));
    const within = d.legal!.needs.find((n) => n.code === 'within-period')!;
    expect(within.text.bg).toContain('2 години');
    expect(within.text.vi).toContain('2 năm');
    expect(within.text.en).toContain('2028-01-10');
  });
});

describe('ITEMA-3 / ITEMA-7: batteries, adapters and keyboards as parts', () => {
  it.each([
    // part, status on 2026-03-01, term, rule
    ['battery-1', 'active', '6 months', 'ITEMA-7'],
    ['adapter-1', 'not-covered', 'none', 'ITEMA-7'],
    ['kb-1', 'not-covered', 'none', 'ITEMA-3'],
  ])('under the shipped pack, part %s is %s with term %s (%s)', (id, status, term, rule) => {
    const c = computeCoverage(laptopWithParts, sold, getShippedPack('itema'), '2026-03-01');
    const p = c.parts.find((x) => x.item === id)!;
    expect(p).toMatchObject({ status, term });
    expect(p.rules).toContain(rule);
  });

  it.each(['battery', 'adapter', 'power-adapter', 'remote', 'headset'])('the shipped term of a %s is marked as the business’s setting (ITEMA-7)', (cat) => {
    expect(getShippedPack('itema').versions[0].raw.parts[cat]).toMatchObject({ rule: 'ITEMA-7', setting: true });
  });

  it.each([
    ['battery-1', 'ITEMA-3'],
    ['adapter-1', 'ITEMA-3'],
    ['kb-1', 'ITEMA-3'],
  ])('without a part term in the policy, %s is not covered at all (%s)', (id, rule) => {
    const pack = editedPack('itema', (v) => {
      v.parts = {};
    });
    const c = computeCoverage(laptopWithParts, sold, pack, '2026-03-01');
    const p = c.parts.find((x) => x.item === id)!;
    expect(p.status).toBe('not-covered');
    expect(p.rules).toContain(rule);
    const d = decide(itemaClaim('2026-03-01', { partId: id }), { device: laptopWithParts, events: sold }, pack, '2026-03-01');
    expect(d.commercial.outcome).toBe('not-covered');
    expect(d.reasons.find((r) => r.code === 'not-covered-category')?.rule).toBe('ITEMA-3');
  });
});

describe('ITM-1: premium maintenance is maintenance, not a longer warranty', () => {
  const shippedOn = [ev('shipping', '2026-01-15')];
  it.each([
    // category, at, warranty status, warranty end (ITM-4), maintenance end (ITM-1) or none
    ['workstation', '2026-06-01', 'active', '2027-01-15', '2029-01-15'],
    ['workstation', '2027-06-01', 'expired', '2027-01-15', '2029-01-15'],
    ['server', '2028-06-01', 'active', '2029-01-15', '2029-01-15'],
    ['accessory', '2026-06-01', 'active', '2027-01-15', undefined],
  ])('a %s on %s: warranty %s until %s (ITM-4), maintenance until %s (ITM-1)', (category, at, status, end, mEnd) => {
    const c = computeCoverage({ category }, shippedOn, getShippedPack('itmall'), at);
    expect(c.device).toMatchObject({ status, end });
    expect(c.device.rules).toContain('ITM-4');
    expect(c.device.rules).not.toContain('ITM-1');
    if (mEnd === undefined) expect(c.maintenance).toBeUndefined();
    else expect(c.maintenance).toMatchObject({ rule: 'ITM-1', end: mEnd, start: '2026-01-15', active: true });
  });

  it('a workstation claim after its 1-year warranty is not a warranty claim; the maintenance serves it (ITM-1, ITM-4)', () => {
    const d = dec('itmall', { category: 'workstation' }, shippedOn, itmClaim('2027-06-01'));
    expect(d.outcome).toBe('not-covered');
    expect(d.commercial.outcome).toBe('not-covered');
    expect(d.reasons.find((r) => r.code === 'claim-expired')?.rule).toBe('ITM-4');
    expect(d.reasons.find((r) => r.code === 'maintenance-active')).toMatchObject({ rule: 'ITM-1', params: { end: '2029-01-15' } });
    expect(d.remedies[0]).toMatchObject({ type: 'maintenance', rule: 'ITM-1', until: '2029-01-15' });
    expect(d.remedies.map((r) => r.type)).not.toContain('advance-replacement');
  });
});

describe('ITS-5 / ITS-6: validity needs registration with payment and the invoice or contract', () => {
  const installed = [ev('installation', '2026-03-01')];
  const ALL = { accountRegistered: true, paymentConfirmed: true, invoice: true, itemsNamed: true };
  interface Row {
    name: string;
    proofs: ClaimInput['proofs'];
    outcome: string;
    missing: [string, string, string[]][]; // field, status, rules
    reasonRules: string[];
  }
  const rows: Row[] = [
    { name: 'everything shown: covered (ITS-5, ITS-6)', proofs: ALL, outcome: 'covered', missing: [], reasonRules: [] },
    {
      name: 'no account shown yet: missing, cites ITS-5', proofs: { ...ALL, accountRegistered: undefined }, outcome: 'needs-inspection',
      missing: [['proofs.accountRegistered', 'missing', ['ITS-5']]], reasonRules: ['ITS-5'],
    },
    {
      name: 'no invoice or contract shown yet: missing, cites ITS-5 and ITS-6', proofs: { ...ALL, invoice: undefined }, outcome: 'needs-inspection',
      missing: [['proofs.invoice|serviceContract', 'missing', ['ITS-5', 'ITS-6']]], reasonRules: ['ITS-5', 'ITS-6'],
    },
    {
      name: 'neither invoice nor contract exists: "none", not covered, cites ITS-5 and ITS-6', proofs: { ...ALL, invoice: false, serviceContract: false }, outcome: 'not-covered',
      missing: [['proofs.invoice|serviceContract', 'none', ['ITS-5', 'ITS-6']]], reasonRules: ['ITS-5', 'ITS-6'],
    },
    {
      name: 'the invoice exists but the contract does not: still valid (ITS-6)', proofs: { ...ALL, invoice: true, serviceContract: false }, outcome: 'covered',
      missing: [], reasonRules: [],
    },
    {
      name: 'no registered account exists: "none", not covered, cites ITS-5', proofs: { ...ALL, accountRegistered: false }, outcome: 'not-covered',
      missing: [['proofs.accountRegistered', 'none', ['ITS-5']]], reasonRules: ['ITS-5'],
    },
    {
      name: 'payment not confirmed, invoice not shown: both missing, ITS-5 and ITS-6 cited', proofs: { accountRegistered: true, itemsNamed: true }, outcome: 'needs-inspection',
      missing: [['proofs.paymentConfirmed', 'missing', ['ITS-5']], ['proofs.invoice|serviceContract', 'missing', ['ITS-5', 'ITS-6']]], reasonRules: ['ITS-5', 'ITS-6'],
    },
  ];
  it.each(rows)('$name', ({ proofs, outcome, missing, reasonRules }) => {
    const d = dec('its', { category: 'pc' }, installed, itsClaim('2026-04-01', proofs));
    expect(d.outcome).toBe(outcome);
    expect(d.missing.map((m) => [m.field, m.status, m.rules])).toEqual(missing);
    const cited = new Set(d.reasons.map((r) => r.rule));
    for (const r of reasonRules) expect(cited, r).toContain(r);
    if (outcome === 'not-covered') {
      expect(d.reasons.some((r) => r.code === 'proof-none')).toBe(true);
      expect(d.remedies.map((r) => r.type)).toContain('paid-repair');
    }
  });
});

describe('SC-4: "1–2 days on average" is a target, not a breach', () => {
  const start = '2026-03-02T09:00:00Z'; // a Monday in London
  it.each([
    // moment, status
    ['2026-03-03T09:00:00Z', 'running'],
    ['2026-03-04T09:00:00Z', 'running'],
    ['2026-03-06T09:00:00Z', 'over-target'],
  ])('a diagnosis started Monday 09:00, seen %s: %s (SC-4)', (moment, status) => {
    const s = evaluatePackClock(getShippedPack('service-center'), 'diagnosis', { start }, moment);
    expect(s.status).toBe(status);
    expect(Date.parse(s.due)).toBe(Date.parse('2026-03-04T09:00:00Z'));
    if (status === 'over-target') expect(s.reasons.find((r) => r.code === 'over-target')?.rule).toBe('SC-4');
  });

  it('the shipped pack marks the clock a target; a business that promises a hard limit gets breaches (SC-4)', () => {
    expect(getShippedPack('service-center').versions[0].raw.clocks.find((c) => c.id === 'diagnosis')?.kind).toBe('target');
    const hard = editedPack('service-center', (v) => {
      v.clocks.find((c) => c.id === 'diagnosis')!.kind = 'deadline';
    });
    expect(evaluatePackClock(hard, 'diagnosis', { start }, '2026-03-06T09:00:00Z').status).toBe('breached');
  });

  it('a target clock cannot escalate (SC-4)', () => {
    expect(() =>
      editedPack('service-center', (v) => {
        v.clocks.find((c) => c.id === 'diagnosis')!.escalation = { after: '5 days', rule: 'SC-4', code: 'late' };
      }),
    ).toThrow(PolicyInputError);
  });
});

describe('ITEMA-24 and SC-11: what the end of the collection window means comes from the pack', () => {
  it.each([
    ['itema', 'collection', 'ITEMA-24', 'liability-ends'],
    ['service-center', 'disposal', 'SC-11', 'dispose'],
  ] as const)('%s: clock %s (%s) → %s', (pack, id, rule, collection) => {
    const c = getShippedPack(pack).versions[0].raw.clocks.find((x) => x.id === id)!;
    expect(c).toMatchObject({ rule, collection });
  });

  it('ITEMA-24’s clock text threatens no disposal, in every language (ITEMA-24)', () => {
    const c = getShippedPack('itema').versions[0].raw.clocks.find((x) => x.id === 'collection')!;
    for (const t of [c.text.en, c.text.bg!, c.text.vi!]) expect(t).not.toMatch(/dispos|бракув|унищож|thanh lý|tiêu hủy/i);
  });
});

describe('ITEMA-19: no liability for lost profit or downtime, no loaner, on the documents the client reads', () => {
  it.each(['work-order', 'warranty-card'])('the %s carries ITEMA-19 in Bulgarian, English and Vietnamese (ITEMA-19)', (docKind) => {
    const s = getShippedPack('itema').versions[0].raw.clientStatements!.find((x) => x.rule === 'ITEMA-19')!;
    expect(s.documents).toContain(docKind);
    expect(s.text.bg).toMatch(/пропуснати ползи/);
    expect(s.text.en).toMatch(/lost profit/);
    expect(s.text.vi).toMatch(/thiết bị thay thế/);
  });
});

describe('the domain vocabulary: categories matched through names and synonyms', () => {
  it.each([
    // pack, typed, code
    ['itmall', 'enterprise infrastructure', 'infrastructure'],
    ['itmall', 'Enterprise Infrastructure', 'infrastructure'],
    ['itmall', 'servers', 'server'],
    ['itmall', 'End-user terminals', 'terminal'],
    ['itmall', 'Accessories', 'accessory'],
    ['itmall', 'spare parts', 'spare'],
    ['itema', 'Батерия', 'battery'],
    ['itema', 'захранващ адаптер', 'power-adapter'],
    ['itema', 'laptop', 'laptop'],
    ['service-center', 'Gaming Laptop', 'gaming-laptop'], // a term for every category: the words are a category of their own
  ] as const)('%s: "%s" is %s (ITM-4, ITEMA-7)', (pack, typed, code) => {
    expect(resolveCategory(getShippedPack(pack), typed).code).toBe(code);
  });

  it('a word the pack does not know is refused with the list of known categories (ITM-4)', () => {
    try {
      resolveCategory(getShippedPack('itmall'), 'toaster', undefined, 'device.category');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyInputError);
      const issue = (e as PolicyInputError).issues[0];
      expect(issue.path).toBe('device.category');
      expect(issue.message).toMatch(/"toaster" is not a category of itmall; known categories: .*infrastructure.*server.*workstation/);
    }
  });

  it('coverage of a device recorded with words: the category’s term applies (ITM-4)', () => {
    const c = computeCoverage({ category: 'Enterprise infrastructure' }, [ev('shipping', '2026-01-15')], getShippedPack('itmall'), '2026-06-01');
    expect(c.device).toMatchObject({ category: 'infrastructure', end: '2029-01-15', status: 'active' });
  });
});

describe('values the seeds do not state are marked as the business’s own settings', () => {
  const raw = (p: PackId) => getShippedPack(p).versions[0].raw;
  it.each([
    ['itema', 'new products without a recorded manufacturer term: 24 months (ITEMA-6)', () => raw('itema').terms.find((t) => t.servedBy === 'manufacturer')?.setting],
    ['itema', 'the diagnosis fee (ITEMA-22)', () => raw('itema').fees.diagnosis?.setting],
    ['itema', 'the transport fee (ITEMA-13)', () => raw('itema').fees.transport?.setting],
    ['itmall', 'the 24-hour first response (ITM-2)', () => raw('itmall').clocks.find((c) => c.id === 'first-response')?.setting],
    ['service-center', 'the 3-month warranty card (SC-10)', () => raw('service-center').terms[0].setting],
    ['service-center', 'the diagnosis fee (SC-12)', () => raw('service-center').fees.diagnosis?.setting],
    ['vn', 'the 12-month default (VN-1)', () => raw('vn').terms[0].setting],
    ['its', 'the extension plans (ITS-3)', () => raw('its').extensionPlans.every((p) => p.setting)],
  ] as const)('%s: %s', (_p, _what, get) => {
    expect(get()).toBe(true);
  });

  it('a value stated by the seed is not marked as a setting (ITEMA-33, ITS-2, ITM-4)', () => {
    expect(raw('its').terms[0].setting).toBeUndefined();
    expect(raw('itmall').terms[0].setting).toBeUndefined();
    expect(raw('itema').clocks.find((c) => c.id === 'collection')?.setting).toBeUndefined();
  });
});
