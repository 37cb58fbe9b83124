// The work order / intake receipt (SC-2, ITEMA-11): what was handed in and in what state, the
// problem in the client's words, the client's confirmations, each citing the rule its business's
// policy gives it (the pack's intake.workOrderConfirmations; none where the policy has none), and the
// situation in plain words (a paid repair, a warranty repair to be confirmed at diagnosis, ...), never
// the engine's raw outcome. Printed from the recorded order only: its date is the order's.
import type { Texts } from '../../policy/types.ts';
import { formatCategory, formatDate, t, type DocLang } from './documents.i18n.ts';
import { renderPdf, type Business } from './pdf.ts';

export interface WorkOrderData {
  lang: DocLang;
  business: Business;
  number: string;
  createdAt: Date;
  receivedOn: string;
  channel: string;
  policyVersion: string;
  customer: { name: string; phone: string | null; email: string | null; address: string | null } | null;
  device: { manufacturer: string; model: string | null; serial: string; category: string } | null;
  workOrder: { accessories: string[]; complete: boolean; visibleCondition: string; problemInClientsWords: string; signedBy: string; termsAccepted: boolean; dataBackedUp: boolean; passwordsRemoved: boolean };
  /** The situation in plain words (src/modules/service-orders/situation.ts); null before the engine decided. */
  situation: { text: Texts; final: boolean } | null;
  /** The rule the business's policy cites for each confirmation (termsAccepted, dataBackedUp, passwordsRemoved). */
  confirmationRules: Record<string, string>;
  qr: { url: string; caption: string };
  /** What the business's terms have the client read here (ITEMA-19), in the pack's languages. */
  statements?: { rule: string; text: Texts }[];
}

export function renderWorkOrder(d: WorkOrderData): Promise<Buffer> {
  const { lang } = d;
  const yes = (b: boolean) => t(lang, b ? 'common.yes' : 'common.no');
  return renderPdf(
    d.business,
    {
      title: t(lang, 'wo.title'),
      numbers: [
        [t(lang, 'common.orderNumber'), d.number],
        [t(lang, 'common.serial'), d.device?.serial ?? '—'],
        [t(lang, 'common.policyVersion'), d.policyVersion],
      ],
      createdAt: d.createdAt,
      qr: d.qr,
      pageLabel: (page, pages) => t(lang, 'common.page', { page, pages }),
      lang,
    },
    (w) => {
      w.heading(t(lang, 'wo.intake'));
      w.fields(
        [
          [t(lang, 'wo.receivedOn'), formatDate(lang, d.receivedOn)],
          [t(lang, 'wo.channel'), t(lang, `channel.${d.channel}`)],
          [t(lang, 'common.customer'), d.customer?.name ?? ''],
          [t(lang, 'common.phone'), d.customer?.phone ?? ''],
          [t(lang, 'common.email'), d.customer?.email ?? ''],
          [t(lang, 'common.address'), d.customer?.address ?? ''],
        ],
        3,
      );
      if (d.device) {
        w.heading(t(lang, 'common.device'));
        w.fields(
          [
            [t(lang, 'common.manufacturer'), d.device.manufacturer],
            [t(lang, 'common.model'), d.device.model ?? ''],
            [t(lang, 'common.category'), formatCategory(lang, d.device.category)],
            [t(lang, 'wo.accessories'), d.workOrder.accessories.length ? d.workOrder.accessories.join(', ') : t(lang, 'wo.none')],
            [t(lang, 'wo.complete'), yes(d.workOrder.complete)],
            [t(lang, 'wo.condition'), d.workOrder.visibleCondition],
          ],
          3,
        );
      }
      w.heading(t(lang, 'wo.problem'));
      w.paragraph(d.workOrder.problemInClientsWords, { size: 10 });
      if (d.situation) {
        w.heading(t(lang, d.situation.final ? 'wo.situationFinal' : 'wo.situation'));
        w.paragraph(d.situation.text[lang] ?? d.situation.text.en, { bold: true });
        if (!d.situation.final) w.paragraph(t(lang, 'wo.provisional'), { size: 8.5, grey: true });
      }
      const cite = (field: string) => (d.confirmationRules[field] ? ` (${d.confirmationRules[field]})` : '');
      w.heading(t(lang, 'wo.confirmations'));
      w.checkbox(t(lang, 'wo.terms') + cite('termsAccepted'), d.workOrder.termsAccepted);
      w.checkbox(t(lang, 'wo.backup') + cite('dataBackedUp'), d.workOrder.dataBackedUp);
      w.checkbox(t(lang, 'wo.passwords') + cite('passwordsRemoved'), d.workOrder.passwordsRemoved);
      w.space(4);
      // ITEMA-19 and the like: the terms the client accepts by signing, in the client's language.
      for (const st of d.statements ?? []) w.paragraph(`${st.text[lang] ?? st.text.en} (${st.rule})`, { size: 8.5 });
      w.paragraph(t(lang, 'wo.keep'), { size: 8.5 });
      w.paragraph(`${t(lang, 'wo.signedBy')}: ${d.workOrder.signedBy}`, { size: 8.5, grey: true });
      w.signatures([t(lang, 'common.signatureClient'), t(lang, 'common.signatureStaff')]);
    },
  );
}
