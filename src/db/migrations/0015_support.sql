-- Issue 13: maintenance contracts and the support desk (docs/support.md).

-- A customer's maintenance contract: its scope (covered devices, sites), term and renewal date, tier
-- (a tier of the pack's `support.tiers`: which clocks its tickets run), price and included services.
-- `source` is 'sold', or 'included' for the maintenance that comes with qualified hardware (ITM-1).
-- It is a case of the core (subject type 'contract'): renewals and cancellations go through the one
-- transition writer. An expired contract (ends_on before today) covers no new incident; its history stays.
CREATE TABLE contracts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  number text NOT NULL,
  customer_id uuid NOT NULL,
  tier text NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  renewal_on date NOT NULL,
  price_minor bigint NOT NULL DEFAULT 0 CHECK (price_minor >= 0),
  currency text NOT NULL,
  included jsonb NOT NULL DEFAULT '[]',
  sites text[] NOT NULL DEFAULT '{}',
  source text NOT NULL DEFAULT 'sold' CHECK (source IN ('sold', 'included')),
  rule text,
  note text,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'cancelled')),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id),
  UNIQUE (organization_id, number),
  CHECK (ends_on >= starts_on),
  FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX contracts_customer ON contracts (organization_id, customer_id);

CREATE TABLE contract_devices (
  organization_id uuid NOT NULL,
  contract_id uuid NOT NULL,
  device_id uuid NOT NULL,
  PRIMARY KEY (organization_id, contract_id, device_id),
  FOREIGN KEY (organization_id, contract_id) REFERENCES contracts (organization_id, id),
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id)
);
CREATE INDEX contract_devices_device ON contract_devices (organization_id, device_id);

-- Support tickets: incidents under a contract (subject type 'support-incident') and questions,
-- advice and paid help ('support-question'). Their clocks are the tier's (`response_clock`,
-- `resolution_clock`: pack clock ids), rows of `clocks` like every case's.
CREATE TABLE support_tickets (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  number text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('incident', 'question', 'advice', 'paid-help')),
  contract_id uuid,
  customer_id uuid,
  device_id uuid,
  site text,
  channel text NOT NULL,
  subject text NOT NULL,
  description text NOT NULL,
  language text NOT NULL,
  tier text NOT NULL,
  response_clock text,
  resolution_clock text,
  severity text NOT NULL DEFAULT 'normal' CHECK (severity IN ('normal', 'severe')),
  level text NOT NULL,
  assignee_id uuid,
  state text NOT NULL,
  first_response_at timestamptz,
  resolved_at timestamptz,
  root_cause_data boolean NOT NULL DEFAULT false,
  advice jsonb,
  findings jsonb NOT NULL DEFAULT '[]',
  billable boolean NOT NULL DEFAULT false,
  billing_rule text,
  hourly_price_minor bigint,
  billable_minutes integer,
  amount_minor bigint,
  currency text NOT NULL,
  service_order_id uuid,
  contact jsonb,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (organization_id, id),
  UNIQUE (organization_id, number),
  FOREIGN KEY (organization_id, contract_id) REFERENCES contracts (organization_id, id),
  FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id),
  -- staff_users has no (organization_id, id) key: the service checks the assignee's organization.
  FOREIGN KEY (assignee_id) REFERENCES staff_users (id),
  FOREIGN KEY (organization_id, service_order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX support_tickets_queue ON support_tickets (organization_id, state, level);
CREATE INDEX support_tickets_contract ON support_tickets (organization_id, contract_id);
CREATE INDEX support_tickets_customer ON support_tickets (organization_id, customer_id);

-- A ticket's thread: mail in and out, phone notes, replies, and what the desk did (escalations with
-- who was told). Mail that matches no ticket or comes from an unknown sender has no ticket and waits
-- in the triage list (`triage` = 'open') until staff attach it or open a ticket from it: never dropped.
CREATE TABLE support_messages (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  ticket_id uuid,
  direction text NOT NULL CHECK (direction IN ('in', 'out', 'note', 'event')),
  channel text NOT NULL,
  author text,
  from_address text,
  to_address text,
  subject text,
  body text NOT NULL DEFAULT '',
  message_id text,
  in_reply_to text,
  refs text[] NOT NULL DEFAULT '{}',
  attachments jsonb NOT NULL DEFAULT '[]',
  triage text CHECK (triage IN ('open', 'attached', 'opened', 'dismissed')),
  triage_reason text,
  data jsonb,
  created_at timestamptz NOT NULL,
  UNIQUE (organization_id, id),
  FOREIGN KEY (organization_id, ticket_id) REFERENCES support_tickets (organization_id, id)
);
CREATE INDEX support_messages_ticket ON support_messages (organization_id, ticket_id, created_at);
CREATE INDEX support_messages_message_id ON support_messages (organization_id, message_id) WHERE message_id IS NOT NULL;
CREATE INDEX support_messages_triage ON support_messages (organization_id, created_at) WHERE triage = 'open';
-- One stored copy per received message (a sender retrying after a lost reply delivers it once).
CREATE UNIQUE INDEX support_messages_once ON support_messages (organization_id, message_id) WHERE direction = 'in' AND message_id IS NOT NULL;

-- Training sessions on use and administration under a contract (VN-5): on working days, with attendance.
CREATE TABLE training_sessions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  number text NOT NULL,
  contract_id uuid NOT NULL,
  topic text NOT NULL,
  channel text NOT NULL,
  starts_at timestamptz NOT NULL,
  local_date date NOT NULL,
  duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
  trainer_id uuid,
  attendees jsonb NOT NULL DEFAULT '[]',
  state text NOT NULL CHECK (state IN ('scheduled', 'held', 'cancelled')),
  rule text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (organization_id, id),
  UNIQUE (organization_id, number),
  FOREIGN KEY (organization_id, contract_id) REFERENCES contracts (organization_id, id),
  FOREIGN KEY (trainer_id) REFERENCES staff_users (id)
);
CREATE INDEX training_sessions_contract ON training_sessions (organization_id, contract_id, starts_at);
