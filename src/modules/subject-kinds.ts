// Every kind of case the core runs clocks and transitions for, registered once. A new kind of case
// adds its line here (docs/adding-a-feature.md). The job runner and the app import this file.
import './service-orders/kind.ts';
import './contracts/kind.ts';
import './support/kind.ts';
import './registrations/registrations.service.ts';
// Not a case: plan sales register what a confirmed online payment does (onStripePaid).
import './plans/plans.service.ts';
import './rma/kind.ts';

export { registeredKinds } from '../core/subjects.ts';
