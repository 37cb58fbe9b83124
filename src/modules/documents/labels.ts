// Labels and tickets for label and receipt printers (issue 16), beside the A4 documents: the device
// label stuck on the device (62 mm continuous tape, or a 4×6 in shipping label) and the client's 80 mm
// ticket. Each carries the order number as a Code 128 barcode (bwip-js) that a scanner reads back
// into the console's search. Never the device's passcode: a label travels with the device.
//
// Like pdf.ts: fonts embedded (DejaVu Sans: Cyrillic and Vietnamese), and the PDF's creation date is
// the record's, so printing twice gives the same bytes.
import bwipjs from 'bwip-js';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { FONT_BOLD, FONT_REGULAR } from './pdf.ts';
import { formatCategory, formatDate, t, type DocLang } from './documents.i18n.ts';

const MM = 72 / 25.4;
export const LABEL_SIZES = ['62mm', '4x6in'] as const;
export type LabelSize = (typeof LABEL_SIZES)[number];
/** Page sizes in points: 62 × 100 mm (Brother QL, DK-22205 cut to length); 4 × 6 in (Zebra, Dymo 4XL). */
const PAGE: Record<LabelSize, [number, number]> = { '62mm': [62 * MM, 100 * MM], '4x6in': [4 * 72, 6 * 72] };

export interface LabelData {
  lang: DocLang;
  business: { name: string; lines: string[] };
  number: string;
  createdAt: Date;
  receivedOn: string;
  promisedOn: string | null;
  customer: { name: string; phone: string | null } | null;
  device: { manufacturer: string; model: string | null; serial: string; category: string } | null;
  problem: string;
  accessories: string[];
  qr: { url: string; caption: string };
}

/** The order number as a Code 128 barcode with its text under it, a PNG at 300 dpi-ish. */
export function barcodePng(number: string, heightMm = 10) {
  return bwipjs.toBuffer({ bcid: 'code128', text: number, scale: 3, height: heightMm, includetext: true, textxalign: 'center', textsize: 9 });
}

function open(size: [number, number], margin: number, d: LabelData, title: string) {
  const doc = new PDFDocument({ size, margin, autoFirstPage: true, info: { Title: `${title} ${d.number}`, CreationDate: d.createdAt, ModDate: d.createdAt, Producer: 'Aftercare' } });
  doc.registerFont('regular', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  doc.font('regular');
  return doc;
}

function done(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

const deviceLine = (d: LabelData) => (d.device ? [d.device.manufacturer, d.device.model, `(${formatCategory(d.lang, d.device.category)})`].filter(Boolean).join(' ') : '');

/** The device label: who, what, when promised, the barcode; small type, nothing the client must sign. */
export async function renderDeviceLabel(d: LabelData, size: LabelSize): Promise<Buffer> {
  const [w, h] = PAGE[size];
  const big = size === '4x6in';
  const m = big ? 14 : 6;
  const doc = open([w, h], m, d, t(d.lang, 'label.title'));
  const inner = w - 2 * m;
  const fs = big ? 1.6 : 1; // the 4×6 in label is read from further away
  doc.font('bold').fontSize(7 * fs).text(d.business.name, { width: inner, lineBreak: false, ellipsis: true });
  doc.moveDown(0.2);
  doc.font('bold').fontSize(14 * fs).text(d.number, { width: inner });
  const bar = await barcodePng(d.number, big ? 14 : 9);
  doc.image(bar, m, doc.y + 2, { fit: [inner, (big ? 70 : 34)], align: 'center' });
  doc.y += big ? 76 : 38;
  const row = (label: string, value: string, bold = false) => {
    if (!value) return;
    doc.font('regular').fontSize(6 * fs).fillColor('#444444').text(label, { width: inner });
    doc.font(bold ? 'bold' : 'regular').fontSize(8.5 * fs).fillColor('black').text(value, { width: inner, height: 3 * 11 * fs, ellipsis: true });
    doc.moveDown(0.15);
  };
  row(t(d.lang, 'common.customer'), [d.customer?.name, d.customer?.phone].filter(Boolean).join(' · '), true);
  row(t(d.lang, 'common.device'), deviceLine(d));
  row(t(d.lang, 'common.serial'), d.device?.serial ?? '');
  row(t(d.lang, 'label.received'), formatDate(d.lang, d.receivedOn));
  if (d.promisedOn) row(t(d.lang, 'label.promised'), formatDate(d.lang, d.promisedOn), true);
  row(t(d.lang, 'wo.accessories'), d.accessories.length ? d.accessories.join(', ') : t(d.lang, 'wo.none'));
  row(t(d.lang, 'label.problem'), d.problem.replace(/\s+/g, ' ').slice(0, big ? 240 : 90));
  return done(doc);
}

/**
 * The client's 80 mm ticket (72 mm printable on an 80 mm roll): the business, the order number and
 * its barcode, what was left and when it is promised, and the QR code to the order page.
 */
export async function renderReceipt80(d: LabelData): Promise<Buffer> {
  const w = 80 * MM;
  const m = 4 * MM;
  const inner = w - 2 * m;
  // A roll is cut after the content: the page is as long as the content needs (measured first).
  const lines = 24 + d.business.lines.length + Math.ceil(d.problem.length / 38) + Math.ceil(d.accessories.join(', ').length / 38);
  const doc = open([w, Math.max(150 * MM, lines * 11 + 200)], m, d, t(d.lang, 'label.ticket'));
  doc.font('bold').fontSize(11).text(d.business.name, { width: inner, align: 'center' });
  doc.font('regular').fontSize(7.5);
  for (const l of d.business.lines) doc.text(l, { width: inner, align: 'center' });
  doc.moveDown(0.6);
  doc.font('bold').fontSize(10).text(t(d.lang, 'label.ticket'), { width: inner, align: 'center' });
  doc.font('bold').fontSize(15).text(d.number, { width: inner, align: 'center' });
  const bar = await barcodePng(d.number, 10);
  doc.image(bar, m, doc.y + 3, { fit: [inner, 40], align: 'center' });
  doc.y += 46;
  const rule = () => {
    doc.moveTo(m, doc.y + 2).lineTo(w - m, doc.y + 2).dash(2, { space: 2 }).strokeColor('#777777').stroke().undash();
    doc.y += 6;
  };
  rule();
  const row = (label: string, value: string) => {
    doc.font('regular').fontSize(7.5).fillColor('#444444').text(label, { width: inner });
    doc.font('bold').fontSize(9).fillColor('black').text(value || t(d.lang, 'common.none'), { width: inner });
    doc.moveDown(0.2);
  };
  row(t(d.lang, 'label.received'), formatDate(d.lang, d.receivedOn));
  if (d.promisedOn) row(t(d.lang, 'label.promised'), formatDate(d.lang, d.promisedOn));
  row(t(d.lang, 'common.customer'), [d.customer?.name, d.customer?.phone].filter(Boolean).join(' · '));
  row(t(d.lang, 'common.device'), deviceLine(d));
  row(t(d.lang, 'common.serial'), d.device?.serial ?? '');
  row(t(d.lang, 'wo.accessories'), d.accessories.length ? d.accessories.join(', ') : t(d.lang, 'wo.none'));
  row(t(d.lang, 'label.problem'), d.problem.replace(/\s+/g, ' ').slice(0, 400));
  rule();
  const qr = await QRCode.toBuffer(d.qr.url, { margin: 0, width: 240, errorCorrectionLevel: 'M' });
  doc.image(qr, (w - 30 * MM) / 2, doc.y + 2, { width: 30 * MM });
  doc.y += 30 * MM + 6;
  doc.font('regular').fontSize(7.5).text(d.qr.caption, { width: inner, align: 'center' });
  doc.moveDown(0.4);
  doc.font('bold').fontSize(8).text(t(d.lang, 'label.keep'), { width: inner, align: 'center' });
  return done(doc);
}
