// The proof files' own problems (the codes every route shares are the core's: src/core/errors.ts;
// a file of the wrong type is the purchases' `unsupported-file-type`).
import { defineErrors } from '../../core/errors.ts';

export const ProofErrors = defineErrors('proofs', {
  'order-closed': { status: 409, description: 'The order is closed (handed over, returned, disposed or cancelled): no more proof files can be added to it.' },
  'too-many-proofs': { status: 409, description: 'The order already has as many proof files as it takes (`detail` says how many); `errors[]` names `body.file`.' },
  'file-too-large': { status: 413, description: 'The proof file is over the upload size limit (`detail` gives it in bytes); `errors[]` names `body.file`. Send a smaller scan or photo.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    proofs: typeof ProofErrors;
  }
}
