// Issue 16, "labels and tickets": the device label (62 mm tape and 4×6 in) and the client's 80 mm
// ticket carry the order number as a Code 128 barcode, the client, device, accessories and promised
// date, in the client's language; never the passcode. LABELS_OUT=<folder> keeps the PDFs to look at.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_NOW, setupApp, type TestContext } from '../../../test/db.ts';
import { hasPdftotext, NO_PDFTOTEXT, pdfText } from '../../../test/pdf-text.ts';
import { barcodePng } from './labels.ts';

let t: TestContext;
let id: string;
let number: string;
const cookie = () => t.cookies['service-center']['front-desk'];
beforeAll(async () => {
  t = await setupApp({ now: () => DEMO_NOW });
  const c = await t.app.inject({
    method: 'POST',
    url: '/api/v1/claims',
    headers: { cookie: cookie() },
    payload: {
      channel: 'walk-in',
      customer: { name: 'Мария Иванова', phone: '+359888123456', preferredLanguage: 'bg' },
      device: { serial: 'PF1ABC23', manufacturer: 'Lenovo', model: 'ThinkPad T480', category: 'laptop' },
      problem: 'Не зарежда, екранът премигва при отваряне на капака',
      workOrder: { termsAccepted: true, accessories: ['зарядно', 'чанта'], complete: true, visibleCondition: 'без забележки', dataBackedUp: true, passwordsRemoved: false, problemInClientsWords: 'Не зарежда', signedBy: 'Мария Иванова' },
    },
  });
  expect(c.statusCode, c.body).toBe(201);
  ({ id, number } = c.json().order);
  const w = await t.app.inject({ method: 'PATCH', url: `/api/v1/service-orders/${id}/workshop`, headers: { cookie: cookie() }, payload: { version: c.json().order.version, promisedOn: '2026-11-27', passcode: 'SECRET-4711' } });
  expect(w.statusCode, w.body).toBe(200);
});
afterAll(() => t?.close());

const get = async (doc: string) => {
  const r = await t.app.inject({ url: `/api/v1/service-orders/${id}/documents/${doc}`, headers: { cookie: cookie() } });
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toBe('application/pdf');
  if (process.env.LABELS_OUT) {
    fs.mkdirSync(process.env.LABELS_OUT, { recursive: true });
    fs.writeFileSync(path.join(process.env.LABELS_OUT, doc.replace(/\.pdf\?.*$/, '').replace(/[^a-z0-9-]/gi, '') + `-${/size=([\w]+)/.exec(doc)?.[1] ?? ''}${/lang=(\w+)/.exec(doc)?.[1] ?? ''}.pdf`), r.rawPayload);
  }
  return r.rawPayload;
};
/** The page size in millimetres, as pdfinfo reads it. */
const pageMm = (pdf: Buffer) => {
  const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(execFileSync('pdfinfo', ['-'], { input: pdf }).toString())!;
  return [Math.round((Number(w) * 25.4) / 72), Math.round((Number(h) * 25.4) / 72)];
};

test('the order number is a Code 128 barcode (bwip-js)', async () => {
  const png = await barcodePng(number);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
});

describe.skipIf(!hasPdftotext)('labels and the ticket as printed', () => {
  if (!hasPdftotext) console.warn(NO_PDFTOTEXT);
  test.each([
    ['62mm', [62, 100]],
    ['4x6in', [102, 152]],
  ] as const)('the %s device label is sized for its printer and says who, what and when, in the client’s language', async (size, mm) => {
    const pdf = await get(`label.pdf?lang=bg&size=${size}`);
    expect(pageMm(pdf)).toEqual(mm);
    const text = pdfText(pdf);
    for (const s of [number, 'Мария Иванова', 'Lenovo ThinkPad T480', 'PF1ABC23', 'зарядно, чанта', 'Обещан срок', '27.11.2026']) expect(text).toContain(s);
    expect(text).not.toContain('SECRET-4711');
    expect(execFileSync('pdfimages', ['-list', '-'], { input: pdf }).toString()).toMatch(/image/); // the barcode
  });

  test('the 80 mm ticket for the client: number, barcode, promised date, the order page QR; in Vietnamese too', async () => {
    const bg = await get('ticket-80mm.pdf?lang=bg');
    expect(pageMm(bg)[0]).toBe(80);
    const text = pdfText(bg);
    for (const s of [number, 'Квитанция за ремонт', 'Пазете квитанцията', '27.11.2026', 'зарядно, чанта']) expect(text).toContain(s);
    expect(text).not.toContain('SECRET-4711');
    const vi = pdfText(await get('ticket-80mm.pdf?lang=vi'));
    for (const s of ['Phiếu hẹn sửa chữa', 'Ngày hẹn trả', '27/11/2026', 'Quý khách']) expect(vi).toContain(s);
  });

  test('a technician may print the label; a bad size names the field', async () => {
    const r = await t.app.inject({ url: `/api/v1/service-orders/${id}/documents/label.pdf?size=a4`, headers: { cookie: t.cookies['service-center'].technician } });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('querystring.size');
  });
});
