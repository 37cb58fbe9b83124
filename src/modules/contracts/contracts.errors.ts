// The contracts' own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const ContractErrors = defineErrors('contracts', {
  'support-not-offered': {
    status: 422,
    description: "The business's policy pack has no support desk section, or not this part of it (`detail` names what): contracts, incidents, training, paid help or the online consultant are not offered.",
  },
  'contract-expired': {
    status: 422,
    description: 'The contract has ended (`endsOn`) or is cancelled: it covers no new incident or training; its history stays. `offer` names what the policy offers instead (`rule`, e.g. VN-8: advice and paid recovery support). Renew the contract or open a paid help request.',
  },
  'contract-not-started': { status: 422, description: 'The contract starts later (`startsOn`): it covers nothing yet.' },
  'outside-contract-scope': {
    status: 422,
    description: "No active contract of the customer covers this device or site (`errors[]` names the field); `offer` names what the policy offers instead (`rule`, e.g. VN-8). Add the device to the contract's scope, or open a paid help request.",
  },
  'not-qualified': { status: 422, description: 'The device is not of a category that comes with included maintenance (`rule`, ITM-1), or it has no commencement event (shipping) on record yet.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    contracts: typeof ContractErrors;
  }
}
