// The devices' own problems (the codes every route shares are the core's: src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const DeviceErrors = defineErrors('devices', {
  'history-invalid': {
    status: 422,
    description: "The event would leave a history the business's policy cannot read (for example a replacement of a part the device does not have); nothing was recorded. `errors` names the field.",
  },
  'event-voided': { status: 409, description: 'The device event is already voided; `current` is the event as it stands. Nothing changed.' },
  'serial-taken': { status: 409, description: "This manufacturer's serial is already registered; `existingId` is that device. Change it (PATCH) instead of registering it again." },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    devices: typeof DeviceErrors;
  }
}
