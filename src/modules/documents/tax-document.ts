// Invoices, receipts and credit notes (issue 14): the business's tax details (its registration
// number, the tax's name and rate, whether prices include it), the gap-free number, the lines, net,
// tax and total. Printed from the issued record (src/modules/billing/tax-documents.ts) in the language
// it was issued in unless asked for another: its date is the document's own.
import { formatDate, formatMoney, t, type DocLang } from './documents.i18n.ts';
import { renderPdf, type Business } from './pdf.ts';

export interface TaxDocData {
  lang: DocLang;
  business: Business;
  kind: 'invoice' | 'receipt' | 'credit-note';
  number: string;
  issuedOn: string;
  createdAt: Date;
  subject: { type: string; number: string };
  customer: { name: string; phone: string | null; email: string | null; address: string | null } | null;
  currency: string;
  lines: { kind: string; description: string; quantity: number; unitMinor: number; amountMinor: number }[];
  netMinor: number;
  taxMinor: number;
  totalMinor: number;
  tax: { name: Record<string, string>; ratePercent: number; pricesInclude: boolean; registration: string | null };
  refersTo: { number: string; issuedOn: string } | null;
  reason: string | null;
  rule: string | null;
  /** A receipt's payment. */
  payment?: { method: string; amountMinor: number } | null;
  qr: { url: string; caption: string };
}

const qty = (lang: DocLang, q: number) => new Intl.NumberFormat(lang === 'bg' ? 'bg-BG' : lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 3 }).format(q);

export function renderTaxDocument(d: TaxDocData): Promise<Buffer> {
  const { lang } = d;
  const money = (n: number) => formatMoney(lang, n, d.currency);
  const taxName = d.tax.name[lang] ?? d.tax.name.en ?? '';
  const rate = new Intl.NumberFormat(lang === 'bg' ? 'bg-BG' : lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 3 }).format(d.tax.ratePercent);
  const numbers: [string, string][] = [
    [t(lang, 'tax.number'), d.number],
    [t(lang, 'tax.issuedOn'), formatDate(lang, d.issuedOn)],
    [t(lang, `tax.subject.${d.subject.type}`), d.subject.number],
  ];
  if (d.refersTo) numbers.push([t(lang, 'tax.refersTo'), `${d.refersTo.number} / ${formatDate(lang, d.refersTo.issuedOn)}`]);
  const business: Business = d.tax.registration ? { ...d.business, lines: [...d.business.lines, `${t(lang, 'tax.registration', { tax: taxName })}: ${d.tax.registration}`] } : d.business;
  const header = { title: t(lang, `tax.${d.kind}.title`), numbers, createdAt: d.createdAt, qr: d.qr, pageLabel: (page: number, pages: number) => t(lang, 'common.page', { page, pages }), lang };
  return renderPdf(business, header, (w) => {
    w.heading(t(lang, 'tax.parties'));
    w.fields(
      [
        [t(lang, 'tax.seller'), d.business.name],
        [t(lang, 'tax.registration', { tax: taxName }), d.tax.registration ?? ''],
        [t(lang, 'tax.buyer'), d.customer?.name ?? ''],
        [t(lang, 'common.address'), d.customer?.address ?? ''],
        [t(lang, 'common.phone'), d.customer?.phone ?? ''],
        [t(lang, 'common.email'), d.customer?.email ?? ''],
      ],
      2,
    );
    if (d.reason) {
      w.heading(t(lang, 'tax.reason'));
      w.paragraph(d.rule ? `${d.reason} (${d.rule})` : d.reason);
    }
    w.heading(t(lang, 'tax.lines'));
    w.table(
      [t(lang, 'tax.description'), t(lang, 'tax.quantity'), t(lang, 'tax.unitPrice'), t(lang, 'tax.amount')],
      d.lines.map((l) => [`${t(lang, `line.${l.kind}`)}: ${l.description}`, qty(lang, l.quantity), money(l.unitMinor), money(l.amountMinor)]),
      [0.52, 0.1, 0.19, 0.19],
    );
    const total = d.kind === 'credit-note' ? t(lang, 'tax.totalCredited') : t(lang, 'tax.total');
    w.fields(
      [
        [t(lang, 'tax.net', { tax: taxName }), money(d.netMinor)],
        [t(lang, 'tax.tax', { tax: taxName, rate }), money(d.taxMinor)],
        [total, money(d.totalMinor)],
      ],
      3,
    );
    w.paragraph(d.tax.ratePercent === 0 ? t(lang, 'tax.noTax') : t(lang, d.tax.pricesInclude ? 'tax.pricesInclude' : 'tax.pricesExclude', { tax: taxName }), { size: 8.5, grey: true });
    if (d.payment) {
      w.heading(t(lang, 'tax.payment'));
      w.fields(
        [
          [t(lang, 'tax.paidBy'), t(lang, `method.${d.payment.method}`)],
          [t(lang, 'tax.receivedWith'), money(d.payment.amountMinor)],
        ],
        2,
      );
    }
    if (d.kind === 'credit-note') w.paragraph(t(lang, 'tax.creditNotice'), { size: 8.5, grey: true });
    w.signatures([t(lang, 'common.signatureStaff'), t(lang, 'common.signatureClient')]);
  });
}
