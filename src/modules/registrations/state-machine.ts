// A device registration's states and moves (ITS-5): pure data. A registration waits for its fee
// (`pending`), is valid once the payment is confirmed (`paid`: by Stripe's signed webhook, or
// recorded by staff at the counter), and may be refused by staff (the document does not name the
// device), lapse unpaid (`expired`, the pack's payment clock) or be refunded (`refunded`).
export const REGISTRATION_STATES = ['pending', 'paid', 'refused', 'expired', 'refunded'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

export const REGISTRATION_TRANSITIONS = {
  /** The invoice or service contract is uploaded (not a move). */
  'attach-document': { from: ['pending'], to: null, clockEvents: [] },
  /** Staff record the fee paid at the counter (cash, card terminal). */
  'record-payment': { from: ['pending'], to: 'paid', clockEvents: ['registration-paid'] },
  /** Stripe's webhook confirms the online payment; money taken after a lapse still counts. */
  'confirm-online-payment': { from: ['pending', 'expired'], to: 'paid', clockEvents: ['registration-paid'] },
  /** Staff refuse it (a paid fee taken online is refunded through Stripe). */
  refuse: { from: ['pending', 'paid'], to: 'refused', clockEvents: ['registration-paid'] },
  /** The pack's payment clock ran out. */
  expire: { from: ['pending'], to: 'expired', clockEvents: [] },
  /** The whole fee was refunded: the registration no longer proves anything. */
  refund: { from: ['paid'], to: 'refunded', clockEvents: [] },
  /** Stripe did not make the refund (refund.failed): kept on the registration, its state as it was (not a move). */
  'refund-failed': { from: ['paid', 'refused', 'refunded'], to: null, clockEvents: [] },
  /** Stripe failed a refund it had reported succeeded: the fee is the business's again, the registration valid again. */
  'refund-undone': { from: ['refunded'], to: 'paid', clockEvents: [] },
} as const satisfies Record<string, { from: readonly RegistrationState[]; to: RegistrationState | null; clockEvents: readonly string[] }>;
export type RegistrationAction = keyof typeof REGISTRATION_TRANSITIONS;

/** What staff may do from a state (the console shows only these). */
export function staffActions(state: string): ('record-payment' | 'refuse')[] {
  const out: ('record-payment' | 'refuse')[] = [];
  if ((REGISTRATION_TRANSITIONS['record-payment'].from as readonly string[]).includes(state)) out.push('record-payment');
  if ((REGISTRATION_TRANSITIONS.refuse.from as readonly string[]).includes(state)) out.push('refuse');
  return out;
}
