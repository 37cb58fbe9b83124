// The quote (SC-5): after diagnosis, the cost and duration of the repair are fixed and the client gets
// full information with advice on whether the repair is worth it; the decision window (SC-6) says until
// when they can accept. Printed from the recorded quote: its date is the quote's.
import { formatDate, formatMoney, t } from './documents.i18n.ts';
import { orderHeader, partiesBlock, type OrderDocBase } from './order-doc.ts';
import { renderPdf } from './pdf.ts';

export interface QuoteData extends OrderDocBase {
  quote: { amountMinor: number; currency: string; duration: string; advice: string; worthRepairing: boolean; quotedAt: string; rule: string };
  /** What diagnosis found: the pack's text and rule when the code is one of its exclusions. */
  findings: { code: string; text?: string; rule?: string }[];
  /** The decision window's end as the order's clock has it (SC-6), in the business's calendar. */
  window: { due: string; rule: string } | null;
}

export function renderQuote(d: QuoteData): Promise<Buffer> {
  const { lang } = d;
  return renderPdf(d.business, orderHeader(d, 'quote.title', [[t(lang, 'quote.quotedOn'), formatDate(lang, d.quote.quotedAt)]]), (w) => {
    partiesBlock(w, d);
    if (d.findings.length) {
      w.heading(t(lang, 'quote.findings'));
      for (const f of d.findings) w.paragraph(f.text ? `• ${f.text} (${f.rule})` : `• ${f.code}`);
    }
    w.heading(`${t(lang, 'quote.offer')} (${d.quote.rule})`);
    w.fields(
      [
        [t(lang, 'quote.cost'), formatMoney(lang, d.quote.amountMinor, d.quote.currency)],
        [t(lang, 'quote.duration'), d.quote.duration],
      ],
      2,
    );
    w.heading(t(lang, 'quote.advice'));
    w.paragraph(t(lang, d.quote.worthRepairing ? 'quote.worth.yes' : 'quote.worth.no'), { bold: true });
    if (d.quote.advice) w.paragraph(d.quote.advice);
    w.heading(t(lang, 'quote.decide'));
    w.paragraph(d.window ? t(lang, 'quote.window', { date: formatDate(lang, d.window.due), rule: d.window.rule }) : t(lang, 'quote.windowNoDate'), { bold: true });
    w.paragraph(t(lang, 'quote.refusal'), { size: 8.5, grey: true });
    w.signatures([t(lang, 'common.signatureClient'), t(lang, 'common.signatureStaff')]);
  });
}
