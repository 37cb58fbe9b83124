// ITMall's RMA end to end (issue 12), against the real database with a pinned clock: request →
// remote diagnosis → authorization with its slip → (advance replacement) → receipt → inspection →
// (vendor RMA) → resolution per item: repair, replacement, credit, not covered → dispute; a late
// return past 20 days; and every refusal naming its field with nothing changed.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_NOW, snapshot, type TestContext } from '../../../test/db.ts';
import { clockedApp, type ClockedApp, type Json } from '../../../test/app.ts';
import { systemActor } from '../../core/actor.ts';
import { sweepDueTimers } from '../../core/timers.ts';
import * as customers from '../customers/customers.service.ts';
import * as devices from '../devices/devices.service.ts';
import * as purchases from '../purchases/purchases.service.ts';
import * as repo from './repository.ts';
import { hasPdftotext, pdfText } from '../../../test/pdf-text.ts';

let h: ClockedApp;
let t: TestContext;
const DAY = 86_400_000;
const NOW = DEMO_NOW; // 2026-11-21T08:00:00Z
let cookie: string;
let org: string;
let customerId: string;
const dev: Record<string, string> = {};

/** A date `days` before NOW (the business's calendar day, Singapore). */
const ago = (days: number) => new Date(NOW.getTime() - days * DAY + 8 * 3600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await clockedApp(NOW);
  t = h.t;
  cookie = t.cookies.itmall['front-desk'];
  org = t.orgs.itmall;
  const a = systemActor(org, 'test');
  await t.db.transaction().execute(async (tx) => {
    const c = await customers.insert(tx, a, { kind: 'company', name: 'Beta Data Pte Ltd', email: 'it@beta-data.example.sg', preferredLanguage: 'en' });
    customerId = c.id;
    const sell = async (key: string, serial: string, model: string, category: string, invoice: string, shippedDaysAgo: number, priceMinor: number) => {
      const d = await devices.insert(tx, a, { serial, manufacturer: 'Dell', model, category, customerId: c.id });
      await purchases.insert(tx, a, { deviceId: d.id, customerId: c.id, documentType: 'invoice', documentNumber: invoice, soldOn: ago(shippedDaysAgo + 2), shippedOn: ago(shippedDaysAgo), priceMinor, currency: 'USD' });
      dev[key] = d.id;
    };
    await sell('server', 'T-SRV-1', 'PowerEdge R760', 'server', 'INV-T-1', 150, 1_290_000);
    await sell('ws', 'T-WS-1', 'Precision 3680', 'workstation', 'INV-T-1', 150, 289_000);
    await sell('ssd', 'T-SSD-1', 'PM1733 3.84TB', 'ssd', 'INV-T-1', 150, 95_000);
    await sell('switch', 'T-SW-1', 'S5248F', 'switch', 'INV-T-1', 150, 1_150_000);
    await sell('old', 'T-WS-2', 'Precision 3680', 'workstation', 'INV-T-2', 335, 289_000);
    await sell('late', 'T-WS-3', 'OptiPlex 7010', 'workstation', 'INV-T-3', 60, 120_000);
    await sell('remote', 'T-AP-1', 'AP-635', 'access-point', 'INV-T-4', 60, 70_000);
  });
});
afterAll(async () => {
  await h?.close();
});

const call = (method: 'GET' | 'POST', url: string, payload?: object, c = cookie) => h.call(method, url, c, payload);
async function act(id: string, body: object, expected = 200) {
  const cur = (await call('GET', `/api/v1/rmas/${id}`)).body;
  const r = await call('POST', `/api/v1/rmas/${id}/actions`, { version: cur.version, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}
const detail = async (id: string) => (await call('GET', `/api/v1/rmas/${id}`)).body;
const item = (r: Json, serial: string) => r.items.find((i: Json) => i.serial === serial);
const warranty = async (deviceId: string, at = ago(0)) => (await call('GET', `/api/v1/devices/${deviceId}/warranty?at=${at}`)).body;
async function request(body: object, expected = 201) {
  const r = await call('POST', '/api/v1/rmas', { channel: 'phone', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(expected);
  return r.body;
}
async function toAuthorized(items: { serial: string; fault: string }[], invoice?: string, confirmed = true) {
  const r = await request({ invoice, items });
  await act(r.id, { action: 'remote-diagnosis', outcome: 'return-needed', note: 'Remote session: POST fails on the unit; hardware fault confirmed.', hardwareDefectConfirmed: confirmed });
  await act(r.id, { action: 'authorize' });
  return detail(r.id);
}

describe("ITMall's RMA from request to every resolution (ITM-3, ITM-5..11, ITM-13, ITM-14)", () => {
  test('request per item with the engine’s answer before anything ships; remote diagnosis first (ITM-3, ITM-6); the slip says inbound freight is yours (ITM-7)', async () => {
    h.now = NOW;
    const r = await request({ invoice: 'INV-T-1', items: [
      { serial: 'T-SRV-1', fault: 'Fans at full speed, iDRAC reports a failed DIMM', proofs: { logs: true } },
      { serial: 'T-WS-1', fault: 'No POST, amber power LED' },
      { serial: 'T-SSD-1', fault: 'Drive drops out of the array' },
      { serial: 'T-SW-1', fault: 'Ports 1-12 dead' },
    ] });
    expect(r.number).toMatch(/^RMA-2026-\d{6}$/);
    expect(r.state).toBe('requested');
    expect(r.customerId).toBe(customerId);
    // ITM-6: the engine answers per item: covered pending inspection, the invoice proof on record, the freight split (ITM-7).
    for (const i of r.items) {
      expect(i.decision.outcome).toBe('needs-inspection');
      expect(i.decision.missing).toEqual([]);
      expect(i.decision.charges).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'inbound-freight', payer: 'client', rule: 'ITM-7' }), expect.objectContaining({ type: 'outbound-freight', payer: 'business', rule: 'ITM-7' })]));
    }
    const d0 = await detail(r.id);
    expect(d0.allowedActions).toEqual(['remote-diagnosis', 'cancel']); // ITM-3: no authorization before the remote diagnosis
    expect(d0.expected).toMatchObject({ code: 'await-remote-diagnosis', rule: 'ITM-3' });

    // ITM-3: authorizing without the remote diagnosis is refused, naming it; nothing changes.
    const before = await snapshot(t.db);
    const refused = await call('POST', `/api/v1/rmas/${r.id}/actions`, { action: 'authorize', version: r.version });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'remote-diagnosis-required', rule: 'ITM-3', errors: [{ field: 'diagnosis' }] });
    expect(await snapshot(t.db)).toEqual(before);

    await act(r.id, { action: 'remote-diagnosis', outcome: 'return-needed', note: 'Remote access: DIMM B2 errors, drive SMART failures, switch ASIC fault.', hardwareDefectConfirmed: true });
    // ITM-8: a confirmed hardware defect within 12 months of shipping opens an advance replacement.
    const d1 = await detail(r.id);
    expect(item(d1, 'T-WS-1').decision.remedies.map((x: Json) => x.type)).toContain('advance-replacement');
    expect(d1.allowedActions).toContain('authorize');

    const auth = await act(r.id, { action: 'authorize' });
    expect(auth.state).toBe('authorized');
    expect(auth.authorization.freight).toEqual({ inbound: 'client', outbound: 'business', rule: 'ITM-7' });
    const d2 = await detail(r.id);
    const clock = d2.clocks.find((c: Json) => c.id === 'rma-return');
    expect(clock).toMatchObject({ rule: 'ITM-12', status: 'running', due: '2026-12-01T16:00:00+08:00' }); // 10 days (ITM-12)
    expect(d2.expected).toMatchObject({ code: 'send-items', rule: 'ITM-12', due: clock.due });

    // The slip: a PDF, in the client's language (or the one asked for).
    for (const lang of ['en', 'bg', 'vi']) {
      const slip = await h.app.inject({ method: 'GET', url: `/api/v1/rmas/${r.id}/slip.pdf?lang=${lang}`, headers: { cookie } });
      expect(slip.statusCode).toBe(200);
      expect(slip.headers['content-type']).toBe('application/pdf');
      expect(slip.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    }

    // ITM-8: the replacement ships first; the faulty unit still comes back on the return clock.
    const ws = item(d2, 'T-WS-1');
    const endBefore = (await warranty(dev.ws)).coverage.device.end;
    await act(r.id, { action: 'ship-advance-replacement', itemId: ws.id, replacementSerial: 'T-WS-1R', carrier: 'DHL', tracking: 'JD0001' });
    // A second shipment for the same item is refused.
    await act(r.id, { action: 'ship-advance-replacement', itemId: ws.id, replacementSerial: 'T-WS-1S' }, 422);
    expect((await warranty(dev.ws)).device.serial).toBe('T-WS-1R');

    // Receipt: a serial that is not the authorized one is refused with the reason; nothing changes.
    const beforeReceive = await snapshot(t.db);
    const units = d2.items.map((i: Json) => ({ itemId: i.id, serial: i.serial }));
    const wrong = await call('POST', `/api/v1/rmas/${r.id}/actions`, { action: 'receive', carrier: 'FedEx', tracking: '7712', units: units.map((u: Json, k: number) => (k === 1 ? { ...u, serial: 'T-WS-1R' } : u)), version: (await detail(r.id)).version });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ code: 'serial-mismatch', errors: [{ field: 'body.units.1.serial', message: 'is not the authorized serial T-WS-1' }] });
    expect(await snapshot(t.db)).toEqual(beforeReceive);

    h.now = new Date(NOW.getTime() + 4 * DAY);
    const received = await act(r.id, { action: 'receive', carrier: 'FedEx', tracking: '771200001', units });
    expect(received.state).toBe('received');
    expect((await detail(r.id)).clocks.find((c: Json) => c.id === 'rma-return')).toMatchObject({ status: 'met' });
    // Receiving twice: 409, naming the RMA, nothing changed.
    const beforeTwice = await snapshot(t.db);
    const twice = await call('POST', `/api/v1/rmas/${r.id}/actions`, { action: 'receive', carrier: 'FedEx', tracking: '771200001', units, version: received.version });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('already-received');
    expect(await snapshot(t.db)).toEqual(beforeTwice);

    // Inspection with the pack's exclusions (ITM-13): the switch was dropped.
    const ins = await act(r.id, { action: 'inspect', items: [
      { itemId: item(d2, 'T-SRV-1').id, findings: [] },
      { itemId: ws.id, findings: [] },
      { itemId: item(d2, 'T-SSD-1').id, findings: [] },
      { itemId: item(d2, 'T-SW-1').id, findings: ['drop-damage'], note: 'Dented corner, cracked housing' },
    ] });
    expect(item(ins, 'T-SW-1').decision).toMatchObject({ outcome: 'not-covered', provisional: false });
    expect(item(ins, 'T-SW-1').decision.reasons.map((x: Json) => x.rule)).toContain('ITM-13');
    expect(item(ins, 'T-SRV-1').decision.outcome).toBe('covered');

    // ITM-5: the server goes on to its manufacturer, who refuses; the refusal's evidence is kept as a file.
    const srv = item(ins, 'T-SRV-1');
    const atVendor = await act(r.id, { action: 'send-to-vendor', itemId: srv.id, vendor: 'Dell EMC', reference: 'DELL-RMA-5512', carrier: 'UPS', tracking: '1Z999' });
    expect(atVendor.state).toBe('at-vendor');
    expect((await detail(r.id)).allowedActions).toEqual(['vendor-answer']);
    const boundary = 'xRMAx';
    const pdfBytes = '%PDF-1.4\n% refusal letter\n';
    const upload = await h.app.inject({
      method: 'POST', url: `/api/v1/rmas/${r.id}/files?kind=refusal-evidence&itemId=${srv.id}`, headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dell-refusal.pdf"\r\nContent-Type: application/pdf\r\n\r\n${pdfBytes}\r\n--${boundary}--\r\n`,
    });
    expect(upload.statusCode, upload.body).toBe(201);
    await act(r.id, { action: 'vendor-answer', itemId: srv.id, answer: 'refused', note: 'Dell: the DIMM is third-party memory; not covered by ProSupport.' });
    const d3 = await detail(r.id);
    expect(d3.files).toEqual([expect.objectContaining({ kind: 'refusal-evidence', itemId: srv.id, filename: 'dell-refusal.pdf' })]);
    expect(item(d3, 'T-SRV-1').vendorRma).toMatchObject({ vendor: 'Dell EMC', answer: 'refused', rule: 'ITM-5' });
    const file = await h.app.inject({ method: 'GET', url: d3.files[0].url, headers: { cookie } });
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe(pdfBytes);

    // A resolution the engine does not offer is refused (a replacement for the dropped switch).
    await act(r.id, { action: 'resolve', items: [{ itemId: item(d3, 'T-SW-1').id, resolution: 'replacement', replacementSerial: 'X' }] }, 422);

    // Resolution per item (ITM-6): repair, replacement (advance, already shipped), credit, not covered.
    h.now = new Date(NOW.getTime() + 6 * DAY);
    const resolved = await act(r.id, { action: 'resolve', shipment: { carrier: 'DHL', tracking: 'JD0002' }, items: [
      { itemId: srv.id, resolution: 'repair' },
      { itemId: ws.id, resolution: 'replacement' },
      { itemId: item(d3, 'T-SSD-1').id, resolution: 'credit' },
      { itemId: item(d3, 'T-SW-1').id, resolution: 'not-covered' },
    ] });
    expect(resolved.state).toBe('resolved');
    // Repair: a service order opened through the service orders' intake, linked to the RMA.
    const so = (await call('GET', `/api/v1/service-orders/${item(resolved, 'T-SRV-1').serviceOrderId}`)).body;
    expect(so).toMatchObject({ state: 'received', deviceId: dev.server, customerId });
    expect(item(resolved, 'T-SRV-1').resolutionDetail).toMatchObject({ serviceOrderNumber: so.number, outboundFreight: 'business', freightRule: 'ITM-7' });
    // Replacement: ITM-11, the removed unit passes to the business; ITM-9, the original term is kept.
    expect(item(resolved, 'T-WS-1')).toMatchObject({ retained: true, resolution: 'replacement', resolutionDetail: { replacementSerial: 'T-WS-1R', removedSerial: 'T-WS-1', retainedRule: 'ITM-11', outboundFreight: 'business' } });
    const w = await warranty(dev.ws, ago(-6));
    expect(w.coverage.device.end).toBe(endBefore); // ITM-9: unchanged by the exchange
    expect(w.coverage.device.changes.map((c: Json) => c.rule)).toContain('ITM-9');
    expect(w.coverage.device.changes.find((c: Json) => c.rule === 'ITM-10')).toBeUndefined(); // 7 months left: no minimum needed
    // Credit: the unit's price on the invoice.
    expect(item(resolved, 'T-SSD-1').resolutionDetail).toMatchObject({ amountMinor: 95_000, currency: 'USD', invoice: 'INV-T-1', creditNote: { number: expect.stringMatching(/^CN-2026-\d{6}$/), totalMinor: 95_000 } });
    const cn = await h.app.inject({ method: 'GET', url: item(resolved, 'T-SSD-1').resolutionDetail.creditNote.url, headers: { cookie } });
    expect(cn.statusCode).toBe(200);
    expect(cn.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    // Not covered: returned with the reasons (ITM-13), the way back at the client's cost (ITM-7).
    expect(item(resolved, 'T-SW-1').resolutionDetail).toMatchObject({ outboundFreight: 'client' });
    expect(item(resolved, 'T-SW-1').resolutionDetail.reasons.map((x: Json) => x.rule)).toContain('ITM-13');

    // ITM-14: the client disputes the switch; the governance team decides; recorded with its outcome.
    const disputed = await act(r.id, { action: 'open-dispute', reason: 'The switch arrived damaged by the carrier, not dropped by us.' });
    expect(disputed.state).toBe('disputed');
    expect(disputed.dispute).toMatchObject({ rule: 'ITM-14', contact: 'services@itmall.sale', consumer: false });
    expect((await detail(r.id)).expected).toMatchObject({ code: 'await-governance', rule: 'ITM-14' });
    const settled = await act(r.id, { action: 'settle-dispute', outcome: 'upheld', note: 'Photos show impact damage; decision upheld.' });
    expect(settled.state).toBe('resolved');
    expect(settled.dispute).toMatchObject({ outcome: 'upheld' });
    const queues = (await call('GET', '/api/v1/rmas/queues')).body;
    expect(queues.resolved).toBeGreaterThanOrEqual(1);
  });

  test('a replacement whose original coverage ends within 3 months gets 3 months from the replacement date (ITM-10), the original term otherwise (ITM-9)', async () => {
    h.now = NOW;
    const r = await toAuthorized([{ serial: 'T-WS-2', fault: 'GPU artefacts' }], 'INV-T-2', false);
    expect(item(r, 'T-WS-2').decision.remedies.map((x: Json) => x.type)).not.toContain('advance-replacement'); // ITM-8: 11 months, but no confirmed defect
    await act(r.id, { action: 'receive', carrier: 'FedEx', tracking: 'F1', units: [{ itemId: r.items[0].id, serial: 'T-WS-2', model: 'Precision 3680' }] });
    await act(r.id, { action: 'inspect', items: [{ itemId: r.items[0].id, findings: [] }] });
    const before = (await warranty(dev.old)).coverage.device.end;
    const done = await act(r.id, { action: 'resolve', items: [{ itemId: r.items[0].id, resolution: 'replacement', replacementSerial: 'T-WS-2R' }] });
    expect(done.items[0]).toMatchObject({ retained: true, resolutionDetail: { replacementSerial: 'T-WS-2R' } });
    const w = await warranty(dev.old);
    expect(w.device.serial).toBe('T-WS-2R');
    const min = w.coverage.device.changes.find((c: Json) => c.rule === 'ITM-10');
    expect(min).toMatchObject({ code: 'replacement-minimum' });
    expect(w.coverage.device.end > before).toBe(true);
    expect(w.coverage.device.end).toBe('2027-02-21'); // 3 months from the replacement day
    // The warranty answer by the new serial is the device's, with the minimum; the old serial is history.
    const bySerial = await call('GET', `/api/v1/warranty?serial=T-WS-2R&at=${ago(0)}`);
    expect(bySerial.body.coverage.device.end).toBe('2027-02-21');
    expect((await call('GET', `/api/v1/warranty?serial=T-WS-2&at=${ago(0)}`)).status).toBe(404);
    const evs = (await call('GET', `/api/v1/devices/${dev.old}/events`)).body.items as Json[];
    expect(evs.map((e) => e.type)).toEqual(expect.arrayContaining(['sale', 'device-replaced']));
    expect(evs.find((e) => e.type === 'device-replaced')).toMatchObject({ note: 'T-WS-2 → T-WS-2R', orderRef: r.number });
    // The replacement record (PDF): old and new serial, the term's end, the minimum that applied (ITM-10).
    expect(done.items[0].resolutionDetail.replacementRecord.url).toBe(`/api/v1/rmas/${r.id}/items/${r.items[0].id}/replacement-record.pdf`);
    for (const [lang, words] of [['en', ['Replacement record', 'Covered until', '2027-02-21']], ['bg', ['Протокол за замяна', 'Гаранция до', '21.02.2027']], ['vi', ['Biên bản thay thế thiết bị', 'Bảo hành đến', '21/02/2027']]] as const) {
      const pdf = await h.app.inject({ url: `${done.items[0].resolutionDetail.replacementRecord.url}?lang=${lang}`, headers: { cookie } });
      expect(pdf.statusCode, pdf.body).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      if (process.env.AFTERCARE_SCREENSHOTS) fs.writeFileSync(`${process.env.AFTERCARE_SCREENSHOTS}/replacement-record-${lang}.pdf`, pdf.rawPayload);
      if (!hasPdftotext) continue;
      const text = pdfText(pdf.rawPayload);
      for (const x of [...words, 'T-WS-2', 'T-WS-2R', r.number, 'ITM-10']) expect(text, lang).toContain(x);
    }
  });

  test('a receipt of another model is refused with the reason (serial check, model check)', async () => {
    h.now = NOW;
    const r = await toAuthorized([{ serial: 'T-WS-3', fault: 'Random reboots' }], 'INV-T-3');
    const before = await snapshot(t.db);
    const res = await call('POST', `/api/v1/rmas/${r.id}/actions`, { action: 'receive', carrier: 'DHL', tracking: 'X', units: [{ itemId: r.items[0].id, serial: 'T-WS-3', model: 'Precision 3680' }], version: r.version });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'serial-mismatch', errors: [{ field: 'body.units.0.model' }] });
    expect(await snapshot(t.db)).toEqual(before);
    await act(r.id, { action: 'cancel', reason: 'test done' });
  });

  test('a remote diagnosis can close the request: fixed remotely, nothing is shipped (ITM-3)', async () => {
    h.now = NOW;
    const r = await request({ items: [{ serial: 'T-AP-1', fault: 'Clients drop every hour' }] });
    const closed = await act(r.id, { action: 'remote-diagnosis', outcome: 'fixed-remotely', note: 'Firmware 10.5 pushed remotely; roaming fixed.' });
    expect(closed).toMatchObject({ state: 'closed', diagnosis: { outcome: 'fixed-remotely', rule: 'ITM-3' } });
    expect(closed.closedAt).toBe(NOW.toISOString());
    expect((await detail(r.id)).clocks).toEqual([]);
  });
});

describe('the return clock (ITM-12): 10 days, at-risk and late notices, past 20 days the full unit price, once', () => {
  test('an advance replacement whose faulty unit never comes back: reminder, late, then charged once however many runners', async () => {
    const start = new Date('2026-11-21T02:00:00Z');
    h.now = start;
    // A unit of its own (the earlier test used the others).
    const a = systemActor(org, 'test');
    const id = await t.db.transaction().execute(async (tx) => {
      const d = await devices.insert(tx, a, { serial: 'T-NAS-9', manufacturer: 'Synology', model: 'RS3621', category: 'nas', customerId });
      await purchases.insert(tx, a, { deviceId: d.id, customerId, documentType: 'invoice', documentNumber: 'INV-T-9', soldOn: ago(40), shippedOn: ago(38), priceMinor: 640_000, currency: 'USD' });
      return d.id;
    });
    const r = await toAuthorized([{ serial: 'T-NAS-9', fault: 'Backplane fault' }], 'INV-T-9');
    await act(r.id, { action: 'ship-advance-replacement', itemId: r.items[0].id, replacementSerial: 'T-NAS-9R' }); // ITM-8
    const topics = async () => (await t.db.selectFrom('outbox').select('topic').where('aggregate_id', '=', r.id).orderBy('created_at').orderBy('id').execute()).map((x) => x.topic);
    const timers = await t.db.selectFrom('timers').select(['kind']).where('subject_id', '=', r.id).orderBy('fire_at').execute();
    expect(timers.map((x) => x.kind)).toEqual(['at-risk', 'due', 'escalation']);

    await sweepDueTimers(t.db, new Date(start.getTime() + 8 * DAY + 1000)); // 2 days before due
    expect(await topics()).toContain('rma.return-due-soon');
    await sweepDueTimers(t.db, new Date(start.getTime() + 10 * DAY + 1000));
    expect((await detail(r.id)).state).toBe('return-late');
    expect(await topics()).toContain('rma.return-late');
    const late = new Date(start.getTime() + 20 * DAY + 1000);
    h.now = late;
    await Promise.all([sweepDueTimers(t.db, late), sweepDueTimers(t.db, late), sweepDueTimers(t.db, late)]);
    const d = await detail(r.id);
    expect(d.lateConsequence).toMatchObject({ consequence: 'charge-unit-price', rule: 'ITM-12' });
    expect(d.charges).toEqual([expect.objectContaining({ kind: 'unit-price', amountMinor: 640_000, currency: 'USD', rule: 'ITM-12' })]);
    expect(d.clocks[0]).toMatchObject({ id: 'rma-return', status: 'escalated' });
    expect(d.timeline.map((x: Json) => x.action).filter((x: string) => x.startsWith('rma.mark') || x.startsWith('rma.apply'))).toEqual(['rma.mark-late', 'rma.apply-late-consequence']);
    await sweepDueTimers(t.db, new Date(late.getTime() + 30 * DAY));
    const fired = await t.db.selectFrom('timers').select(['kind', 'fired_at']).where('subject_id', '=', r.id).orderBy('fire_at').execute();
    expect(fired.every((x) => x.fired_at !== null)).toBe(true);
    expect((await detail(r.id)).charges).toHaveLength(1); // once
    // The unit turns up at last: received, the clock met late; the charge stands (ITM-12).
    const back = await act(r.id, { action: 'receive', carrier: 'DHL', tracking: 'LATE1', units: [{ itemId: r.items[0].id, serial: 'T-NAS-9' }] });
    expect(back.receipt).toMatchObject({ late: true });
    expect((await detail(r.id)).clocks[0]).toMatchObject({ status: 'met-late' });
    expect((await warranty(id, '2026-12-20')).device.serial).toBe('T-NAS-9R');
  });

  test('a suspended account opens no RMA and receives no advance replacement until staff lift it (ITM-12)', async () => {
    h.now = NOW;
    const a = systemActor(org, 'test');
    const { rmaId, deviceId } = await t.db.transaction().execute(async (tx) => {
      const c = await customers.insert(tx, a, { kind: 'company', name: 'Gamma Pte Ltd', email: 'ops@gamma.example.sg' });
      const d = await devices.insert(tx, a, { serial: 'T-G-1', manufacturer: 'HPE', model: 'DL380', category: 'server', customerId: c.id });
      await purchases.insert(tx, a, { deviceId: d.id, customerId: c.id, documentType: 'invoice', documentNumber: 'INV-G-1', soldOn: ago(30), shippedOn: ago(28), priceMinor: 800_000, currency: 'USD' });
      return { rmaId: '', deviceId: d.id, customerId: c.id };
    });
    const r = await toAuthorized([{ serial: 'T-G-1', fault: 'PSU fails' }], 'INV-G-1');
    await t.db.transaction().execute((tx) => repo.insertHold(tx, { orgId: org, customerId: r.customerId, rmaId: r.id, rule: 'ITM-12', at: NOW }));
    void rmaId;
    void deviceId;
    const before = await snapshot(t.db);
    const refused = await call('POST', '/api/v1/rmas', { channel: 'phone', invoice: 'INV-G-1', items: [{ serial: 'T-G-1', fault: 'again' }] });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'account-suspended', rule: 'ITM-12' });
    const adv = await call('POST', `/api/v1/rmas/${r.id}/actions`, { action: 'ship-advance-replacement', itemId: r.items[0].id, replacementSerial: 'T-G-1R', version: r.version });
    expect(adv.status).toBe(409);
    expect(adv.body.code).toBe('account-suspended');
    expect(await snapshot(t.db)).toEqual(before);
    expect((await detail(r.id)).allowedActions).not.toContain('ship-advance-replacement');
    const holds = (await call('GET', '/api/v1/rma-holds')).body;
    const hold = holds.find((x: Json) => x.rmaId === r.id);
    expect((await call('POST', `/api/v1/rma-holds/${hold.id}/lift`, undefined, t.cookies.itmall['front-desk'])).status).toBe(403);
    expect((await call('POST', `/api/v1/rma-holds/${hold.id}/lift`, undefined, t.cookies.itmall.manager)).status).toBe(200);
    expect((await detail(r.id)).allowedActions).toContain('ship-advance-replacement');
  });
});

describe('the return deadline held and resumed by staff, and a cancelled RMA’s clocks (ITM-12)', () => {
  /** A unit of its own, sold and shipped `days` ago on its own invoice. */
  async function unit(serial: string, days = 30) {
    const a = systemActor(org, 'test');
    await t.db.transaction().execute(async (tx) => {
      const d = await devices.insert(tx, a, { serial, manufacturer: 'Dell', model: 'PowerEdge R650', category: 'server', customerId });
      await purchases.insert(tx, a, { deviceId: d.id, customerId, documentType: 'invoice', documentNumber: `INV-${serial}`, soldOn: ago(days + 2), shippedOn: ago(days), priceMinor: 500_000, currency: 'USD' });
    });
    return `INV-${serial}`;
  }
  const returnClock = async (id: string) => (await detail(id)).clocks.find((c: Json) => c.id === 'rma-return');
  const pending = async (id: string) => t.db.selectFrom('timers').select(['kind']).where('subject_id', '=', id).where('fired_at', 'is', null).where('cancelled_at', 'is', null).execute();

  test('a hold pauses the return clock through the core (no timer fires while held); resumed, the deadline moves by the time held (ITM-12)', async () => {
    h.now = NOW;
    const r = await toAuthorized([{ serial: 'T-HOLD-1', fault: 'PSU 2 failed' }], await unit('T-HOLD-1'));
    const due0 = new Date((await returnClock(r.id)).due).getTime();
    expect((await detail(r.id)).allowedActions).toContain('hold-return');

    // No reason: 400 naming it, nothing changed.
    const before = await snapshot(t.db);
    const noReason = await call('POST', `/api/v1/rmas/${r.id}/actions`, { action: 'hold-return', version: r.version });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: Json) => e.field)).toContain('body.reason');
    expect(await snapshot(t.db)).toEqual(before);

    h.now = new Date(NOW.getTime() + 2 * DAY);
    const held = await act(r.id, { action: 'hold-return', reason: 'Carrier strike in Singapore: no pick-ups this week' });
    expect(held.returnHold).toMatchObject({ reason: 'Carrier strike in Singapore: no pick-ups this week', since: h.now.toISOString() });
    h.now = new Date(h.now.getTime() + 60_000);
    expect(await returnClock(r.id)).toMatchObject({ status: 'paused' });
    expect(await pending(r.id)).toEqual([]);
    const d = await detail(r.id);
    expect(d.allowedActions).toContain('resume-return');
    expect(d.allowedActions).not.toContain('hold-return');
    expect(d.expected).toMatchObject({ code: 'return-held', due: null });
    // Holding twice: 409, nothing changed.
    expect((await act(r.id, { action: 'hold-return', reason: 'again' }, 409)).code).toBe('illegal-transition');

    // Held past the original deadline: nothing fires, the RMA is not late.
    await sweepDueTimers(t.db, new Date(NOW.getTime() + 11 * DAY));
    expect((await detail(r.id)).state).toBe('authorized');

    h.now = new Date(NOW.getTime() + 5 * DAY);
    const resumed = await act(r.id, { action: 'resume-return', reason: 'Carrier back to normal' });
    expect(resumed.returnHold).toBeNull();
    const clock = await returnClock(r.id);
    expect(clock.status).toBe('running');
    expect(new Date(clock.due).getTime()).toBe(due0 + 3 * DAY); // held 3 days
    expect((await pending(r.id)).map((x) => x.kind)).toEqual(['at-risk', 'due', 'escalation']);
    const tl = (await detail(r.id)).timeline.map((x: Json) => x.action);
    expect(tl).toEqual(expect.arrayContaining(['rma.hold-return', 'rma.resume-return']));
    // The messages the client hears: held, resumed with the new deadline.
    const out = await t.db.selectFrom('outbox').select(['topic', 'payload']).where('aggregate_id', '=', r.id).orderBy('created_at').orderBy('id').execute();
    expect(out.map((o) => o.topic)).toEqual(['rma.requested', 'rma.authorized', 'rma.return-held', 'rma.return-resumed']);
    expect(new Date((out[3].payload as Json).due).getTime()).toBe(due0 + 3 * DAY);
    expect(new Date((out[1].payload as Json).due).getTime()).toBe(due0);
  });

  test('cancelling an RMA stops its return clock and cancels every timer of it: no reminder, late notice or charge follows', async () => {
    h.now = NOW;
    const r = await toAuthorized([{ serial: 'T-CAN-1', fault: 'Fan noise' }], await unit('T-CAN-1'));
    h.now = new Date(NOW.getTime() + 3 * DAY);
    await act(r.id, { action: 'hold-return', reason: 'Client asks to wait' });
    const cancelled = await act(r.id, { action: 'cancel', reason: 'The client fixed it with a firmware update' });
    expect(cancelled).toMatchObject({ state: 'cancelled', returnHold: null, closedAt: h.now.toISOString() });
    expect(await returnClock(r.id)).toMatchObject({ status: 'cancelled', stoppedAt: h.now.toISOString() });
    expect(await pending(r.id)).toEqual([]);
    expect((await detail(r.id)).allowedActions).toEqual([]);
    await sweepDueTimers(t.db, new Date(NOW.getTime() + 40 * DAY));
    const d = await detail(r.id);
    expect(d.state).toBe('cancelled');
    expect(d.charges).toEqual([]);
    const topics = (await t.db.selectFrom('outbox').select('topic').where('aggregate_id', '=', r.id).execute()).map((x) => x.topic);
    expect(topics).toContain('rma.cancelled');
    expect(topics.filter((x) => ['rma.return-due-soon', 'rma.return-late', 'rma.late-consequence'].includes(x))).toEqual([]);
  });

  test('a late return can be cancelled too: its escalation never fires (ITM-12)', async () => {
    const start = new Date('2026-11-21T02:00:00Z');
    h.now = start;
    const r = await toAuthorized([{ serial: 'T-CAN-2', fault: 'Disk failure' }], await unit('T-CAN-2'));
    await sweepDueTimers(t.db, new Date(start.getTime() + 10 * DAY + 1000));
    expect((await detail(r.id)).state).toBe('return-late');
    h.now = new Date(start.getTime() + 12 * DAY);
    await act(r.id, { action: 'cancel', reason: 'Unit written off with the client' });
    await sweepDueTimers(t.db, new Date(start.getTime() + 25 * DAY));
    const d = await detail(r.id);
    expect(d.lateConsequence).toBeNull();
    expect(d.charges).toEqual([]);
  });
});

describe('bad input: a clear 4xx naming the field, and nothing changed', () => {
  test('a serial not on the purchase, an unknown invoice, an item twice', async () => {
    h.now = NOW;
    const before = await snapshot(t.db);
    const r1 = await call('POST', '/api/v1/rmas', { channel: 'phone', invoice: 'INV-T-1', items: [{ serial: 'T-SRV-1', fault: 'x' }, { serial: 'T-WS-2', fault: 'y' }] });
    expect(r1.status).toBe(422);
    expect(r1.body).toMatchObject({ code: 'serial-not-on-purchase', errors: [{ field: 'body.items.1.serial', message: 'is not on invoice INV-T-1' }] });
    const r2 = await call('POST', '/api/v1/rmas', { channel: 'phone', invoice: 'INV-NOPE', items: [{ serial: 'T-SRV-1', fault: 'x' }] });
    expect(r2.body).toMatchObject({ code: 'serial-not-on-purchase', errors: [{ field: 'body.invoice' }] });
    const r3 = await call('POST', '/api/v1/rmas', { channel: 'phone', items: [{ serial: 'T-SSD-1', fault: 'x' }, { serial: 't-ssd-1', fault: 'x' }] });
    expect(r3.body).toMatchObject({ code: 'serial-not-on-purchase', errors: [{ field: 'body.items.1.serial', code: 'duplicate' }] });
    const r4 = await call('POST', '/api/v1/rmas', { channel: 'phone', items: [] });
    expect(r4.status).toBe(400);
    expect(await snapshot(t.db)).toEqual(before);
  });

  test("an RMA for another organization's device: 422 naming the item, nothing changed", async () => {
    const other = await t.db.selectFrom('devices').select(['id', 'serial']).where('organization_id', '=', t.orgs['itema-pg']).limit(1).executeTakeFirstOrThrow();
    const before = await snapshot(t.db);
    const byId = await call('POST', '/api/v1/rmas', { channel: 'phone', items: [{ deviceId: other.id, fault: 'x' }] });
    expect(byId.status).toBe(422);
    expect(byId.body).toMatchObject({ code: 'serial-not-on-purchase', errors: [{ field: 'body.items.0.deviceId' }] });
    const bySerial = await call('POST', '/api/v1/rmas', { channel: 'phone', items: [{ serial: other.serial, fault: 'x' }] });
    expect(bySerial.body).toMatchObject({ code: 'serial-not-on-purchase', errors: [{ field: 'body.items.0.serial' }] });
    expect(await snapshot(t.db)).toEqual(before);
    // Another organization's RMA is not found either.
    const mine = (await call('GET', '/api/v1/rmas')).body.items[0];
    expect((await call('GET', `/api/v1/rmas/${mine.id}`, undefined, t.cookies['itema-pg'].owner)).status).toBe(404);
  });

  test('a stale version is 409 with the current state; an Idempotency-Key retry does not duplicate', async () => {
    h.now = NOW;
    const body = { channel: 'phone', invoice: 'INV-T-3', items: [{ serial: 'T-WS-3', fault: 'No display' }] };
    const a = await h.call('POST', '/api/v1/rmas', cookie, body, { 'idempotency-key': 'rma-k-1' });
    const b = await h.call('POST', '/api/v1/rmas', cookie, body, { 'idempotency-key': 'rma-k-1' });
    expect(a.status).toBe(201);
    expect(b.body.number).toBe(a.body.number);
    const stale = await call('POST', `/api/v1/rmas/${a.body.id}/actions`, { action: 'cancel', reason: 'x', version: 99 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'version-conflict', current: { state: 'requested' } });
  });
});
