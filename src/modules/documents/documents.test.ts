import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, snapshot, type TestContext } from '../../../test/db.ts';
import { hasPdftotext, pdfText } from '../../../test/pdf-text.ts';
import { CATALOGS, DOC_LANGS, formatDate } from './documents.i18n.ts';

let t: TestContext;
const deviceId = async (serial: string) => (await t.db.selectFrom('devices').select('id').where('serial', '=', serial).executeTakeFirstOrThrow()).id;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(() => t?.close());

const get = (url: string, cookie?: string) => t.app.inject({ url, headers: cookie ? { cookie } : {} });
const warranty = async (serial: string, cookie: string, at: string) => (await get(`/api/v1/warranty?serial=${serial}&at=${at}`, cookie)).json();

test('every language has every document string', () => {
  const keys = Object.keys(CATALOGS.en).sort();
  for (const l of DOC_LANGS) expect(Object.keys(CATALOGS[l]).sort(), l).toEqual(keys);
  expect(formatDate('bg', '2027-01-24')).toBe('24.01.2027');
  expect(formatDate('vi', '2027-01-24')).toBe('24/01/2027');
});

describe('warranty card', () => {
  test.skipIf(!hasPdftotext)('Bulgarian: end dates as the engine computes them, the part card, the legal guarantee, rule ids', async () => {
    const cookie = t.cookies['itema-pg']['front-desk'];
    const id = await deviceId('DEMO-ITEMA-LAPTOP');
    const at = '2026-11-21';
    const res = await get(`/api/v1/devices/${id}/documents/warranty-card.pdf?lang=bg&at=${at}`, cookie);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(res.rawPayload);
    const w = await warranty('DEMO-ITEMA-LAPTOP', cookie, at);
    const c = w.coverage;
    expect(text).toContain('Гаранционна карта');
    expect(text).toContain('ITEMA-PG');
    expect(text).toContain('бул. Цариградско шосе 115, София');
    expect(text).toContain('DEMO-ITEMA-LAPTOP');
    expect(text).toContain(`itema ${c.policyVersion}`);
    expect(text).toContain('Иван Петров');
    expect(text).toContain('обновен');
    expect(text).not.toContain('рециклиран'); // "recycled": ITEMA's own word for refurbished is "обновен" (issue 16)
    expect(text).toContain(formatDate('bg', c.device.start));
    expect(text).toContain(formatDate('bg', c.device.end));
    // ITEMA-25: the battery's own card, attached.
    expect(c.parts).toHaveLength(1);
    expect(text).toContain('Приложени гаранционни карти за части');
    expect(text).toContain('battery-1');
    expect(text).toContain(formatDate('bg', c.parts[0].end));
    expect(text).toContain(`Законова гаранция до ${formatDate('bg', c.legalGuarantee.end)} (ITEMA-33)`);
    for (const rule of ['ITEMA-7', 'ITEMA-14', 'ITEMA-25', 'ITEMA-33']) expect(text).toContain(rule);
    // The pack's own Bulgarian statement of a rule.
    expect(text).toContain('Гаранционният срок не тече по време на ремонта');
    // The QR's link is printed under it.
    expect(text).toMatch(/warranty-request-?form\.pdf\?org=itema-pg&lang=bg/);
  });

  test.skipIf(!hasPdftotext)('Vietnamese by the client’s preferred language, with diacritics', async () => {
    const cookie = t.cookies.vn.owner;
    const id = await deviceId('DEMO-VN-NAS');
    const res = await get(`/api/v1/devices/${id}/documents/warranty-card.pdf?at=2026-11-21`, cookie);
    expect(res.statusCode).toBe(200);
    const text = pdfText(res.rawPayload);
    const c = (await warranty('DEMO-VN-NAS', cookie, '2026-11-21')).coverage;
    expect(text).toContain('Phiếu bảo hành');
    expect(text).toContain('Công ty Giải pháp CNTT');
    expect(text).toContain('12 Duy Tân, Cầu Giấy, Hà Nội');
    expect(text).toContain('Nguyễn Văn An');
    expect(text).toContain('Số sê-ri');
    expect(text).toContain(formatDate('vi', c.device.end));
    expect(text).toContain(`vn ${c.policyVersion}`);
  });

  test('re-printing the same record gives the same bytes', async () => {
    const cookie = t.cookies['itema-pg'].owner;
    const id = await deviceId('DEMO-ITEMA-LAPTOP');
    const a = await get(`/api/v1/devices/${id}/documents/warranty-card.pdf?lang=en&at=2026-11-21`, cookie);
    const b = await get(`/api/v1/devices/${id}/documents/warranty-card.pdf?lang=en&at=2026-11-21`, cookie);
    expect(a.statusCode).toBe(200);
    expect(a.rawPayload.equals(b.rawPayload)).toBe(true);
  });

  test('bad input is a 400 naming the field; unknown and foreign devices are 404; nothing is written', async () => {
    const cookie = t.cookies['itema-pg'].owner;
    const id = await deviceId('DEMO-ITEMA-LAPTOP');
    const before = await snapshot(t.db);
    const bad = await get(`/api/v1/devices/${id}/documents/warranty-card.pdf?lang=de&at=2026-02-30`, cookie);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['querystring.at', 'querystring.lang']);
    expect((await get('/api/v1/devices/not-a-uuid/documents/warranty-card.pdf', cookie)).json().errors[0].field).toBe('params.id');
    expect((await get('/api/v1/devices/00000000-0000-7000-8000-000000000000/documents/warranty-card.pdf', cookie)).statusCode).toBe(404);
    const foreign = await deviceId('DEMO-VN-NAS');
    expect((await get(`/api/v1/devices/${foreign}/documents/warranty-card.pdf`, cookie)).statusCode).toBe(404);
    expect((await get(`/api/v1/devices/${id}/documents/warranty-card.pdf`)).statusCode).toBe(401);
    expect(await snapshot(t.db)).toEqual(before);
  });
});

describe('warranty request form', () => {
  test.skipIf(!hasPdftotext)('public, blank, with the ITEMA-27 fields in Bulgarian and Vietnamese', async () => {
    const bg = await get('/api/v1/documents/warranty-request-form.pdf?org=itema-pg&lang=bg');
    expect(bg.statusCode).toBe(200);
    const text = pdfText(bg.rawPayload);
    for (const s of ['Формуляр за рекламация', 'Име', 'Адрес', 'Имейл', 'Телефон', 'Модел', 'Сериен номер', 'Дата на покупка', 'Място на покупка', 'Фактура или касова бележка', 'Описание на проблема', 'ITEMA-27', 'ITEMA-28', 'ITEMA-29', 'ITEMA-PG']) {
      expect(text).toContain(s);
    }
    const vi = pdfText((await get('/api/v1/documents/warranty-request-form.pdf?org=vn&lang=vi')).rawPayload);
    for (const s of ['Phiếu yêu cầu bảo hành', 'Họ và tên', 'Số sê-ri', 'Ngày mua', 'Mô tả sự cố', 'Công ty Giải pháp CNTT']) expect(vi).toContain(s);
    // Default language: the business's first.
    expect(pdfText((await get('/api/v1/documents/warranty-request-form.pdf?org=vn')).rawPayload)).toContain('Phiếu yêu cầu bảo hành');
    // Signed in: the staff member's own business.
    expect(pdfText((await get('/api/v1/documents/warranty-request-form.pdf?lang=en', t.cookies.itmall.owner)).rawPayload)).toContain('ITMall Enterprise');
  });

  test('without a business it names the missing field; an unknown business is 404', async () => {
    const none = await get('/api/v1/documents/warranty-request-form.pdf');
    expect(none.statusCode).toBe(400);
    expect(none.json().errors[0].field).toBe('querystring.org');
    const bad = await get('/api/v1/documents/warranty-request-form.pdf?org=NOPE!');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring.org');
    expect((await get('/api/v1/documents/warranty-request-form.pdf?org=no-such-shop')).statusCode).toBe(404);
  });
});
