// The customers' own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const CustomerErrors = defineErrors('customers', {
  'customer-merged': {
    status: 409,
    description: 'The customer was merged into another (a duplicate); `mergedIntoId` is the customer that now holds its devices and orders. Nothing changed.',
  },
  'merge-invalid': { status: 422, description: 'A customer cannot be merged into itself; `errors` names the field. Nothing changed.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    customers: typeof CustomerErrors;
  }
}
