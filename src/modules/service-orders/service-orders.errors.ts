// The service orders' own problems (the codes every route shares are the core's, among them
// illegal-transition and version-conflict: src/core/errors.ts). Each carries `current`, the order
// as it is, unless said otherwise.
import { defineErrors } from '../../core/errors.ts';

export const ServiceOrderErrors = defineErrors('service-orders', {
  'not-awaiting-authorization': { status: 409, description: 'The claim needs no pre-authorization, or it is already authorized: nothing to authorize.' },
  'pre-authorization-required': {
    status: 409,
    description: 'The claim needs pre-authorization (`rule`, ITEMA-28) before the device is received; `allowed` lists what can be done now (authorize, cancel). Authorize it first.',
  },
  'not-under-warranty': { status: 422, description: 'Only a claim the engine decided as covered after diagnosis is a warranty repair; quote this one instead.' },
  'decision-window-expired': { status: 422, description: 'The decision window (`rule`, SC-6) has ended: the quote can no longer be accepted, only refused.' },
  'currency-mismatch': { status: 422, description: "The policy pack charges in another currency than the order's (a pack error, named with its `rule`); the charge is not mixed into the balance. Report it." },
  'balance-due': { status: 422, description: 'The client still owes `balanceDue` (minor units): handover or return only after full payment (SC-10). Record the payment first.' },
  'already-recorded': { status: 409, description: 'The courier delivery, or the objection to it, is already recorded for this order (`rule` ITEMA-12).' },
  'no-courier-delivery': { status: 409, description: 'No courier delivery is recorded for this order, so there is nothing to object to (`rule` ITEMA-12): record the delivery first.' },
  'not-awaiting-link': { status: 409, description: 'The order is not a public claim waiting to be linked (it came in through staff or an integration, or it is linked already): nothing to link.' },
  'remedy-not-offered': {
    status: 422,
    description: "The remedy is not open in the engine's decision for this order now (`open` lists those that are, with their rules): a replacement, price reduction, termination, buy-back or refund is executed only when the policy offers it (issue 12).",
  },
  'too-many-photos': { status: 409, description: 'The order already has as many intake photos as it takes (`detail` says how many); `errors[]` names `body.file`.' },
  'secret-key-unavailable': {
    status: 500,
    description: "The device's passcode was sealed with a key this server is not configured with (`keyId`), or it does not open with it: the server's AFTERCARE_SECRET_KEY / AFTERCARE_OLD_SECRET_KEYS must hold that key (docs/operations.md \"The secret key\"). Nothing is shown instead of it.",
  },
  'no-client-contact': { status: 422, description: 'The order has no e-mail address or phone number of its client to send a message to (`errors[]` names the field): add one to the client first.' },
  'objection-window-expired': { status: 422, description: 'The objection window after the courier delivery (`rule`, ITEMA-12) has ended: the terms are accepted, and a late objection changes nothing.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    'service-orders': typeof ServiceOrderErrors;
  }
}
