// The findings protocol (ITEMA-23): at handover the client checks the repair; a disagreement is
// written into this protocol. Printed from the record: its date is the handover's.
import { formatDate, t } from './documents.i18n.ts';
import { orderHeader, partiesBlock, type OrderDocBase } from './order-doc.ts';
import { renderPdf } from './pdf.ts';

export interface ProtocolData extends OrderDocBase {
  handedOverOn: string;
  text: string;
  /** The rule the business's own policy gives the protocol; none when it has none. */
  rule: string | null;
}

export function renderFindingsProtocol(d: ProtocolData): Promise<Buffer> {
  const { lang } = d;
  return renderPdf(d.business, orderHeader(d, 'protocol.title', [[t(lang, 'cert.handedOverOn'), formatDate(lang, d.handedOverOn)]]), (w) => {
    partiesBlock(w, d);
    w.heading(t(lang, 'protocol.disagreement'));
    w.paragraph(t(lang, 'protocol.intro', { rule: d.rule ? ` (${d.rule})` : '' }));
    w.paragraph(d.text, { size: 10.5, bold: true });
    w.space(4);
    w.paragraph(t(lang, 'protocol.note'), { size: 8.5, grey: true });
    w.signatures([t(lang, 'common.signatureClient'), t(lang, 'common.signatureStaff')]);
  });
}
