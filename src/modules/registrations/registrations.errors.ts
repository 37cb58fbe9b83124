// Device registrations' own problems (ITS-5, ITS-6).
import { defineErrors } from '../../core/errors.ts';

export const RegistrationErrors = defineErrors('registrations', {
  'registration-not-offered': { status: 404, description: "The business's policy has no device registration (only packs with a `registration` block take them)." },
  'device-not-on-account': {
    status: 422,
    description: 'No device with this serial is on your account with the business; `errors` names `body.serial`. Ask the business to record the device it installed or repaired, then register it.',
  },
  'already-registered': { status: 409, description: 'The device has a valid registration already; `existing` is it.' },
  'document-missing': { status: 422, description: 'Upload the invoice or service contract (ITS-6) before paying the registration fee; `errors` names `body.file`.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    registrations: typeof RegistrationErrors;
  }
}
