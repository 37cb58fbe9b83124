// The simulator's reader (issue 11, history-reader.ts) against the general one (the statements and
// toDeviceInput / toDeviceEvents of devices.service.ts, as the simulator read before): on random
// histories written to PostgreSQL — empty texts, quotes and backslashes, same-day events recorded at
// the same instant, voided events, parts out of key order — both give the same SimDevice (but the
// note of an event other than 'warranty-voided', which the engine never reads), and the simulator's
// comparison of both policies is the same on either.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDatabase } from '../../../test/db.ts';
import { createDb, type DbHandle } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { compileStored } from '../../core/policy-store.ts';
import { toDeviceEvents, toDeviceInput } from '../devices/devices.service.ts';
import { devicesOf, devicesOfIds } from './history-reader.ts';
import { compareDevice, type SimDevice } from './simulate.ts';
import { bodyOf, templateVersions } from './templates.service.ts';

let h: DbHandle;
let drop: () => Promise<void>;
beforeAll(async () => {
  const d = await freshDatabase();
  drop = d.drop;
  h = createDb(d.url, 3);
});
afterAll(async () => {
  await h?.close();
  await drop?.();
});

/** The general reader: every column, three statements, the devices module's mapping. */
async function generalReader(orgId: string): Promise<SimDevice[]> {
  const devs = await h.db.selectFrom('devices').selectAll().where('organization_id', '=', orgId).orderBy('id').execute();
  const parts = await h.db.selectFrom('device_parts').selectAll().where('organization_id', '=', orgId).orderBy('part_key').execute();
  const events = await h.db.selectFrom('device_events').selectAll().where('organization_id', '=', orgId).where('voided_at', 'is', null).orderBy('device_id').orderBy('date').orderBy('recorded_at').orderBy('id').execute();
  return devs.map((d) => ({ id: d.id, serial: d.serial, customerId: d.customer_id, input: toDeviceInput(d, parts), events: toDeviceEvents(events.filter((e) => e.device_id === d.id)) }));
}

const TYPES = ['sale', 'delivery', 'shipping', 'installation', 'activation', 'repair-accepted', 'repair-completed', 'part-replaced', 'module-added', 'device-replaced', 'extension-purchased', 'warranty-voided', 'ownership-transferred', 'dispute-opened', 'dispute-closed'] as const;
const text = fc.oneof(fc.constant(null), fc.constant(''), fc.constantFrom('p1', 'ssd-2', 'a "quoted" \\ text', 'Батерия', 'bảo hành', '{"x":[1]}'), fc.string({ maxLength: 8 }));
const term = fc.constantFrom(null, '', '6 months', '2 years', 'none', '3 mnths');
const eventArb = fc.record({
  type: fc.constantFrom(...TYPES),
  day: fc.integer({ min: 0, max: 6 }),
  // Few instants, so events of one day are often recorded at the same moment (the id decides).
  recorded: fc.integer({ min: 0, max: 2 }),
  part_id: text,
  replaces_part_id: text,
  category: fc.constantFrom(null, '', 'battery', 'ssd', 'laptop'),
  under_warranty: fc.constantFrom(null, true, false),
  term,
  plan_id: fc.constantFrom(null, '', 'plus-1y'),
  note: text,
  order_ref: text,
  voided: fc.boolean(),
});
const deviceArb = fc.record({
  model: fc.constantFrom(null, '', 'T14'),
  category: fc.constantFrom('laptop', 'monitor', 'battery', 'toaster'),
  kind: fc.constantFrom('device', 'service', 'part'),
  condition: fc.constantFrom('new', 'refurbished', 'used', 'discounted'),
  discount_defect: fc.constantFrom(null, '', 'scratched lid'),
  term,
  manufacturer_warranty_term: term,
  manufacturer_warranty_provider: fc.constantFrom(null, '', 'OEM'),
  parts: fc.uniqueArray(fc.record({ part_key: fc.constantFrom('battery-1', 'adapter-1', 'Z-ssd', 'a-ram', 'ssd-2'), category: fc.constantFrom('battery', 'adapter', 'ssd', 'ram'), term }), { selector: (p) => p.part_key, maxLength: 3 }),
  events: fc.array(eventArb, { maxLength: 8 }),
});

async function write(devices: DeviceCase[]): Promise<string> {
  const org = (
    await h.db
      .insertInto('organizations')
      .values({ slug: `r-${uuidv7()}`, name: 'Reader', pack_id: 'itema', time_zone: 'Europe/Sofia', currency: 'EUR', languages: ['en'] })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  let n = 0;
  for (const raw of devices) {
    const id = uuidv7();
    const condition = raw.condition === 'discounted' && raw.discount_defect === null ? 'used' : raw.condition;
    await h.db
      .insertInto('devices')
      .values({ id, organization_id: org, serial: `S-${n++}`, manufacturer: 'Lenovo', model: raw.model, category: raw.category, kind: raw.kind, condition, discount_defect: raw.discount_defect, term: raw.term, manufacturer_warranty_term: raw.manufacturer_warranty_term, manufacturer_warranty_provider: raw.manufacturer_warranty_provider })
      .execute();
    for (const p of raw.parts) await h.db.insertInto('device_parts').values({ organization_id: org, device_id: id, part_key: p.part_key, category: p.category, term: p.term }).execute();
    for (const e of raw.events) {
      await h.db
        .insertInto('device_events')
        .values({
          id: uuidv7(),
          organization_id: org,
          device_id: id,
          type: e.type,
          date: `2026-03-0${e.day + 1}`,
          recorded_at: new Date(Date.UTC(2026, 2, 10, 0, 0, e.recorded)),
          part_id: e.part_id,
          replaces_part_id: e.replaces_part_id,
          category: e.category,
          under_warranty: e.under_warranty,
          term: e.term,
          plan_id: e.plan_id,
          note: e.note,
          order_ref: e.order_ref,
          voided_at: e.voided ? new Date('2026-03-20T00:00:00Z') : null,
        })
        .execute();
    }
  }
  return org;
}
type DeviceCase = typeof deviceArb extends fc.Arbitrary<infer T> ? T : never;

/** The general reader's answer without the notes the simulator's reader leaves out. */
const engineNotes = (ds: SimDevice[]) => ds.map((d) => ({ ...d, events: d.events.map((e) => (e.type === 'warranty-voided' || e.note === undefined ? e : (({ note: _, ...rest }) => rest)(e))) }));

const v = templateVersions('itema', { timeZone: 'Europe/Sofia', currency: 'EUR', languages: ['en'], country: 'BG' })[0];
const stored = [{ label: v.version, effective: v.effective, applies_to_existing: false, body: bodyOf(v) }];
const longer = structuredClone(bodyOf(v)) as { terms: { duration: string }[] };
for (const t of longer.terms) if (/^\d+ months$/.test(t.duration)) t.duration = `${Number(t.duration.split(' ')[0]) + 12} months`;
const before = compileStored('itema', stored);
const after = compileStored('itema', [...stored, { label: 'draft', effective: '2026-03-03', applies_to_existing: true, body: longer }]);

describe('the simulator reads what the general reader reads (issue 11)', () => {
  test('the same SimDevice for random histories, page by page and by id, and the same comparison of both policies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(deviceArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 3 }), async (cases, pageSize) => {
        const org = await write(cases);
        const general = await generalReader(org);
        const paged: SimDevice[] = [];
        for await (const page of devicesOf(h.db, org, { pageSize })) paged.push(...page);
        expect(paged).toEqual(engineNotes(general));
        // The note of a 'warranty-voided' event is read (the engine writes it into the 'voided' change).
        expect(paged.flatMap((d) => d.events.filter((e) => e.type === 'warranty-voided').map((e) => e.note))).toEqual(general.flatMap((d) => d.events.filter((e) => e.type === 'warranty-voided').map((e) => e.note)));
        const byIds: SimDevice[] = [];
        for await (const page of devicesOfIds(h.db, org, [...general].reverse().map((d) => d.id), 2)) byIds.push(...page);
        expect(byIds.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(paged);
        for (let i = 0; i < general.length; i++) {
          for (const at of ['2026-03-04', '2027-06-01']) expect(compareDevice(paged[i], before, after, at)).toEqual(compareDevice(general[i], before, after, at));
        }
      }),
      { numRuns: 60 },
    );
  });

  test('an id range reads only its devices, and a device without events or parts has empty lists', async () => {
    const org = await write([
      { model: null, category: 'laptop', kind: 'device', condition: 'new', discount_defect: null, term: null, manufacturer_warranty_term: null, manufacturer_warranty_provider: null, parts: [], events: [] },
      { model: 'T14', category: 'laptop', kind: 'device', condition: 'new', discount_defect: null, term: null, manufacturer_warranty_term: null, manufacturer_warranty_provider: null, parts: [], events: [] },
      { model: 'T14', category: 'laptop', kind: 'device', condition: 'new', discount_defect: null, term: null, manufacturer_warranty_term: null, manufacturer_warranty_provider: null, parts: [], events: [] },
    ]);
    const all = await generalReader(org);
    expect(all[0]).toMatchObject({ events: [], input: { serial: 'S-0', category: 'laptop' } });
    expect(all[0].input.parts).toBeUndefined();
    const mid: SimDevice[] = [];
    for await (const page of devicesOf(h.db, org, { after: all[0].id, upTo: all[1].id })) mid.push(...page);
    expect(mid).toEqual([all[1]]);
  });
});
