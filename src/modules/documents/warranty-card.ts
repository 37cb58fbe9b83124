// The warranty card (SC-10, ITEMA-5, ITEMA-11): the device's terms and end dates exactly as the
// policy engine computed them, an attached card per part (ITEMA-25), the legal guarantee beside the
// commercial warranty (ITEMA-9, ITEMA-33), and the rules applied, by id, in the client's language.
import type { CoverageReport, ItemCoverage, Texts } from '../../policy/types.ts';
import { formatCategory, formatDate, formatTerm, t, type DocLang } from './documents.i18n.ts';
import { renderPdf, type Business, type Writer } from './pdf.ts';

export interface WarrantyCardData {
  lang: DocLang;
  business: Business;
  /** The date the card states coverage for (today in the organization's time zone, or ?at=). */
  issuedOn: string;
  device: { serial: string; manufacturer: string; model: string | null; category: string; condition: string };
  customer: { name: string; address: string | null; phone: string | null; email: string | null } | null;
  purchase: { documentType: string; documentNumber: string; soldOn: string; place: string | null } | null;
  coverage: CoverageReport;
  /** The pack's statement of each rule, in its languages. */
  ruleTexts: Record<string, Texts>;
  /** The rule by which the business's policy attaches part cards to this one (its coverage.moduleCard), if it has one. */
  partCardRule: string | null;
  qr: { url: string; caption: string };
  /** What the business's terms have the client read on the card (ITEMA-19), in the pack's languages. */
  statements?: { rule: string; text: Texts }[];
}

const text = (lang: DocLang, x: Texts | undefined) => (x ? (x[lang] ?? x.en) : '');

function itemRow(lang: DocLang, name: string, c: ItemCoverage): string[] {
  return [name, formatTerm(lang, c.term), formatDate(lang, c.start), formatDate(lang, c.end), t(lang, `status.${c.status}`), c.rules.join(', ')];
}

export function warrantyCardRules(c: CoverageReport): string[] {
  const ids = new Set<string>();
  for (const item of [c.device, ...c.parts]) {
    for (const r of item.rules) ids.add(r);
    for (const i of item.intervals) ids.add(i.rule);
    for (const ch of item.changes) ids.add(ch.rule);
  }
  if (c.legalGuarantee) {
    ids.add(c.legalGuarantee.rule);
    for (const i of c.legalGuarantee.intervals) ids.add(i.rule);
  }
  for (const r of c.reasons) ids.add(r.rule);
  return [...ids].filter(Boolean).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function renderWarrantyCard(d: WarrantyCardData): Promise<Buffer> {
  const { lang, coverage: c } = d;
  const numbers: [string, string][] = [
    [t(lang, 'common.serial'), d.device.serial],
    [t(lang, 'common.policyVersion'), `${c.pack} ${c.policyVersion}`],
    [t(lang, 'common.issuedOn'), formatDate(lang, d.issuedOn)],
  ];
  return renderPdf(
    d.business,
    {
      title: t(lang, 'card.title'),
      numbers,
      createdAt: new Date(`${d.issuedOn}T00:00:00Z`),
      qr: d.qr,
      pageLabel: (page, pages) => t(lang, 'common.page', { page, pages }),
      lang,
    },
    (w: Writer) => {
      w.heading(t(lang, 'common.device'));
      w.fields(
        [
          [t(lang, 'common.manufacturer'), d.device.manufacturer],
          [t(lang, 'common.model'), d.device.model ?? ''],
          [t(lang, 'common.category'), formatCategory(lang, d.device.category)],
          [t(lang, 'common.condition'), t(lang, `condition.${d.device.condition}`)],
          ...(d.purchase
            ? ([
                [t(lang, 'common.purchase'), d.purchase.documentNumber],
                [t(lang, 'common.soldOn'), formatDate(lang, d.purchase.soldOn)],
              ] as [string, string][])
            : []),
        ],
        3,
      );
      if (d.customer) w.fields([[t(lang, 'common.customer'), [d.customer.name, d.customer.phone, d.customer.email].filter(Boolean).join(', ')]], 1);

      w.heading(t(lang, 'card.terms'));
      w.table(
        [t(lang, 'card.item'), t(lang, 'card.term'), t(lang, 'card.start'), t(lang, 'card.end'), t(lang, 'card.status', { date: formatDate(lang, c.at) }), t(lang, 'common.rules')],
        [itemRow(lang, `${t(lang, 'card.deviceRow')}: ${d.device.model ?? d.device.category}`, c.device)],
        [0.26, 0.12, 0.13, 0.15, 0.17, 0.17],
      );
      if (c.device.manufacturer) {
        w.paragraph(t(lang, 'card.manufacturer', { provider: c.device.manufacturer.provider ?? d.device.manufacturer, end: formatDate(lang, c.device.manufacturer.end) }) + ` (${c.device.manufacturer.rule})`);
      }
      if (c.legalGuarantee) {
        w.paragraph(t(lang, 'card.legal', { end: formatDate(lang, c.legalGuarantee.end), rule: c.legalGuarantee.rule }), { bold: true });
      }

      if (c.parts.length) {
        w.heading(t(lang, 'card.parts'));
        w.paragraph(t(lang, 'card.partsNote') + (d.partCardRule ? ` (${d.partCardRule})` : ''), { grey: true, size: 8.5 });
        c.parts.forEach((p, i) => {
          w.paragraph(t(lang, 'card.partCard', { n: i + 1, part: `${p.item} (${formatCategory(lang, p.category)})` }), { bold: true });
          w.table(
            [t(lang, 'card.item'), t(lang, 'card.term'), t(lang, 'card.start'), t(lang, 'card.end'), t(lang, 'card.status', { date: formatDate(lang, c.at) }), t(lang, 'common.rules')],
            [itemRow(lang, p.item, p)],
            [0.26, 0.12, 0.13, 0.15, 0.17, 0.17],
          );
          for (const ch of p.changes) w.paragraph(`${ch.rule}: ${text(lang, ch.text)}`, { size: 8, grey: true });
        });
      }

      if (c.reasons.length) {
        w.heading(t(lang, 'card.why'));
        for (const r of c.reasons) w.paragraph(`${r.rule}: ${text(lang, r.text)}`, { size: 8.5 });
      }

      const rules = warrantyCardRules(c).filter((id) => d.ruleTexts[id]);
      if (rules.length) {
        w.heading(t(lang, 'common.rules'));
        for (const id of rules) w.paragraph(`${id} — ${text(lang, d.ruleTexts[id])}`, { size: 8, grey: true });
      }

      w.space(4);
      w.keepTogether(70);
      // ITEMA-19 and the like: stated where the client reads the terms, in the client's language.
      for (const st of d.statements ?? []) w.paragraph(`${text(lang, st.text)} (${st.rule})`, { size: 8.5 });
      w.paragraph(t(lang, 'card.acceptance'), { size: 8.5 });
      w.signatures([t(lang, 'common.signatureClient'), t(lang, 'common.signatureStaff')]);
    },
  );
}
