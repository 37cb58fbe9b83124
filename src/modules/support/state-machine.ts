// The support tickets' transitions, as data: from-states, the new state (undefined: the state stays),
// and which of the ticket's clocks the action stops (its tier's response or resolution clock; the
// pack events are each clock's `stopsAt`). While a ticket waits for the client (`awaiting-client`:
// the root-cause data of VN-6) the core pauses its clocks.
export const TICKET_STATES = ['open', 'in-progress', 'awaiting-client', 'resolved', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
export const WAITING_FOR_CLIENT: readonly TicketState[] = ['awaiting-client'];
const LIVE: readonly TicketState[] = ['open', 'in-progress', 'awaiting-client'];
const NOT_CLOSED: readonly TicketState[] = ['open', 'in-progress', 'awaiting-client', 'resolved'];

type Stop = 'response' | 'resolution';
export interface TicketTransition {
  from: readonly TicketState[];
  /** The new state; from 'open' a live action moves the ticket to 'in-progress' unless it names another. */
  to?: TicketState;
  stops: readonly Stop[];
  /** Only incidents (under a contract). */
  incidentOnly?: boolean;
}

export const TICKET_TRANSITIONS = {
  /** An answer to the client (e-mail, phone, portal): the first one stops the response clock. */
  reply: { from: NOT_CLOSED, stops: ['response'] },
  /** An internal note: no state, no clock. */
  note: { from: NOT_CLOSED, stops: [] },
  /** VN-6: the desk needs the client's data for root-cause analysis; the clocks wait on the client. */
  'request-data': { from: ['open', 'in-progress'], to: 'awaiting-client', stops: [] },
  /**
   * The client supplied what was asked (by staff, or a reply that arrives by e-mail or through the
   * portal). On a resolved ticket it reopens it (in progress again, the resolution clock running on as
   * the pack's `support.reopen` says); a closed ticket takes no reply (docs/support.md, "Reopening").
   */
  'client-replied': { from: NOT_CLOSED, stops: [] },
  assign: { from: NOT_CLOSED, stops: [] },
  escalate: { from: LIVE, stops: [] },
  /** VN-7: a severe incident; its recovery advice is the answer. */
  'record-severe': { from: LIVE, stops: ['response'], incidentOnly: true },
  /** A finding from the pack's exclusions (VN-3); a paid or void one makes the ticket paid help (VN-4). */
  'record-finding': { from: LIVE, stops: [], incidentOnly: true },
  'open-service-order': { from: LIVE, stops: [], incidentOnly: true },
  /** The incident becomes an RMA (ITM-6: the faulty unit comes back), linked both ways. */
  'open-rma': { from: LIVE, stops: [], incidentOnly: true },
  resolve: { from: LIVE, to: 'resolved', stops: ['response', 'resolution'] },
  reopen: { from: ['resolved'], to: 'in-progress', stops: [] },
  close: { from: ['resolved'], to: 'closed', stops: [] },
} as const satisfies Record<string, TicketTransition>;
export type TicketAction = keyof typeof TICKET_TRANSITIONS;

/** The state after `action` from `state`. */
export function nextState(action: TicketAction, state: TicketState): TicketState {
  const t: TicketTransition = TICKET_TRANSITIONS[action];
  if (t.to) return t.to;
  if (action === 'client-replied' && (state === 'awaiting-client' || state === 'resolved')) return 'in-progress';
  if (state === 'open' && ['reply', 'record-severe', 'record-finding', 'open-service-order', 'open-rma', 'client-replied'].includes(action)) return 'in-progress';
  return state;
}

export function allowedActions(state: TicketState, kind: string): TicketAction[] {
  return (Object.keys(TICKET_TRANSITIONS) as TicketAction[]).filter((a) => {
    const t: TicketTransition = TICKET_TRANSITIONS[a];
    return t.from.includes(state) && (!t.incidentOnly || kind === 'incident') && a !== 'client-replied';
  });
}
