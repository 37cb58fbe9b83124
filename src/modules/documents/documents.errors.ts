// The documents' own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const DocumentErrors = defineErrors('documents', {
  'no-work-order': { status: 409, description: 'The order has no signed work order yet (an order is opened with one, SC-2): open the order first.' },
  'document-not-available': {
    status: 409,
    description: "The order's state has no such document yet (a quote after diagnosis, a certificate or warranty card at handover, a receipt after a payment); `detail` says when it exists. The order's document list names those available now.",
  },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    documents: typeof DocumentErrors;
  }
}
