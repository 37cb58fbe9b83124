-- Issue 14, the Stripe side. Online payments (src/modules/stripe): the Checkout Sessions Aftercare
-- asked Stripe for, the refunds it asked for or heard of, and every webhook event processed once.
-- Device registrations (ITS-5/6, src/modules/registrations) and warranty plan sales (ITS-3,
-- ITEMA-29, src/modules/plans). Money is integer minor units with an ISO currency.

CREATE TABLE stripe_checkouts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  -- What the payment is for: a kind registered with onStripePaid ('registration', 'plan-sale', ...).
  subject_kind text NOT NULL,
  subject_id uuid NOT NULL,
  amount_minor integer NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  description text NOT NULL,
  idempotency_key text NOT NULL,
  session_id text UNIQUE,
  url text,
  payment_intent_id text,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'paid', 'expired', 'mismatch')),
  amount_paid_minor integer,
  amount_refunded_minor integer NOT NULL DEFAULT 0,
  paid_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id),
  UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX stripe_checkouts_subject ON stripe_checkouts (organization_id, subject_kind, subject_id);
CREATE INDEX stripe_checkouts_payment_intent ON stripe_checkouts (payment_intent_id) WHERE payment_intent_id IS NOT NULL;

CREATE TABLE stripe_refunds (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  checkout_id uuid NOT NULL,
  -- Stripe's re_... id; null only between our insert and Stripe's answer.
  refund_id text UNIQUE,
  idempotency_key text,
  amount_minor integer NOT NULL CHECK (amount_minor > 0),
  state text NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'canceled', 'requires_action')),
  -- The features' refund handlers ran for it (once, after the payment's own handlers).
  applied_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, checkout_id) REFERENCES stripe_checkouts (organization_id, id),
  UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX stripe_refunds_checkout ON stripe_refunds (organization_id, checkout_id);

CREATE TABLE stripe_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  organization_id uuid REFERENCES organizations(id),
  -- processed | ignored (a type we do not handle, or nothing of ours) | amount-mismatch
  outcome text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE device_registrations (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  number text NOT NULL,
  customer_id uuid NOT NULL,
  device_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'paid', 'refused', 'expired', 'refunded')),
  channel text NOT NULL,
  -- What the client entered: the service (installation or repair) and its date (ITS-5).
  service_event text NOT NULL,
  service_date date NOT NULL,
  -- The invoice or service contract (ITS-6): its kind is given with the registration, the file is
  -- uploaded next (stored as the purchase documents are); no payment is taken before it is there.
  document_type text NOT NULL,
  document_filename text,
  document_content_type text,
  document_size_bytes integer,
  document_sha256 text,
  document_storage_key text,
  fee_minor integer NOT NULL CHECK (fee_minor >= 0),
  currency text NOT NULL,
  payment_method text,
  paid_at timestamptz,
  -- The claim proofs a valid registration gives (ITS-5, ITS-6), as the pack lists them.
  proofs jsonb NOT NULL DEFAULT '{}',
  refusal_reason text,
  rule text NOT NULL,
  policy_version text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id),
  UNIQUE (organization_id, number),
  FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id)
);
CREATE INDEX device_registrations_state ON device_registrations (organization_id, state, id);
CREATE INDEX device_registrations_device ON device_registrations (organization_id, device_id);

CREATE TABLE plan_sales (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  device_id uuid NOT NULL,
  customer_id uuid,
  plan_id text NOT NULL,
  -- at-sale | during-coverage | after-expiry: when it was bought, as the pack's plan allows
  buy_window text NOT NULL,
  price_minor integer NOT NULL CHECK (price_minor >= 0),
  currency text NOT NULL,
  channel text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'paid', 'refunded', 'cancelled')),
  payment_method text,
  paid_on date,
  paid_at timestamptz,
  device_event_id uuid,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id),
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id)
);
CREATE INDEX plan_sales_device ON plan_sales (organization_id, device_id);
