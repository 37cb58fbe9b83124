// The one place that knows pdfkit: an A4 page with the business's header, the document's title and
// identifying numbers, a QR code with its link, and a few layout blocks (fields, tables, lines to
// fill in by hand, signatures). Renderers describe content; this file draws it.
//
// Fonts: DejaVu Sans from the dejavu-fonts-ttf npm package (Latin with Vietnamese diacritics,
// Cyrillic), embedded and subset by pdfkit. Output is deterministic: the PDF's creation date is the
// record's, never "now", so printing the same record twice gives the same bytes.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

const require = createRequire(import.meta.url);
const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
// Read once per process; pdfkit parses them for each document. Sharing one parsed fontkit font
// between documents was 2.5x faster but dropped glyphs (Vietnamese 'C', 'H' ... vanished from later
// documents: fontkit's per-font state is not meant to serve several subsets), so it is not done.
export const FONT_REGULAR = fs.readFileSync(path.join(fontDir, 'DejaVuSans.ttf'));
export const FONT_BOLD = fs.readFileSync(path.join(fontDir, 'DejaVuSans-Bold.ttf'));

export interface Business {
  name: string;
  lines: string[];
}

export interface DocHeader {
  title: string;
  /** label → value, printed under the title (order number, serial, policy version, ...). */
  numbers: [string, string][];
  /** The record's own creation instant: stored in the PDF's metadata. */
  createdAt: Date;
  qr: { url: string; caption: string };
  /** Footer: "Page {page} of {pages}" in the document's language. */
  pageLabel: (page: number, pages: number) => string;
  lang: string;
}

const M = 48; // page margin
const GREY = '#555555';
const LINE = '#999999';

export class Writer {
  constructor(readonly doc: PDFKit.PDFDocument) {}
  get width() {
    return this.doc.page.width - 2 * M;
  }
  private ensure(height: number) {
    // The footer sits inside the bottom margin, so content may run down to the margin itself.
    if (this.doc.y + height > this.doc.page.height - M) this.doc.addPage();
  }
  /** Starts a new page unless `height` points still fit (a block that must not be split). */
  keepTogether(height: number) {
    this.ensure(height);
  }
  space(h = 8) {
    this.doc.y += h;
  }
  heading(text: string) {
    this.ensure(40);
    this.space(6);
    this.doc.font('B').fontSize(12).fillColor('black').text(text, M, this.doc.y, { width: this.width });
    const y = this.doc.y + 2;
    this.doc.moveTo(M, y).lineTo(M + this.width, y).lineWidth(0.5).strokeColor(LINE).stroke();
    this.doc.y = y + 5;
  }
  paragraph(text: string, opts: { size?: number; grey?: boolean; bold?: boolean } = {}) {
    this.ensure(20);
    this.doc
      .font(opts.bold ? 'B' : 'R')
      .fontSize(opts.size ?? 9.5)
      .fillColor(opts.grey ? GREY : 'black')
      .text(text, M, this.doc.y, { width: this.width });
    this.space(3);
  }
  /** label: value pairs in two columns. */
  fields(pairs: [string, string][], columns = 2) {
    const colW = this.width / columns;
    for (let i = 0; i < pairs.length; i += columns) {
      this.ensure(28);
      const y = this.doc.y;
      let maxY = y;
      pairs.slice(i, i + columns).forEach(([label, value], c) => {
        const x = M + c * colW;
        this.doc.font('R').fontSize(7.5).fillColor(GREY).text(label, x, y, { width: colW - 10 });
        this.doc.font('B').fontSize(9.5).fillColor('black').text(value || '—', x, this.doc.y, { width: colW - 10 });
        maxY = Math.max(maxY, this.doc.y);
      });
      this.doc.y = maxY + 5;
    }
  }
  /** A table; widths are fractions of the text width. */
  table(headers: string[], rows: string[][], widths: number[]) {
    const xs: number[] = [];
    let x = M;
    for (const w of widths) {
      xs.push(x);
      x += w * this.width;
    }
    const draw = (cells: string[], bold: boolean) => {
      const heights = cells.map((c, i) => this.doc.font(bold ? 'B' : 'R').fontSize(8.5).heightOfString(c || '—', { width: widths[i] * this.width - 6 }));
      const h = Math.max(...heights) + 6;
      this.ensure(h + 4);
      const y = this.doc.y;
      if (bold) this.doc.rect(M, y, this.width, h).fill('#eeeeee');
      cells.forEach((c, i) => {
        this.doc.font(bold ? 'B' : 'R').fontSize(8.5).fillColor('black').text(c || '—', xs[i] + 3, y + 3, { width: widths[i] * this.width - 6 });
      });
      this.doc.moveTo(M, y + h).lineTo(M + this.width, y + h).lineWidth(0.4).strokeColor(LINE).stroke();
      this.doc.y = y + h;
    };
    draw(headers, true);
    for (const r of rows) draw(r, false);
    this.space(6);
  }
  /** A label and empty ruled lines to write on by hand. */
  blank(label: string, lines = 1) {
    this.ensure(16 + lines * 20);
    this.doc.font('R').fontSize(8).fillColor(GREY).text(label, M, this.doc.y, { width: this.width });
    for (let i = 0; i < lines; i++) {
      const y = this.doc.y + 16;
      this.doc.moveTo(M, y).lineTo(M + this.width, y).lineWidth(0.5).strokeColor(LINE).stroke();
      this.doc.y = y + 2;
    }
    this.space(6);
  }
  checkbox(label: string, checked = false) {
    this.ensure(16);
    const y = this.doc.y;
    this.doc.rect(M, y + 1, 9, 9).lineWidth(0.7).strokeColor('black').stroke();
    if (checked) this.doc.font('B').fontSize(9).fillColor('black').text('✓', M + 1, y, { lineBreak: false });
    this.doc.font('R').fontSize(9).fillColor('black').text(label, M + 16, y, { width: this.width - 16 });
    this.space(3);
  }
  signatures(labels: string[]) {
    this.ensure(46);
    this.space(24);
    const w = this.width / labels.length;
    const y = this.doc.y;
    labels.forEach((l, i) => {
      const x = M + i * w;
      this.doc.moveTo(x, y).lineTo(x + w - 24, y).lineWidth(0.5).strokeColor('black').stroke();
      this.doc.font('R').fontSize(8).fillColor(GREY).text(l, x, y + 3, { width: w - 24 });
    });
    this.doc.y = y + 18;
  }
}

function drawQr(doc: PDFKit.PDFDocument, url: string, x: number, y: number, size: number) {
  // Vector modules instead of a PNG: sharper on paper and cheaper to make.
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / n;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) doc.rect(x + c * cell, y + r * cell, cell + 0.05, cell + 0.05);
  }
  doc.fillColor('black').fill();
}

/** Renders one document; `body` writes the content below the header. */
export async function renderPdf(business: Business, h: DocHeader, body: (w: Writer) => void): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: M,
    bufferPages: true,
    lang: h.lang,
    info: { Title: `${h.title} ${h.numbers.map(([, v]) => v).join(' ')}`.trim(), Author: business.name, Creator: 'Aftercare', Producer: 'Aftercare', CreationDate: h.createdAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('R', FONT_REGULAR);
  doc.registerFont('B', FONT_BOLD);
  const w = new Writer(doc);

  // Header: the business on the left, the QR code on the right.
  const qrSize = 78;
  const textW = w.width - qrSize - 16;
  doc.font('B').fontSize(15).fillColor('black').text(business.name, M, M, { width: textW });
  doc.font('R').fontSize(8.5).fillColor(GREY);
  for (const line of business.lines) doc.text(line, M, doc.y, { width: textW });
  const headerBottom = doc.y;
  const qrX = M + w.width - qrSize;
  drawQr(doc, h.qr.url, qrX, M, qrSize);
  doc.font('R').fontSize(6.5).fillColor(GREY).text(h.qr.caption, qrX - 20, M + qrSize + 3, { width: qrSize + 20, align: 'center' });
  doc.text(h.qr.url, qrX - 40, doc.y + 1, { width: qrSize + 40, align: 'center' });
  const qrBottom = doc.y;
  // The title sits under the business, beside the QR code; the numbers start below both.
  doc.font('B').fontSize(20).fillColor('black').text(h.title, M, Math.max(headerBottom + 10, M + 40), { width: textW });
  doc.y = Math.max(doc.y + 4, qrBottom + 6);
  w.fields(h.numbers, Math.min(3, Math.max(1, h.numbers.length)));

  body(w);

  // Footer on every page: the business, the title and number, the page.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - M + 10;
    const label = `${business.name} · ${h.title} ${h.numbers[0]?.[1] ?? ''} · ${h.pageLabel(i + 1, range.count)}`;
    // Writing below the bottom margin would add a page; lift the margin for the footer line.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('R').fontSize(7).fillColor(GREY).text(label, M, y, { width: w.width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
