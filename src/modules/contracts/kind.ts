// The maintenance contract as a subject kind of the core: renewals and cancellations are
// transitions written by the one transition writer (state, version, audit, outbox). A contract has
// no clocks of its own: its renewal reminder is an outbox message due before the renewal date.
import { lockById, registerSubjectKind } from '../../core/subjects.ts';
import { SUBJECT_TYPE, type ContractRow } from './contracts.repository.ts';

export const CONTRACT_TRANSITIONS = {
  renew: { from: ['active'], to: 'active' },
  cancel: { from: ['active'], to: 'cancelled' },
} as const;
export type ContractAction = keyof typeof CONTRACT_TRANSITIONS;

export const contractKind = registerSubjectKind<ContractRow>({
  type: SUBJECT_TYPE,
  table: 'contracts',
  waitingForClient: [],
  clientClocks: [],
  lock: lockById<ContractRow>('contracts'),
  // No clocks, so no timers.
  onTimer: async () => {},
});
