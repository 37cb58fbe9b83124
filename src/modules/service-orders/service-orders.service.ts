// Service orders, the public face other features and the routes use: claims and intake
// (intake.ts), the transitions of the job (transitions.ts, written by the core's transition writer),
// changes that are not moves (changes.ts: parts, payments, courier events, page links), and what
// staff and the client see (views.ts). All SQL is in repository.ts. See docs/service-orders.md.
import './kind.ts';

export { INTAKE_CHANNELS, type IntakeChannel, type OrderView, type PageLinkDeps, byNumberAndContact, normalizeOrderNumber, byToken, clientActor, detail, get, linkEnd, list, orderClocks, orderView, pageLink, pageView, queues, timeline, view } from './views.ts';
export { type ClaimFields, type Intake, type WebClaimFields, type WebIntake, type WorkOrder, INTAKE_PROBLEMS, insertClaim, insertWebClaim } from './intake.ts';
export { type ActionBody, ACT_PROBLEMS, CLIENT_DECISION_PROBLEMS, DECISION_CHANNELS, act, actOn } from './transitions.ts';
export { type LinkFields, type PartFields, CHANGE_PROBLEMS, COURIER_PROBLEMS, INVOICE_PROBLEMS, PART_PROBLEMS, PAYMENT_PROBLEMS, REFUND_PROBLEMS, LINK_PROBLEMS, addInvoice, addPart, addPayment, addRefund, issueToken, linkCandidates, linkClaim, newPageToken, recordCourier, revokePageTokens } from './changes.ts';
export { type OrderRow, type Queue, QUEUES, getOrder as orderRow } from './repository.ts';
export { serviceOrderKind } from './kind.ts';
export { ORDER_CHECKOUT_PROBLEMS, STRIPE_REFUND_PROBLEMS, settleStripeRefunds, startOrderCheckout } from './online-payments.ts';
export { CLAIM_EDIT_PROBLEMS, PROOF_FILE_KINDS, completeClaimIn } from './claim.ts';
export { SituationSchema, situationOf, type Situation } from './situation.ts';
export { decideFor } from './decisions.ts';
