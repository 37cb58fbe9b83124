// The sign-in's own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const AuthErrors = defineErrors('auth', {
  'invalid-credentials': { status: 401, description: 'Wrong e-mail or password, or a disabled user (the answer does not say which). Check them; repeated failures end in `too-many-attempts`.' },
  'too-many-attempts': {
    status: 429,
    description:
      'Too many failed sign-ins for this e-mail address (then `errors[]` names `body.email`) or from this network address within the window; no password was checked, not even a right one. Wait `retryAfterSeconds` (also Retry-After).',
  },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    auth: typeof AuthErrors;
  }
}
