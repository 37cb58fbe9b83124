import { afterAll, beforeAll, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { systemActor } from '../../core/actor.ts';
import { importSales, parseSales } from './import-export.service.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const GOOD = `customer_ref,customer_name,customer_email,serial,manufacturer,model,category,condition,discount_defect,document_number,sold_on,shipped_on,price_minor,currency
C-1,Alpha GmbH,alpha@example.com,SW-100,Cisco,C9300,switch,new,,INV-9,2024-02-01,2024-02-03,500000,USD
C-1,Alpha GmbH,alpha@example.com,SW-101,Cisco,C9300,switch,new,,INV-9,2024-02-01,2024-02-03,500000,USD
,Beta Ltd,beta@example.com,MON-7,Dell,P2422H,monitor,discounted,dead pixel,INV-10,2024-03-01,,,
,"Gamma, Jr.",,WS-1,HP,Z2,workstation,,,,,,,
`;

test('check mode reports every bad row with line, column and reason and writes nothing', async () => {
  const before = await snapshot(t.db);
  const csv = `serial,manufacturer,category,condition,sold_on,document_number,price_minor,currency,colour
A,Acme,laptop,new,2024-01-01,D1,100,EUR,red
`;
  const header = parseSales(csv);
  expect(header.problems).toEqual([{ line: 1, column: 'colour', reason: expect.stringContaining('unknown column') }]);
  const rows = `serial,manufacturer,category,condition,sold_on,document_number,price_minor,currency,customer_email
A,Acme,laptop,new,2024-01-01,D1,100,EUR,
,Acme,laptop,broken,2024-02-30,D2,1.5,eur,x@
B,Acme,laptop,discounted,,,,,
C,Acme
`;
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/imports/sales?check=true', headers: { cookie: t.cookies.itmall.manager, 'content-type': 'text/csv' }, payload: rows });
  expect(res.statusCode).toBe(422);
  const r = res.json();
  expect(r.written).toBe(false);
  const got = r.problems.map((p: { line: number; column: string }) => `${p.line}:${p.column}`).sort();
  expect(got).toEqual(['3:condition', '3:currency', '3:customer_email', '3:price_minor', '3:serial', '3:sold_on', '4:discount_defect', '5:null'].sort());
  // Without check mode a file with bad rows writes nothing either.
  await importSales(t.db, systemActor(t.orgs.itmall, 'import'), rows);
  expect(await snapshot(t.db)).toEqual(before);
});

test('import creates customers, devices, purchases and events; importing again creates nothing', async () => {
  const actor = systemActor(t.orgs.itmall, 'import');
  const first = await importSales(t.db, actor, GOOD, { batchSize: 2 });
  expect(first).toMatchObject({ rows: 4, customersCreated: 3, devicesCreated: 4, purchasesCreated: 3, problems: [], written: true });
  const mid = await snapshot(t.db);
  const second = await importSales(t.db, actor, GOOD);
  expect(second).toMatchObject({ customersCreated: 0, devicesCreated: 0, purchasesCreated: 0 });
  expect(await snapshot(t.db)).toEqual(mid);
  const cookie = t.cookies.itmall.owner;
  const w = (await t.app.inject({ url: '/api/v1/warranty?serial=SW-100&at=2026-01-01', headers: { cookie } })).json();
  expect(w.coverage.device.start).toBe('2024-02-03');
  const audit = await t.db.selectFrom('audit_events').select('action').where('channel', '=', 'import').execute();
  expect(audit.length).toBe(10);
});

test('export has the import shape: exporting and importing into another organization reproduces it', async () => {
  const csv = await t.app.inject({ url: '/api/v1/exports/sales.csv', headers: { cookie: t.cookies.itmall.manager } });
  expect(csv.statusCode).toBe(200);
  expect(csv.headers['content-type']).toContain('text/csv');
  expect(csv.body).toContain('"Gamma, Jr."');
  const parsed = parseSales(csv.body);
  expect(parsed.problems).toEqual([]);
  const r = await importSales(t.db, systemActor(t.orgs.vn, 'import'), csv.body);
  expect(r.devicesCreated).toBe(parsed.rows.length);
  const again = await t.app.inject({ url: '/api/v1/exports/sales.csv', headers: { cookie: t.cookies.vn.manager } });
  expect(again.body).toContain('SW-101');
});
