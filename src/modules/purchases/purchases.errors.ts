// The purchases' own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const PurchaseErrors = defineErrors('purchases', {
  'unsupported-file-type': {
    status: 415,
    description: "The file is not a PDF, PNG, JPEG or WebP, or its first bytes are not what its declared type says (proofs of purchase and an order's proof files); `errors[]` names `body.file`.",
  },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    purchases: typeof PurchaseErrors;
  }
}
