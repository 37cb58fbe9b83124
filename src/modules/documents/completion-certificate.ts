// The completion certificate (SC-10; SC-12 after a refusal): the works done, the parts fitted and
// removed (removed parts stay with the business, ITEMA-23 / ITM-11), the test after the repair (SC-8),
// and the warranty as the policy engine computes it on the handover day (ITEMA-14 extension, ITS-2
// repair term, part cards ITEMA-25). Printed from the record: its date is the handover's.
import type { CoverageReport } from '../../policy/types.ts';
import { formatCategory, formatDate, formatTerm, t } from './documents.i18n.ts';
import { orderHeader, partiesBlock, type OrderDocBase } from './order-doc.ts';
import { renderPdf } from './pdf.ts';

export interface CompletionData extends OrderDocBase {
  handedOverOn: string;
  problem: string;
  works: string[];
  parts: { action: string; partId: string; replacesPartId: string | null; category: string; underWarranty: boolean; removedPartRetained: boolean }[];
  /** Rule ids of the pack that keep removed parts with the business (ITEMA-23, ITM-11). */
  retainedRules: string[];
  test: { passed: boolean; report: string; rule: string | null } | null;
  coverage: CoverageReport | null;
  findingsProtocol: boolean;
}

export function renderCompletionCertificate(d: CompletionData): Promise<Buffer> {
  const { lang } = d;
  const yes = (b: boolean) => t(lang, b ? 'common.yes' : 'common.no');
  return renderPdf(d.business, orderHeader(d, 'cert.title', [[t(lang, 'cert.handedOverOn'), formatDate(lang, d.handedOverOn)]]), (w) => {
    partiesBlock(w, d);
    w.heading(t(lang, 'cert.problem'));
    w.paragraph(d.problem);
    w.heading(t(lang, 'cert.works'));
    if (d.works.length) for (const x of d.works) w.paragraph(`• ${x}`);
    else w.paragraph(t(lang, 'cert.noWorks'), { grey: true });
    if (d.parts.length) {
      w.heading(t(lang, 'cert.parts'));
      w.table(
        [t(lang, 'cert.part'), t(lang, 'common.category'), t(lang, 'cert.action'), t(lang, 'cert.removed'), t(lang, 'cert.partWarranty')],
        d.parts.map((p) => [
          p.partId,
          formatCategory(lang, p.category),
          t(lang, `part.${p.action}`),
          p.replacesPartId ? `${p.replacesPartId}${p.removedPartRetained ? ` — ${t(lang, 'cert.retained')}` : ''}` : '',
          yes(p.underWarranty),
        ]),
        [0.22, 0.16, 0.14, 0.32, 0.16],
      );
      if (d.parts.some((p) => p.removedPartRetained)) w.paragraph(t(lang, 'cert.retainedNote', { rules: d.retainedRules.length ? ` (${d.retainedRules.join(', ')})` : '' }), { size: 8.5, grey: true });
    }
    if (d.test) {
      w.heading(d.test.rule ? `${t(lang, 'cert.test')} (${d.test.rule})` : t(lang, 'cert.test'));
      w.fields([[t(lang, 'cert.testResult'), t(lang, d.test.passed ? 'cert.test.passed' : 'cert.test.failed')]], 1);
      w.paragraph(d.test.report);
    }
    w.heading(t(lang, 'cert.warranty'));
    const c = d.coverage;
    if (c) {
      const head = [t(lang, 'card.item'), t(lang, 'card.term'), t(lang, 'card.start'), t(lang, 'card.end'), t(lang, 'card.status', { date: formatDate(lang, c.at) }), t(lang, 'common.rules')];
      const row = (name: string, x: CoverageReport['device']) => [name, formatTerm(lang, x.term), formatDate(lang, x.start), formatDate(lang, x.end), t(lang, `status.${x.status}`), x.rules.join(', ')];
      w.table(
        head,
        [row(`${t(lang, 'card.deviceRow')}: ${d.device?.model ?? d.device?.category ?? ''}`, c.device), ...c.parts.map((p) => row(`${p.item} (${formatCategory(lang, p.category)})`, p))],
        [0.26, 0.12, 0.13, 0.15, 0.17, 0.17],
      );
      for (const ch of c.device.changes) w.paragraph(`${ch.rule}: ${ch.text[lang] ?? ch.text.en}`, { size: 8, grey: true });
      w.paragraph(t(lang, 'cert.warrantyAsOf', { date: formatDate(lang, c.at) }), { size: 8.5, grey: true });
    } else {
      w.paragraph(t(lang, 'cert.noWarranty'), { grey: true });
    }
    if (d.findingsProtocol) w.paragraph(t(lang, 'cert.protocol'), { bold: true });
    w.space(4);
    w.keepTogether(70);
    w.paragraph(t(lang, 'cert.acceptance'), { size: 8.5 });
    w.signatures([t(lang, 'common.signatureClient'), t(lang, 'common.signatureStaff')]);
  });
}
