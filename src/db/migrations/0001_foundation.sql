-- Organizations, staff, sessions, API keys, customers, devices and their history, purchases,
-- documents, idempotency keys and the append-only audit log.
-- Every business row carries organization_id; queries always filter on it (tenancy).

CREATE TABLE organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL,
  pack_id text NOT NULL CHECK (pack_id IN ('its', 'itmall', 'service-center', 'vn', 'itema')),
  time_zone text NOT NULL,
  currency char(3) NOT NULL,
  languages text[] NOT NULL DEFAULT ARRAY['en'],
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE locations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  name text NOT NULL,
  address text,
  phone text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id)
);

CREATE TABLE staff_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'manager', 'front-desk', 'technician')),
  password_hash text NOT NULL,
  disabled_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Sign-in is by e-mail alone, so an address names one staff user across organizations.
CREATE UNIQUE INDEX staff_users_email ON staff_users (lower(email));
CREATE INDEX staff_users_org ON staff_users (organization_id);

CREATE TABLE sessions (
  -- sha256 of the cookie's token: a leaked table does not leak usable sessions.
  token_hash text PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  staff_user_id uuid NOT NULL REFERENCES staff_users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user ON sessions (staff_user_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'manager', 'front-desk', 'technician')),
  prefix text NOT NULL,
  secret_hash text NOT NULL UNIQUE,
  created_by uuid REFERENCES staff_users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_org ON api_keys (organization_id);

CREATE TABLE customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  kind text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'company')),
  name text NOT NULL,
  email text,
  phone text,
  address text,
  preferred_language text,
  preferred_channel text CHECK (preferred_channel IN ('email', 'phone', 'sms', 'post', 'in-person')),
  external_ref text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id)
);
CREATE INDEX customers_org_email ON customers (organization_id, lower(email));
CREATE UNIQUE INDEX customers_org_ref ON customers (organization_id, external_ref) WHERE external_ref IS NOT NULL;

CREATE TABLE devices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  customer_id uuid,
  serial text NOT NULL,
  manufacturer text NOT NULL,
  model text,
  category text NOT NULL,
  kind text NOT NULL DEFAULT 'device' CHECK (kind IN ('device', 'service', 'part')),
  condition text NOT NULL DEFAULT 'new' CHECK (condition IN ('new', 'refurbished', 'used', 'discounted')),
  discount_defect text,
  term text,
  manufacturer_warranty_term text,
  manufacturer_warranty_provider text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id),
  FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
  CHECK (condition <> 'discounted' OR discount_defect IS NOT NULL)
);
-- ITEMA-27: a claim names model and serial; the serial is unique per organization and manufacturer.
CREATE UNIQUE INDEX devices_org_mfr_serial ON devices (organization_id, lower(manufacturer), serial);
CREATE INDEX devices_org_serial ON devices (organization_id, serial);
CREATE INDEX devices_org_customer ON devices (organization_id, customer_id);

CREATE TABLE device_parts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  device_id uuid NOT NULL,
  part_key text NOT NULL,
  category text NOT NULL,
  serial text,
  term text,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id),
  UNIQUE (device_id, part_key)
);

CREATE TABLE purchases (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  customer_id uuid,
  device_id uuid NOT NULL,
  document_type text NOT NULL DEFAULT 'invoice' CHECK (document_type IN ('invoice', 'receipt', 'contract')),
  document_number text NOT NULL,
  sold_on date NOT NULL,
  delivered_on date,
  shipped_on date,
  installed_on date,
  activated_on date,
  place text,
  location_id uuid,
  price_minor bigint CHECK (price_minor >= 0),
  currency char(3),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id),
  FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id),
  FOREIGN KEY (organization_id, location_id) REFERENCES locations (organization_id, id),
  CHECK ((price_minor IS NULL) = (currency IS NULL))
);
-- One record per device per sales document; a document with several devices has several purchases.
CREATE UNIQUE INDEX purchases_doc_device ON purchases (organization_id, document_number, device_id);
CREATE INDEX purchases_org_device ON purchases (organization_id, device_id);

CREATE TABLE device_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL,
  device_id uuid NOT NULL,
  type text NOT NULL CHECK (type IN ('sale', 'delivery', 'shipping', 'installation', 'activation',
    'repair-accepted', 'repair-completed', 'part-replaced', 'module-added', 'device-replaced',
    'extension-purchased', 'warranty-voided', 'ownership-transferred', 'dispute-opened', 'dispute-closed')),
  date date NOT NULL,
  part_id text,
  replaces_part_id text,
  category text,
  under_warranty boolean,
  term text,
  plan_id text,
  note text,
  order_ref text,
  -- Events derived from a purchase's dates are replaced when the purchase's dates change.
  purchase_id uuid REFERENCES purchases(id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by text,
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id)
);
CREATE INDEX device_events_device ON device_events (device_id, date, recorded_at);

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id),
  purchase_id uuid,
  kind text NOT NULL DEFAULT 'proof-of-purchase',
  filename text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  storage_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, purchase_id) REFERENCES purchases (organization_id, id)
);
CREATE INDEX documents_purchase ON documents (organization_id, purchase_id);

CREATE TABLE idempotency_keys (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, key)
);

CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL CHECK (actor_type IN ('staff', 'api-key', 'system')),
  actor_id text,
  channel text NOT NULL,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_events_entity ON audit_events (organization_id, entity_type, entity_id, id);

-- The audit log is append-only: updates and deletes are refused by the database itself.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
