// Kysely's view of the tables in migrations/. Keep in step with the SQL.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Version = ColumnType<number, number | undefined, number>;

export interface OrganizationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  pack_id: string;
  time_zone: string;
  currency: string;
  languages: string[];
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Publications of the organization's policy so far (issue 11): the cache key of its compiled policy. */
  policy_rev: Generated<number>;
  /** ISO 3166 country (national holidays, the warranty's territory). */
  country: string | null;
}
export interface LocationsTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  address: string | null;
  phone: string | null;
  opening_hours: string | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface StaffUsersTable {
  id: Generated<string>;
  organization_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  disabled_at: Date | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface SessionsTable {
  token_hash: string;
  organization_id: string;
  staff_user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Date | null;
}
export interface ApiKeysTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  role: string;
  prefix: string;
  secret_hash: string;
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
export interface CustomersTable {
  id: Generated<string>;
  organization_id: string;
  kind: string;
  name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  preferred_language: string | null;
  preferred_channel: string | null;
  external_ref: string | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** 0024 (clients): a duplicate merged into this customer (kept, never deleted). */
  merged_into_id: string | null;
}
export interface DevicesTable {
  id: Generated<string>;
  organization_id: string;
  customer_id: string | null;
  serial: string;
  manufacturer: string;
  model: string | null;
  category: string;
  kind: string;
  condition: string;
  discount_defect: string | null;
  term: string | null;
  manufacturer_warranty_term: string | null;
  manufacturer_warranty_provider: string | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface DevicePartsTable {
  id: Generated<string>;
  organization_id: string;
  device_id: string;
  part_key: string;
  category: string;
  serial: string | null;
  term: string | null;
  created_at: Timestamp;
}
export interface PurchasesTable {
  id: Generated<string>;
  organization_id: string;
  customer_id: string | null;
  device_id: string;
  document_type: string;
  document_number: string;
  sold_on: string;
  delivered_on: string | null;
  shipped_on: string | null;
  installed_on: string | null;
  activated_on: string | null;
  place: string | null;
  location_id: string | null;
  price_minor: number | null;
  currency: string | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
  // 0014 (rules): ITEMA-12 for sales, a delivery by courier and the client's objection.
  courier_delivered_at: Date | null;
  objection_at: Date | null;
  objection_note: string | null;
}
export interface DeviceEventsTable {
  id: Generated<string>;
  organization_id: string;
  device_id: string;
  type: string;
  date: string;
  part_id: string | null;
  replaces_part_id: string | null;
  category: string | null;
  under_warranty: boolean | null;
  term: string | null;
  plan_id: string | null;
  note: string | null;
  order_ref: string | null;
  purchase_id: string | null;
  recorded_at: Timestamp;
  recorded_by: string | null;
  /** 0024 (clients): a wrong event voided with a reason (never deleted); the engine skips it. */
  voided_at: Date | null;
  void_reason: string | null;
  voided_by: string | null;
}
export interface DocumentsTable {
  id: Generated<string>;
  organization_id: string;
  purchase_id: string | null;
  service_order_id: string | null;
  kind: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: Timestamp;
}
export interface IdempotencyKeysTable {
  organization_id: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response: unknown;
  created_at: Timestamp;
}
export interface AuditEventsTable {
  id: Generated<string>;
  organization_id: string;
  occurred_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  channel: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  /** The hash chain (migrations 0020, 0026): NULL until audit_seal() chains the row, never set by the caller. */
  chain_seq: Generated<string | null>;
  prev_hash: Generated<string | null>;
  hash: Generated<string | null>;
}
/** Each organization's last audit row: its chain position and hash (migration 0020). */
export interface AuditHeadsTable {
  organization_id: string;
  seq: string;
  hash: string;
}
export interface SchemaMigrationsTable {
  version: string;
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

export interface ServiceOrdersTable {
  id: string;
  organization_id: string;
  number: string;
  state: string;
  channel: string;
  customer_id: string | null;
  device_id: string | null;
  language: string;
  contact_channel: string | null;
  problem: string;
  claim_date: string;
  details: unknown;
  proofs: unknown;
  missing: unknown;
  pre_authorization_required: boolean;
  pre_authorization_rule: string | null;
  pre_authorized_at: Date | null;
  decision: unknown;
  decision_final: boolean;
  under_warranty: boolean | null;
  findings: string[];
  /** ITEMA-32: the non-conformity was found insignificant at diagnosis. */
  insignificant: Generated<boolean>;
  work_order: unknown;
  received_on: string | null;
  quote: unknown;
  client_decision: unknown;
  test_result: unknown;
  findings_protocol: string | null;
  currency: string;
  policy_version: string | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** What the client sent through the public web form, as sent (null for staff intakes). */
  submitted: unknown;
  /** A public claim that waits for staff to link it to a customer and device (issue 15). */
  awaiting_link: Generated<boolean>;
  /** When the order reached a closed state (handed-over, returned, disposed, cancelled). */
  closed_at: Date | null;
  /** 0014 (rules): when the claim actually reached the business, if not when it was entered (created_at). */
  claim_received_at: Date | null;
  /** 0024 (clients): what the diagnosis records for the rules (ITEMA-16 pixels, ITEMA-5 country, ITEMA-7 part). */
  dead_pixels: unknown;
  use_country: string | null;
  claim_part_id: string | null;
}
export interface OrderChargesTable {
  id: string;
  organization_id: string;
  order_id: string;
  kind: string;
  amount_minor: number;
  currency: string;
  rule: string | null;
  note: string | null;
  credit_note_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}
export interface OrderPaymentsTable {
  id: string;
  organization_id: string;
  order_id: string;
  method: string;
  amount_minor: number;
  currency: string;
  received_by: string;
  kind: ColumnType<string, string | undefined, string>;
  external_ref: ColumnType<string | null, string | null | undefined, string | null>;
  receipt_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}
export interface OrderPartsTable {
  id: string;
  organization_id: string;
  order_id: string;
  action: string;
  part_id: string;
  replaces_part_id: string | null;
  category: string;
  under_warranty: boolean;
  removed_part_retained: boolean;
  created_at: Timestamp;
}
/** The workshop's side of a service order (issue 16, migration 0025): src/modules/service-orders/workshop.ts. */
export interface OrderWorkshopTable {
  organization_id: string;
  order_id: string;
  technician_id: string | null;
  priority: Generated<'low' | 'normal' | 'high' | 'urgent'>;
  promised_on: string | null;
  /**
   * Staff only: never in an order view, a client document, the order page or a message. Sealed
   * (AES-256-GCM envelopes, src/core/secrets.ts, migration 0028), never the value itself.
   */
  passcode: string | null;
  unlock_pattern: string | null;
  /** The key that sealed them (migration 0028). */
  secret_key_id: string | null;
  /** Plain values stored before 0028, until the starting server seals them (then NULL). */
  passcode_unsealed: string | null;
  unlock_pattern_unsealed: string | null;
  precheck: unknown;
  updated_at: Timestamp;
}
export interface OrderNotesTable {
  id: string;
  organization_id: string;
  order_id: string;
  body: string;
  by_type: string;
  by_id: string;
  by_name: string;
  created_at: Timestamp;
}
/** A clock of a subject (service order, RMA, incident, ...): src/core/clocks.ts. */
export interface ClocksTable {
  id: string;
  organization_id: string;
  subject_type: string;
  subject_id: string;
  clock_id: string;
  rule: string;
  started_at: Timestamp;
  stopped_at: Date | null;
  due_at: Date | null;
  at_risk_at: Date | null;
  policy_version: string;
}
export interface ClockPausesTable {
  id: string;
  organization_id: string;
  clock_row_id: string;
  paused_at: Timestamp;
  resumed_at: Date | null;
}
/** A clock's at-risk or due moment, polled by the job runners: src/core/timers.ts. */
export interface TimersTable {
  id: string;
  organization_id: string;
  subject_type: string;
  subject_id: string;
  clock_row_id: string;
  kind: string;
  fire_at: Timestamp;
  fired_at: Date | null;
  cancelled_at: Date | null;
}
export interface OrderPageTokensTable {
  token_hash: string;
  organization_id: string;
  order_id: string;
  created_at: Timestamp;
  revoked_at: Date | null;
}
/** One-time codes for a decision on the page reached by order number and contact (issue 15). */
export interface OrderLookupCodesTable {
  id: string;
  organization_id: string;
  order_id: string;
  code_hash: string;
  via: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Date | null;
}
export interface OutboxTable {
  id: string;
  organization_id: string;
  topic: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: unknown;
  dedupe_key: string | null;
  created_at: Timestamp;
  available_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  locked_until: Date | null;
  delivered_at: Date | null;
  last_error: string | null;
}

export interface NotificationsTable {
  id: string;
  organization_id: string;
  outbox_id: string;
  seq: number;
  topic: string;
  audience: string;
  channel: string;
  language: string;
  recipient: string | null;
  subject: string | null;
  body: string;
  link: string | null;
  order_id: string | null;
  customer_id: string | null;
  status: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  message_key: string;
  provider_id: string | null;
  created_at: Timestamp;
  sending_at: Date | null;
  sent_at: Date | null;
}

export interface ClientSignInTokensTable {
  token_hash: string;
  organization_id: string;
  email: string;
  created_at: Timestamp;
  expires_at: Date;
  used_at: Date | null;
}
export interface ClientSessionsTable {
  token_hash: string;
  organization_id: string;
  email: string;
  created_at: Timestamp;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface RateLimitsTable {
  /** The limiter's name + ':' + SHA-256 of the client key. */
  key: string;
  hits: number;
  window_ends: Timestamp;
}

export interface SignInAttemptsTable {
  /** 'email:' or 'ip:' + SHA-256 of the lower-cased address. */
  key: string;
  attempts: number;
  window_ends: Timestamp;
}

// ---------- billing (migration 0017, src/modules/billing) ----------
export interface TaxDocumentCountersTable {
  organization_id: string;
  series: string;
  year: number;
  last_number: number;
}
export interface TaxDocumentsTable {
  id: string;
  organization_id: string;
  kind: string;
  series: string;
  year: number;
  seq: number;
  number: string;
  subject_type: string;
  subject_id: string;
  subject_number: string;
  customer_id: string | null;
  language: string;
  currency: string;
  lines: unknown;
  tax: unknown;
  net_minor: number;
  tax_minor: number;
  total_minor: number;
  refers_to: string | null;
  reason: string | null;
  rule: string | null;
  issued_at: Timestamp;
  issued_by: string;
}
export interface OrderRefundsTable {
  id: string;
  organization_id: string;
  order_id: string;
  payment_id: string | null;
  kind: string;
  amount_minor: number;
  currency: string;
  method: string;
  reason: string;
  remedy: string | null;
  credit_note_id: string | null;
  external_ref: string | null;
  status: ColumnType<string, string | undefined, string>;
  refunded_by: string;
  created_at: Timestamp;
  /** Migration 0027: Stripe's reason when a refund through Stripe failed, and when. */
  failure_reason: ColumnType<string | null, string | null | undefined, string | null>;
  failed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export interface OrderRemediesTable {
  id: string;
  organization_id: string;
  order_id: string;
  type: string;
  rule: string;
  details: unknown;
  created_by: string;
  created_at: Timestamp;
}
// Issue 13: contracts and the support desk (migration 0015).
export interface ContractsTable {
  id: string;
  organization_id: string;
  number: string;
  customer_id: string;
  tier: string;
  starts_on: string;
  ends_on: string;
  renewal_on: string;
  price_minor: ColumnType<number, number | undefined, number>;
  currency: string;
  included: ColumnType<{ service: string; quantity: number | null }[], string | undefined, string>;
  sites: ColumnType<string[], string[] | undefined, string[]>;
  source: ColumnType<string, string | undefined, string>;
  rule: string | null;
  note: string | null;
  state: ColumnType<string, string | undefined, string>;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface ContractDevicesTable {
  organization_id: string;
  contract_id: string;
  device_id: string;
}
export interface SupportTicketsTable {
  id: string;
  organization_id: string;
  number: string;
  kind: string;
  contract_id: string | null;
  customer_id: string | null;
  device_id: string | null;
  site: string | null;
  channel: string;
  subject: string;
  description: string;
  language: string;
  tier: string;
  response_clock: string | null;
  resolution_clock: string | null;
  severity: ColumnType<string, string | undefined, string>;
  level: string;
  assignee_id: string | null;
  state: string;
  first_response_at: Date | null;
  resolved_at: Date | null;
  root_cause_data: ColumnType<boolean, boolean | undefined, boolean>;
  advice: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  findings: ColumnType<{ finding: string; rule: string; effect: string }[], string | undefined, string>;
  billable: ColumnType<boolean, boolean | undefined, boolean>;
  billing_rule: string | null;
  hourly_price_minor: ColumnType<number | null, number | null | undefined, number | null>;
  billable_minutes: number | null;
  amount_minor: ColumnType<number | null, number | null | undefined, number | null>;
  currency: string;
  service_order_id: string | null;
  /** The RMA the incident became (migration 0021). */
  rma_id: ColumnType<string | null, string | null | undefined, string | null>;
  contact: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface SupportMessagesTable {
  id: string;
  organization_id: string;
  ticket_id: string | null;
  direction: string;
  channel: string;
  author: string | null;
  from_address: string | null;
  to_address: string | null;
  subject: string | null;
  body: ColumnType<string, string | undefined, string>;
  message_id: string | null;
  in_reply_to: string | null;
  refs: ColumnType<string[], string[] | undefined, string[]>;
  attachments: ColumnType<{ id: string; filename: string; contentType: string; size: number; key: string }[], string | undefined, string>;
  triage: string | null;
  triage_reason: string | null;
  data: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}
export interface TrainingSessionsTable {
  id: string;
  organization_id: string;
  number: string;
  contract_id: string;
  topic: string;
  channel: string;
  starts_at: Date;
  local_date: string;
  duration_minutes: number;
  trainer_id: string | null;
  attendees: ColumnType<{ name: string; email: string | null; attended: boolean | null }[], string | undefined, string>;
  state: string;
  rule: string | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
/** Issue 11: an organization's own policy, one row per published version (src/core/policy-store.ts). */
export interface PolicyVersionsTable {
  id: string;
  organization_id: string;
  seq: number;
  label: string;
  effective: string;
  applies_to_existing: boolean;
  body: unknown;
  origin: string;
  published_at: Timestamp;
  published_by: string | null;
}
export interface PolicyDraftsTable {
  organization_id: string;
  body: unknown;
  base_seq: number;
  version: Version;
  updated_by: string | null;
  updated_at: Timestamp;
}

// Issue 14, the Stripe side (migration 0016): online payments, device registrations, plan sales.
export interface StripeCheckoutsTable {
  id: string;
  organization_id: string;
  subject_kind: string;
  subject_id: string;
  amount_minor: number;
  currency: string;
  description: string;
  idempotency_key: string;
  session_id: string | null;
  url: string | null;
  payment_intent_id: string | null;
  state: ColumnType<string, string | undefined, string>;
  amount_paid_minor: number | null;
  amount_refunded_minor: ColumnType<number, number | undefined, number>;
  paid_at: Date | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Migration 0027: the Payment Link (plink_...) this checkout is, when staff sent one. */
  payment_link_id: ColumnType<string | null, string | null | undefined, string | null>;
}
export interface StripeRefundsTable {
  id: string;
  organization_id: string;
  checkout_id: string;
  refund_id: string | null;
  idempotency_key: string | null;
  amount_minor: number;
  state: string;
  applied_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Migration 0027: Stripe's failure_reason (or 'canceled'). */
  failure_reason: ColumnType<string | null, string | null | undefined, string | null>;
}
export interface StripeEventsTable {
  id: string;
  type: string;
  organization_id: string | null;
  outcome: string;
  received_at: Timestamp;
}
export interface DeviceRegistrationsTable {
  id: string;
  organization_id: string;
  number: string;
  customer_id: string;
  device_id: string;
  state: string;
  channel: string;
  service_event: string;
  service_date: string;
  document_type: string;
  document_filename: string | null;
  document_content_type: string | null;
  document_size_bytes: number | null;
  document_sha256: string | null;
  document_storage_key: string | null;
  fee_minor: number;
  currency: string;
  payment_method: string | null;
  paid_at: Date | null;
  proofs: ColumnType<Record<string, boolean>, string | undefined, string>;
  refusal_reason: string | null;
  rule: string;
  policy_version: string;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface PlanSalesTable {
  id: string;
  organization_id: string;
  device_id: string;
  customer_id: string | null;
  plan_id: string;
  buy_window: string;
  price_minor: number;
  currency: string;
  channel: string;
  state: string;
  payment_method: string | null;
  paid_on: string | null;
  paid_at: Date | null;
  device_event_id: string | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
// ---- RMAs (migration 0013, src/modules/rma/) ----
export interface RmasTable {
  id: string;
  organization_id: string;
  number: string;
  state: string;
  channel: string;
  customer_id: string;
  language: string;
  purchase_document: string | null;
  diagnosis: unknown;
  approval: unknown;
  authorized_at: Date | null;
  receipt: unknown;
  dispute: unknown;
  late_consequence: unknown;
  /** Migration 0022: the return deadline held by staff ({ reason, since, by }), null when it runs. */
  return_hold: unknown;
  closed_at: Date | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface PlanSalesTable {
  id: string;
  organization_id: string;
  device_id: string;
  customer_id: string | null;
  plan_id: string;
  buy_window: string;
  price_minor: number;
  currency: string;
  channel: string;
  state: string;
  payment_method: string | null;
  paid_on: string | null;
  paid_at: Date | null;
  device_event_id: string | null;
  version: Version;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface RmaItemsTable {
  id: string;
  organization_id: string;
  rma_id: string;
  position: number;
  device_id: string;
  purchase_id: string | null;
  serial: string;
  fault: string;
  proofs: unknown;
  decision: unknown;
  findings: string[];
  inspection_note: string | null;
  vendor_rma: unknown;
  advance_replacement: unknown;
  resolution: string | null;
  resolution_detail: unknown;
  service_order_id: string | null;
  retained: Generated<boolean>;
  created_at: Timestamp;
}
export interface RmaFilesTable {
  id: string;
  organization_id: string;
  rma_id: string;
  item_id: string | null;
  kind: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: Timestamp;
}
export interface RmaChargesTable {
  id: string;
  organization_id: string;
  rma_id: string;
  item_id: string | null;
  kind: string;
  amount_minor: ColumnType<number, number, number>;
  currency: string;
  rule: string | null;
  created_at: Timestamp;
}
export interface RmaAccountHoldsTable {
  id: string;
  organization_id: string;
  customer_id: string;
  rma_id: string;
  rule: string;
  created_at: Timestamp;
  lifted_at: Date | null;
  lifted_by: string | null;
}

/** The first-run set-up's one-time tokens (migration 0030): SHA-256 of the token printed by `aftercare start`. */
export interface SetupTokensTable {
  token_hash: string;
  created_at: Generated<Timestamp>;
  expires_at: Timestamp;
}

// The business's own message templates (issue 16, migration 0029).
export interface MessageTemplatesTable {
  organization_id: string;
  topic: string;
  language: string;
  subject: string;
  body: string;
  sms: string;
  version: Generated<number>;
  updated_by: string;
  updated_at: Generated<Date>;
}

export interface Database {
  organizations: OrganizationsTable;
  locations: LocationsTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  devices: DevicesTable;
  device_parts: DevicePartsTable;
  purchases: PurchasesTable;
  device_events: DeviceEventsTable;
  documents: DocumentsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
  schema_migrations: SchemaMigrationsTable;
  service_orders: ServiceOrdersTable;
  order_charges: OrderChargesTable;
  order_payments: OrderPaymentsTable;
  order_parts: OrderPartsTable;
  clocks: ClocksTable;
  clock_pauses: ClockPausesTable;
  timers: TimersTable;
  order_page_tokens: OrderPageTokensTable;
  order_lookup_codes: OrderLookupCodesTable;
  outbox: OutboxTable;
  notifications: NotificationsTable;
  client_sign_in_tokens: ClientSignInTokensTable;
  client_sessions: ClientSessionsTable;
  sign_in_attempts: SignInAttemptsTable;
  rate_limits: RateLimitsTable;
  tax_document_counters: TaxDocumentCountersTable;
  tax_documents: TaxDocumentsTable;
  order_refunds: OrderRefundsTable;
  order_remedies: OrderRemediesTable;
  contracts: ContractsTable;
  contract_devices: ContractDevicesTable;
  support_tickets: SupportTicketsTable;
  support_messages: SupportMessagesTable;
  training_sessions: TrainingSessionsTable;
  policy_versions: PolicyVersionsTable;
  policy_drafts: PolicyDraftsTable;
  stripe_checkouts: StripeCheckoutsTable;
  stripe_refunds: StripeRefundsTable;
  stripe_events: StripeEventsTable;
  device_registrations: DeviceRegistrationsTable;
  plan_sales: PlanSalesTable;
  rmas: RmasTable;
  rma_items: RmaItemsTable;
  rma_files: RmaFilesTable;
  rma_charges: RmaChargesTable;
  rma_account_holds: RmaAccountHoldsTable;
  order_workshop: OrderWorkshopTable;
  order_notes: OrderNotesTable;
  setup_tokens: SetupTokensTable;
  message_templates: MessageTemplatesTable;
}

// Migration 0031 (issue 14): a refund Stripe did not make of a registration's fee or a plan's price,
// kept on the registration / plan sale (declaration merging with the tables above).
export interface DeviceRegistrationsTable {
  refund_failure_reason: ColumnType<string | null, string | null | undefined, string | null>;
  refund_failed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export interface PlanSalesTable {
  refund_failure_reason: ColumnType<string | null, string | null | undefined, string | null>;
  refund_failed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
