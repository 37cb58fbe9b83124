// The RMA's state machine (ITM-6: remote diagnosis → RMA approval → asset return → resolution):
// pure data and one function. No database, no clock.
// requested → (remote-diagnosis) → diagnosed | closed (fixed remotely, not covered, not a fault);
// requested (when the pack does not ask for a remote diagnosis) | diagnosed → authorize → authorized
// (the return clock starts, ITM-12) → mark-late (the clock's due timer) → return-late; authorized |
// return-late → receive → received → inspect → inspected ⇄ at-vendor (ITM-5) → resolve → resolved;
// resolved | closed → open-dispute → disputed → settle-dispute → back (ITM-14). cancel before receipt
// (every clock stopped). While the return is awaited staff may hold its deadline and resume it.

export const RMA_STATES = ['requested', 'diagnosed', 'authorized', 'return-late', 'received', 'inspected', 'at-vendor', 'resolved', 'closed', 'disputed', 'cancelled'] as const;
export type RmaState = (typeof RMA_STATES)[number];

export const RMA_ACTIONS = [
  'remote-diagnosis', // ITM-3: what remote testing / access found
  'authorize', // the RMA number's return instruction and slip; the return clock starts (ITM-12)
  'ship-advance-replacement', // ITM-8: the replacement ships before the faulty unit comes back
  'hold-return', // staff hold the return deadline, with a reason (the return clock paused)
  'resume-return', // staff let the held return deadline run again
  'mark-late', // the job runner: the return clock is due (ITM-12)
  'apply-late-consequence', // the job runner: past the clock's escalation, the pack's consequence (ITM-12)
  'receive', // carrier, tracking, serials checked
  'inspect', // findings per item (ITM-13)
  'send-to-vendor', // ITM-5
  'vendor-answer', // ITM-5: accepted, or refused with evidence
  'resolve', // per item: repair, replacement, credit, not covered (ITM-6, ITM-9..11, ITM-7)
  'open-dispute', // ITM-14
  'settle-dispute', // ITM-14: the governance team's outcome
  'cancel',
] as const;
export type RmaAction = (typeof RMA_ACTIONS)[number];

/** from → action → to. `settle-dispute` returns to the state the dispute was opened from. */
export const RMA_TRANSITIONS: Record<RmaState, Partial<Record<RmaAction, RmaState>>> = {
  requested: { 'remote-diagnosis': 'diagnosed', authorize: 'authorized', cancel: 'cancelled' },
  diagnosed: { authorize: 'authorized', cancel: 'cancelled' },
  authorized: { 'ship-advance-replacement': 'authorized', 'hold-return': 'authorized', 'resume-return': 'authorized', 'mark-late': 'return-late', receive: 'received', cancel: 'cancelled' },
  'return-late': { 'ship-advance-replacement': 'return-late', 'hold-return': 'return-late', 'resume-return': 'return-late', 'apply-late-consequence': 'return-late', receive: 'received', cancel: 'cancelled' },
  received: { inspect: 'inspected' },
  inspected: { inspect: 'inspected', 'send-to-vendor': 'at-vendor', resolve: 'resolved' },
  'at-vendor': { 'vendor-answer': 'inspected' },
  resolved: { 'open-dispute': 'disputed' },
  closed: { 'open-dispute': 'disputed' },
  disputed: { 'settle-dispute': 'resolved' },
  cancelled: {},
};

/** Actions only the job runner takes (never offered to staff). */
export const SYSTEM_ACTIONS: readonly RmaAction[] = ['mark-late', 'apply-late-consequence'];

export const RMA_TERMINAL: readonly RmaState[] = ['cancelled'];

export function rmaAllowedActions(from: RmaState): RmaAction[] {
  return (Object.keys(RMA_TRANSITIONS[from] ?? {}) as RmaAction[]).filter((a) => !SYSTEM_ACTIONS.includes(a));
}

/**
 * The pack clock events (each clock's `startsAt` / `stopsAt` in the pack YAML) an action produces:
 * authorization starts the return clock, receipt stops it (ITM-12).
 */
export const RMA_CLOCK_EVENTS: Partial<Record<RmaAction, string[]>> = {
  authorize: ['rma-authorized'],
  receive: ['unit-received'],
};

/**
 * The core's clock operations beside the events: a hold pauses the return clock (and its timers),
 * a resume lets it run again, a cancellation stops every running clock of the RMA and its timers.
 */
export const RMA_CLOCK_OPS: Partial<Record<RmaAction, 'hold' | 'resume' | 'stop'>> = {
  'hold-return': 'hold',
  'resume-return': 'resume',
  cancel: 'stop',
};

/** The RMA waits for nothing of the client's that pauses the business's clocks; its return clock measures the client. */
export const RMA_WAITING_FOR_CLIENT: readonly RmaState[] = [];

/** Staff queues with their states (the console's counts). */
export const RMA_QUEUES = {
  'awaiting-diagnosis': ['requested'],
  authorized: ['diagnosed', 'authorized'],
  'late-returns': ['return-late'],
  received: ['received'],
  inspecting: ['inspected', 'at-vendor'],
  disputed: ['disputed'],
  resolved: ['resolved', 'closed'],
} as const satisfies Record<string, readonly RmaState[]>;
export type RmaQueue = keyof typeof RMA_QUEUES;
export const RMA_QUEUE_NAMES = Object.keys(RMA_QUEUES) as RmaQueue[];
