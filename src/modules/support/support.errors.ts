// The support desk's own problems (contracts' and the core's codes are theirs: contracts.errors.ts, src/core/errors.ts).
import { defineErrors } from '../../core/errors.ts';

export const SupportErrors = defineErrors('support', {
  'day-off': {
    status: 422,
    description: "Training sessions are held on the business's working days only (`rule`, VN-5): the day is a weekly day off or a public holiday (`reason`). Pick a working day.",
  },
  'training-quota-used': { status: 422, description: 'The contract includes `included` training sessions and all are scheduled or held: cancel one, or extend the contract.' },
  'not-an-incident': { status: 422, description: 'This action is for incidents under a contract (severe incident advice, findings, service orders); the ticket is a question, advice or paid help.' },
  'not-billable': { status: 422, description: 'Billable minutes are recorded only on paid help (`rule`, VN-4) or a ticket a finding made paid; this ticket is covered.' },
  'unknown-level': { status: 422, description: 'The level is not one of the pack\'s engineer levels (`levels`), or an escalation would not raise the ticket (it is at the top level already).' },
  'ticket-closed': { status: 409, description: 'The ticket is closed: it takes no more replies. Open a new request (the portal offers one naming the closed ticket); mail to a closed ticket waits in the triage list.' },
  'not-in-triage': { status: 409, description: 'The message is not waiting in the triage list (it was attached, opened as a ticket or dismissed already); `current` is the message.' },
});

declare module '../../core/errors.ts' {
  interface ErrorCatalog {
    support: typeof SupportErrors;
  }
}
