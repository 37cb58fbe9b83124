// The organization's own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const OrganizationErrors = defineErrors('organizations', {
  'owner-only': { status: 403, description: 'Only an owner may change an owner or give the owner role; `errors[]` names the field.' },
  'last-owner': { status: 409, description: 'The change would leave the business without an active owner (deactivating or demoting the last one); `errors[]` names the field. Make another owner first.' },
  'email-taken': { status: 409, description: 'A staff user with this e-mail address already exists (e-mail addresses are unique across organizations); `errors[]` names `body.email`. Use another address.' },
  'setup-token-invalid': {
    status: 422,
    description: "The first-run set-up's token (`errors[]` names `body.token`) is not one `aftercare start` printed, or it expired. Copy the `/setup?token=...` link from the server's output, or restart the server for a new one. Nothing was created.",
  },
  'already-set-up': { status: 409, description: 'A business exists already: the first-run set-up only creates the first one. Sign in; further businesses are made with `aftercare org create`.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    organizations: typeof OrganizationErrors;
  }
}
