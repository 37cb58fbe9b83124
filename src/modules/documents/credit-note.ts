// The credit note (issue 14): a refund of what was charged, a price reduction (ITEMA-18/31), a
// termination or refund (ITEMA-32), an RMA credit. It names the document it corrects and why; the
// layout is every tax document's (tax-document.ts).
import { renderTaxDocument, type TaxDocData } from './tax-document.ts';

export type CreditNoteData = Omit<TaxDocData, 'kind'>;

export const renderCreditNote = (d: CreditNoteData) => renderTaxDocument({ ...d, kind: 'credit-note' });
