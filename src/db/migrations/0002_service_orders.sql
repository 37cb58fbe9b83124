-- Claims and service orders (issue 4): the order with its signed work order, charges and counter
-- payments, parts used and removed, clocks (starts, pauses, stops) and their timers, the client's
-- order-page tokens, per-organization order numbers, and the outbox read by the delivery worker.

-- SO-2026-000042: one counter row per organization and year, locked by the UPDATE of an upsert
-- (never max()+1, which two concurrent intakes would both read).
CREATE TABLE order_counters (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  year integer NOT NULL,
  last_number integer NOT NULL,
  PRIMARY KEY (organization_id, year)
);

CREATE TABLE service_orders (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  number text NOT NULL,
  state text NOT NULL CHECK (state IN ('claimed', 'received', 'diagnosing', 'warranty-approved', 'awaiting-decision',
    'accepted', 'refused', 'in-repair', 'testing', 'ready', 'handed-over', 'returned', 'unclaimed', 'disposed', 'cancelled')),
  channel text NOT NULL CHECK (channel IN ('web-form', 'api', 'phone', 'email', 'walk-in')),
  customer_id uuid,
  device_id uuid,
  language text NOT NULL DEFAULT 'en',
  contact_channel text,
  problem text NOT NULL,
  claim_date date NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  proofs jsonb NOT NULL DEFAULT '{}',
  missing jsonb NOT NULL DEFAULT '[]',
  -- ITEMA-28: the client must be authorized before sending anything.
  pre_authorization_required boolean NOT NULL DEFAULT false,
  pre_authorized_at timestamptz,
  decision jsonb,
  decision_final boolean NOT NULL DEFAULT false,
  under_warranty boolean,
  findings text[] NOT NULL DEFAULT '{}',
  work_order jsonb,
  received_on date,
  quote jsonb,
  client_decision jsonb,
  test_result jsonb,
  findings_protocol text,
  currency char(3) NOT NULL,
  policy_version text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id),
  UNIQUE (organization_id, number),
  FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id)
);
CREATE INDEX service_orders_org_state ON service_orders (organization_id, state, id);
CREATE INDEX service_orders_device ON service_orders (organization_id, device_id);

-- What the client owes: the accepted quote, the diagnosis and transport on refusal (ITEMA-22, SC-12).
CREATE TABLE order_charges (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('repair', 'diagnosis', 'transport', 'other')),
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  currency char(3) NOT NULL,
  rule text,
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX order_charges_order ON order_charges (organization_id, order_id);

-- Counter payments (cash, card terminal); Stripe comes later.
CREATE TABLE order_payments (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  method text NOT NULL CHECK (method IN ('cash', 'card-terminal')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency char(3) NOT NULL,
  received_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX order_payments_order ON order_payments (organization_id, order_id);

-- Parts used and removed; removed parts stay with the business (ITEMA-23, ITM-11).
CREATE TABLE order_parts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  action text NOT NULL CHECK (action IN ('replaced', 'added')),
  part_id text NOT NULL,
  replaces_part_id text,
  category text NOT NULL,
  under_warranty boolean NOT NULL,
  removed_part_retained boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);

-- The order's clocks from the pack: when each started and stopped; pauses in their own rows.
-- due_at / at_risk_at are what the engine computed at the last change (null while paused); the
-- status at any moment is computed again by the engine (evaluatePackClock).
CREATE TABLE order_clocks (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  clock_id text NOT NULL,
  rule text NOT NULL,
  started_at timestamptz NOT NULL,
  stopped_at timestamptz,
  due_at timestamptz,
  at_risk_at timestamptz,
  policy_version text NOT NULL,
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id),
  UNIQUE (order_id, clock_id)
);
CREATE INDEX order_clocks_due ON order_clocks (organization_id, due_at) WHERE stopped_at IS NULL;

CREATE TABLE order_clock_pauses (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  clock_row_id uuid NOT NULL REFERENCES order_clocks(id),
  paused_at timestamptz NOT NULL,
  resumed_at timestamptz
);
CREATE INDEX order_clock_pauses_clock ON order_clock_pauses (clock_row_id);

-- Timers: at-risk warnings, breaches, reminders before disposal. Each timer is also a
-- graphile-worker job (job_key = 'order-timer:' || id); fired_at is set in the transaction that acts
-- on it, under a row lock, so a timer fires once however many runners see it.
CREATE TABLE order_timers (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  clock_row_id uuid NOT NULL REFERENCES order_clocks(id),
  kind text NOT NULL CHECK (kind IN ('at-risk', 'due')),
  fire_at timestamptz NOT NULL,
  fired_at timestamptz,
  cancelled_at timestamptz,
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX order_timers_pending ON order_timers (fire_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;

-- The client's order page (SC-3): an unguessable token per order, only its sha256 stored, revocable.
CREATE TABLE order_page_tokens (
  token_hash text PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX order_page_tokens_order ON order_page_tokens (order_id);

-- The outbox: every message that must leave the process (to the client or staff) is written here in
-- the same transaction as the change it reports. The delivery worker (issue 5) reads it.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  topic text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id uuid NOT NULL,
  payload jsonb NOT NULL,
  -- Optional: a second enqueue with the same key in the same organization is ignored.
  dedupe_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  delivered_at timestamptz,
  last_error text
);
CREATE INDEX outbox_pending ON outbox (available_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_aggregate ON outbox (organization_id, aggregate_id);
CREATE UNIQUE INDEX outbox_dedupe ON outbox (organization_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
