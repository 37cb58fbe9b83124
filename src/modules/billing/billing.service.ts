// Billing, the public face other features and the routes use: money in minor units with the
// business's tax (money.ts), gap-free tax documents (tax-documents.ts: invoices, receipts, credit
// notes), and an order's ledger (ledger.ts: charges, payments, deposits, refunds, the balance).
// See docs/billing.md.
import './billing.errors.ts';
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
export {
  type LedgerOrder,
  type LedgerRows,
  type PaymentFields,
  type QuotePriced,
  type RefundFields,
  PAYMENT_KINDS,
  PAYMENT_METHODS,
  REFUND_KINDS,
  REFUND_METHODS,
  balanceOf,
  completeRefund,
  depositAsked,
  failRefund,
  insertCharge,
  issueInvoice,
  ledgerRows,
  priceQuote,
  recordPayment,
  recordRefund,
  refundable,
  remedyPayout,
} from './ledger.ts';
