// The RMA's own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const RmaErrors = defineErrors('rma', {
  'serial-not-on-purchase': {
    status: 422,
    description: 'An item names a serial (or device) that is not on the purchase given, or not among the client\'s purchases in your organization; `errors[]` names the item\'s field. Nothing was recorded. Check the serial against the invoice.',
  },
  'remote-diagnosis-required': {
    status: 422,
    description: "The business's policy asks for a remote diagnosis before an RMA is authorized (ITM-3, ITM-6); record it first (action `remote-diagnosis`). `errors[]` names `diagnosis`.",
  },
  'already-received': { status: 409, description: 'The RMA\'s units were already received (carrier, tracking and serials are on record); nothing was changed. `current` is the RMA.' },
  'serial-mismatch': {
    status: 422,
    description: 'A received unit\'s serial (or model) is not the one authorized for its item; the receipt is refused with the reason and nothing is recorded. `errors[]` names the item\'s field.',
  },
  'account-suspended': {
    status: 409,
    description: "The client's account is suspended for an unreturned unit (ITM-12): no new RMA and no advance replacement until staff lift the suspension (POST /api/v1/rma-holds/{id}/lift).",
  },
  'remedy-not-open': {
    status: 422,
    description: "The resolution or advance replacement is not one the policy engine offers for this item now (for example an advance replacement after the first 12 months, ITM-8, or a replacement for an item that is not covered); `errors[]` names the field and `offered` lists what is open.",
  },
  'no-rma-policy': { status: 409, description: "The business's policy pack does not run RMAs (it has no `rma` section); take a claim instead (POST /api/v1/claims)." },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    rma: typeof RmaErrors;
  }
}
