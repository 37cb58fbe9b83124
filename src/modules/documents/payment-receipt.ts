// The payment receipt (SC-10, SC-12): what was charged, each payment with its method and amount, and
// the balance. Printed from the record: its date is the last payment's.
import { formatDate, formatMoney, t } from './documents.i18n.ts';
import { orderHeader, partiesBlock, type OrderDocBase } from './order-doc.ts';
import { renderPdf } from './pdf.ts';

export interface ReceiptData extends OrderDocBase {
  currency: string;
  charges: { kind: string; amountMinor: number; rule: string | null }[];
  payments: { on: string; method: string; amountMinor: number }[];
  charged: number;
  paid: number;
}

export function renderPaymentReceipt(d: ReceiptData): Promise<Buffer> {
  const { lang, currency } = d;
  const money = (n: number) => formatMoney(lang, n, currency);
  const issued = d.payments[d.payments.length - 1]?.on;
  return renderPdf(d.business, orderHeader(d, 'receipt.title', [[t(lang, 'common.issuedOn'), formatDate(lang, issued)]]), (w) => {
    partiesBlock(w, d);
    w.heading(t(lang, 'receipt.charges'));
    w.table(
      [t(lang, 'receipt.item'), t(lang, 'common.rule'), t(lang, 'common.amount')],
      d.charges.map((c) => [t(lang, `charge.${c.kind}`), c.rule ?? '', money(c.amountMinor)]),
      [0.5, 0.25, 0.25],
    );
    w.heading(t(lang, 'receipt.payments'));
    w.table(
      [t(lang, 'common.date'), t(lang, 'receipt.method'), t(lang, 'common.amount')],
      d.payments.map((p) => [formatDate(lang, p.on), t(lang, `method.${p.method}`), money(p.amountMinor)]),
      [0.5, 0.25, 0.25],
    );
    w.fields(
      [
        [t(lang, 'receipt.total'), money(d.charged)],
        [t(lang, 'receipt.paid'), money(d.paid)],
        [t(lang, 'receipt.balance'), money(d.charged - d.paid)],
      ],
      3,
    );
    if (d.charged - d.paid <= 0) w.paragraph(t(lang, 'receipt.settled'), { bold: true });
    w.signatures([t(lang, 'common.signatureStaff')]);
  });
}
