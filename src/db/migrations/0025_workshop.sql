-- The workshop's side of a service order (issue 16): who works on it, how urgent it is, the date
-- promised to the client at intake, the device's passcode or unlock pattern (staff only: never in an
-- order view, a client document, the order page or a message), the pre-check at intake, and the
-- staff's internal notes. Written through the order's transition writer (the order's version + 1,
-- audited), so there is still one writer of a case.
CREATE TABLE order_workshop (
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  technician_id uuid REFERENCES staff_users (id), -- of the same organization (checked on write)
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  promised_on date,
  passcode text,
  unlock_pattern text,
  precheck jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, order_id),
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);

CREATE TABLE order_notes (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  body text NOT NULL,
  by_type text NOT NULL,
  by_id text NOT NULL,
  by_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX order_notes_order ON order_notes (organization_id, order_id, created_at);
