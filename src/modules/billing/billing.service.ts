// Billing, the public face other features and the routes use: money in minor units with the
// business's tax (money.ts), gap-free tax documents (tax-documents.ts: invoices, receipts, credit
// notes), and an order's ledger (ledger.ts: charges, payments, deposits, refunds, the balance).
// See docs/billing.md.
export { LINE_KINDS, type Line, type LineInput, type LineKind, type Priced, type TaxSetting, NO_TAX, creditOf, lineAmount, minorDigits, price } from './money.ts';
export {
  type CreditNoteInput,
  type IssueInput,
  type Subject,
  type TaxDocumentKind,
  type TaxDocumentRow,
  type TaxDocumentView,
  SERIES_PREFIX,
  TAX_DOCUMENT_KINDS,
  documentById,
  documentsOf,
  issue as issueTaxDocument,
  issueCreditNote,
  taxDocumentView,
  taxSetting,
} from './tax-documents.ts';
