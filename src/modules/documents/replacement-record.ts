// The replacement record (issue 12): what the client gets when a whole unit is exchanged (an RMA
// replacement, ITM-9 / ITM-10; a service order's replacement, ITEMA-17): the removed and the new
// serial, the day, and the warranty the new unit carries as the policy engine computed it from the
// device's events — its end, the time left from the exchange, and the rules that set it (the original
// term kept, the minimum term for a replacement), each in the client's language with its rule id.
import type { Texts } from '../../policy/types.ts';
import { formatCategory, formatDate, formatTerm, t, type DocLang } from './documents.i18n.ts';
import { renderPdf, type Business } from './pdf.ts';

export interface ReplacementRecordData {
  lang: DocLang;
  business: Business;
  /** The event's own instant: the PDF's creation date. */
  createdAt: Date;
  /** The case it was done under (RMA-2026-000042, SO-2026-000101), or null. */
  caseNumber: string | null;
  replacedOn: string;
  removedSerial: string;
  newSerial: string;
  device: { manufacturer: string; model: string | null; category: string };
  customer: { name: string; phone: string | null; email: string | null } | null;
  policyVersion: string;
  /** The engine's coverage of the unit as of the replacement day. */
  coverage: { start: string | null; end: string | null; term: string | null; daysLeft: number | null };
  /** The coverage changes the replacement produced (ITM-9, ITM-10, ITEMA-17), in the pack's words. */
  rules: { rule: string; text: Texts }[];
  qr: { url: string; caption: string };
}

const text = (lang: DocLang, x: Texts) => x[lang] ?? x.en;

export function renderReplacementRecord(d: ReplacementRecordData): Promise<Buffer> {
  const { lang } = d;
  const numbers: [string, string][] = [
    ...(d.caseNumber ? [[t(lang, 'doc.number'), d.caseNumber] as [string, string]] : []),
    [t(lang, 'replacement.date'), formatDate(lang, d.replacedOn)],
    [t(lang, 'common.policyVersion'), d.policyVersion],
  ];
  return renderPdf(
    d.business,
    { title: t(lang, 'replacement.title'), numbers, createdAt: d.createdAt, qr: d.qr, pageLabel: (page, pages) => t(lang, 'common.page', { page, pages }), lang },
    (w) => {
      w.heading(t(lang, 'doc.parties'));
      w.fields(
        [
          [t(lang, 'common.customer'), d.customer?.name ?? ''],
          [t(lang, 'common.phone'), d.customer?.phone ?? ''],
          [t(lang, 'common.email'), d.customer?.email ?? ''],
          [t(lang, 'common.manufacturer'), d.device.manufacturer],
          [t(lang, 'common.model'), d.device.model ?? ''],
          [t(lang, 'common.category'), formatCategory(lang, d.device.category)],
        ],
        3,
      );
      w.heading(t(lang, 'replacement.exchange'));
      w.fields(
        [
          [t(lang, 'replacement.removed'), d.removedSerial],
          [t(lang, 'replacement.new'), d.newSerial],
          [t(lang, 'replacement.date'), formatDate(lang, d.replacedOn)],
        ],
        3,
      );
      w.heading(t(lang, 'replacement.warranty'));
      w.fields(
        [
          [t(lang, 'card.term'), formatTerm(lang, d.coverage.term)],
          [t(lang, 'replacement.start'), formatDate(lang, d.coverage.start)],
          [t(lang, 'replacement.end'), formatDate(lang, d.coverage.end)],
          [t(lang, 'replacement.remaining'), d.coverage.daysLeft === null ? '—' : t(lang, 'replacement.days', { days: d.coverage.daysLeft })],
        ],
        4,
      );
      w.heading(t(lang, 'replacement.rules'));
      if (d.rules.length) for (const r of d.rules) w.paragraph(`${text(lang, r.text)} (${r.rule})`);
      else w.paragraph(t(lang, 'common.none'));
      w.paragraph(t(lang, 'replacement.note'));
      w.signatures([t(lang, 'common.signatureClient'), t(lang, 'common.signatureStaff')]);
    },
  );
}
