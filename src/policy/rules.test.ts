// One or more rows per computable rule id of ../shared/RULES.md, each named by its behaviour and
// the id. Dates are computed by hand in the comments (an end date is the last covered day =
// start + term). Clock rules (ITS-8, VN-2, VN-6, SC-4, SC-6, SC-11, ITEMA-2, ITEMA-12, ITEMA-20,
// ITEMA-24, ITM-2, ITM-12) live in clocks.test.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeCoverage } from './coverage.ts';
import { decide } from './decide.ts';
import { PolicyInputError } from './errors.ts';
import { getShippedPack, parsePack, SHIPPED_PACKS } from './pack.ts';
import { judgePixels } from './pixels.ts';
import type { ClaimInput, CoverageReport, Decision, DeviceEvent, DeviceInput } from './types.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const RULES_MD = path.resolve(REPO, '../shared/RULES.md');
const RULES_DOC = path.join(REPO, 'docs/policy-rules.md');

type PackId = (typeof SHIPPED_PACKS)[number];

const ev = (type: DeviceEvent['type'], date: string, extra: Partial<DeviceEvent> = {}): DeviceEvent => ({ type, date, ...extra });
const cov = (pack: PackId, device: DeviceInput, events: DeviceEvent[], at: string): CoverageReport => computeCoverage(device, events, getShippedPack(pack), at);
const dec = (pack: PackId, device: DeviceInput, events: DeviceEvent[], claim: ClaimInput, moment = claim.date): Decision =>
  decide(claim, { device, events }, getShippedPack(pack), moment);

const reasonRules = (d: Decision) => d.reasons.map((r) => r.rule);
const remedy = (d: Decision, type: string) => d.remedies.find((r) => r.type === type);
const charge = (d: Decision, type: string) => d.charges.find((c) => c.type === type);

// Complete claims per pack, so only the behaviour under test decides the outcome.
const ITEMA_DETAILS = {
  name: 'Ivan Petrov', address: 'ul. Vitosha 1, Sofia', email: 'ivan@example.bg', phone: '+359888123456', model: 'ThinkPad T480',
  serial: 'PF3K9XQ2', purchaseDate: '2026-01-10', purchasePlace: 'ITEMA-PG Sofia', description: 'Does not power on',
};
const itemaClaim = (date: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({
  date, diagnosed: true, country: 'BG', details: ITEMA_DETAILS, proofs: { warrantyCard: true, invoice: true }, ...extra,
});
const itsClaim = (date: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({
  date, diagnosed: true, servicedByBusiness: true,
  details: { name: 'Ann Lee', serial: 'SRV-1', description: 'Backups fail since the install' },
  proofs: { accountRegistered: true, paymentConfirmed: true, invoice: true, itemsNamed: true }, ...extra,
});
const itmClaim = (date: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({
  date, diagnosed: true, details: { name: 'Ops', email: 'ops@example.com', serial: 'SG-77', description: 'PSU fault' }, proofs: { invoice: true }, ...extra,
});
const plainClaim = (date: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({ date, diagnosed: true, ...extra });

const refurbLaptop: DeviceInput = { category: 'laptop', condition: 'refurbished', term: '12 months', serial: 'PF3K9XQ2' };
const sold = [ev('sale', '2026-01-10')];
const server: DeviceInput = { category: 'server', serial: 'SG-77' };
const workstation: DeviceInput = { category: 'workstation', serial: 'WS-1', parts: [{ id: 'psu-1', category: 'psu' }] };
const shipped = [ev('sale', '2026-01-10'), ev('shipping', '2026-01-15')];

// ---------------------------------------------------------------------------------------------
// Coverage end dates, one row per rule.
interface EndRow {
  name: string;
  pack: PackId;
  device: DeviceInput;
  events: DeviceEvent[];
  at: string;
  item?: string; // 'device' (default), a part id, or 'legal'
  end: string;
  status?: string;
  rule: string; // must appear among the item's rules / changes
}

const endRows: EndRow[] = [
  {
    name: 'a service the business installed is covered for 90 days from installation (ITS-1, ITS-2)',
    pack: 'its', device: { category: 'backup-setup', kind: 'service' }, events: [ev('installation', '2026-03-01')], at: '2026-04-01',
    end: '2026-05-30', status: 'active', rule: 'ITS-2', // 1 March + 90 days = 30 May
  },
  {
    name: 'activation starts the 90 days when there was no installation (ITS-2)',
    pack: 'its', device: { category: 'license' , kind: 'service' }, events: [ev('activation', '2026-01-05')], at: '2026-04-06',
    end: '2026-04-05', status: 'expired', rule: 'ITS-2', // 5 January + 90 days = 5 April; asked 6 April
  },
  {
    name: 'a repair after expiry opens its own 90-day term (ITS-2)',
    pack: 'its', device: { category: 'pc' }, events: [ev('installation', '2026-01-05'), ev('repair-completed', '2026-06-01')], at: '2026-06-02',
    end: '2026-08-30', status: 'active', rule: 'ITS-2', // lapsed 5 April; repair 1 June + 90 days = 30 August
  },
  {
    name: 'a repair inside the term runs 90 days from the repair when that is later (ITS-2)',
    pack: 'its', device: { category: 'pc' }, events: [ev('installation', '2026-03-01'), ev('repair-completed', '2026-05-01')], at: '2026-05-02',
    end: '2026-07-30', status: 'active', rule: 'ITS-2', // 1 May + 90 days = 30 July (> 30 May)
  },
  {
    name: 'a paid extension adds its duration to the end (ITS-3)',
    pack: 'its', device: { category: 'pc' }, events: [ev('installation', '2026-03-01'), ev('extension-purchased', '2026-04-10', { planId: 'plus-6-months' })], at: '2026-04-11',
    end: '2026-11-30', status: 'active', rule: 'ITS-3', // 30 May + 6 months = 30 November
  },
  {
    name: 'an extension bought after expiry runs from its purchase (ITS-3, ITS-10)',
    pack: 'its', device: { category: 'pc' }, events: [ev('installation', '2026-03-01'), ev('extension-purchased', '2026-07-01', { planId: 'plus-6-months' })], at: '2026-07-02',
    end: '2027-01-01', status: 'active', rule: 'ITS-3', // 1 July + 6 months = 1 January 2027
  },
  {
    name: 'an extension bought with the product, before installation, still adds its duration (ITS-3)',
    pack: 'its', device: { category: 'nas', kind: 'service' }, events: [ev('sale', '2026-01-05'), ev('extension-purchased', '2026-01-05', { planId: 'plus-6-months' }), ev('installation', '2026-01-12')], at: '2026-05-15',
    end: '2026-10-12', status: 'active', rule: 'ITS-3', // 12 January + 90 days = 12 April, + 6 months = 12 October
  },
  {
    name: 'infrastructure has 3 years of premium maintenance from shipping (ITM-1, ITM-4)',
    pack: 'itmall', device: server, events: shipped, at: '2026-02-01',
    end: '2029-01-15', status: 'active', rule: 'ITM-4', // shipped 15 January 2026 + 3 years (not the sale on the 10th)
  },
  {
    name: 'an end-user workstation has 1 year from shipping (ITM-4)',
    pack: 'itmall', device: { category: 'workstation' }, events: shipped, at: '2026-02-01',
    end: '2027-01-15', status: 'active', rule: 'ITM-4', // 15 January 2026 + 1 year
  },
  {
    name: 'an accessory has 1 year from shipping (ITM-4)',
    pack: 'itmall', device: { category: 'accessory' }, events: shipped, at: '2027-01-16',
    end: '2027-01-15', status: 'expired', rule: 'ITM-4', // 15 January 2026 + 1 year; asked the day after
  },
  {
    name: 'a repair does not suspend or change the original period in itmall (ITM-9)',
    pack: 'itmall', device: { category: 'workstation' }, events: [...shipped, ev('repair-accepted', '2026-03-01'), ev('repair-completed', '2026-03-20')], at: '2026-04-01',
    end: '2027-01-15', status: 'active', rule: 'ITM-4', // unchanged: 15 January 2027
  },
  {
    name: 'an exchange far from the end leaves the original period unchanged (ITM-9)',
    pack: 'itmall', device: { category: 'workstation' }, events: [...shipped, ev('device-replaced', '2026-05-01')], at: '2026-05-02',
    end: '2027-01-15', status: 'active', rule: 'ITM-9', // 1 May + 3 months = 1 August < 15 January 2027: unchanged
  },
  {
    name: 'a replacement unit gets 3 months when the original ends sooner (ITM-10)',
    pack: 'itmall', device: { category: 'workstation' }, events: [...shipped, ev('device-replaced', '2026-11-01')], at: '2027-01-20',
    end: '2027-02-01', status: 'active', rule: 'ITM-10', // 1 November 2026 + 3 months = 1 February 2027 > 15 January
  },
  {
    name: 'a replacement part gets 3 months when the original ends sooner (ITM-10)',
    pack: 'itmall', device: workstation, events: [...shipped, ev('part-replaced', '2026-12-01', { partId: 'psu-2', replacesPartId: 'psu-1' })], at: '2027-02-01',
    item: 'psu-2', end: '2027-03-01', status: 'active', rule: 'ITM-10', // 1 December 2026 + 3 months = 1 March 2027
  },
  {
    name: 'a warranty replacement of a component the device does not list keeps the device’s period (ITM-9)',
    pack: 'itmall', device: { category: 'workstation' }, events: [...shipped, ev('part-replaced', '2026-06-01', { partId: 'fan-2', category: 'fan' })], at: '2026-06-02',
    item: 'fan-2', end: '2027-01-15', status: 'active', rule: 'ITM-9', // the workstation's 15 January 2027, not a year from the swap
  },
  {
    name: 'a warranty replacement of an unlisted component near the end gets 3 months (ITM-10)',
    pack: 'itmall', device: { category: 'workstation' }, events: [...shipped, ev('part-replaced', '2026-12-01', { partId: 'fan-2', category: 'fan' })], at: '2027-02-01',
    item: 'fan-2', end: '2027-03-01', status: 'active', rule: 'ITM-10', // the workstation ends 15 January 2027; 1 December + 3 months = 1 March
  },
  {
    name: 'a unit exchanged exactly 3 months before the end keeps the end (ITM-10)',
    pack: 'itmall', device: server, events: [...shipped, ev('device-replaced', '2028-10-15')], at: '2028-11-01',
    end: '2029-01-15', status: 'active', rule: 'ITM-9', // 15 October 2028 + 3 months = 15 January 2029: no later
  },
  {
    name: 'a unit exchanged on the last day gets 3 months from the exchange (ITM-10)',
    pack: 'itmall', device: server, events: [...shipped, ev('device-replaced', '2029-01-15')], at: '2029-02-01',
    end: '2029-04-15', status: 'active', rule: 'ITM-10',
  },
  {
    name: 'a battery sold on its own keeps its 6 months (ITEMA-7)',
    pack: 'itema', device: { category: 'battery', condition: 'refurbished' }, events: [ev('sale', '2026-08-31')], at: '2027-02-28',
    end: '2027-02-28', status: 'active', rule: 'ITEMA-7', // 31 August + 6 months, clamped to 28 February
  },
  {
    name: 'a repair accepted on the last day still suspends the warranty (ITEMA-14)',
    pack: 'itema', device: refurbLaptop, events: [...sold, ev('repair-accepted', '2027-01-10'), ev('repair-completed', '2027-01-20')], at: '2027-01-20',
    end: '2027-01-20', status: 'active', rule: 'ITEMA-14', // 10 January 2027 + 10 days
  },
  {
    name: 'a repair accepted the day after the end extends nothing (ITEMA-14)',
    pack: 'itema', device: refurbLaptop, events: [...sold, ev('repair-accepted', '2027-01-11'), ev('repair-completed', '2027-01-20')], at: '2027-01-20',
    end: '2027-01-10', status: 'expired', rule: 'ITEMA-6',
  },
  {
    name: 'the legal guarantee of goods delivered on 29 February ends on 28 February (ITEMA-33)',
    pack: 'itema', device: { category: 'laptop', condition: 'refurbished' }, events: [ev('sale', '2024-02-29')], at: '2025-01-01',
    item: 'legal', end: '2026-02-28', rule: 'ITEMA-33',
  },
  {
    name: 'the legal guarantee is suspended by a repair after the commercial warranty ended (ITEMA-33)',
    pack: 'itema', device: { category: 'laptop', condition: 'refurbished' }, events: [...sold, ev('repair-accepted', '2026-09-01'), ev('repair-completed', '2026-09-21')], at: '2026-10-01',
    item: 'legal', end: '2028-01-30', rule: 'ITEMA-33', // 10 January 2028 + 20 days
  },
  {
    name: 'a stated term on the card starts on the date of sale, not delivery (ITEMA-5)',
    pack: 'itema', device: refurbLaptop, events: [...sold, ev('delivery', '2026-01-14')], at: '2026-02-01',
    end: '2027-01-10', status: 'active', rule: 'ITEMA-6', // sale 10 January 2026 + 12 months
  },
  {
    name: 'a refurbished product gets at least 3 months (ITEMA-6)',
    pack: 'itema', device: { category: 'laptop', condition: 'refurbished', term: '1 month' }, events: sold, at: '2026-03-01',
    end: '2026-04-10', status: 'active', rule: 'ITEMA-6', // stated 1 month raised to 3: 10 January + 3 months = 10 April
  },
  {
    name: 'a used product gets its technical-function term of 3 months (ITEMA-4)',
    pack: 'itema', device: { category: 'laptop', condition: 'used' }, events: sold, at: '2026-03-01',
    end: '2026-04-10', status: 'active', rule: 'ITEMA-4', // 10 January + 3 months
  },
  {
    name: 'extends the warranty by the repair time (ITEMA-14)',
    pack: 'itema', device: refurbLaptop, events: [...sold, ev('repair-accepted', '2026-03-01'), ev('repair-completed', '2026-03-15')], at: '2026-04-01',
    end: '2027-01-24', status: 'active', rule: 'ITEMA-14', // 10 January 2027 + (15 March − 1 March = 14 days) = 24 January
  },
  {
    name: 'a repair still open moves the end a day for every day in the shop (ITEMA-14)',
    pack: 'itema', device: refurbLaptop, events: [...sold, ev('repair-accepted', '2026-03-01')], at: '2026-03-11',
    end: '2027-01-20', status: 'suspended', rule: 'ITEMA-14', // 10 days in the shop so far: 10 January 2027 + 10 = 20 January
  },
  {
    name: 'a battery has its own 6 months (ITEMA-7)',
    pack: 'itema', device: { ...refurbLaptop, parts: [{ id: 'battery-1', category: 'battery' }] }, events: sold, at: '2026-07-11',
    item: 'battery-1', end: '2026-07-10', status: 'expired', rule: 'ITEMA-7', // 10 January + 6 months = 10 July; asked 11 July
  },
  {
    name: 'a remote has a limited 3 months (ITEMA-7)',
    pack: 'itema', device: { ...refurbLaptop, parts: [{ id: 'remote-1', category: 'remote' }] }, events: sold, at: '2026-02-01',
    item: 'remote-1', end: '2026-04-10', status: 'active', rule: 'ITEMA-7', // 10 January + 3 months
  },
  {
    name: 'a warranty replacement part keeps the original terms (ITEMA-17)',
    pack: 'itema', device: { ...refurbLaptop, parts: [{ id: 'ssd-1', category: 'ssd' }] },
    events: [...sold, ev('part-replaced', '2026-06-01', { partId: 'ssd-2', replacesPartId: 'ssd-1' })], at: '2026-06-02',
    item: 'ssd-2', end: '2027-01-10', status: 'active', rule: 'ITEMA-17', // the laptop's 10 January 2027, not 1 June + anything
  },
  {
    name: 'an exchanged unit keeps the original terms (ITEMA-17)',
    pack: 'itema', device: refurbLaptop, events: [...sold, ev('device-replaced', '2026-12-20')], at: '2026-12-21',
    end: '2027-01-10', status: 'active', rule: 'ITEMA-17', // unchanged; itema has no 3-month minimum
  },
  {
    name: 'an added module gets its own card with the term written on it (ITEMA-25)',
    pack: 'itema', device: refurbLaptop, events: [...sold, ev('module-added', '2026-02-01', { partId: 'ram-2', category: 'memory', term: '12 months' })], at: '2026-03-01',
    item: 'ram-2', end: '2027-02-01', status: 'active', rule: 'ITEMA-25', // 1 February 2026 + 12 months
  },
  {
    name: 'a module replaced outside warranty gets a card of its own, not the old part’s term (ITEMA-25)',
    pack: 'itema', device: { ...refurbLaptop, parts: [{ id: 'ssd-1', category: 'ssd' }] },
    events: [...sold, ev('part-replaced', '2026-05-05', { partId: 'ssd-2', replacesPartId: 'ssd-1', underWarranty: false, term: '6 months' })], at: '2026-05-06',
    item: 'ssd-2', end: '2026-11-05', status: 'active', rule: 'ITEMA-25', // 5 May + 6 months = 5 November
  },
  {
    name: 'a part replaced after its coverage ended gets a card of its own, never an end before its start (ITEMA-25)',
    pack: 'itema', device: { category: 'laptop', condition: 'refurbished', parts: [{ id: 'ssd-1', category: 'ssd' }] },
    events: [...sold, ev('part-replaced', '2026-06-01', { partId: 'ssd-2', replacesPartId: 'ssd-1' })], at: '2026-06-02',
    item: 'ssd-2', end: '2026-09-01', status: 'active', rule: 'ITEMA-25', // the laptop ended 10 April; 1 June + the 3-month term = 1 September
  },
  {
    name: 'a module added in a pack without module cards gets the pack’s own term and rule (ITS-2)',
    pack: 'its', device: { category: 'pc' }, events: [ev('installation', '2026-03-01'), ev('module-added', '2026-04-01', { partId: 'ram-2', category: 'memory' })], at: '2026-04-02',
    item: 'ram-2', end: '2026-06-30', status: 'active', rule: 'ITS-2', // 1 April + 90 days = 30 June
  },
  {
    name: 'the legal guarantee lasts 2 years from delivery (ITEMA-33, ITEMA-9)',
    pack: 'itema', device: refurbLaptop, events: [...sold, ev('delivery', '2026-01-14')], at: '2026-02-01',
    item: 'legal', end: '2028-01-14', rule: 'ITEMA-33', // delivered 14 January 2026 + 2 years
  },
  {
    name: 'the legal guarantee is suspended during repair and during a dispute (ITEMA-33)',
    pack: 'itema', device: refurbLaptop,
    events: [...sold, ev('delivery', '2026-01-14'), ev('repair-accepted', '2026-03-01'), ev('repair-completed', '2026-03-15'), ev('dispute-opened', '2026-06-01'), ev('dispute-closed', '2026-06-11')],
    at: '2026-07-01', item: 'legal', end: '2028-02-07', rule: 'ITEMA-33', // 14 January 2028 + 14 (repair) + 10 (dispute) = 7 February
  },
  {
    name: 'a repair inside a dispute does not end the dispute’s suspension of the legal guarantee (ITEMA-33)',
    pack: 'itema', device: refurbLaptop,
    events: [...sold, ev('delivery', '2026-01-14'), ev('dispute-opened', '2026-06-01'), ev('repair-accepted', '2026-06-05'), ev('repair-completed', '2026-06-10'), ev('dispute-closed', '2026-06-30')],
    at: '2026-07-01', item: 'legal', end: '2028-02-12', rule: 'ITEMA-33', // suspended 1 → 30 June = 29 days: 14 January 2028 + 29 = 12 February
  },
  {
    name: 'a dispute does not suspend the commercial warranty, only its repair does (ITEMA-14)',
    pack: 'itema', device: refurbLaptop,
    events: [...sold, ev('dispute-opened', '2026-06-01'), ev('repair-accepted', '2026-06-05'), ev('repair-completed', '2026-06-10'), ev('dispute-closed', '2026-06-30')],
    at: '2026-07-01', end: '2027-01-15', status: 'active', rule: 'ITEMA-14', // 10 January 2027 + 5 repair days
  },
  {
    name: 'the manufacturer’s term recorded on the device is the warranty (VN-1)',
    pack: 'vn', device: { category: 'laptop', manufacturerWarranty: { term: '24 months', provider: 'Dell' } }, events: sold, at: '2026-02-01',
    end: '2028-01-10', status: 'active', rule: 'VN-1', // 10 January 2026 + 24 months
  },
  {
    name: 'without a recorded manufacturer term, 12 months from the sale (VN-1)',
    pack: 'vn', device: { category: 'printer' }, events: sold, at: '2026-02-01',
    end: '2027-01-10', status: 'active', rule: 'VN-1', // 10 January 2026 + 12 months
  },
  {
    name: 'the warranty card of a repair runs 3 months from the ready notice (SC-10)',
    pack: 'service-center', device: { category: 'phone' }, events: [ev('repair-accepted', '2026-02-01'), ev('repair-completed', '2026-02-10')], at: '2026-03-01',
    end: '2026-05-10', status: 'active', rule: 'SC-10', // 10 February + 3 months = 10 May
  },
];

describe('coverage end dates by rule', () => {
  it.each(endRows)('$name', (row) => {
    const c = cov(row.pack, row.device, row.events, row.at);
    if (row.item === 'legal') {
      expect(c.legalGuarantee?.end).toBe(row.end);
      expect(c.legalGuarantee?.rule).toBe(row.rule);
      return;
    }
    const item = row.item && row.item !== 'device' ? c.parts.find((p) => p.item === row.item) : c.device;
    expect(item, `item ${row.item}`).toBeDefined();
    expect(item!.end).toBe(row.end);
    if (row.status) expect(item!.status).toBe(row.status);
    expect([...item!.rules, ...item!.changes.map((x) => x.rule), ...item!.intervals.map((x) => x.rule)]).toContain(row.rule);
  });
});

describe('coverage details', () => {
  it('cites the suspension with its length and interval (ITEMA-14)', () => {
    const c = cov('itema', refurbLaptop, [...sold, ev('repair-accepted', '2026-03-01'), ev('repair-completed', '2026-03-15')], '2026-04-01');
    const s = c.device.changes.find((x) => x.code === 'suspended-for-repair');
    expect(s).toMatchObject({ rule: 'ITEMA-14', days: 14, newEnd: '2027-01-24', date: '2026-03-15' });
    // Running 10 Jan – 28 Feb, suspended 1 – 14 March, running from 15 March.
    expect(c.device.intervals).toEqual([
      { from: '2026-01-10', to: '2026-02-28', kind: 'running', rule: 'ITEMA-6' },
      { from: '2026-03-01', to: '2026-03-14', kind: 'suspended', rule: 'ITEMA-14' },
      { from: '2026-03-15', to: '2027-01-24', kind: 'running', rule: 'ITEMA-6' },
    ]);
  });

  it('a part shares the repair suspension of its device (ITEMA-14, ITEMA-7)', () => {
    const c = cov('itema', { ...refurbLaptop, parts: [{ id: 'battery-1', category: 'battery' }] }, [...sold, ev('repair-accepted', '2026-03-01'), ev('repair-completed', '2026-03-15')], '2026-04-01');
    // 10 July 2026 + 14 days = 24 July.
    expect(c.parts[0].end).toBe('2026-07-24');
  });

  it('a power adapter has no warranty (ITEMA-7)', () => {
    const c = cov('itema', { ...refurbLaptop, parts: [{ id: 'adapter-1', category: 'adapter' }] }, sold, '2026-02-01');
    expect(c.parts[0]).toMatchObject({ item: 'adapter-1', status: 'not-covered', covered: false, term: 'none' });
  });

  it('suspends the legal guarantee while a repair is still open and counts the days (ITEMA-33)', () => {
    const c = cov('itema', refurbLaptop, [...sold, ev('repair-accepted', '2026-03-01')], '2026-03-11');
    // Sale (no delivery recorded) 10 January 2026 + 2 years = 10 January 2028, + 10 days in the shop.
    expect(c.legalGuarantee).toMatchObject({ start: '2026-01-10', end: '2028-01-20', suspendedDays: 10, active: true });
  });

  it('cites the suspension of a repair still open among the rules (ITEMA-14)', () => {
    const c = cov('itema', refurbLaptop, [...sold, ev('repair-accepted', '2026-03-01')], '2026-03-20');
    expect(c.device).toMatchObject({ status: 'suspended', covered: true, end: '2027-01-29' }); // 10 January 2027 + 19 days
    expect(c.device.rules).toContain('ITEMA-14');
  });

  it('says "1 day" for a one-day repair, in every language (ITEMA-14)', () => {
    const c = cov('itema', refurbLaptop, [...sold, ev('repair-accepted', '2026-03-01'), ev('repair-completed', '2026-03-02')], '2026-04-01');
    const t = c.device.changes.find((x) => x.code === 'suspended-for-repair')!.text;
    expect(t.en).toContain('extended by 1 day,');
    expect(t.bg).toContain('удължава се с 1 ден,');
    expect(t.vi).toContain('được cộng thêm 1 ngày,');
  });

  it('a part replaced under warranty does not write into the device’s own changes (ITM-9)', () => {
    const c = cov('itmall', workstation, [...shipped, ev('part-replaced', '2026-12-01', { partId: 'psu-2', replacesPartId: 'psu-1' })], '2027-02-01');
    expect(c.device.changes.map((x) => x.code)).toEqual(['base-term']);
    expect(c.parts.find((p) => p.item === 'psu-1')!.changes.map((x) => x.code)).toContain('part-removed');
    expect(c.parts.find((p) => p.item === 'psu-2')).toMatchObject({ status: 'active', end: '2027-03-01' });
  });

  it('a power adapter sold on its own has no warranty (ITEMA-7, ITEMA-3)', () => {
    const c = cov('itema', { category: 'power-adapter', condition: 'refurbished' }, sold, '2026-02-01');
    expect(c.device).toMatchObject({ status: 'not-covered', covered: false, term: 'none', rules: ['ITEMA-7'] });
  });

  it('has not started before shipping (ITM-4)', () => {
    const c = cov('itmall', server, [ev('sale', '2026-01-10')], '2026-01-12');
    expect(c.device.status).toBe('not-started');
    expect(c.reasons.map((r) => r.rule)).toContain('ITM-4');
  });

  it('records the manufacturer’s end beside the business’s (ITM-5)', () => {
    const c = cov('itmall', { ...server, manufacturerWarranty: { term: '5 years', provider: 'Dell ProSupport' } }, shipped, '2026-02-01');
    // 15 January 2026 + 5 years = 15 January 2031.
    expect(c.device.manufacturer).toEqual({ end: '2031-01-15', provider: 'Dell ProSupport', rule: 'ITM-5' });
    expect(c.device.end).toBe('2029-01-15');
  });

  it('ends the warranty on a void, whatever was left (ITS-9)', () => {
    const c = cov('its', { category: 'pc' }, [ev('installation', '2026-03-01'), ev('warranty-voided', '2026-04-01', { note: 'BIOS flashed by the client' })], '2026-04-02');
    expect(c.device).toMatchObject({ status: 'void', covered: false, end: '2026-04-01' });
    expect(c.device.changes.find((x) => x.code === 'voided')?.rule).toBe('ITS-9');
  });
});

// ---------------------------------------------------------------------------------------------
// Findings → exclusions, one row per rule and pack.
const exclusionRows: { name: string; pack: PackId; finding: string; rule: string; device: DeviceInput; events: DeviceEvent[]; claim: (d: string, x?: Partial<ClaimInput>) => ClaimInput; date: string }[] = [
  { name: 'liquid damage is an external factor (ITS-9)', pack: 'its', finding: 'liquid-ingress', rule: 'ITS-9', device: { category: 'pc' }, events: [ev('installation', '2026-03-01')], claim: itsClaim, date: '2026-04-01' },
  { name: 'unauthorized modification voids the warranty (ITS-9)', pack: 'its', finding: 'unauthorized-modification', rule: 'ITS-9', device: { category: 'pc' }, events: [ev('installation', '2026-03-01')], claim: itsClaim, date: '2026-04-01' },
  { name: 'a third party intervened: only the business’s own work is covered (ITS-4)', pack: 'its', finding: 'third-party-intervention', rule: 'ITS-4', device: { category: 'pc' }, events: [ev('installation', '2026-03-01')], claim: itsClaim, date: '2026-04-01' },
  { name: 'a drop is an accident (ITM-13)', pack: 'itmall', finding: 'drop-damage', rule: 'ITM-13', device: server, events: shipped, claim: itmClaim, date: '2026-06-01' },
  { name: 'self-repair is unauthorized modification (ITM-13)', pack: 'itmall', finding: 'self-repair', rule: 'ITM-13', device: server, events: shipped, claim: itmClaim, date: '2026-06-01' },
  { name: 'fair wear and tear of ports (ITM-13)', pack: 'itmall', finding: 'port-wear', rule: 'ITM-13', device: server, events: shipped, claim: itmClaim, date: '2026-06-01' },
  { name: 'lightning is force majeure (ITM-13)', pack: 'itmall', finding: 'force-majeure', rule: 'ITM-13', device: server, events: shipped, claim: itmClaim, date: '2026-06-01' },
  { name: 'insects are biological damage (ITM-13)', pack: 'itmall', finding: 'biological-damage', rule: 'ITM-13', device: server, events: shipped, claim: itmClaim, date: '2026-06-01' },
  { name: 'self-intervention in technical parts (VN-3)', pack: 'vn', finding: 'self-intervention', rule: 'VN-3', device: { category: 'pos-terminal' }, events: sold, claim: plainClaim, date: '2026-03-01' },
  { name: 'usage instructions not followed (VN-3)', pack: 'vn', finding: 'instructions-not-followed', rule: 'VN-3', device: { category: 'pos-terminal' }, events: sold, claim: plainClaim, date: '2026-03-01' },
  { name: 'a fault outside the device’s stated limits (VN-1)', pack: 'vn', finding: 'beyond-device-limits', rule: 'VN-1', device: { category: 'pos-terminal' }, events: sold, claim: plainClaim, date: '2026-03-01' },
  { name: 'user error is paid support (VN-4)', pack: 'vn', finding: 'user-error', rule: 'VN-4', device: { category: 'pos-terminal' }, events: sold, claim: plainClaim, date: '2026-03-01' },
  { name: 'overclocking (ITEMA-15)', pack: 'itema', finding: 'overclocked', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'a torn warranty sticker (ITEMA-15)', pack: 'itema', finding: 'warranty-sticker-damaged', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'supply voltage outside 220 V ± 5 % (ITEMA-15)', pack: 'itema', finding: 'supply-voltage-out-of-range', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'laptop battery capacity loss (ITEMA-15)', pack: 'itema', finding: 'battery-capacity-loss', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'dust and other contaminants (ITEMA-15)', pack: 'itema', finding: 'contamination', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'a used product’s appearance is not covered (ITEMA-4)', pack: 'itema', finding: 'cosmetic-defect', rule: 'ITEMA-4', device: { category: 'laptop', condition: 'used' }, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'the manufacturer refused the warranty (ITEMA-26)', pack: 'itema', finding: 'manufacturer-refused', rule: 'ITEMA-26', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'a defect not reproduced is paid at the tariff (ITEMA-21)', pack: 'itema', finding: 'not-reproduced', rule: 'ITEMA-21', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'a drop is improper handling (ITS-9)', pack: 'its', finding: 'drop-damage', rule: 'ITS-9', device: { category: 'pc' }, events: [ev('installation', '2026-03-01')], claim: itsClaim, date: '2026-04-01' },
  { name: 'lightning is an external factor (ITS-9)', pack: 'its', finding: 'force-majeure', rule: 'ITS-9', device: { category: 'pc' }, events: [ev('installation', '2026-03-01')], claim: itsClaim, date: '2026-04-01' },
  { name: 'the client’s own repair is not the business’s work (ITS-4)', pack: 'its', finding: 'self-repair', rule: 'ITS-4', device: { category: 'pc' }, events: [ev('installation', '2026-03-01')], claim: itsClaim, date: '2026-04-01' },
  { name: 'unauthorized modification is excluded (ITM-13)', pack: 'itmall', finding: 'unauthorized-modification', rule: 'ITM-13', device: server, events: shipped, claim: itmClaim, date: '2026-06-01' },
  { name: 'thermal stress beyond OEM specs is an accident (ITM-13)', pack: 'itmall', finding: 'thermal-stress', rule: 'ITM-13', device: server, events: shipped, claim: itmClaim, date: '2026-06-01' },
  { name: 'unapproved firmware is unauthorized modification (ITM-13)', pack: 'itmall', finding: 'unapproved-firmware', rule: 'ITM-13', device: server, events: shipped, claim: itmClaim, date: '2026-06-01' },
  { name: 'unauthorized modification of technical parts (VN-3)', pack: 'vn', finding: 'unauthorized-modification', rule: 'VN-3', device: { category: 'pos-terminal' }, events: sold, claim: plainClaim, date: '2026-03-01' },
  { name: 'an unauthorized configuration change (ITEMA-15)', pack: 'itema', finding: 'unauthorized-modification', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'rodents and pets (ITEMA-15)', pack: 'itema', finding: 'biological-damage', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'mechanical damage from a drop (ITEMA-15)', pack: 'itema', finding: 'drop-damage', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'a power surge of any kind (ITEMA-15)', pack: 'itema', finding: 'power-surge', rule: 'ITEMA-15', device: refurbLaptop, events: sold, claim: itemaClaim, date: '2026-03-01' },
  { name: 'new drop damage after the repair is quoted (SC-5)', pack: 'service-center', finding: 'drop-damage', rule: 'SC-5', device: { category: 'phone' }, events: [ev('repair-completed', '2026-02-10')], claim: plainClaim, date: '2026-03-01' },
  { name: 'new damage after the repair is quoted (SC-5)', pack: 'service-center', finding: 'liquid-ingress', rule: 'SC-5', device: { category: 'phone' }, events: [ev('repair-completed', '2026-02-10')], claim: plainClaim, date: '2026-03-01' },
];

describe('findings map to exclusions through the pack', () => {
  it.each(exclusionRows)('$name', (row) => {
    const ok = dec(row.pack, row.device, row.events, row.claim(row.date));
    expect(ok.outcome).toBe('covered'); // the same claim without the finding is covered
    const d = dec(row.pack, row.device, row.events, row.claim(row.date, { findings: [row.finding] }));
    expect(d.outcome).toBe('not-covered');
    expect(d.reasons.find((r) => r.code === `finding:${row.finding}`)?.rule).toBe(row.rule);
  });
});

// ---------------------------------------------------------------------------------------------
// Decisions, one or more rows per rule.
interface DecisionRow {
  name: string;
  check: () => void;
}

const decisionRows: DecisionRow[] = [
  // ---- ITS
  {
    name: 'a claim within 90 days of installation is covered with free repair (ITS-2)',
    check: () => {
      const d = dec('its', { category: 'pc' }, [ev('installation', '2026-03-01')], itsClaim('2026-05-30'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'commercial', provisional: false });
      expect(remedy(d, 'repair')?.rule).toBe('ITS-2');
      expect(d.reasons.find((r) => r.code === 'in-coverage')).toMatchObject({ rule: 'ITS-2', params: { start: '2026-03-01', end: '2026-05-30' } });
    },
  },
  {
    name: 'a third party’s work is not covered (ITS-4)',
    check: () => {
      const d = dec('its', { category: 'pc' }, [ev('installation', '2026-03-01')], itsClaim('2026-04-01', { servicedByBusiness: false }));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'not-own-work')?.rule).toBe('ITS-4');
    },
  },
  {
    name: 'without an account and a Stripe payment the claim needs inspection (ITS-5)',
    check: () => {
      const d = dec('its', { category: 'pc' }, [ev('installation', '2026-03-01')], itsClaim('2026-04-01', { proofs: { invoice: true, itemsNamed: true } }));
      expect(d.outcome).toBe('needs-inspection');
      expect(d.missing.map((m) => [m.field, m.rule])).toEqual([
        ['proofs.accountRegistered', 'ITS-5'],
        ['proofs.paymentConfirmed', 'ITS-5'],
      ]);
    },
  },
  {
    name: 'without an invoice or contract naming the items the claim needs inspection (ITS-6)',
    check: () => {
      const d = dec('its', { category: 'pc' }, [ev('installation', '2026-03-01')], itsClaim('2026-04-01', { proofs: { accountRegistered: true, paymentConfirmed: true } }));
      expect(d.outcome).toBe('needs-inspection');
      expect(d.missing.map((m) => [m.field, m.rule])).toEqual([
        ['proofs.invoice|serviceContract', 'ITS-6'],
        ['proofs.itemsNamed', 'ITS-6'],
      ]);
      // A service contract is as good as an invoice.
      const ok = dec('its', { category: 'pc' }, [ev('installation', '2026-03-01')], itsClaim('2026-04-01', { proofs: { accountRegistered: true, paymentConfirmed: true, serviceContract: true, itemsNamed: true } }));
      expect(ok.outcome).toBe('covered');
    },
  },
  {
    name: 'a report without the client, device and description lists them (ITS-7)',
    check: () => {
      const d = dec('its', { category: 'pc' }, [ev('installation', '2026-03-01')], itsClaim('2026-04-01', { details: { name: 'Ann Lee' } }));
      expect(d.outcome).toBe('needs-inspection');
      expect(d.missing.filter((m) => m.rule === 'ITS-7').map((m) => m.field)).toEqual(['details.serial', 'details.description']);
    },
  },
  {
    name: 'a claim after a void is not covered and cites the void (ITS-9)',
    check: () => {
      const d = dec('its', { category: 'pc' }, [ev('installation', '2026-03-01'), ev('warranty-voided', '2026-03-20')], itsClaim('2026-04-01'));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'claim-void')?.rule).toBe('ITS-9');
    },
  },
  {
    name: 'after expiry the client is offered an extension and paid service (ITS-10)',
    check: () => {
      // 1 March + 90 days = 30 May; the claim on 31 May is one day late.
      const d = dec('its', { category: 'pc' }, [ev('installation', '2026-03-01')], itsClaim('2026-05-31'));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'claim-expired')).toMatchObject({ rule: 'ITS-2', params: { end: '2026-05-30' } });
      expect(d.remedies.filter((r) => r.rule === 'ITS-10').map((r) => r.type)).toEqual(expect.arrayContaining(['extension-offer', 'paid-repair']));
    },
  },
  {
    name: 'an unknown extension plan is refused, naming the event (ITS-3)',
    check: () => {
      expect(() => cov('its', { category: 'pc' }, [ev('installation', '2026-03-01'), ev('extension-purchased', '2026-04-01', { planId: 'gold' })], '2026-04-02')).toThrowError(
        /events\[1\]\.planId: "gold" is not an extension plan of this pack \(plus-6-months, plus-12-months\)/,
      );
    },
  },
  // ---- ITM
  {
    name: 'a covered RMA offers repair, replacement or credit (ITM-6)',
    check: () => {
      const d = dec('itmall', server, shipped, itmClaim('2027-06-01'));
      expect(d.outcome).toBe('covered');
      expect(d.remedies.filter((r) => r.rule === 'ITM-6').map((r) => r.type)).toEqual(['repair', 'replacement', 'credit']);
    },
  },
  {
    name: 'advance replacement only within 12 months of shipping (ITM-8)',
    check: () => {
      // Shipped 15 January 2026: the window closes on 15 January 2027 inclusive.
      const inside = dec('itmall', server, shipped, itmClaim('2027-01-15', { hardwareDefectConfirmed: true }));
      expect(remedy(inside, 'advance-replacement')).toMatchObject({ rule: 'ITM-8', until: '2027-01-15' });
      const after = dec('itmall', server, shipped, itmClaim('2027-01-16', { hardwareDefectConfirmed: true }));
      expect(after.outcome).toBe('covered'); // still in the 3-year term
      expect(remedy(after, 'advance-replacement')).toBeUndefined();
    },
  },
  {
    name: 'advance replacement counts the 12 months from the unit’s shipping, also for a part replaced later (ITM-8)',
    check: () => {
      // Shipped 15 January 2026; the PSU was swapped on 1 December 2026; the claim on 1 February 2027 is past the first 12 months.
      const events = [...shipped, ev('part-replaced', '2026-12-01', { partId: 'psu-2', replacesPartId: 'psu-1' })];
      const d = dec('itmall', workstation, events, itmClaim('2027-02-01', { partId: 'psu-2', hardwareDefectConfirmed: true }));
      expect(d.outcome).toBe('covered'); // the part's 3 months run to 1 March 2027 (ITM-10)
      expect(remedy(d, 'advance-replacement')).toBeUndefined();
      expect(remedy(dec('itmall', workstation, events, itmClaim('2027-01-15', { partId: 'psu-2', hardwareDefectConfirmed: true })), 'advance-replacement')?.until).toBe('2027-01-15');
    },
  },
  {
    name: 'advance replacement needs a confirmed hardware defect (ITM-8)',
    check: () => {
      const d = dec('itmall', server, shipped, itmClaim('2026-06-01'));
      expect(remedy(d, 'advance-replacement')).toBeUndefined();
      expect(remedy(dec('itmall', server, shipped, itmClaim('2026-06-01', { hardwareDefectConfirmed: true })), 'advance-replacement')?.rule).toBe('ITM-8');
    },
  },
  {
    name: 'freight split: the client pays inbound, the business outbound (ITM-7)',
    check: () => {
      const d = dec('itmall', server, shipped, itmClaim('2026-06-01'));
      expect(charge(d, 'inbound-freight')).toMatchObject({ payer: 'client', rule: 'ITM-7' });
      expect(charge(d, 'outbound-freight')).toMatchObject({ payer: 'business', rule: 'ITM-7' });
      // Not a valid warranty claim: the business does not pay the way back.
      const nc = dec('itmall', server, shipped, itmClaim('2026-06-01', { findings: ['drop-damage'] }));
      expect(charge(nc, 'outbound-freight')).toBeUndefined();
    },
  },
  {
    name: 'the manufacturer’s plan takes precedence while it runs (ITM-5)',
    check: () => {
      const dev = { ...server, manufacturerWarranty: { term: '1 year', provider: 'HPE' } };
      const d = dec('itmall', dev, shipped, itmClaim('2026-06-01'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'manufacturer' });
      expect(remedy(d, 'manufacturer-service')?.rule).toBe('ITM-5');
      expect(d.reasons.find((r) => r.code === 'manufacturer-route')?.params).toMatchObject({ end: '2027-01-15', provider: 'HPE' });
      // After the manufacturer's year (15 January 2027) ITMall's own 3 years serve the claim.
      const later = dec('itmall', dev, shipped, itmClaim('2027-02-01'));
      expect(later.basis).toBe('commercial');
      expect(remedy(later, 'repair')?.rule).toBe('ITM-6');
    },
  },
  {
    name: 'the manufacturer’s plan serves a claim after the business’s own term ended (ITM-5)',
    check: () => {
      const dev = { ...server, manufacturerWarranty: { term: '5 years', provider: 'Dell ProSupport' } };
      // ITMall's 3 years end 15 January 2029; Dell's 5 years run to 15 January 2031.
      const d = dec('itmall', dev, shipped, itmClaim('2030-01-15'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'manufacturer' });
      expect(d.remedies.map((r) => [r.type, r.rule])).toEqual([['manufacturer-service', 'ITM-5']]);
      expect(d.reasons.find((r) => r.code === 'claim-expired')?.rule).toBe('ITM-4');
      expect(d.reasons.find((r) => r.code === 'manufacturer-route')?.params).toMatchObject({ end: '2031-01-15', provider: 'Dell ProSupport' });
      // ITMall's own freight split is for its own warranty claims (ITM-7).
      expect(d.charges).toEqual([]);
      // After the manufacturer's plan as well: not covered.
      expect(dec('itmall', dev, shipped, itmClaim('2031-01-16')).outcome).toBe('not-covered');
    },
  },
  {
    name: 'advance replacement on the claim exactly 12 months after shipping, not the day after (ITM-8)',
    check: () => {
      const ws: DeviceInput = { category: 'workstation' };
      const ship = [ev('sale', '2026-02-20'), ev('shipping', '2026-03-02')];
      expect(remedy(dec('itmall', ws, ship, itmClaim('2027-03-02', { hardwareDefectConfirmed: true })), 'advance-replacement')).toMatchObject({ rule: 'ITM-8', until: '2027-03-02' });
      const after = dec('itmall', ws, ship, itmClaim('2027-03-03', { hardwareDefectConfirmed: true }));
      expect(after.outcome).toBe('not-covered'); // the workstation's 1 year ended too (ITM-4)
      expect(remedy(after, 'advance-replacement')).toBeUndefined();
    },
  },
  // ---- SC
  {
    name: 'a fault of the repaired work within the card’s 3 months is redone free (SC-10, SC-8)',
    check: () => {
      const d = dec('service-center', { category: 'phone' }, [ev('repair-accepted', '2026-02-01'), ev('repair-completed', '2026-02-10')], plainClaim('2026-05-10'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'commercial' });
      expect(remedy(d, 'repair')?.rule).toBe('SC-8');
      expect(d.charges).toEqual([]);
    },
  },
  {
    name: 'diagnosis fee on refusal (SC-12) and a quoted paid repair (SC-5)',
    check: () => {
      // 10 February + 3 months = 10 May; the claim on 11 May is outside the card.
      const d = dec('service-center', { category: 'phone' }, [ev('repair-completed', '2026-02-10')], plainClaim('2026-05-11', { clientRefusesPaidRepair: true }));
      expect(d.outcome).toBe('not-covered');
      expect(charge(d, 'diagnosis')).toMatchObject({ payer: 'client', amount: 2500, currency: 'GBP', when: 'on-refusal', rule: 'SC-12' });
      expect(remedy(d, 'paid-repair')?.rule).toBe('SC-5');
      expect(d.reasons.find((r) => r.code === 'refusal-owes-fees')?.rule).toBe('SC-12');
    },
  },
  {
    name: 'a part of a device whose card has not started cites the pack’s own rule (SC-10)',
    check: () => {
      const d = dec('service-center', { category: 'phone', parts: [{ id: 'screen-1', category: 'screen' }] }, [ev('repair-accepted', '2026-02-01')], plainClaim('2026-02-03', { partId: 'screen-1' }));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'claim-not-started')?.rule).toBe('SC-10');
    },
  },
  // ---- VN
  {
    name: 'a fault within the manufacturer’s term is covered by the supplier (VN-1)',
    check: () => {
      const dev = { category: 'laptop', manufacturerWarranty: { term: '24 months' } };
      const d = dec('vn', dev, sold, plainClaim('2027-06-01'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'commercial' });
      expect(d.remedies.map((r) => r.rule)).toEqual(['VN-1', 'VN-1']);
    },
  },
  {
    name: 'user error is advice and recovery at the client’s tier price (VN-4)',
    check: () => {
      const d = dec('vn', { category: 'pos-terminal' }, sold, plainClaim('2026-03-01', { findings: ['user-error'] }));
      expect(d.outcome).toBe('not-covered');
      expect(remedy(d, 'paid-repair')?.rule).toBe('VN-4');
    },
  },
  {
    name: 'after expiry: paid support at the tier price (VN-4)',
    check: () => {
      // 10 January 2026 + 12 months = 10 January 2027.
      const d = dec('vn', { category: 'pos-terminal' }, sold, plainClaim('2027-01-11'));
      expect(d.outcome).toBe('not-covered');
      expect(remedy(d, 'paid-support')?.rule).toBe('VN-4');
    },
  },
  {
    name: 'self-intervention recorded as a void ends the warranty (VN-3)',
    check: () => {
      const d = dec('vn', { category: 'pos-terminal' }, [...sold, ev('warranty-voided', '2026-02-01')], plainClaim('2026-03-01'));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'claim-void')?.rule).toBe('VN-3');
    },
  },
  // ---- ITEMA
  {
    name: 'a hardware fault is repaired free of charge; software is not covered (ITEMA-1)',
    check: () => {
      const d = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'commercial' });
      expect(d.reasons.find((r) => r.code === 'free-of-charge')?.rule).toBe('ITEMA-31');
      expect(d.charges).toEqual([]);
      const sw = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { findings: ['software-issue'] }));
      expect(sw.outcome).toBe('not-covered');
      expect(remedy(sw, 'paid-repair')?.rule).toBe('ITEMA-21');
    },
  },
  {
    name: 'consumables are not covered at all (ITEMA-3)',
    check: () => {
      const d = dec('itema', { category: 'keyboard', condition: 'new' }, sold, itemaClaim('2026-02-01'));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'not-covered-category')).toMatchObject({ rule: 'ITEMA-3', params: { category: 'keyboard' } });
    },
  },
  {
    name: 'a used product is covered for function, not appearance (ITEMA-4)',
    check: () => {
      const used = { category: 'laptop', condition: 'used' as const };
      expect(dec('itema', used, sold, itemaClaim('2026-03-01')).outcome).toBe('covered');
      expect(reasonRules(dec('itema', used, sold, itemaClaim('2026-03-01', { findings: ['cosmetic-defect'] })))).toContain('ITEMA-4');
    },
  },
  {
    name: 'outside Bulgaria the manufacturer’s terms apply (ITEMA-5)',
    check: () => {
      const d = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { country: 'de' }));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'outside-country')).toMatchObject({ rule: 'ITEMA-5', params: { country: 'DE', home: 'BG' } });
      expect(remedy(d, 'manufacturer-service')?.rule).toBe('ITEMA-5');
    },
  },
  {
    name: 'Bulgaria named in full or as BGR is not outside Bulgaria (ITEMA-5)',
    check: () => {
      for (const country of ['Bulgaria', 'BGR', 'България', 'bg']) expect(dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { country })).outcome).toBe('covered');
      expect(dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { country: 'Romania' })).reasons.find((r) => r.code === 'outside-country')?.rule).toBe('ITEMA-5');
    },
  },
  {
    name: 'a refurbished product gets at least 3 months, cited in the decision (ITEMA-6)',
    check: () => {
      const dev = { category: 'laptop', condition: 'refurbished' as const, term: '1 month' };
      // 10 January + 3 months = 10 April: a claim on 10 April is covered, on 11 April only under the legal guarantee.
      const d = dec('itema', dev, sold, itemaClaim('2026-04-10'));
      expect(d.basis).toBe('commercial');
      expect(d.reasons.find((r) => r.code === 'minimum-term')?.rule).toBe('ITEMA-6');
      expect(dec('itema', dev, sold, itemaClaim('2026-04-11')).basis).toBe('legal-guarantee');
    },
  },
  {
    name: 'a new product goes to the manufacturer’s authorized service (ITEMA-6)',
    check: () => {
      const d = dec('itema', { category: 'laptop', condition: 'new', manufacturerWarranty: { term: '24 months', provider: 'Lenovo' } }, sold, itemaClaim('2026-06-01'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'manufacturer' });
      expect(d.remedies.filter((r) => r.basis === undefined).map((r) => [r.type, r.rule])).toEqual([['manufacturer-service', 'ITEMA-6']]);
      // ITEMA-9: the seller's legal-guarantee remedies stand beside the manufacturer's service.
      expect(d.remedies.filter((r) => r.basis === 'legal-guarantee').map((r) => [r.type, r.rule, r.chosenBy])).toEqual([['repair', 'ITEMA-30', 'consumer'], ['replacement', 'ITEMA-30', 'consumer']]);
      expect(d.reasons.find((r) => r.code === 'manufacturer-route')?.params).toMatchObject({ end: '2028-01-10', provider: 'Lenovo' });
    },
  },
  {
    name: 'a claim on a power adapter is refused: it has no warranty (ITEMA-7)',
    check: () => {
      const d = dec('itema', { ...refurbLaptop, parts: [{ id: 'adapter-1', category: 'adapter' }] }, sold, itemaClaim('2026-02-01', { partId: 'adapter-1' }));
      expect(d.outcome).toBe('not-covered');
      expect(d.item).toBe('adapter-1');
      expect(d.reasons.find((r) => r.code === 'part-no-term')?.rule).toBe('ITEMA-7');
    },
  },
  {
    name: 'a discounted device is not covered for its discount defect (ITEMA-8)',
    check: () => {
      const dev: DeviceInput = { category: 'monitor', condition: 'discounted', discountDefect: 'scratched-panel', manufacturerWarranty: { term: '24 months' } };
      const d = dec('itema', dev, sold, itemaClaim('2026-03-01', { defect: 'scratched-panel' }));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'discount-defect')).toMatchObject({ rule: 'ITEMA-8', params: { defect: 'scratched-panel' } });
      // Another defect of the same device is covered.
      expect(dec('itema', dev, sold, itemaClaim('2026-03-01', { defect: 'no-power' })).outcome).toBe('covered');
    },
  },
  {
    name: 'a refurbished item discounted for a defect is not covered for that defect (ITEMA-8)',
    check: () => {
      const dev: DeviceInput = { category: 'laptop', condition: 'refurbished', discountDefect: 'dead-usb-port' };
      const d = dec('itema', dev, sold, itemaClaim('2026-03-01', { defect: 'dead-usb-port' }));
      expect(d.outcome).toBe('not-covered');
      expect(d.reasons.find((r) => r.code === 'discount-defect')).toMatchObject({ rule: 'ITEMA-8', params: { defect: 'dead-usb-port' } });
      expect(dec('itema', dev, sold, itemaClaim('2026-03-01', { defect: 'no-power' })).outcome).toBe('covered');
    },
  },
  {
    name: 'a power adapter sold on its own is refused; a battery on its own is covered for 6 months (ITEMA-7)',
    check: () => {
      const adapter = dec('itema', { category: 'power-adapter', condition: 'refurbished' }, sold, itemaClaim('2026-02-01'));
      expect(adapter.outcome).toBe('not-covered');
      expect(adapter.reasons.find((r) => r.code === 'part-no-term')?.rule).toBe('ITEMA-7');
      expect(adapter.basis).toBe('none');
      // 10 January + 6 months = 10 July.
      const battery: DeviceInput = { category: 'battery', condition: 'refurbished' };
      expect(dec('itema', battery, sold, itemaClaim('2026-07-10')).reasons.find((r) => r.code === 'in-coverage')).toMatchObject({ rule: 'ITEMA-7', params: { end: '2026-07-10' } });
      expect(dec('itema', battery, sold, itemaClaim('2026-07-11')).basis).not.toBe('commercial');
    },
  },
  {
    name: 'a claim on the commercial warranty alone, after the legal guarantee, pays transport (ITEMA-13, ITEMA-31)',
    check: () => {
      // A 36-month card: the legal guarantee ended 10 January 2028, the card runs to 10 January 2029.
      const dev: DeviceInput = { category: 'laptop', condition: 'refurbished', term: '36 months' };
      const d = dec('itema', dev, sold, itemaClaim('2028-07-10'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'commercial' });
      expect(charge(d, 'transport')).toMatchObject({ payer: 'client', amount: 800, when: 'always', rule: 'ITEMA-13' });
      expect(d.reasons.find((r) => r.code === 'free-of-charge')).toBeUndefined();
      // Within the legal guarantee the same claim is free of charge, shipping included (ITEMA-31).
      const early = dec('itema', dev, sold, itemaClaim('2027-07-10'));
      expect(charge(early, 'transport')).toBeUndefined();
      expect(early.reasons.find((r) => r.code === 'free-of-charge')?.rule).toBe('ITEMA-31');
    },
  },
  {
    name: 'judges dead pixels on a notebook like a laptop, exactly at and above the limits (ITEMA-16)',
    check: () => {
      const nb: DeviceInput = { category: 'notebook', condition: 'refurbished', term: '12 months' };
      expect(dec('itema', nb, sold, itemaClaim('2026-03-01', { deadPixels: { darkPixels: 2, brightPixels: 2 } })).outcome).toBe('not-covered');
      expect(dec('itema', nb, sold, itemaClaim('2026-03-01', { deadPixels: { darkPixels: 3 } })).outcome).toBe('covered');
      expect(dec('itema', nb, sold, itemaClaim('2026-03-01', { deadPixels: { subpixelClusters: 2 } })).outcome).toBe('not-covered');
      expect(dec('itema', nb, sold, itemaClaim('2026-03-01', { deadPixels: { subpixelClusters: 3 } })).outcome).toBe('covered');
    },
  },
  {
    name: 'without the warranty card and payment document the repair is paid at the tariff (ITEMA-10)',
    check: () => {
      const d = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { proofs: {} }));
      expect(d.outcome).toBe('needs-inspection');
      expect(d.missing.map((m) => [m.field, m.rule])).toEqual([
        ['proofs.warrantyCard', 'ITEMA-10'],
        ['proofs.invoice|receipt', 'ITEMA-10'],
      ]);
      expect(d.reasons.find((r) => r.code === 'without-proof-tariff')?.rule).toBe('ITEMA-10');
    },
  },
  {
    name: 'transport is the client’s unless agreed (ITEMA-13)',
    check: () => {
      const d = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { findings: ['power-surge'] }));
      expect(charge(d, 'transport')).toMatchObject({ payer: 'client', amount: 800, currency: 'EUR' });
      expect(charge(d, 'transport')?.rules).toContain('ITEMA-13');
    },
  },
  {
    name: 'a claim after the original end is covered thanks to the repair time (ITEMA-14)',
    check: () => {
      // 10 January 2027 + 14 repair days = 24 January 2027.
      const events = [...sold, ev('repair-accepted', '2026-03-01'), ev('repair-completed', '2026-03-15')];
      expect(dec('itema', refurbLaptop, events, itemaClaim('2027-01-24')).basis).toBe('commercial');
      expect(dec('itema', refurbLaptop, events, itemaClaim('2027-01-25')).basis).toBe('legal-guarantee');
    },
  },
  {
    name: 'judges dead pixels against ISO 13406-2 class II (ITEMA-16)',
    check: () => {
      const monitor: DeviceInput = { category: 'monitor', condition: 'refurbished', term: '12 months' };
      const atLimits = { brightPixels: 2, darkPixels: 2, defectiveSubpixels: 5, subpixelClusters: 2 };
      const within = dec('itema', monitor, sold, itemaClaim('2026-03-01', { deadPixels: atLimits }));
      expect(within.outcome).toBe('not-covered');
      expect(within.reasons.find((r) => r.code === 'pixels-within-limits')?.rule).toBe('ITEMA-16');
      const dark3 = dec('itema', monitor, sold, itemaClaim('2026-03-01', { deadPixels: { ...atLimits, darkPixels: 3 } }));
      expect(dark3.outcome).toBe('covered');
      expect(dark3.reasons.find((r) => r.code === 'pixels-defect')).toMatchObject({ rule: 'ITEMA-16', params: { over: 'darkPixels 3 > 2' } });
      // Any cluster of defective pixels inside a 5 × 5 square is a defect.
      expect(dec('itema', monitor, sold, itemaClaim('2026-03-01', { deadPixels: { pixelClusters5x5: 1 } })).outcome).toBe('covered');
      expect(judgePixels({ defectiveSubpixels: 6 }).over).toEqual([{ kind: 'defectiveSubpixels', count: 6, limit: 5 }]);
      expect(judgePixels({ subpixelClusters: 3 }).defect).toBe(true);
      expect(judgePixels({ brightPixels: 3 }).defect).toBe(true);
    },
  },
  {
    name: 'the service chooses: repair, same model, another model, buy-back (ITEMA-17)',
    check: () => {
      const d = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01'));
      expect(d.remedies.filter((r) => r.rule === 'ITEMA-17').map((r) => [r.type, r.chosenBy])).toEqual([
        ['repair', 'business'],
        ['replacement', 'business'],
        ['replacement-other-model', 'business'],
        ['buy-back', 'business'],
      ]);
    },
  },
  {
    name: 'terminate or price reduction after one month without a fix (ITEMA-18, ITEMA-31)',
    check: () => {
      // Claim 1 April: the month ends 1 May. Asked 1 May: still due; asked 2 May unfixed: the rights open.
      const due = dec('itema', refurbLaptop, sold, itemaClaim('2026-04-01'), '2026-05-01');
      expect(remedy(due, 'terminate')).toBeUndefined();
      expect(due.reasons.find((r) => r.code === 'fix-due-by')?.params).toMatchObject({ deadline: '2026-05-01' });
      const late = dec('itema', refurbLaptop, sold, itemaClaim('2026-04-01'), '2026-05-02');
      expect(remedy(late, 'terminate')).toMatchObject({ rule: 'ITEMA-18', chosenBy: 'consumer' });
      expect(remedy(late, 'price-reduction')).toMatchObject({ rule: 'ITEMA-18', chosenBy: 'consumer' });
      expect(late.reasons.filter((r) => r.code === 'no-fix-within').map((r) => r.rule)).toEqual(['ITEMA-18', 'ITEMA-31']);
      // Fixed on 1 May: in time, no rights; fixed on 5 May: late, the rights stay.
      expect(remedy(dec('itema', refurbLaptop, sold, itemaClaim('2026-04-01', { fixedOn: '2026-05-01' }), '2026-06-01'), 'terminate')).toBeUndefined();
      expect(remedy(dec('itema', refurbLaptop, sold, itemaClaim('2026-04-01', { fixedOn: '2026-05-05' }), '2026-06-01'), 'terminate')).toBeDefined();
    },
  },
  {
    name: 'not reproduced: paid at the tariff (ITEMA-21)',
    check: () => {
      const d = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { findings: ['not-reproduced'] }));
      expect(d.outcome).toBe('not-covered');
      expect(remedy(d, 'paid-repair')?.rule).toBe('ITEMA-21');
    },
  },
  {
    name: 'diagnosis fee plus transport on refusal (ITEMA-22)',
    check: () => {
      const d = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { findings: ['overclocked'], clientRefusesPaidRepair: true }));
      expect(d.outcome).toBe('not-covered');
      expect(charge(d, 'diagnosis')).toMatchObject({ payer: 'client', amount: 2000, currency: 'EUR', when: 'on-refusal', rule: 'ITEMA-22' });
      expect(charge(d, 'transport')).toMatchObject({ payer: 'client', amount: 800, when: 'on-refusal', rule: 'ITEMA-22', rules: ['ITEMA-13', 'ITEMA-22'] });
      expect(d.reasons.find((r) => r.code === 'refusal-owes-fees')?.rule).toBe('ITEMA-22');
    },
  },
  {
    name: 'an added module’s card is claimed on its own (ITEMA-25)',
    check: () => {
      // The laptop's term ended 10 April 2026 (3 months); the module's card runs to 1 February 2027.
      const dev: DeviceInput = { category: 'laptop', condition: 'refurbished' };
      const events = [...sold, ev('module-added', '2026-02-01', { partId: 'ram-2', category: 'memory', term: '12 months' })];
      const d = dec('itema', dev, events, itemaClaim('2026-09-01', { partId: 'ram-2' }));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'commercial', item: 'ram-2' });
      expect(d.reasons.find((r) => r.code === 'in-coverage')).toMatchObject({ rule: 'ITEMA-25', params: { end: '2027-02-01' } });
    },
  },
  {
    name: 'missing ITEMA-27 details are listed',
    check: () => {
      const d = dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { details: { name: 'Ivan Petrov', phone: '+359888123456', description: ' ' } }));
      expect(d.outcome).toBe('needs-inspection');
      expect(d.missing.filter((m) => m.rule === 'ITEMA-27').map((m) => m.field)).toEqual([
        'details.address', 'details.email', 'details.model', 'details.serial', 'details.purchaseDate', 'details.purchasePlace', 'details.description',
      ]);
      expect(d.reasons.find((r) => r.code === 'missing-information')).toMatchObject({ rule: 'ITEMA-27', params: { count: 7 } });
    },
  },
  {
    name: 'the consumer chooses repair or replacement under the legal guarantee (ITEMA-30, ITEMA-9)',
    check: () => {
      // Refurbished 3 months ended 10 April 2026; the legal guarantee runs to 10 January 2028.
      const d = dec('itema', { category: 'laptop', condition: 'refurbished' }, sold, itemaClaim('2026-09-01'));
      expect(d).toMatchObject({ outcome: 'covered', basis: 'legal-guarantee' });
      expect(d.reasons.find((r) => r.code === 'legal-guarantee-applies')).toMatchObject({ rule: 'ITEMA-33', params: { end: '2028-01-10' } });
      expect(remedy(d, 'repair')).toMatchObject({ rule: 'ITEMA-30', chosenBy: 'consumer' });
      expect(remedy(d, 'replacement')).toMatchObject({ rule: 'ITEMA-30', chosenBy: 'consumer' });
      expect(d.reasons.find((r) => r.code === 'free-of-charge')?.rule).toBe('ITEMA-31');
    },
  },
  {
    name: 'refund after three repairs (ITEMA-32)',
    check: () => {
      const repairs = (n: number) =>
        [['2026-02-01', '2026-02-05'], ['2026-03-01', '2026-03-05'], ['2026-04-01', '2026-04-05']].slice(0, n).flatMap(([a, b]) => [ev('repair-accepted', a), ev('repair-completed', b)]);
      const two = dec('itema', refurbLaptop, [...sold, ...repairs(2)], itemaClaim('2026-06-01'));
      expect(remedy(two, 'refund')).toBeUndefined();
      const three = dec('itema', refurbLaptop, [...sold, ...repairs(3)], itemaClaim('2026-06-01'));
      expect(remedy(three, 'refund')).toMatchObject({ rule: 'ITEMA-32', chosenBy: 'consumer' });
      expect(three.reasons.find((r) => r.code === 'repairs-count')).toMatchObject({ rule: 'ITEMA-32', params: { count: 3 } });
      // A paid repair outside the warranty does not count.
      const paid = [...sold, ...repairs(2), ev('repair-accepted', '2026-04-01', { underWarranty: false }), ev('repair-completed', '2026-04-05', { underWarranty: false })];
      expect(remedy(dec('itema', refurbLaptop, paid, itemaClaim('2026-06-01')), 'refund')).toBeUndefined();
    },
  },
  {
    name: 'no termination and no refund for an insignificant non-conformity; a price reduction remains (ITEMA-32)',
    check: () => {
      const repairs = [['2026-02-01', '2026-02-05'], ['2026-03-01', '2026-03-05'], ['2026-04-01', '2026-04-05']].flatMap(([a, b]) => [ev('repair-accepted', a), ev('repair-completed', b)]);
      const three = dec('itema', refurbLaptop, [...sold, ...repairs], itemaClaim('2026-06-01', { insignificant: true }));
      expect(remedy(three, 'refund')).toBeUndefined();
      expect(three.reasons.find((r) => r.code === 'insignificant-no-termination')?.rule).toBe('ITEMA-32');
      expect(three.reasons.find((r) => r.code === 'repairs-count')).toBeUndefined();
      // A month without a fix: a price reduction, not termination.
      const late = dec('itema', refurbLaptop, sold, itemaClaim('2026-04-01', { insignificant: true }), '2026-05-02');
      expect(remedy(late, 'terminate')).toBeUndefined();
      expect(remedy(late, 'price-reduction')).toMatchObject({ rule: 'ITEMA-18', chosenBy: 'consumer' });
      expect(late.reasons.filter((r) => r.code === 'insignificant-no-termination')).toHaveLength(1);
      // Without the flag the same claims keep both rights.
      expect(remedy(dec('itema', refurbLaptop, sold, itemaClaim('2026-04-01'), '2026-05-02'), 'terminate')).toBeDefined();
    },
  },
  {
    name: 'the legal guarantee ends 2 years after delivery, later by the repair and dispute time (ITEMA-33)',
    check: () => {
      const dev: DeviceInput = { category: 'laptop', condition: 'refurbished' };
      const events = [...sold, ev('delivery', '2026-01-14'), ev('dispute-opened', '2026-06-01'), ev('dispute-closed', '2026-06-11')];
      // 14 January 2028 + 10 dispute days = 24 January 2028.
      expect(dec('itema', dev, events, itemaClaim('2028-01-24')).basis).toBe('legal-guarantee');
      const after = dec('itema', dev, events, itemaClaim('2028-01-25'));
      expect(after.outcome).toBe('not-covered');
      expect(after.basis).toBe('none');
    },
  },
];

describe('decisions by rule', () => {
  it.each(decisionRows)('$name', (row) => row.check());
});

// ---------------------------------------------------------------------------------------------
// ITS-11: versions. A small pack written inline.
const VERSIONED = `
id: versioned
name: { en: Versioned test pack }
versions:
  - version: v1
    effective: 2020-01-01
    settings: &settings { timeZone: UTC, currency: USD, languages: [en], calendar: { mode: 24/7 } }
    rules: &rules
      ITS-2: { en: "90 days" }
      ITS-9: { en: "External factors" }
      ITS-11: { en: "Versioned terms" }
    terms:
      - { match: {}, duration: 90 days, commencement: [installation, repair-completed], rule: ITS-2 }
  - version: v2
    effective: 2026-01-01
    settings: *settings
    rules: *rules
    terms:
      - { match: {}, duration: 180 days, commencement: [installation, repair-completed], rule: ITS-2 }
    exclusions:
      - { finding: liquid-ingress, rule: ITS-9, text: { en: "Liquid damage is not covered." } }
  - version: v3
    effective: 2026-06-01
    appliesToExisting: true
    settings: *settings
    rules: *rules
    terms:
      - { match: {}, duration: 1 year, commencement: [installation, repair-completed], rule: ITS-2 }
`;

describe('versioned terms (ITS-11)', () => {
  const pack = parsePack(VERSIONED, 'versioned.yaml');
  const pc: DeviceInput = { category: 'pc' };
  const rows: { name: string; installed: string; at: string; version: string; end: string }[] = [
    // 1 October 2025 + 90 days = 30 December 2025.
    { name: 'the version in force at installation governs (ITS-11)', installed: '2025-10-01', at: '2025-12-01', version: 'v1', end: '2025-12-30' },
    { name: 'a later version does not reach devices already installed (ITS-11)', installed: '2025-10-01', at: '2026-03-01', version: 'v1', end: '2025-12-30' },
    // 1 February 2026 + 180 days = 31 July 2026.
    { name: 'a device installed after a change gets the new terms (ITS-11)', installed: '2026-02-01', at: '2026-03-01', version: 'v2', end: '2026-07-31' },
    // v3 applies to existing devices once in force: 1 October 2025 + 1 year.
    { name: 'a version that applies to existing devices governs them once in force (ITS-11)', installed: '2025-10-01', at: '2026-07-01', version: 'v3', end: '2026-10-01' },
    { name: 'before its effective date it does not (ITS-11)', installed: '2025-10-01', at: '2026-05-31', version: 'v1', end: '2025-12-30' },
  ];
  it.each(rows)('$name', (r) => {
    const c = computeCoverage(pc, [ev('installation', r.installed)], pack, r.at);
    expect(c.policyVersion).toBe(r.version);
    expect(c.device.end).toBe(r.end);
  });

  it('a decision records the version it used (ITS-11)', () => {
    const d = decide(plainClaim('2026-07-01'), { device: pc, events: [ev('installation', '2025-10-01')] }, pack, '2026-07-01');
    expect(d.policyVersion).toBe('v3');
    expect(d.outcome).toBe('covered');
  });

  it('a decision judges by the same version it records (ITS-11)', () => {
    // The job was accepted under v1 (28 December 2025) but completed, and so commenced, under v2
    // (3 January 2026): v2's exclusion of liquid damage governs.
    const events = [ev('repair-accepted', '2025-12-28'), ev('repair-completed', '2026-01-03')];
    const d = decide(plainClaim('2026-02-01', { findings: ['liquid-ingress'] }), { device: pc, events }, pack, '2026-02-01');
    expect(d.policyVersion).toBe('v2');
    expect(d.outcome).toBe('not-covered');
    expect(reasonRules(d)).toContain('ITS-9');
  });
});

// ---------------------------------------------------------------------------------------------
// Every rule id is in its pack, and every computed rule has a test.
const PREFIX_PACK: Record<string, { pack: PackId; lang?: 'bg' | 'vi' }> = {
  ITS: { pack: 'its' },
  ITM: { pack: 'itmall' },
  SC: { pack: 'service-center' },
  VN: { pack: 'vn', lang: 'vi' },
  ITEMA: { pack: 'itema', lang: 'bg' },
};

function rulesMdIds(): string[] {
  const text = readFileSync(RULES_MD, 'utf8');
  return [...text.matchAll(/^- ((?:ITS|ITM|SC|VN|ITEMA)-\d+)\s/gm)].map((m) => m[1]);
}

describe('rule ids of RULES.md', () => {
  const present = existsSync(RULES_MD);

  it.skipIf(!present)('are each listed in their pack with an English text, and Bulgarian / Vietnamese where the business speaks it', () => {
    const ids = rulesMdIds();
    expect(ids.length).toBeGreaterThan(70);
    const problems: string[] = [];
    for (const id of ids) {
      const { pack, lang } = PREFIX_PACK[id.split('-')[0]];
      for (const v of getShippedPack(pack).versions) {
        const t = v.raw.rules[id];
        if (!t) problems.push(`${id}: missing from ${pack} ${v.version}`);
        else {
          if (!t.en.trim()) problems.push(`${id}: no English text in ${pack}`);
          if (lang && !t[lang]?.trim()) problems.push(`${id}: no ${lang} text in ${pack}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it.skipIf(present)('are checked against ../shared/RULES.md (skipped: the file is absent)', () => {});

  it.skipIf(!present)('are each in the table of docs/policy-rules.md', () => {
    const doc = readFileSync(RULES_DOC, 'utf8');
    const inDoc = new Set([...doc.matchAll(/^\|\s*((?:ITS|ITM|SC|VN|ITEMA)-\d+)\s*\|/gm)].map((m) => m[1]));
    expect(rulesMdIds().filter((id) => !inDoc.has(id))).toEqual([]);
  });

  it('computed by the engine (docs/policy-rules.md) each have a test that names them', () => {
    const doc = readFileSync(RULES_DOC, 'utf8');
    const computed = [...doc.matchAll(/^\|\s*((?:ITS|ITM|SC|VN|ITEMA)-\d+)\s*\|[^\n]*computed by the engine/gm)].map((m) => m[1]);
    expect(computed.length).toBeGreaterThan(50);
    const sources = readdirSync(HERE)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(path.join(HERE, f), 'utf8'))
      .join('\n');
    const untested = computed.filter((id) => !new RegExp(`\\b${id}\\b`).test(sources));
    expect(untested).toEqual([]);
  });
});

describe('bad rows fail loudly', () => {
  it('throws PolicyInputError rather than answering for a part the device does not have', () => {
    expect(() => dec('itema', refurbLaptop, sold, itemaClaim('2026-03-01', { partId: 'gpu-9' }))).toThrow(PolicyInputError);
  });
});
