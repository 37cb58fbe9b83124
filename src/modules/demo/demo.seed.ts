// Demo data for the first start: the five seed businesses as five organizations, each on its policy
// pack, with customers, devices and histories that show their rules, and a login per role.
// Dates are relative to today, so the demo shows the same situations whenever it is started; tests
// pass their own pinned moment (`now`), so what they read of the demo never depends on the machine's date.
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { systemActor, type Actor, type Role } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { hashPassword } from '../auth/auth.service.ts';
import * as customers from '../customers/customers.service.ts';
import * as devices from '../devices/devices.service.ts';
import * as purchases from '../purchases/purchases.service.ts';
import * as orders from '../service-orders/service-orders.service.ts';
import * as registrations from '../registrations/registrations.service.ts';
import * as plans from '../plans/plans.service.ts';
import * as rma from '../rma/rma.service.ts';
import type { PackId } from '../organizations/organizations.service.ts';
import { adoptTemplate } from '../policies/templates.service.ts';
import { seedSupportDemo } from './support.demo.ts';

export const DEMO_PASSWORD = 'aftercare-demo';
export const DEMO_ROLES: { role: Role; local: string }[] = [
  { role: 'owner', local: 'owner' },
  { role: 'manager', local: 'manager' },
  { role: 'front-desk', local: 'frontdesk' },
  { role: 'technician', local: 'tech' },
];

interface OrgSpec {
  slug: string;
  name: string;
  packId: PackId;
  timeZone: string;
  currency: string;
  languages: string[];
  /** Issue 16: the opening hours tell a client who refused a quote where and when to collect the device. */
  location: { name: string; address: string; phone?: string; opening_hours?: string };
  build(tx: Tx, a: Actor, d: (spec: string) => string, daysAgo: (n: number) => Date): Promise<void>;
}

export const demoEmail = (slug: string, local: string) => `${local}@${slug}.example`;

/** A date relative to today in the organization's time zone: '-8M', '-2Y-11M', '-9d'. */
function relative(timeZone: string, now: Date) {
  const today = DateTime.fromJSDate(now).setZone(timeZone).startOf('day');
  return (spec: string) => {
    let t = today;
    for (const [, n, unit] of spec.matchAll(/([+-]\d+)([YMd])/g)) {
      t = t.plus({ [unit === 'Y' ? 'years' : unit === 'M' ? 'months' : 'days']: Number(n) });
    }
    return t.toISODate()!;
  };
}

async function sale(
  tx: Tx,
  a: Actor,
  customer: { id: string },
  device: devices.DeviceFields,
  purchase: Omit<purchases.PurchaseFields, 'deviceId' | 'customerId'> | null,
  events: devices.EventFields[] = [],
) {
  const dev = await devices.insert(tx, a, { ...device, customerId: customer.id });
  if (purchase) await purchases.insert(tx, a, { ...purchase, deviceId: dev.id, customerId: customer.id });
  for (const e of events) await devices.insertEvent(tx, a, dev.id, e);
  return dev;
}

export const DEMO_ORGS: OrgSpec[] = [
  {
    slug: 'itema-pg',
    name: 'ITEMA-PG',
    packId: 'itema',
    timeZone: 'Europe/Sofia',
    currency: 'EUR',
    languages: ['bg', 'en'],
    location: { name: 'Сервиз София', address: 'бул. Цариградско шосе 115, София', opening_hours: 'пн–пт 9:00–18:00, сб 10:00–14:00' },
    async build(tx, a, d, daysAgo) {
      const ivan = await customers.insert(tx, a, { name: 'Иван Петров', email: 'ivan.petrov@example.bg', phone: '+359 88 123 4567', address: 'ул. Шипка 12, София', preferredLanguage: 'bg', preferredChannel: 'email' });
      // A refurbished laptop mid-repair: ITEMA-14 stops the term while it is in the service.
      const laptop = await sale(
        tx, a, ivan,
        { serial: 'DEMO-ITEMA-LAPTOP', manufacturer: 'Lenovo', model: 'ThinkPad T480', category: 'laptop', condition: 'refurbished', term: '12 months', parts: [{ id: 'battery-1', category: 'battery' }] },
        { documentType: 'invoice', documentNumber: '0000012345', soldOn: d('-8M'), place: 'ITEMA-PG online shop', priceMinor: 45900, currency: 'EUR' },
      );
      // Its service order: taken in 9 days ago, diagnosed under warranty, in repair now (the
      // repair-accepted event in its history comes from the order).
      await demoOrder(tx, a, daysAgo(9), { channel: 'walk-in', customerId: ivan.id, deviceId: laptop.id, problem: 'Няма образ на дисплея', proofs: { warrantyCard: true }, workOrder: workOrder('Иван Петров', 'Няма образ на дисплея', ['charger']) }, [
        [daysAgo(9), { action: 'start-diagnosis' }],
        [daysAgo(8), { action: 'diagnose', findings: [], hardwareDefectConfirmed: true }],
        [daysAgo(8), { action: 'approve-warranty' }],
        [daysAgo(7), { action: 'start-repair' }],
      ]);
      const firma = await customers.insert(tx, a, { kind: 'company', name: 'Фирма Стройинвест ООД', email: 'office@stroyinvest.example.bg', preferredLanguage: 'bg' });
      // Discounted for a scratched stand: that defect is excluded (ITEMA-8), the rest is covered.
      await sale(
        tx, a, firma,
        { serial: 'DEMO-ITEMA-MONITOR', manufacturer: 'Dell', model: 'P2422H', category: 'monitor', condition: 'discounted', discountDefect: 'scratched-stand' },
        { documentType: 'receipt', documentNumber: 'R-2026-7781', soldOn: d('-3M'), place: 'ITEMA-PG Sofia', priceMinor: 13900, currency: 'EUR' },
      );
      // New: the manufacturer's warranty, served at its service centers (ITEMA-6).
      await sale(
        tx, a, firma,
        { serial: 'DEMO-ITEMA-NEW', manufacturer: 'HP', model: 'ProBook 450 G10', category: 'laptop', condition: 'new', manufacturerWarranty: { term: '36 months', provider: 'HP Care' } },
        { documentType: 'invoice', documentNumber: '0000012873', soldOn: d('-14M'), place: 'ITEMA-PG Sofia', priceMinor: 98900, currency: 'EUR' },
      );
      // The money of a paid repair (issue 14): a quote of lines with VAT, accepted, a deposit at
      // intake and the rest at the counter (receipts), the invoice, and a part refund with its credit note.
      const georgi = await customers.insert(tx, a, { name: 'Георги Димитров', email: 'georgi.dimitrov@example.bg', phone: '+359 87 765 4321', preferredLanguage: 'bg', preferredChannel: 'email' });
      const paidRepair = await demoOrder(tx, a, daysAgo(12), { channel: 'walk-in', customerId: georgi.id, device: { serial: 'DEMO-ITEMA-PAID', manufacturer: 'ASUS', model: 'ZenBook 14', category: 'laptop' }, problem: 'Бавен и прегрява', workOrder: workOrder('Георги Димитров', 'Бавен е и прегрява', ['зарядно']) }, [
        [daysAgo(12), { action: 'start-diagnosis' }],
        [daysAgo(11), { action: 'quote', lines: [
          { kind: 'part', description: 'SSD 1 TB NVMe', quantity: 1, unitMinor: 12000 },
          { kind: 'labour', description: 'Подмяна на диск и почистване на охлаждането', quantity: 1.5, unitMinor: 3000 },
          { kind: 'discount', description: 'Отстъпка за редовен клиент', quantity: 1, unitMinor: -1500 },
        ], duration: '3 работни дни', advice: 'Ремонтът си струва: дискът е в края на живота си.', worthRepairing: true }],
        [daysAgo(10), { action: 'accept', via: 'phone' }],
        [daysAgo(10), (id, at) => money(tx, a, id, at, { pay: { amountMinor: 5000, method: 'cash', kind: 'deposit' } })],
        [daysAgo(9), { action: 'start-repair' }],
        [daysAgo(8), { action: 'start-testing' }],
        [daysAgo(8), { action: 'test-passed', report: 'Тест на натоварване: температурата е в норма.' }],
      ]);
      await money(tx, a, paidRepair, daysAgo(7), { pay: { amountMinor: 10000, method: 'card-terminal' } });
      await money(tx, a, paidRepair, daysAgo(7), { invoice: true });
      await money(tx, a, paidRepair, daysAgo(6), { refund: { amountMinor: 1000, reason: 'Отстъпка за забавяне с един ден', method: 'card-terminal' } });
    },
  },
  {
    slug: 'itmall',
    name: 'ITMall Enterprise',
    packId: 'itmall',
    timeZone: 'Asia/Singapore',
    currency: 'USD',
    languages: ['en'],
    location: { name: 'ITMall Service Hub', address: '1 Fusionopolis Way, Singapore' },
    async build(tx, a, d, daysAgo) {
      const acme = await customers.insert(tx, a, { kind: 'company', name: 'Acme Logistics Pte Ltd', email: 'it@acme-logistics.example.sg', phone: '+65 6123 4567', preferredChannel: 'email' });
      // Enterprise infrastructure: 3 years from shipping (ITM-4), shipped 2 years 11 months ago.
      await sale(
        tx, a, acme,
        { serial: 'DEMO-ITMALL-SWITCH', manufacturer: 'Cisco', model: 'Catalyst 9300-48P', category: 'switch' },
        { documentType: 'invoice', documentNumber: 'INV-SG-2023-0417', soldOn: d('-2Y-11M-5d'), shippedOn: d('-2Y-11M'), place: 'ITMall Singapore', priceMinor: 1249000, currency: 'USD' },
      );
      // A workstation: 1 year (ITM-4).
      await sale(
        tx, a, acme,
        { serial: 'DEMO-ITMALL-WS', manufacturer: 'Dell', model: 'Precision 3680', category: 'workstation' },
        { documentType: 'invoice', documentNumber: 'INV-SG-2025-1102', soldOn: d('-8M-3d'), shippedOn: d('-8M'), place: 'ITMall Singapore', priceMinor: 289000, currency: 'USD' },
      );
      // One invoice, three items, shipped 4 months ago: the RMAs below return them (issue 12).
      const inv = { documentType: 'invoice' as const, documentNumber: 'INV-SG-2026-0311', soldOn: d('-4M-2d'), shippedOn: d('-4M'), place: 'ITMall Singapore', currency: 'USD' };
      await sale(tx, a, acme, { serial: 'DEMO-ITMALL-SRV', manufacturer: 'Dell', model: 'PowerEdge R760', category: 'server' }, { ...inv, priceMinor: 1290000 });
      await sale(tx, a, acme, { serial: 'DEMO-ITMALL-SSD', manufacturer: 'Samsung', model: 'PM1733 3.84TB', category: 'ssd' }, { ...inv, priceMinor: 95000 });
      await sale(tx, a, acme, { serial: 'DEMO-ITMALL-FW', manufacturer: 'Fortinet', model: 'FortiGate 200F', category: 'firewall' }, { ...inv, priceMinor: 640000 });
      await demoRmas(tx, a, daysAgo);
    },
  },
  {
    slug: 'vn',
    name: 'Công ty Giải pháp CNTT',
    packId: 'vn',
    timeZone: 'Asia/Ho_Chi_Minh',
    currency: 'VND',
    languages: ['vi', 'en'],
    location: { name: 'Trung tâm bảo hành Hà Nội', address: '12 Duy Tân, Cầu Giấy, Hà Nội', opening_hours: 'Thứ Hai–Thứ Sáu 8:00–17:30, Thứ Bảy 8:00–12:00' },
    async build(tx, a, d) {
      const an = await customers.insert(tx, a, { name: 'Nguyễn Văn An', email: 'an.nguyen@example.vn', phone: '+84 912 345 678', preferredLanguage: 'vi', preferredChannel: 'phone' });
      // VN-1: the manufacturer's term recorded on the device.
      await sale(
        tx, a, an,
        { serial: 'DEMO-VN-NAS', manufacturer: 'Synology', model: 'DS923+', category: 'storage', manufacturerWarranty: { term: '24 months', provider: 'Synology' }, term: '24 months' },
        { documentType: 'invoice', documentNumber: 'HD-0098812', soldOn: d('-14M'), deliveredOn: d('-14M+2d'), place: 'Hà Nội', priceMinor: 15990000, currency: 'VND' },
      );
    },
  },
  {
    slug: 'its',
    name: 'iTS Work',
    packId: 'its',
    timeZone: 'America/New_York',
    currency: 'USD',
    languages: ['en'],
    location: { name: 'iTS Field Service', address: '200 Main St, Springfield' },
    async build(tx, a, d, daysAgo) {
      const clinic = await customers.insert(tx, a, { kind: 'company', name: 'Riverside Dental Clinic', email: 'office@riverside-dental.example.com', phone: '+1 555 010 2233', preferredChannel: 'email' });
      // ITS-2: 90 days from installation.
      await sale(
        tx, a, clinic,
        { serial: 'DEMO-ITS-INSTALL', manufacturer: 'iTS', model: 'Office network installation', category: 'installation', kind: 'service' },
        { documentType: 'contract', documentNumber: 'SC-2026-031', soldOn: d('-45d'), installedOn: d('-40d'), place: 'On site', priceMinor: 180000, currency: 'USD' },
      );
      // Installed 120 days ago, then extended by a paid plan (ITS-3).
      // The plan was sold at the counter (a plan sale, paid by card terminal, and its device event).
      const ap = await sale(
        tx, a, clinic,
        { serial: 'DEMO-ITS-AP', manufacturer: 'Ubiquiti', model: 'U6 Pro access point', category: 'network', kind: 'device' },
        { documentType: 'invoice', documentNumber: 'INV-2025-4410', soldOn: d('-125d'), installedOn: d('-120d'), place: 'On site', priceMinor: 21900, currency: 'USD' },
      );
      await plans.sellAtCounter(tx, a, ap.id, { planId: 'plus-6-months', method: 'card-terminal' }, daysAgo(80));
      // Installed 40 days ago and not registered yet (ITS-5): the portal's registration shows on it.
      await sale(
        tx, a, clinic,
        { serial: 'DEMO-ITS-SERVER', manufacturer: 'Synology', model: 'RS822+ backup server', category: 'server', kind: 'device' },
        { documentType: 'invoice', documentNumber: 'INV-2026-5120', soldOn: d('-42d'), installedOn: d('-40d'), place: 'On site', priceMinor: 149900, currency: 'USD' },
      );
      // ITS-5 registrations staff see: the installation registered and paid at the counter; another
      // client's one pending, one refused and one that lapsed unpaid (the pack's 7-day payment clock).
      const install = await tx.selectFrom('devices').select('id').where('organization_id', '=', a.organizationId).where('serial', '=', 'DEMO-ITS-INSTALL').executeTakeFirstOrThrow();
      await registrations.demoRegistration(tx, a, { customerId: clinic.id, deviceId: install.id, channel: 'counter', serial: 'DEMO-ITS-INSTALL', serviceEvent: 'installation', serviceDate: d('-40d'), documentType: 'service-contract' }, daysAgo(39), { to: 'paid', at: daysAgo(39) });
      const bakery = await customers.insert(tx, a, { kind: 'company', name: 'Oak Street Bakery', email: 'hello@oakstreet-bakery.example.com', phone: '+1 555 010 7788', preferredChannel: 'email' });
      for (const [serial, model, ago, then] of [
        ['DEMO-ITS-POS', 'Point-of-sale terminal setup', 2, undefined],
        ['DEMO-ITS-CAM', 'Security camera installation', 20, { to: 'refused' as const, at: daysAgo(18), reason: 'The invoice names another installation' }],
        ['DEMO-ITS-NAS', 'Office NAS repair', 30, { to: 'expired' as const, at: daysAgo(23) }],
      ] as const) {
        const dev = await sale(tx, a, bakery, { serial, manufacturer: 'iTS', model, category: 'installation', kind: 'service' }, { documentType: 'invoice', documentNumber: `INV-${serial}`, soldOn: d(`-${ago + 3}d`), installedOn: d(`-${ago + 2}d`), place: 'On site', priceMinor: 45000, currency: 'USD' });
        await registrations.demoRegistration(tx, a, { customerId: bakery.id, deviceId: dev.id, channel: 'portal', serial, serviceEvent: 'installation', serviceDate: d(`-${ago + 2}d`), documentType: 'invoice' }, daysAgo(ago), then);
      }
    },
  },
  {
    slug: 'service-center',
    name: 'City Service Center',
    packId: 'service-center',
    timeZone: 'Europe/Berlin',
    // The pack's currency (packs/service-center.yaml settings.currency): orders, quotes and charges are in it.
    currency: 'GBP',
    languages: ['en'],
    location: { name: 'Service Center Mitte', address: 'Friedrichstraße 100, Berlin', opening_hours: 'Mon–Fri 9:00–18:00, Sat 10:00–14:00' },
    async build(tx, a, d, daysAgo) {
      const maria = await customers.insert(tx, a, { name: 'Maria Schmidt', email: 'maria.schmidt@example.de', phone: '+49 30 1234567', preferredLanguage: 'en', preferredChannel: 'sms' });
      // Not sold here: repaired here. The repair carries its own term from the ready notice.
      await sale(
        tx, a, maria,
        { serial: 'DEMO-SC-PHONE', manufacturer: 'Apple', model: 'iPhone 13', category: 'phone' },
        null,
        [
          { type: 'repair-accepted', date: d('-20d'), orderRef: 'SO-2026-000017', note: 'display replacement, paid repair', underWarranty: false },
          { type: 'repair-completed', date: d('-15d'), orderRef: 'SO-2026-000017', underWarranty: false },
        ],
      );
      // Waiting for the client's decision on a quote (SC-5, SC-6).
      await demoOrder(tx, a, daysAgo(3), { channel: 'walk-in', customerId: maria.id, device: { serial: 'DEMO-SC-LAPTOP', manufacturer: 'Dell', model: 'XPS 13', category: 'laptop' }, problem: 'Does not charge', workOrder: workOrder('Maria Schmidt', 'Does not charge', ['charger', 'bag']) }, [
        [daysAgo(3), { action: 'start-diagnosis' }],
        [daysAgo(2), { action: 'diagnose', findings: ['liquid-ingress'] }],
        [daysAgo(1), { action: 'quote', amountMinor: 18900, duration: '3 working days', advice: 'Worth repairing: the board is fine, the charging circuit is replaced.', worthRepairing: true }],
      ]);
      // Ready for pickup, the balance still to pay at the counter (SC-9, SC-10).
      const jonas = await customers.insert(tx, a, { name: 'Jonas Weber', email: 'jonas.weber@example.de', phone: '+49 30 7654321', preferredLanguage: 'en', preferredChannel: 'email' });
      await demoOrder(tx, a, daysAgo(6), { channel: 'phone', customerId: jonas.id, device: { serial: 'DEMO-SC-TABLET', manufacturer: 'Samsung', model: 'Galaxy Tab S8', category: 'tablet' }, problem: 'Cracked screen', workOrder: workOrder('Jonas Weber', 'The screen cracked after a fall', []) }, [
        [daysAgo(6), { action: 'start-diagnosis' }],
        [daysAgo(5), { action: 'diagnose', findings: ['physical-damage'] }],
        [daysAgo(5), { action: 'quote', amountMinor: 14900, duration: '2 working days', advice: 'Screen replacement.', worthRepairing: true }],
        [daysAgo(4), { action: 'accept', via: 'phone' }],
        [daysAgo(3), { action: 'start-repair' }],
        [daysAgo(2), { action: 'start-testing' }],
        [daysAgo(2), { action: 'test-passed', report: 'Touch and display stress test passed (SC-8).' }],
      ]);
      // The business's own "repair started" text (issue 16: Messages in the console), sent instead of the shipped one.
      await tx
        .insertInto('message_templates')
        .values({
          organization_id: a.organizationId,
          topic: 'order.repair-started',
          language: 'en',
          subject: '{business}: we are repairing {number}',
          body: '{greeting}\n\nOur technicians have started on your device ({number}). Most repairs take two working days; we will message you the moment it is ready.\n\nYour order page:\n{link}\n\nThe team of {business}',
          sms: '{business}: we have started repairing {number}. We will message you when it is ready. {link}',
          updated_by: `${a.type}:${a.id}`,
          updated_at: daysAgo(10),
        })
        .execute();
    },
  },
];

const workOrder = (signedBy: string, problem: string, accessories: string[]): orders.WorkOrder => ({
  termsAccepted: true,
  accessories,
  complete: true,
  visibleCondition: 'light scratches',
  dataBackedUp: true,
  passwordsRemoved: true,
  problemInClientsWords: problem,
  signedBy,
});

/** An order taken in at `at`, then moved on by `steps` at their own moments; its id. */
async function demoOrder(tx: Tx, a: Actor, at: Date, claim: orders.ClaimFields, steps: [Date, orders.ActionBody | ((id: string, when: Date) => Promise<void>)][]) {
  const { order } = await orders.insertClaim(tx, a, claim, at);
  for (const [when, body] of steps) {
    if (typeof body === 'function') {
      await body(order.id, when);
      continue;
    }
    const o = await tx.selectFrom('service_orders').selectAll().where('id', '=', order.id).forUpdate().executeTakeFirstOrThrow();
    await orders.actOn(tx, a, o, body, when);
  }
  return order.id as string;
}

/** A payment (with its receipt), the invoice, or a refund of the last payment (with its credit note) on a demo order. */
async function money(tx: Tx, a: Actor, id: string, at: Date, m: { pay?: { amountMinor: number; method: 'cash' | 'card-terminal'; kind?: 'deposit' }; invoice?: true; refund?: { amountMinor: number; reason: string; method: 'card-terminal' } }) {
  if (m.pay) await orders.addPayment(tx, a, id, m.pay, at);
  if (m.invoice) await orders.addInvoice(tx, a, id, at);
  if (m.refund) {
    const last = await tx.selectFrom('order_payments').select('id').where('order_id', '=', id).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await orders.addRefund(tx, a, id, { paymentId: last.id, ...m.refund }, at);
  }
}

type WithoutVersion<T> = T extends unknown ? Omit<T, 'version'> : never;

/** ITMall's RMAs in different states (issue 12): awaiting diagnosis, advance replacement out (its return deadline held), a late return, resolved by a replacement (with its replacement record), closed remotely. */
async function demoRmas(tx: Tx, a: Actor, daysAgo: (n: number) => Date) {
  const open = async (at: Date, invoice: string | undefined, items: rma.RmaFields['items']) => rma.insertRma(tx, a, { channel: 'phone', invoice, items }, at);
  const step = async (id: string, at: Date, body: WithoutVersion<rma.RmaActionBody>) => {
    const row = (await rma.rmaKind.lock(tx, a.organizationId, id))!;
    return rma.actOnRma(tx, a, row, { ...body, version: row.version } as rma.RmaActionBody, at);
  };
  const items = async (id: string) => (await tx.selectFrom('rma_items').select(['id', 'serial']).where('rma_id', '=', id).orderBy('position').execute());
  const diagnosed = { action: 'remote-diagnosis', outcome: 'return-needed', hardwareDefectConfirmed: true } as const;
  // Awaiting the remote diagnosis (ITM-3).
  await open(daysAgo(1), 'INV-SG-2023-0417', [{ serial: 'DEMO-ITMALL-SWITCH', fault: 'Fan tray alarm, the switch overheats', proofs: { logs: true } }]);
  // Authorized, the advance replacement already shipped (ITM-8); the faulty unit is on its way.
  const ssd = await open(daysAgo(4), 'INV-SG-2026-0311', [{ serial: 'DEMO-ITMALL-SSD', fault: 'The drive drops out of the RAID array' }]);
  await step(ssd.id, daysAgo(4), { ...diagnosed, note: 'SMART shows reallocated sectors rising; hardware defect confirmed remotely.' });
  await step(ssd.id, daysAgo(3), { action: 'authorize' });
  await step(ssd.id, daysAgo(3), { action: 'ship-advance-replacement', itemId: (await items(ssd.id))[0].id, replacementSerial: 'DEMO-ITMALL-SSD-R', carrier: 'DHL', tracking: 'JD014600006281' });
  // ... and its return deadline held by staff, with the reason the client is told (the clock paused).
  await step(ssd.id, daysAgo(2), { action: 'hold-return', reason: 'DHL pick-ups are suspended in the client’s area this week' });
  // Authorized 12 days ago and not back: a late return (ITM-12; the job runner marks it at start).
  const fw = await open(daysAgo(13), 'INV-SG-2026-0311', [{ serial: 'DEMO-ITMALL-FW', fault: 'Reboots under load' }]);
  await step(fw.id, daysAgo(13), { ...diagnosed, note: 'Crash logs point to the power supply.' });
  await step(fw.id, daysAgo(12), { action: 'authorize' });
  // Received, inspected and resolved by a replacement (ITM-9, ITM-10, ITM-11).
  const srv = await open(daysAgo(9), 'INV-SG-2026-0311', [{ serial: 'DEMO-ITMALL-SRV', fault: 'iDRAC reports a failed system board' }]);
  await step(srv.id, daysAgo(9), { ...diagnosed, note: 'Remote iDRAC session: board fault confirmed.' });
  await step(srv.id, daysAgo(8), { action: 'authorize' });
  const [s1] = await items(srv.id);
  await step(srv.id, daysAgo(5), { action: 'receive', carrier: 'FedEx', tracking: '771234567890', units: [{ itemId: s1.id, serial: s1.serial }] });
  await step(srv.id, daysAgo(4), { action: 'inspect', items: [{ itemId: s1.id, findings: [] }] });
  await step(srv.id, daysAgo(3), { action: 'resolve', items: [{ itemId: s1.id, resolution: 'replacement', replacementSerial: 'DEMO-ITMALL-SRV-R' }], shipment: { carrier: 'DHL', tracking: 'JD014600006299' } });
  // Closed by the remote diagnosis: fixed remotely, nothing shipped (ITM-3).
  const ws = await open(daysAgo(6), 'INV-SG-2025-1102', [{ serial: 'DEMO-ITMALL-WS', fault: 'Blue screen after the driver update' }]);
  await step(ws.id, daysAgo(6), { action: 'remote-diagnosis', outcome: 'fixed-remotely', note: 'Remote session: rolled back the GPU driver; stable since.' });
}

/**
 * Loads the demo data when the database has no organization yet. Safe with several processes.
 * `now` anchors every date of the demo (today for `npm start`; a pinned moment in tests and benches).
 */
export async function seedDemoIfEmpty(db: Db, now: Date = new Date()): Promise<boolean> {
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('aftercare-demo-seed'))`.execute(tx);
    const any = await tx.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    for (const spec of DEMO_ORGS) {
      const org = await tx
        .insertInto('organizations')
        .values({ id: uuidv7(), slug: spec.slug, name: spec.name, pack_id: spec.packId, time_zone: spec.timeZone, currency: spec.currency, languages: spec.languages })
        .returningAll()
        .executeTakeFirstOrThrow();
      const a = systemActor(org.id, 'demo');
      // The demo business's own policy: its pack as version 1 (issue 11).
      await adoptTemplate(tx, org.id, spec.packId, null, 'demo');
      await audit(tx, a, { action: 'organization.created', entityType: 'organization', entityId: org.id, after: { slug: spec.slug, packId: spec.packId } });
      await tx.insertInto('locations').values({ id: uuidv7(), organization_id: org.id, ...spec.location }).execute();
      for (const r of DEMO_ROLES) {
        await tx
          .insertInto('staff_users')
          .values({ id: uuidv7(), organization_id: org.id, email: demoEmail(spec.slug, r.local), name: `${spec.name} ${r.role}`, role: r.role, password_hash: passwordHash })
          .execute();
      }
      await spec.build(tx, a, relative(spec.timeZone, now), daysAgo);
    }
    // The support desk: contracts, tickets, a training session, a message in triage (issue 13).
    await seedSupportDemo(tx, now);
    // The demo orders' messages are history, not news: nothing is sent to the demo's customers.
    await tx.updateTable('outbox').set({ delivered_at: now, last_error: 'demo data: not sent' }).where('delivered_at', 'is', null).execute();
    return true;
  });
}
