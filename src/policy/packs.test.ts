// One realistic scenario per shipped pack, from its seed: a device's life walked through several
// events and claims, asked at successive moments. Dates are computed by hand in the comments.
import { describe, expect, it } from 'vitest';
import { computeCoverage } from './coverage.ts';
import { decide } from './decide.ts';
import { getShippedPack } from './pack.ts';
import type { ClaimInput, Decision, DeviceEvent, DeviceInput } from './types.ts';

const ev = (type: DeviceEvent['type'], date: string, extra: Partial<DeviceEvent> = {}): DeviceEvent => ({ type, date, ...extra });
const remedyTypes = (d: Decision) => d.remedies.map((r) => `${r.type}:${r.rule}`);
const reasonCodes = (d: Decision) => d.reasons.map((r) => `${r.code}:${r.rule}`);

describe('its: a backup server installed and maintained by iTS (seed 000)', () => {
  const pack = getShippedPack('its');
  const device: DeviceInput = { category: 'backup-server', serial: 'BK-2041', model: 'Synology RS1221+' };
  const claim = (date: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({
    date, diagnosed: true, servicedByBusiness: true,
    details: { name: 'Ann Lee', serial: 'BK-2041', description: 'Nightly backup job fails since the installation' },
    proofs: { accountRegistered: true, paymentConfirmed: true, invoice: true, itemsNamed: true }, ...extra,
  });
  const history: DeviceEvent[] = [
    ev('sale', '2026-02-20'),
    ev('installation', '2026-03-02'), // 2 March + 90 days = 31 May (ITS-2)
    ev('repair-accepted', '2026-04-16'),
    ev('repair-completed', '2026-04-20'), // the repair's own 90 days: 20 April + 90 = 19 July (ITS-2)
    ev('extension-purchased', '2026-07-01', { planId: 'plus-12-months' }), // 19 July 2026 + 12 months = 19 July 2027 (ITS-3)
  ];
  const at = (moment: string, c: ClaimInput) => decide(c, { device, events: history }, pack, moment);

  it('walks the server’s life: install, a claim short of proof, a repair, an extension, a surge, expiry', () => {
    // 15 April: the client reports the failure but Stripe has not confirmed the payment yet (ITS-5).
    const short = at('2026-04-15', claim('2026-04-15', { proofs: { accountRegistered: true, invoice: true, itemsNamed: true } }));
    expect(short.outcome).toBe('needs-inspection');
    expect(short.missing.map((m) => `${m.field}:${m.rule}`)).toEqual(['proofs.paymentConfirmed:ITS-5']);

    // With the proof: covered, free repair within the 90 days (ITS-2), until 31 May.
    const ok = at('2026-04-15', claim('2026-04-15'));
    expect(ok).toMatchObject({ outcome: 'covered', basis: 'commercial', policyVersion: '2026.1' });
    expect(ok.reasons.find((r) => r.code === 'in-coverage')?.params).toMatchObject({ start: '2026-03-02', end: '2026-05-31' });
    expect(remedyTypes(ok)).toEqual(['repair:ITS-2', 'replacement:ITS-2']);

    // After the repair and the extension: until 19 July 2027.
    const c = computeCoverage(device, history, pack, '2026-08-01');
    expect(c.device).toMatchObject({ status: 'active', end: '2027-07-19' });
    expect(c.device.changes.map((x) => `${x.code}:${x.rule}:${x.newEnd}`)).toEqual([
      'base-term:ITS-2:2026-05-31',
      'repair-term:ITS-2:2026-07-19',
      'extension:ITS-3:2027-07-19',
    ]);

    // March 2027: a power surge fried the PSU: an external factor (ITS-9).
    const surge = at('2027-03-01', claim('2027-03-01', { findings: ['power-surge'] }));
    expect(surge.outcome).toBe('not-covered');
    expect(reasonCodes(surge)).toContain('finding:power-surge:ITS-9');
    expect(remedyTypes(surge)).toEqual(['paid-repair:ITS-10']);

    // The last covered day, and the day after: options after expiry (ITS-10).
    expect(at('2027-07-19', claim('2027-07-19')).outcome).toBe('covered');
    const late = at('2027-07-20', claim('2027-07-20'));
    expect(late.outcome).toBe('not-covered');
    expect(reasonCodes(late)).toContain('claim-expired:ITS-2');
    // The tariff and the offer after expiry are the same paid service (ITS-10): listed once.
    expect(remedyTypes(late)).toEqual(['paid-repair:ITS-10', 'extension-offer:ITS-10']);

    // A client's own contractor touched it: not the business's work (ITS-4).
    expect(reasonCodes(at('2026-06-01', claim('2026-06-01', { servicedByBusiness: false })))).toContain('not-own-work:ITS-4');
  });
});

describe('itmall: a storage array under Enterprise Service Assurance (seed 001)', () => {
  const pack = getShippedPack('itmall');
  const device: DeviceInput = {
    category: 'storage', serial: 'SG-77', model: 'NetApp AFF A250',
    manufacturerWarranty: { term: '1 year', provider: 'NetApp' },
    parts: [{ id: 'psu-1', category: 'psu' }, { id: 'disk-1', category: 'disk' }],
  };
  const claim = (date: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({
    date, diagnosed: true, details: { name: 'Ops team', email: 'ops@acme.example', serial: 'SG-77', description: 'Degraded array' }, proofs: { invoice: true }, ...extra,
  });
  const history: DeviceEvent[] = [
    ev('sale', '2026-01-10'),
    ev('shipping', '2026-01-15'), // 3 years: 15 January 2029 (ITM-4); NetApp's year: 15 January 2027 (ITM-5)
    ev('part-replaced', '2027-03-10', { partId: 'disk-2', replacesPartId: 'disk-1' }), // keeps 15 January 2029 (ITM-9)
    ev('part-replaced', '2028-12-01', { partId: 'psu-2', replacesPartId: 'psu-1' }), // 1 December 2028 + 3 months = 1 March 2029 (ITM-10)
  ];
  const at = (moment: string, c: ClaimInput) => decide(c, { device, events: history }, pack, moment);

  it('walks the array’s life: manufacturer first, RMAs, replaced parts, the 3-month minimum, expiry', () => {
    // June 2026: NetApp's own plan runs: it takes precedence (ITM-5).
    const early = at('2026-06-01', claim('2026-06-01'));
    expect(early).toMatchObject({ outcome: 'covered', basis: 'manufacturer' });
    expect(remedyTypes(early)).toEqual(['manufacturer-service:ITM-5']);

    // March 2027: a disk fails, defect confirmed. ITMall serves it; the advance replacement window
    // (12 months from shipping, to 15 January 2027) has closed (ITM-8); freight split (ITM-7).
    const disk = at('2027-03-01', claim('2027-03-01', { partId: 'disk-1', hardwareDefectConfirmed: true }));
    expect(disk).toMatchObject({ outcome: 'covered', basis: 'commercial', item: 'disk-1' });
    expect(remedyTypes(disk)).toEqual(['repair:ITM-6', 'replacement:ITM-6', 'credit:ITM-6']);
    expect(disk.charges.map((c) => `${c.type}:${c.payer}:${c.rule}`)).toEqual(['inbound-freight:client:ITM-7', 'outbound-freight:business:ITM-7']);

    // The same fault in December 2026 would have shipped a unit in advance (ITM-8).
    const dec2026 = decide(claim('2026-12-01', { partId: 'disk-1', hardwareDefectConfirmed: true }), { device, events: history }, pack, '2026-12-01');
    expect(dec2026.remedies.find((r) => r.type === 'advance-replacement')).toMatchObject({ rule: 'ITM-8', until: '2027-01-15' });

    // The replaced disk keeps the array's period; the late PSU gets 3 months.
    const c = computeCoverage(device, history, pack, '2029-02-15');
    const part = (id: string) => c.parts.find((p) => p.item === id)!;
    expect(part('disk-2').end).toBe('2029-01-15');
    expect(part('psu-2')).toMatchObject({ end: '2029-03-01', status: 'active' });
    expect(part('psu-1')).toMatchObject({ status: 'expired', covered: false });

    // February 2029: the PSU is still covered, the array is not.
    expect(at('2029-02-15', claim('2029-02-15', { partId: 'psu-2' })).outcome).toBe('covered');
    const array = at('2029-02-15', claim('2029-02-15'));
    expect(array.outcome).toBe('not-covered');
    expect(reasonCodes(array)).toContain('claim-expired:ITM-4');

    // A dropped controller is an accident (ITM-13), and the business does not pay the way back.
    const drop = at('2027-06-01', claim('2027-06-01', { findings: ['drop-damage'] }));
    expect(drop.outcome).toBe('not-covered');
    expect(drop.charges).toEqual([]);
  });
});

describe('service-center: a phone repaired twice (seed 002)', () => {
  const pack = getShippedPack('service-center');
  const device: DeviceInput = { category: 'phone', model: 'iPhone 13', serial: 'F2LX' };
  const first: DeviceEvent[] = [
    ev('repair-accepted', '2026-02-02'), // intake, work order signed (SC-2)
    ev('repair-completed', '2026-02-10'), // ready notice; warranty card 10 February + 3 months = 10 May (SC-10)
  ];
  const second: DeviceEvent[] = [
    ...first,
    ev('repair-accepted', '2026-06-01', { underWarranty: false }), // a paid repair, quoted (SC-5)
    ev('repair-completed', '2026-06-08', { underWarranty: false }), // its own card: 8 June + 3 months = 8 September (SC-10)
  ];

  it('walks the phone’s life: repair, a warranty return, a refused quote, a paid repair with its own card', () => {
    // April: the screen fault comes back: the agreed works are redone free (SC-8).
    const back = decide({ date: '2026-04-01', diagnosed: true }, { device, events: first }, pack, '2026-04-01');
    expect(back).toMatchObject({ outcome: 'covered', basis: 'commercial' });
    expect(remedyTypes(back)).toEqual(['repair:SC-8']);
    expect(back.charges).toEqual([]);

    // June, card ended on 10 May: the repair is quoted; refusing it, the client owes the diagnosis (SC-12).
    const refused = decide({ date: '2026-06-01', diagnosed: true, clientRefusesPaidRepair: true }, { device, events: first }, pack, '2026-06-01');
    expect(refused.outcome).toBe('not-covered');
    expect(reasonCodes(refused)).toContain('claim-expired:SC-10');
    // The tariff and the offer after expiry are the same paid repair (SC-5): listed once.
    expect(remedyTypes(refused)).toEqual(['paid-repair:SC-5']);
    expect(refused.charges.map((c) => `${c.type}:${c.amount}:${c.currency}:${c.when}:${c.rule}`)).toEqual(['diagnosis:2500:GBP:on-refusal:SC-12']);

    // The client comes back and pays for the repair: its card covers August.
    const c = computeCoverage(device, second, pack, '2026-08-01');
    expect(c.device).toMatchObject({ status: 'active', end: '2026-09-08' });
    expect(decide({ date: '2026-08-01', diagnosed: true }, { device, events: second }, pack, '2026-08-01').outcome).toBe('covered');

    // ...but not water damage since.
    const wet = decide({ date: '2026-08-01', diagnosed: true, findings: ['liquid-ingress'] }, { device, events: second }, pack, '2026-08-01');
    expect(wet.outcome).toBe('not-covered');
    expect(reasonCodes(wet)).toContain('finding:liquid-ingress:SC-5');
  });
});

describe('vn: a point-of-sale system with the manufacturer’s 24 months (seed 003)', () => {
  const pack = getShippedPack('vn');
  const device: DeviceInput = { category: 'pos-terminal', model: 'Sunmi T2', serial: 'VN-88', manufacturerWarranty: { term: '24 months', provider: 'Sunmi' } };
  const base: DeviceEvent[] = [ev('sale', '2026-01-10'), ev('installation', '2026-01-12')]; // 10 January 2026 + 24 months = 10 January 2028 (VN-1)
  const voided: DeviceEvent[] = [...base, ev('warranty-voided', '2027-01-05', { rule: 'VN-3', note: 'Seal broken, board re-soldered' })];

  it('walks the terminal’s life: a covered fault, user error, self-intervention, expiry — in Vietnamese too', () => {
    const ok = decide({ date: '2026-03-02', diagnosed: true }, { device, events: base }, pack, '2026-03-02');
    expect(ok).toMatchObject({ outcome: 'covered', basis: 'commercial' });
    expect(ok.reasons.find((r) => r.code === 'in-coverage')?.params).toMatchObject({ end: '2028-01-10' });
    expect(remedyTypes(ok)).toEqual(['repair:VN-1', 'replacement:VN-1']);
    for (const t of [...ok.reasons.map((r) => r.text), ...ok.remedies.map((r) => r.text)]) expect(t.vi, t.en).toBeTruthy();

    // May: the staff wiped the configuration: user error, paid at the tier price (VN-4).
    const user = decide({ date: '2026-05-01', diagnosed: true, findings: ['user-error'] }, { device, events: base }, pack, '2026-05-01');
    expect(user.outcome).toBe('not-covered');
    expect(remedyTypes(user)).toEqual(['paid-repair:VN-4']);
    expect(user.reasons.find((r) => r.code === 'finding:user-error')?.text.vi).toMatch(/lỗi sử dụng/);

    // January 2027: signs of self-intervention; the warranty is voided (VN-3).
    const after = decide({ date: '2027-02-01', diagnosed: true }, { device, events: voided }, pack, '2027-02-01');
    expect(after.outcome).toBe('not-covered');
    expect(reasonCodes(after)).toContain('claim-void:VN-3');
    expect(computeCoverage(device, voided, pack, '2027-02-01').device).toMatchObject({ status: 'void', end: '2027-01-05' });

    // Without the void, the day after the manufacturer's term: paid support (VN-4).
    const late = decide({ date: '2028-01-11', diagnosed: true }, { device, events: base }, pack, '2028-01-11');
    expect(late.outcome).toBe('not-covered');
    expect(remedyTypes(late)).toContain('paid-support:VN-4');
  });
});

describe('itema: a refurbished ThinkPad with a 12-month card (seed 004)', () => {
  const pack = getShippedPack('itema');
  const device: DeviceInput = {
    category: 'laptop', condition: 'refurbished', term: '12 months', serial: 'PF3K9XQ2', model: 'ThinkPad T480',
    parts: [{ id: 'battery-1', category: 'battery' }, { id: 'adapter-1', category: 'adapter' }],
  };
  const details = {
    name: 'Ivan Petrov', address: 'ul. Vitosha 1, Sofia', email: 'ivan@example.bg', phone: '+359888123456', model: 'ThinkPad T480',
    serial: 'PF3K9XQ2', purchaseDate: '2026-01-10', purchasePlace: 'ITEMA-PG Sofia', description: 'Does not power on',
  };
  const claim = (date: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({ date, diagnosed: true, country: 'BG', details, proofs: { warrantyCard: true, receipt: true }, ...extra });
  const history: DeviceEvent[] = [
    ev('sale', '2026-01-10'), // card: 10 January 2027 (ITEMA-5, ITEMA-6)
    ev('delivery', '2026-01-12'), // legal guarantee: 12 January 2028 (ITEMA-33)
    ev('repair-accepted', '2026-03-01'),
    ev('repair-completed', '2026-03-15'), // +14 days (ITEMA-14, ITEMA-33)
    ev('repair-accepted', '2026-06-01'),
    ev('repair-completed', '2026-06-05'), // +4
    ev('repair-accepted', '2026-09-01'),
    ev('repair-completed', '2026-09-11'), // +10: card 10 January 2027 + 28 = 7 February 2027; legal 12 January 2028 + 28 = 9 February 2028
  ];
  const at = (moment: string, c: ClaimInput) => decide(c, { device, events: history }, pack, moment);

  it('walks the laptop’s life: three repairs, parts, refused grounds, the refund, the legal guarantee', () => {
    // 1 March: does not power on. Covered, free of charge, due within a month (ITEMA-31).
    const first = at('2026-03-01', claim('2026-03-01'));
    expect(first).toMatchObject({ outcome: 'covered', basis: 'commercial' });
    expect(reasonCodes(first)).toEqual(expect.arrayContaining(['free-of-charge:ITEMA-31', 'fix-due-by:ITEMA-18']));
    expect(first.reasons.find((r) => r.code === 'fix-due-by')?.params).toMatchObject({ deadline: '2026-04-01' });
    expect(first.reasons.find((r) => r.code === 'in-coverage')?.text.bg).toMatch(/гаранционния срок/);

    // April: the adapter has no warranty (ITEMA-7); May: battery capacity loss is a refusal ground (ITEMA-15).
    expect(reasonCodes(at('2026-04-01', claim('2026-04-01', { partId: 'adapter-1' })))).toContain('part-no-term:ITEMA-7');
    const battery = at('2026-05-01', claim('2026-05-01', { partId: 'battery-1', findings: ['battery-capacity-loss'] }));
    expect(battery.outcome).toBe('not-covered');
    expect(reasonCodes(battery)).toContain('finding:battery-capacity-loss:ITEMA-15');

    // The coverage after three repairs.
    const c = computeCoverage(device, history, pack, '2026-10-01');
    expect(c.device.end).toBe('2027-02-07');
    expect(c.legalGuarantee).toMatchObject({ start: '2026-01-12', end: '2028-02-09', suspendedDays: 28 });
    // The battery's 6 months (10 July) grew by the first two repairs only (14 + 4 days = 28 July):
    // it had ended before the third repair began on 1 September.
    expect(c.parts.find((p) => p.item === 'battery-1')?.end).toBe('2026-07-28');

    // November: a fourth non-conformity after three repairs: a refund (ITEMA-32).
    const fourth = at('2026-11-02', claim('2026-11-02'));
    expect(fourth.remedies.find((r) => r.type === 'refund')).toMatchObject({ rule: 'ITEMA-32', chosenBy: 'consumer' });

    // May 2027: the card has ended (7 February), the legal guarantee has not: the consumer chooses (ITEMA-30);
    // not fixed by 3 June, on 10 June the consumer may terminate or ask for a price reduction (ITEMA-18, ITEMA-31).
    const legal = at('2027-06-10', claim('2027-05-03'));
    expect(legal).toMatchObject({ outcome: 'covered', basis: 'legal-guarantee' });
    expect(legal.remedies.find((r) => r.type === 'repair')).toMatchObject({ rule: 'ITEMA-30', chosenBy: 'consumer' });
    expect(remedyTypes(legal)).toEqual(expect.arrayContaining(['terminate:ITEMA-18', 'price-reduction:ITEMA-18', 'refund:ITEMA-32']));
    expect(legal.reasons.find((r) => r.code === 'no-fix-within')?.params).toMatchObject({ deadline: '2027-06-03' });

    // The same claim from Greece: the manufacturer's terms (ITEMA-5).
    expect(reasonCodes(at('2027-05-03', claim('2027-05-03', { country: 'GR' })))).toContain('outside-country:ITEMA-5');

    // February 2028, after the legal guarantee too: a repair at the tariff; refusing it, diagnosis and transport (ITEMA-22).
    const gone = at('2028-02-10', claim('2028-02-10', { clientRefusesPaidRepair: true }));
    expect(gone).toMatchObject({ outcome: 'not-covered', basis: 'none' });
    expect(gone.charges.map((x) => `${x.type}:${x.amount}:${x.rule}`)).toEqual(['diagnosis:2000:ITEMA-22', 'transport:800:ITEMA-22']);
  });
});
