// The rules audit, ITEMA-*, ITS-7/8, VN-2, ITM-2/11: each rule's edge cases as a tester reads them
// from RULES.md, through the HTTP API only. Time is the harness's clock (rules-audit.harness.ts).
import { describe, expect, test } from 'vitest';
import { snapshot } from '../../../test/db.ts';
import { sweepDueTimers } from '../../core/timers.ts';
import type { Json } from '../../../test/app.ts';
import { DAY, HOUR, act, at, call, claim, clock, finishRepair, get, h, itemaDevice, itemaWarrantyJob, later, outbox, quoted, repaired, serial, staff, t, useAuditApp, walkIn, workOrder } from './rules-audit.harness.ts';

useAuditApp();

describe('ITEMA-10, ITEMA-27, ITEMA-28: what a claim carries, pre-authorization', () => {
  test('a web claim with the bare minimum lists every missing detail and proof back, each with its rule (ITEMA-27, ITEMA-10)', async () => {
    at('2026-03-02T09:00:00Z');
    const r = await call('POST', '/api/v1/web-claims/itema-pg', undefined, { name: 'Петър Петров', email: 'petar.audit@example.bg', phone: '+359 88 123 0001', serial: serial('WEB'), problem: 'Не стартира' });
    expect(r.status).toBe(201);
    const missing = r.body.missing as Json[];
    const fields = missing.map((m) => m.field);
    expect(fields).toEqual(expect.arrayContaining(['details.address', 'details.purchaseDate', 'details.purchasePlace', 'proofs.warrantyCard']));
    expect(fields.some((f) => /invoice|receipt/.test(f))).toBe(true);
    for (const m of missing) expect(m.rule).toMatch(/^ITEMA-(27|10)$/);
    expect(missing.find((m) => m.field === 'proofs.warrantyCard')?.rule).toBe('ITEMA-10');
  });

  test('a claim with every detail and proof has nothing missing (ITEMA-27)', async () => {
    at('2026-03-02T09:00:00Z');
    const r = await call('POST', '/api/v1/web-claims/itema-pg', undefined, {
      name: 'Пълна Заявка', email: 'full.audit@example.bg', phone: '+359 88 123 0002', address: 'ул. Витоша 1, София',
      serial: serial('WEB'), manufacturer: 'Dell', model: 'Latitude 5490', category: 'laptop', purchaseDate: '2026-01-10', purchasePlace: 'ITEMA-PG Sofia',
      problem: 'Не стартира', proofs: { receipt: true, warrantyCard: true },
    });
    expect(r.status).toBe(201);
    expect(r.body.missing).toEqual([]);
  });

  test.each([
    ['itema-pg', 'phone', true],
    ['itema-pg', 'email', true],
    ['itema-pg', 'walk-in', false],
    ['service-center', 'phone', false],
  ])('%s, a claim by %s: pre-authorization required = %s (ITEMA-28)', async (org, channel, required) => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim(org, { channel, customer: { name: 'Pre Auth', email: `pre-${org}-${channel}@example.com` }, device: { serial: serial('PA'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    expect(order.preAuthorization).toMatchObject({ required, rule: required ? 'ITEMA-28' : null, authorizedAt: null });
    if (required) {
      const before = await snapshot(t.db);
      expect(await act(org, order.id, { action: 'open', workOrder }, 409)).toMatchObject({ code: 'pre-authorization-required', rule: 'ITEMA-28' });
      expect(await snapshot(t.db)).toEqual(before);
      await act(org, order.id, { action: 'authorize' });
      expect((await act(org, order.id, { action: 'authorize' }, 409)).code).toBe('not-awaiting-authorization');
    } else {
      expect((await act(org, order.id, { action: 'authorize' }, 409)).code).toBe('not-awaiting-authorization');
    }
    expect((await act(org, order.id, { action: 'open', workOrder })).state).toBe('received');
  });

  test('the client tracks the repair by its service order number, and the request form downloads (ITEMA-28)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('itema-pg', { channel: 'phone', customer: { name: 'Номер', phone: '+359 88 123 0003' }, device: { serial: serial('NR'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    expect(order.number).toMatch(/^SO-2026-\d{6}$/);
    const page = await call('POST', '/api/v1/order-page/lookup', undefined, { organization: 'itema-pg', number: order.number, contact: '+359 88 123 0003' });
    expect(page.body).toMatchObject({ number: order.number, state: 'claimed' });
    const form = await h.app.inject({ method: 'GET', url: '/api/v1/documents/warranty-request-form.pdf?org=itema-pg&lang=bg' });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toContain('application/pdf');
  });
});

describe('ITEMA-12: courier deliveries', () => {
  test('without an objection within 1 day the terms stand; a later objection is refused (ITEMA-12)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('itema-pg', { channel: 'phone', customer: { name: 'Куриер', phone: '+359 88 123 0004' }, device: { serial: serial('CR'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    const url = (k: string) => `/api/v1/service-orders/${order.id}/courier-${k}`;
    expect((await call('POST', url('delivery'), staff('itema-pg'), { version: 1 })).status).toBe(200);
    const c = await clock('itema-pg', order.id, 'courier-objection');
    expect(c.rule).toBe('ITEMA-12');
    expect(Date.parse(c.due) - h.now.getTime()).toBe(DAY);
    later(DAY + HOUR);
    const before = await snapshot(t.db);
    const late = await call('POST', url('objection'), staff('itema-pg'), { version: 2, note: 'too late' });
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ code: 'objection-window-expired', rule: 'ITEMA-12' });
    expect(await snapshot(t.db)).toEqual(before);
  });

  test('an objection on the last moment of the day counts (ITEMA-12)', async () => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('itema-pg', { channel: 'phone', customer: { name: 'Куриер 2', phone: '+359 88 123 0005' }, device: { serial: serial('CR'), manufacturer: 'HP', category: 'laptop' }, problem: 'x' });
    expect((await call('POST', `/api/v1/service-orders/${order.id}/courier-delivery`, staff('itema-pg'), { version: 1 })).status).toBe(200);
    later(DAY);
    expect((await call('POST', `/api/v1/service-orders/${order.id}/courier-objection`, staff('itema-pg'), { version: 2 })).status).toBe(200);
    expect((await clock('itema-pg', order.id, 'courier-objection')).status).toBe('met');
  });
});

describe('ITEMA-14, ITEMA-18, ITEMA-32: the warranty and the consumer rights after repairs', () => {
  test('a warranty repair extends the warranty by its days; a paid repair does not (ITEMA-14)', async () => {
    at('2026-03-02T09:00:00Z');
    const dev = await itemaDevice(60);
    const end = async () => (await call('GET', `/api/v1/warranty?serial=${dev.serial}`, staff('itema-pg'))).body.coverage.device.end as string;
    const before = await end();
    const o = await itemaWarrantyJob(dev);
    later(3 * DAY);
    const during = (await call('GET', `/api/v1/warranty?serial=${dev.serial}`, staff('itema-pg'))).body;
    expect(during.coverage.device.status).toBe('suspended');
    later(4 * DAY);
    await finishRepair('itema-pg', o.id);
    const after = await end();
    expect((Date.parse(after) - Date.parse(before)) / DAY).toBe(7);
    // A paid repair (not a warranty case) leaves the end where it is.
    const { order } = await claim('itema-pg', { channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Разлята вода', proofs: { warrantyCard: true }, workOrder });
    await act('itema-pg', order.id, { action: 'start-diagnosis' });
    expect((await act('itema-pg', order.id, { action: 'diagnose', findings: ['liquid-ingress'] })).underWarranty).toBe(false);
    await act('itema-pg', order.id, { action: 'quote', amountMinor: 5000, duration: '3 дни', advice: '-', worthRepairing: true });
    await act('itema-pg', order.id, { action: 'accept', via: 'in-person' });
    later(5 * DAY);
    await finishRepair('itema-pg', order.id);
    expect(await end()).toBe(after);
  });

  test('a month without a fix surfaces termination and price reduction on the order; a fix in time does not (ITEMA-18)', async () => {
    at('2026-03-02T09:00:00Z');
    const slow = await itemaWarrantyJob(await itemaDevice(30));
    const fast = await itemaWarrantyJob(await itemaDevice(30));
    later(10 * DAY);
    await finishRepair('itema-pg', fast.id);
    expect((await get('itema-pg', slow.id)).rights).toEqual([]);
    at('2026-04-03T09:00:00Z');
    const rights = (await get('itema-pg', slow.id)).rights.map((r: Json) => [r.type, r.rule]);
    expect(rights).toEqual(expect.arrayContaining([['terminate', 'ITEMA-18'], ['price-reduction', 'ITEMA-18']]));
    expect((await get('itema-pg', fast.id)).rights).toEqual([]);
    // The client sees the same rights on the order page, in the order's language.
    const page = (await call('POST', '/api/v1/order-page/lookup', undefined, { organization: 'itema-pg', number: slow.number, contact: 'ivan.petrov@example.bg' })).body;
    expect(page.rights.map((r: Json) => [r.type, r.rule])).toEqual(expect.arrayContaining([['terminate', 'ITEMA-18'], ['price-reduction', 'ITEMA-18']]));
    if (slow.language === 'bg') expect(page.rights[0].text).toMatch(/[а-я]/);
    else expect(page.rights[0].text.length).toBeGreaterThan(10);
  });

  test('a fourth fault after three warranty repairs surfaces the refund; after two it does not (ITEMA-32)', async () => {
    at('2026-03-02T09:00:00Z');
    const dev = await itemaDevice(30);
    for (let i = 0; i < 3; i++) {
      const o = await itemaWarrantyJob(dev);
      later(3 * DAY);
      await finishRepair('itema-pg', o.id);
      await act('itema-pg', o.id, { action: 'hand-over' });
      later(DAY);
      if (i === 1) {
        const third = await itemaWarrantyJob(dev);
        expect((await get('itema-pg', third.id)).rights.map((r: Json) => r.type)).not.toContain('refund');
        later(3 * DAY);
        await finishRepair('itema-pg', third.id);
        await act('itema-pg', third.id, { action: 'hand-over' });
        later(DAY);
        break;
      }
    }
    const fourth = await itemaWarrantyJob(dev);
    expect((await get('itema-pg', fourth.id)).rights).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'refund', rule: 'ITEMA-32' })]));
    // Found insignificant at diagnosis: no refund (it is the contract's termination), and the reason says why.
    const { order } = await claim('itema-pg', { channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Скърца вентилатор', proofs: { warrantyCard: true }, workOrder });
    await act('itema-pg', order.id, { action: 'start-diagnosis' });
    const d = await act('itema-pg', order.id, { action: 'diagnose', findings: [], hardwareDefectConfirmed: true, insignificant: true });
    expect(d.insignificant).toBe(true);
    expect(d.decision.reasons.map((r: Json) => r.code)).toContain('insignificant-no-termination');
    expect((await get('itema-pg', order.id)).rights.map((r: Json) => r.type)).not.toContain('refund');
  });
});

describe('ITEMA-2, ITEMA-20, ITEMA-29: the length of a job', () => {
  test('a job is 48 hours at the least: ready sooner is flagged too early, later is met (ITEMA-20)', async () => {
    at('2026-03-02T09:00:00Z');
    const fast = await itemaWarrantyJob(await itemaDevice(30));
    const slow = await walkIn('itema-pg'); // not a warranty job: the same minimum
    const c = await clock('itema-pg', slow.order.id, 'min-job');
    expect(c.rule).toBe('ITEMA-20');
    expect(Date.parse(c.due) - h.now.getTime()).toBe(48 * HOUR);
    later(24 * HOUR);
    await finishRepair('itema-pg', fast.id);
    expect((await clock('itema-pg', fast.id, 'min-job')).status).toBe('too-early');
    await quoted('itema-pg', slow.order.id);
    later(25 * HOUR);
    await repaired('itema-pg', slow.order.id);
    expect((await clock('itema-pg', slow.order.id, 'min-job')).status).toBe('met');
  });

  test('a repair is due within 30 days of acceptance; past it, staff are told (ITEMA-2, ITEMA-29)', async () => {
    at('2026-04-06T09:00:00Z');
    const o = await itemaWarrantyJob(await itemaDevice(30));
    const c = await clock('itema-pg', o.id, 'max-repair');
    expect(c.rule).toBe('ITEMA-2');
    expect(Date.parse(c.due)).toBe(Date.parse('2026-05-06T09:00:00Z'));
    at('2026-05-06T09:00:01Z');
    await sweepDueTimers(t.db, h.now);
    expect((await clock('itema-pg', o.id, 'max-repair')).status).toBe('breached');
    expect((await outbox(o.id)).filter((m) => m.topic === 'deadline.breached' && m.clock === 'max-repair')).toEqual([expect.objectContaining({ rule: 'ITEMA-2' })]);
  });
});

describe('ITEMA-22, ITEMA-23, ITEMA-24, ITM-11: refusal, parts, collection', () => {
  test('a refused non-warranty job on a device sold here owes diagnosis and transport (ITEMA-22)', async () => {
    at('2026-03-02T09:00:00Z');
    const dev = await itemaDevice(30);
    const { order } = await claim('itema-pg', { channel: 'walk-in', deviceId: dev.id, customerId: dev.customerId, problem: 'Разлята вода', proofs: { warrantyCard: true }, workOrder });
    await act('itema-pg', order.id, { action: 'start-diagnosis' });
    await act('itema-pg', order.id, { action: 'diagnose', findings: ['liquid-ingress'] });
    await act('itema-pg', order.id, { action: 'quote', amountMinor: 30000, duration: '5 дни', advice: 'Скъпо', worthRepairing: false });
    const r = await act('itema-pg', order.id, { action: 'refuse', via: 'phone' });
    expect(r.charges.map((c: Json) => c.kind).sort()).toEqual(['diagnosis', 'transport']);
    expect(r.charges.every((c: Json) => c.rule.includes('ITEMA-22'))).toBe(true);
  });

  test.each([
    ['itema-pg', 'ITEMA-23'],
    ['itmall', 'ITM-11'],
  ])('%s: a replaced part stays with the business, an added module removes nothing (%s)', async (org) => {
    at('2026-03-02T09:00:00Z');
    // The device on record has the power supply that is replaced (a replacement of a part the
    // device does not have is refused: src/modules/devices, 'history-invalid').
    const dev = await call('POST', '/api/v1/devices', staff(org), { serial: serial(org), manufacturer: 'Lenovo', model: 'T14', category: 'laptop', parts: [{ id: 'psu-old', category: 'psu' }] });
    expect(dev.status).toBe(201);
    const { order } = await walkIn(org, { device: undefined, deviceId: dev.body.id });
    await quoted(org, order.id, 1000);
    await act(org, order.id, { action: 'accept', via: 'in-person' });
    await act(org, order.id, { action: 'start-repair' });
    let v = (await get(org, order.id)).version;
    const missing = await call('POST', `/api/v1/service-orders/${order.id}/parts`, staff(org), { partId: 'psu-new', replacesPartId: 'psu-nowhere', category: 'psu', version: v });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'history-invalid', errors: [{ field: 'body.replacesPartId' }] });
    expect((await get(org, order.id)).version).toBe(v);
    const a = await call('POST', `/api/v1/service-orders/${order.id}/parts`, staff(org), { partId: 'psu-new', replacesPartId: 'psu-old', category: 'psu', version: v });
    expect(a.status).toBe(200);
    v = a.body.version;
    const b = await call('POST', `/api/v1/service-orders/${order.id}/parts`, staff(org), { partId: 'ram-2', category: 'memory', version: v });
    expect(b.body.parts.map((p: Json) => [p.partId, p.removedPartRetained])).toEqual([['psu-new', true], ['ram-2', false]]);
  });

  test('a disagreement at handover is written into a findings protocol; none without one (ITEMA-23)', async () => {
    at('2026-03-02T09:00:00Z');
    const docsOf = async (id: string) => ((await call('GET', `/api/v1/service-orders/${id}/documents`, staff('itema-pg'))).body as Json).documents ?? (await call('GET', `/api/v1/service-orders/${id}/documents`, staff('itema-pg'))).body;
    const kinds = async (id: string) => JSON.stringify(await docsOf(id));
    const a = await itemaWarrantyJob(await itemaDevice(30));
    const b = await itemaWarrantyJob(await itemaDevice(30));
    later(3 * DAY);
    for (const o of [a, b]) await finishRepair('itema-pg', o.id);
    const withProtocol = await act('itema-pg', a.id, { action: 'hand-over', findingsProtocol: 'Клиентът твърди, че липсва винт.' });
    expect(withProtocol.findingsProtocol).toContain('винт');
    await act('itema-pg', b.id, { action: 'hand-over' });
    expect(await kinds(a.id)).toContain('findings-protocol');
    expect(await kinds(b.id)).not.toContain('findings-protocol');
    expect((await call('GET', `/api/v1/service-orders/${b.id}/documents/findings-protocol.pdf`, staff('itema-pg'))).status).toBe(409);
  });

  test('a device not collected within 30 days: a reminder without any disposal threat, unclaimed after, never disposed of (ITEMA-24)', async () => {
    at('2026-04-06T09:00:00Z');
    const o = await itemaWarrantyJob(await itemaDevice(30));
    later(3 * DAY);
    await finishRepair('itema-pg', o.id);
    const c = await clock('itema-pg', o.id, 'collection');
    expect(c.rule).toBe('ITEMA-24');
    expect(Date.parse(c.due) - h.now.getTime()).toBe(30 * DAY);
    await sweepDueTimers(t.db, new Date(h.now.getTime() + 24 * DAY));
    const topics = (await outbox(o.id)).map((m) => m.topic);
    // ITEMA-24 only ends the business's liability: the reminder says that, and nothing else.
    expect((await outbox(o.id)).filter((m) => m.topic === 'order.collection-reminder')).toEqual([expect.objectContaining({ rule: 'ITEMA-24' })]);
    expect(topics).not.toContain('order.disposal-reminder');
    expect((await get('itema-pg', o.id)).state).toBe('ready');
    await sweepDueTimers(t.db, new Date(h.now.getTime() + 30 * DAY + 1000));
    const after = await get('itema-pg', o.id);
    expect(after.state).toBe('unclaimed');
    // `dispose` is SC-11's rule: not offered, and refused, under ITEMA-PG's terms.
    expect(after.allowedActions).not.toContain('dispose');
    expect(after.allowedActions).toEqual(expect.arrayContaining(['hand-over', 'return']));
    const before = await snapshot(t.db);
    expect(await act('itema-pg', o.id, { action: 'dispose', note: 'x' }, 409)).toMatchObject({ code: 'illegal-transition' });
    expect(await snapshot(t.db)).toEqual(before);
  });
});

describe('ITS-7, ITS-8, VN-2, ITM-2: channels and first response', () => {
  test.each(['api', 'phone', 'email', 'walk-in'])('a claim by %s is recorded with its channel (ITS-7)', async (channel) => {
    at('2026-03-02T09:00:00Z');
    const { order } = await claim('its', { channel, customer: { name: 'Channel Client', email: `its-${channel}@example.com` }, device: { serial: serial('ITS'), manufacturer: 'Ubiquiti', category: 'network' }, problem: 'Drops' });
    expect(order.channel).toBe(channel);
    expect((await get('its', order.id)).timeline[0]).toMatchObject({ action: 'created', channel });
  });

  test('a web report is recorded as web-form; a report without the device lists it as missing (ITS-7)', async () => {
    at('2026-03-02T09:00:00Z');
    const web = await call('POST', '/api/v1/web-claims/its', undefined, { name: 'Web Client', email: 'its-web@example.com', phone: '+1 555 010 9999', serial: serial('ITS'), problem: 'Drops' });
    expect(web.status).toBe(201);
    expect((await t.db.selectFrom('service_orders').select('channel').where('number', '=', web.body.number).where('organization_id', '=', t.orgs.its).executeTakeFirstOrThrow()).channel).toBe('web-form');
    const { order } = await claim('its', { channel: 'email', customer: { name: 'No Device', email: 'its-nodev@example.com' }, problem: 'Something broke' });
    expect(order.missing).toEqual(expect.arrayContaining([{ field: 'device', rule: 'ITS-7' }]));
    const empty = await call('POST', '/api/v1/claims', staff('its'), { channel: 'email', customer: { name: 'No Problem', email: 'its-noprob@example.com' }, problem: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].field).toBe('body.problem');
  });

  test('first response within 24 calendar hours, a weekend included; breached after (ITS-8)', async () => {
    at('2026-03-07T15:00:00Z'); // a Saturday
    const { order } = await claim('its', { channel: 'phone', customer: { name: 'Weekend', email: 'its-weekend@example.com' }, device: { serial: serial('ITS'), manufacturer: 'Ubiquiti', category: 'network' }, problem: 'Down' });
    const c = await clock('its', order.id, 'first-response');
    expect(c.rule).toBe('ITS-8');
    expect(Date.parse(c.due)).toBe(Date.parse('2026-03-08T15:00:00Z'));
    await sweepDueTimers(t.db, new Date('2026-03-08T15:00:01Z'));
    expect((await outbox(order.id)).filter((m) => m.topic === 'deadline.breached')).toEqual([expect.objectContaining({ clock: 'first-response', rule: 'ITS-8' })]);
    const met = (await claim('its', { channel: 'phone', customer: { name: 'Weekend 2', email: 'its-weekend2@example.com' }, problem: 'Down' })).order;
    later(HOUR);
    await act('its', met.id, { action: 'open', workOrder });
    expect((await clock('its', met.id, 'first-response')).status).toBe('met');
  });

  test.each([
    ['a Thursday morning: 24 h', '2026-03-05T03:00:00Z', '2026-03-06T10:00:00+07:00'],
    ['a Saturday (a day off): 48 h', '2026-03-07T03:00:00Z', '2026-03-09T10:00:00+07:00'],
    ['a Friday afternoon, 24 h would end on Saturday: 48 h', '2026-03-06T08:00:00Z', '2026-03-08T15:00:00+07:00'],
  ])('a report on %s (VN-2)', async (_label, reported, due) => {
    at(reported);
    const dev = await t.db.selectFrom('devices').select(['id', 'customer_id']).where('serial', '=', 'DEMO-VN-NAS').executeTakeFirstOrThrow();
    const { order } = await claim('vn', { channel: 'phone', deviceId: dev.id, customerId: dev.customer_id, problem: 'Lỗi' });
    const c = await clock('vn', order.id, 'first-response');
    expect(c.rule).toBe('VN-2');
    expect(Date.parse(c.due)).toBe(Date.parse(due));
  });

  test('ITMall answers around the clock: a Saturday-night report is due 24 hours later (ITM-2)', async () => {
    at('2026-03-07T23:30:00Z');
    const { order } = await claim('itmall', { channel: 'email', customer: { name: 'Night Ops', email: 'itm-night@example.com' }, device: { serial: serial('ITM'), manufacturer: 'Cisco', category: 'switch' }, problem: 'Port down' });
    const c = await clock('itmall', order.id, 'first-response');
    expect(c.rule).toBe('ITM-2');
    expect(Date.parse(c.due)).toBe(Date.parse('2026-03-08T23:30:00Z'));
    expect(Date.parse(c.atRiskFrom)).toBe(Date.parse('2026-03-08T19:30:00Z'));
  });
});
