// Who may take which action on a service order (issue 16, "Roles"): a technician diagnoses, repairs
// and tests; quoting a price, recording the client's decision, cancelling, handing over and the
// remedies (money going back) need the front desk or a manager (the owner may do everything).
// Payments, refunds and invoices are routes of their own, OFFICE only (service-orders.routes.ts).
// The matrix is in docs/service-orders.md "Roles"; test/access.test.ts and roles.test.ts check it.
import { ALL_ROLES, OFFICE, type Role } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import type { Action } from './state-machine.ts';

/** The workshop's own steps: everyone on the staff, the technician included. */
const WORKSHOP: readonly Action[] = ['start-diagnosis', 'diagnose', 'start-repair', 'start-testing', 'test-failed', 'test-passed'];

export function actionRoles(action: Action): readonly Role[] {
  return WORKSHOP.includes(action) ? ALL_ROLES : OFFICE;
}

export const mayAct = (role: Role, action: Action) => actionRoles(action).includes(role);

/** 403 forbidden when the role may not take the action; nothing is read or changed first. */
export function assertMayAct(role: Role, action: Action) {
  if (!mayAct(role, action)) throw problem(CoreErrors, 'forbidden', `The ${role} role may not ${action} a service order (allowed: ${actionRoles(action).join(', ')})`);
}
