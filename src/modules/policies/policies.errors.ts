// The policy editor's own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const PolicyErrors = defineErrors('policies', {
  'policy-invalid': {
    status: 422,
    description: 'The draft or the imported policy is not a valid pack version (the checks of `aftercare policy validate`); `errors[]` names each field (`body.terms.0.duration`, ...) with the reason. Nothing was saved.',
  },
  'no-draft': { status: 409, description: 'There is no draft to publish or simulate: save a draft first (PUT /api/v1/policy/draft).' },
  'effective-rewrites-decisions': {
    status: 422,
    description: 'The effective date is before today and orders were decided since then under the published terms; a version may not rewrite them. `errors[]` names `body.effective`. Choose today or a later date.',
  },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    policies: typeof PolicyErrors;
  }
}
