// Billing's own problems (the codes every route shares are the core's: src/core/errors.ts). Each
// carries `current`, the order as it is, when it is about an order.
import { defineErrors } from '../../core/errors.ts';

export const BillingErrors = defineErrors('billing', {
  'refund-over-payment': { status: 422, description: 'More than what is left of the payment after its earlier refunds (`refundableMinor`): refund at most that, or from another payment.' },
  'refund-exceeds-charges': { status: 422, description: 'A refund of what was charged cannot exceed what the order still charges (`chargedMinor`); refund an overpayment as `kind: overpayment`.' },
  'no-overpayment': { status: 422, description: 'Nothing was paid over the charges (`creditMinor` is what is left to refund as overpayment): refund what was charged instead (`kind: credit`, with a credit note).' },
  'already-invoiced': { status: 409, description: 'The order has its invoice already (`invoice`); a correction is a credit note (a refund).' },
  'nothing-to-invoice': { status: 409, description: 'The order charges nothing yet: an invoice is issued for what it charges.' },
  'nothing-due': { status: 409, description: 'The order has nothing due now (`balanceMinor`), so there is nothing to pay online.' },
  'deposit-not-allowed': { status: 422, description: 'A deposit is taken before the work is done; once the order is ready, a payment goes against the balance.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    billing: typeof BillingErrors;
  }
}
