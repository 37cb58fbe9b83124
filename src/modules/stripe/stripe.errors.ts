// Online payments' own problems (docs/payments.md).
import { defineErrors } from '../../core/errors.ts';

export const StripeErrors = defineErrors('stripe', {
  'stripe-not-configured': {
    status: 404,
    description: 'Online payment is not set up for this installation (no STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET); record the payment at the counter instead.',
  },
  'webhook-signature-invalid': {
    status: 400,
    description: "The Stripe-Signature header is missing, malformed, too old, or not made with this installation's webhook secret; nothing was recorded.",
  },
  'stripe-unavailable': {
    status: 502,
    description: 'Stripe did not accept or did not answer the request; nothing was charged. Try again with the same Idempotency-Key.',
  },
  'checkout-not-paid': { status: 409, description: 'The online payment has not been confirmed by Stripe (yet), so it cannot be refunded.' },
  'payment-link-unavailable': {
    status: 409,
    description: 'A Stripe Payment Link cannot be sent: online payment is not set up for this installation (no STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET). Record the payment at the counter instead.',
  },
  'refund-exceeds-payment': { status: 422, description: 'The refund is larger than what is left of the payment after earlier refunds; `refundableMinor` says what is left.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    stripe: typeof StripeErrors;
  }
}
