// Document generation: median milliseconds to render a warranty card (goal < 200 ms, issue 5),
// beside a baseline measured in the same run: a one-line PDF with the same embedded font. Both go
// through pdfkit with DejaVu Sans parsed per document and subset into the file; the card adds the layout, the QR code,
// the tables and the engine's coverage report (computed once, as the server does per request).
import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { computeCoverage, getShippedPack, type DeviceEvent } from '../src/policy/index.ts';
import { ruleTexts } from '../src/modules/documents/documents.service.ts';
import { renderWarrantyCard, type WarrantyCardData } from '../src/modules/documents/warranty-card.ts';

const require = createRequire(import.meta.url);
// Read once and parsed per document, as src/modules/documents/pdf.ts does.
const FONT = fs.readFileSync(path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans.ttf'));

function oneLinePdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', info: { CreationDate: new Date('2026-01-01T00:00:00Z') } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((r) => doc.on('end', () => r(Buffer.concat(chunks))));
  doc.registerFont('R', FONT);
  doc.font('R').fontSize(12).text('Гаранционна карта — Phiếu bảo hành — Warranty card');
  doc.end();
  return done;
}

async function time(fn: () => Promise<unknown>, n: number) {
  for (let i = 0; i < 5; i++) await fn(); // warm-up: JIT, font tables
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(n / 2)], p95: ms[Math.floor(n * 0.95)] };
}

export async function run(): Promise<void> {
  const pack = getShippedPack('itema');
  const device = { category: 'laptop', condition: 'refurbished' as const, term: '12 months', parts: [{ id: 'battery-1', category: 'battery' }, { id: 'ssd-2', category: 'ssd' }] };
  const events: DeviceEvent[] = [
    { type: 'sale', date: '2026-01-10' },
    { type: 'repair-accepted', date: '2026-03-01' },
    { type: 'repair-completed', date: '2026-03-15' },
    { type: 'module-added', date: '2026-04-01', partId: 'ssd-2', category: 'ssd', term: '12 months' },
  ];
  const coverage = computeCoverage(device, events, pack, '2026-06-01');
  const data: WarrantyCardData = {
    lang: 'bg',
    business: { name: 'ITEMA-PG', lines: ['Сервиз София, бул. Цариградско шосе 115, София', '+359 2 000 0000', 'https://itema.example'] },
    issuedOn: '2026-06-01',
    device: { serial: 'PF-1234567', manufacturer: 'Lenovo', model: 'ThinkPad T480', category: 'laptop', condition: 'refurbished' },
    customer: { name: 'Иван Петров', address: 'София', phone: '+359 88 123 4567', email: 'ivan.petrov@example.bg' },
    purchase: { documentType: 'invoice', documentNumber: '0000012345', soldOn: '2026-01-10', place: 'София' },
    coverage,
    ruleTexts: ruleTexts(pack, coverage.policyVersion),
    partCardRule: null,
    qr: { url: 'https://itema.example/api/v1/documents/warranty-request-form.pdf?org=itema-pg&lang=bg', caption: 'Сканирайте' },
  };
  const n = 40;
  const base = await time(oneLinePdf, n);
  const card = await time(() => renderWarrantyCard(data), n);
  const size = (await renderWarrantyCard(data)).length;
  console.log('\n## Documents (one process, sequential)');
  console.log('| task | median ms | p95 ms | ratio to baseline |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| baseline: one-line PDF, same embedded font | ${base.median.toFixed(1)} | ${base.p95.toFixed(1)} | 1.00 |`);
  console.log(`| warranty card (bg, 2 part cards, QR, rules) | ${card.median.toFixed(1)} | ${card.p95.toFixed(1)} | ${(card.median / base.median).toFixed(2)} |`);
  console.log(`\nwarranty card: ${(size / 1024).toFixed(0)} KB; median ${card.median.toFixed(1)} ms — goal < 200 ms: ${card.median < 200 ? 'met' : 'NOT met'}`);
}
