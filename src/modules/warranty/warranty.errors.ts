// The warranty lookup's own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const WarrantyErrors = defineErrors('warranty', {
  'ambiguous-serial': { status: 409, description: 'Several manufacturers use this serial; `candidates` lists their devices. Add ?manufacturer=.' },
  'policy-input-invalid': {
    status: 422,
    description: "The record cannot be evaluated by its policy pack (a term, date or event the pack's engine refuses); `errors[]` lists each issue by its path in the engine's input. Correct the device's record or history.",
  },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    warranty: typeof WarrantyErrors;
  }
}
