// The client account's own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const ClientAccountErrors = defineErrors('client-account', {
  'client-not-signed-in': { status: 401, description: 'No valid client session cookie: open the sign-in link e-mailed to the client (POST /api/v1/client/sign-in-link asks for one).' },
  'invalid-sign-in-link': { status: 400, description: 'The sign-in link is wrong, expired (after 20 minutes) or already used; nothing changed. Ask for a new link.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    'client-account': typeof ClientAccountErrors;
  }
}
