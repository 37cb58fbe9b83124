// What every order document shares: the header numbers (order, serial, policy version), the QR code to
// the client's order page, and the client / device block.
import { formatCategory, t, type DocLang } from './documents.i18n.ts';
import type { Business, DocHeader, Writer } from './pdf.ts';

export interface OrderDocBase {
  lang: DocLang;
  business: Business;
  number: string;
  /** The record's own instant (quote, handover, last payment): the PDF's creation date. */
  createdAt: Date;
  policyVersion: string;
  customer: { name: string; phone: string | null; email: string | null; address: string | null } | null;
  device: { manufacturer: string; model: string | null; serial: string; category: string } | null;
  qr: { url: string; caption: string };
}

export function orderHeader(d: OrderDocBase, titleKey: string, extra: [string, string][] = []): DocHeader {
  const { lang } = d;
  return {
    title: t(lang, titleKey),
    numbers: [[t(lang, 'common.orderNumber'), d.number], [t(lang, 'common.serial'), d.device?.serial ?? '—'], [t(lang, 'common.policyVersion'), d.policyVersion], ...extra],
    createdAt: d.createdAt,
    qr: d.qr,
    pageLabel: (page, pages) => t(lang, 'common.page', { page, pages }),
    lang,
  };
}

export function partiesBlock(w: Writer, d: OrderDocBase) {
  const { lang } = d;
  w.heading(t(lang, 'doc.parties'));
  const pairs: [string, string][] = [
    [t(lang, 'common.customer'), d.customer?.name ?? ''],
    [t(lang, 'common.phone'), d.customer?.phone ?? ''],
    [t(lang, 'common.email'), d.customer?.email ?? ''],
  ];
  if (d.device) {
    pairs.push(
      [t(lang, 'common.manufacturer'), d.device.manufacturer],
      [t(lang, 'common.model'), d.device.model ?? ''],
      [t(lang, 'common.category'), formatCategory(lang, d.device.category)],
    );
  }
  w.fields(pairs, 3);
}
