// The warranty request form (ITEMA-28): blank, to fill in by hand, asking for what a claim must
// carry (ITEMA-27), with the pre-authorization note (ITEMA-28) and the data-backup confirmation
// (ITEMA-29).
import { t, type DocLang } from './documents.i18n.ts';
import { renderPdf, type Business } from './pdf.ts';

export interface RequestFormData {
  lang: DocLang;
  business: Business;
  policyVersion: string;
  /** The form's own edition date: the policy version's effective date, so it never changes by itself. */
  edition: string;
  qr: { url: string; caption: string };
}

export function renderRequestForm(d: RequestFormData): Promise<Buffer> {
  const { lang } = d;
  return renderPdf(
    d.business,
    {
      title: t(lang, 'form.title'),
      numbers: [
        [t(lang, 'form.orderNumber'), '_______________'],
        [t(lang, 'common.policyVersion'), d.policyVersion],
      ],
      createdAt: new Date(`${d.edition}T00:00:00Z`),
      qr: d.qr,
      pageLabel: (page, pages) => t(lang, 'common.page', { page, pages }),
      lang,
    },
    (w) => {
      w.paragraph(t(lang, 'form.intro') + ' (ITEMA-28)', { size: 9 });
      w.heading(`${t(lang, 'form.client')} (ITEMA-27)`);
      w.blank(t(lang, 'form.name'));
      w.blank(t(lang, 'form.address'));
      w.blank(`${t(lang, 'form.email')} / ${t(lang, 'form.phone')}`);
      w.heading(t(lang, 'form.device'));
      w.blank(`${t(lang, 'form.model')} / ${t(lang, 'form.serial')}`);
      w.heading(t(lang, 'form.purchase'));
      w.blank(`${t(lang, 'form.purchaseDate')} / ${t(lang, 'form.purchasePlace')}`);
      w.paragraph(t(lang, 'form.documents'), { size: 8.5, grey: true });
      w.checkbox(t(lang, 'form.docInvoice'));
      w.checkbox(t(lang, 'form.docCard'));
      w.checkbox(t(lang, 'form.docCopies'));
      w.heading(t(lang, 'form.problem'));
      w.blank('', 5);
      w.heading(`${t(lang, 'form.before')} (ITEMA-29)`);
      w.checkbox(t(lang, 'form.backup'));
      w.signatures([t(lang, 'form.dateSigned'), t(lang, 'common.signatureClient')]);
    },
  );
}
