// The service order's state machine: pure data and one function. No database, no clock.
// received → diagnosing → (warranty-approved | awaiting-decision with a quote, SC-5) → accepted |
// refused → in-repair → testing (failed → in-repair, SC-8) → ready (SC-9) → handed-over (SC-10) |
// refused → returned (ITEMA-22, SC-12) | ready/refused → unclaimed → disposed (SC-11, ITEMA-24) |
// cancelled. A claim that is not yet in the shop waits in `claimed` (ITEMA-28 pre-authorization).

export const STATES = [
  'claimed',
  'received',
  'diagnosing',
  'warranty-approved',
  'awaiting-decision',
  'accepted',
  'refused',
  'in-repair',
  'testing',
  'ready',
  'handed-over',
  'returned',
  'unclaimed',
  'disposed',
  'cancelled',
] as const;
export type State = (typeof STATES)[number];

export const TERMINAL: readonly State[] = ['handed-over', 'returned', 'disposed', 'cancelled'];

/** Actions staff (or the client, or the job runner) take on an order. */
export const ACTIONS = [
  'authorize', // ITEMA-28: the client may send the device
  'open', // SC-2, ITEMA-11: the signed work order; the device is in the shop
  'start-diagnosis',
  'diagnose', // findings; the engine's final decision
  'approve-warranty',
  'quote', // SC-5: cost, duration, advice
  'accept', // SC-7: the client's consent
  'refuse', // SC-7: the client's refusal
  'start-repair',
  'start-testing',
  'test-failed', // SC-8: back to repair
  'test-passed', // SC-9: ready, the client is notified
  'hand-over', // SC-10: only when the balance is paid
  'return', // ITEMA-22, SC-12: unrepaired, after paying what is owed
  'mark-unclaimed', // the job runner, when the collection clock runs out (SC-11, ITEMA-24)
  'dispose',
  'cancel',
] as const;
export type Action = (typeof ACTIONS)[number];

/** from → action → to. Anything not in the table is refused. */
export const TRANSITIONS: Record<State, Partial<Record<Action, State>>> = {
  claimed: { authorize: 'claimed', open: 'received', cancel: 'cancelled' },
  received: { 'start-diagnosis': 'diagnosing', cancel: 'cancelled' },
  diagnosing: { diagnose: 'diagnosing', 'approve-warranty': 'warranty-approved', quote: 'awaiting-decision', cancel: 'cancelled' },
  'warranty-approved': { 'start-repair': 'in-repair' },
  'awaiting-decision': { accept: 'accepted', refuse: 'refused', quote: 'awaiting-decision' },
  accepted: { 'start-repair': 'in-repair' },
  refused: { return: 'returned', 'mark-unclaimed': 'unclaimed' },
  'in-repair': { 'start-testing': 'testing' },
  testing: { 'test-failed': 'in-repair', 'test-passed': 'ready' },
  ready: { 'hand-over': 'handed-over', 'mark-unclaimed': 'unclaimed' },
  unclaimed: { 'hand-over': 'handed-over', return: 'returned', dispose: 'disposed' },
  'handed-over': {},
  returned: {},
  disposed: {},
  cancelled: {},
};

export type TransitionResult = { ok: true; to: State } | { ok: false; allowed: Action[]; message: string };

export function transition(from: State, action: Action): TransitionResult {
  const to = TRANSITIONS[from]?.[action];
  if (to) return { ok: true, to };
  const allowed = allowedActions(from);
  return {
    ok: false,
    allowed,
    message: TERMINAL.includes(from)
      ? `The order is ${from}: nothing more can be done with it`
      : `Cannot ${action} an order that is ${from} (allowed: ${allowed.join(', ') || 'none'})`,
  };
}

export function allowedActions(from: State): Action[] {
  return Object.keys(TRANSITIONS[from] ?? {}) as Action[];
}

/**
 * The pack clock events (a clock's `startsAt` / `stopsAt` in the pack YAML) an action produces.
 * Intake itself produces 'claim-received' (and 'order-received', 'order-accepted' when the work
 * order is signed at once).
 */
export const CLOCK_EVENTS: Partial<Record<Action, string[]>> = {
  open: ['order-received', 'order-accepted', 'first-response', 'handling-started'],
  'start-diagnosis': ['first-response', 'handling-started'],
  // A warranty approval ends diagnosis as a quote does (its price is nil).
  'approve-warranty': ['quoted'],
  quote: ['quoted'],
  accept: ['client-decided'],
  refuse: ['client-decided', 'ready-notified'], // SC-12: the same collection rule after a refusal
  'test-passed': ['repair-completed', 'ready-notified'],
  'hand-over': ['handed-over'],
  return: ['handed-over'],
  dispose: ['handed-over'],
  cancel: ['cancelled'],
};

/** States in which the ball is in the client's court: the business's clocks pause (resumed after). */
export const WAITING_FOR_CLIENT: readonly State[] = ['awaiting-decision'];

/** Clocks that measure the client, not the business: they never pause while waiting for the client. */
export const CLIENT_CLOCKS: readonly string[] = ['decision-window', 'disposal', 'collection', 'courier-objection', 'rma-return'];
