// The service order's state machine: pure data and one function. No database, no clock.
// received → diagnosing → (warranty-approved | awaiting-decision with a quote, SC-5) → accepted |
// refused → in-repair → testing (failed → in-repair, SC-8) → ready (SC-9) → handed-over (SC-10) |
// refused → returned (ITEMA-22, SC-12) | ready/refused → unclaimed (SC-11, ITEMA-24) → disposed (SC-11
// only: `dispose` is offered where the pack's collection clock disposes, OrderPolicy) |
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
  'settled', // closed by a remedy that takes the device back (termination, buy-back, refund: ITEMA-17/18/31/32)
] as const;
export type State = (typeof STATES)[number];

export const TERMINAL: readonly State[] = ['handed-over', 'returned', 'disposed', 'cancelled', 'settled'];

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
  // Remedies the engine offers beyond repair (issue 12), each only while open in the decision:
  'replace', // ITEMA-17 / ITEMA-30: a replacement unit (same model, or another with a surcharge); ready to hand over
  'reduce-price', // ITEMA-18 / ITEMA-31: an agreed amount refunded; the order goes on
  'terminate', // ITEMA-18 / ITEMA-31: the contract ends, the price is refunded, the device is the business's
  'buy-back', // ITEMA-17: the business buys the device back
  'refund', // ITEMA-32: after three repairs, a refund
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The remedies of issue 12 from a state where the device is with the business after diagnosis: a
 * replacement makes the order ready (the replacement is handed over), a price reduction leaves it
 * where it is, the others settle it. Each is also gated on the remedy being open (transitions.ts).
 */
function remedies(from: 'diagnosing' | 'warranty-approved' | 'in-repair' | 'testing') {
  return { replace: 'ready', 'reduce-price': from, terminate: 'settled', 'buy-back': 'settled', refund: 'settled' } as const;
}

/** from → action → to. Anything not in the table is refused. */
export const TRANSITIONS: Record<State, Partial<Record<Action, State>>> = {
  claimed: { authorize: 'claimed', open: 'received', cancel: 'cancelled' },
  received: { 'start-diagnosis': 'diagnosing', cancel: 'cancelled' },
  diagnosing: { diagnose: 'diagnosing', 'approve-warranty': 'warranty-approved', quote: 'awaiting-decision', cancel: 'cancelled', ...remedies('diagnosing') },
  'warranty-approved': { 'start-repair': 'in-repair', ...remedies('warranty-approved') },
  'awaiting-decision': { accept: 'accepted', refuse: 'refused', quote: 'awaiting-decision' },
  accepted: { 'start-repair': 'in-repair' },
  refused: { return: 'returned', 'mark-unclaimed': 'unclaimed' },
  'in-repair': { 'start-testing': 'testing', ...remedies('in-repair') },
  testing: { 'test-failed': 'in-repair', 'test-passed': 'ready', ...remedies('testing') },
  ready: { 'hand-over': 'handed-over', 'mark-unclaimed': 'unclaimed', 'reduce-price': 'ready' },
  unclaimed: { 'hand-over': 'handed-over', return: 'returned', dispose: 'disposed' },
  'handed-over': {},
  returned: {},
  disposed: {},
  cancelled: {},
  settled: {},
};

export type TransitionResult = { ok: true; to: State } | { ok: false; allowed: Action[]; message: string };

/**
 * What the business's policy allows beyond the table: `dispose` only where a collection clock of
 * the pack says the equipment is disposed of (SC-11). ITEMA-24 only ends the business's liability
 * for an uncollected device, so under such a pack nothing is disposed of. Default: everything.
 */
export interface OrderPolicy {
  dispose: boolean;
}

export function transition(from: State, action: Action, policy?: OrderPolicy): TransitionResult {
  const to = policy && !policy.dispose && action === 'dispose' ? undefined : TRANSITIONS[from]?.[action];
  if (to) return { ok: true, to };
  const allowed = allowedActions(from, policy);
  return {
    ok: false,
    allowed,
    message: TERMINAL.includes(from)
      ? `The order is ${from}: nothing more can be done with it`
      : `Cannot ${action} an order that is ${from} (allowed: ${allowed.join(', ') || 'none'})`,
  };
}

export function allowedActions(from: State, policy?: OrderPolicy): Action[] {
  const all = Object.keys(TRANSITIONS[from] ?? {}) as Action[];
  return policy && !policy.dispose ? all.filter((a) => a !== 'dispose') : all;
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
  replace: ['repair-completed', 'ready-notified'],
  terminate: ['handed-over'],
  'buy-back': ['handed-over'],
  refund: ['handed-over'],
};

/** States in which the ball is in the client's court: the business's clocks pause (resumed after). */
export const WAITING_FOR_CLIENT: readonly State[] = ['awaiting-decision'];

/** Clocks that measure the client, not the business: they never pause while waiting for the client. */
export const CLIENT_CLOCKS: readonly string[] = ['decision-window', 'disposal', 'collection', 'courier-objection', 'rma-return'];
