-- RMAs (issue 12, ITM-3, ITM-5..14): a return of one or several items of a purchase, as a kind of case
-- of its own (src/modules/rma/). Its clocks and timers are rows of `clocks` / `timers` with
-- subject_type 'rma'; its state changes go through the core's transition writer.
CREATE TABLE rmas (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  number text NOT NULL,
  state text NOT NULL,
  channel text NOT NULL,
  customer_id uuid NOT NULL,
  language text NOT NULL,
  -- The purchase the items were identified by (an invoice number), when one was given.
  purchase_document text,
  -- ITM-3: what remote testing or remote access found; { outcome, note, hardwareDefectConfirmed, at, by }.
  diagnosis jsonb,
  -- The return instruction and freight split given at authorization (ITM-7).
  approval jsonb,
  authorized_at timestamptz,
  -- The inbound shipment: { carrier, tracking, receivedAt }.
  receipt jsonb,
  -- ITM-14: { openedAt, by, reason, rule, team, returnTo, outcome?, closedAt?, note? }.
  dispute jsonb,
  -- ITM-12: the late-return consequence applied (charge or suspension), once.
  late_consequence jsonb,
  closed_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (organization_id, id),
  UNIQUE (organization_id, number),
  FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX rmas_state ON rmas (organization_id, state, created_at DESC);
CREATE INDEX rmas_customer ON rmas (organization_id, customer_id, created_at DESC);

-- One returned item: its device and purchase, the serial, the fault, the engine's answer, the
-- inspection and the resolution (repair → a service order, replacement, credit, not covered).
CREATE TABLE rma_items (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  rma_id uuid NOT NULL,
  position integer NOT NULL,
  device_id uuid NOT NULL,
  purchase_id uuid,
  -- The serial of the unit that is to come back (kept when an advance replacement changes the device's).
  serial text NOT NULL,
  fault text NOT NULL,
  proofs jsonb NOT NULL DEFAULT '{}',
  decision jsonb,
  findings text[] NOT NULL DEFAULT '{}',
  inspection_note text,
  -- ITM-5: { sentAt, carrier, tracking, answer?: 'accepted'|'refused', answeredAt?, note? }.
  vendor_rma jsonb,
  -- ITM-8: { replacementSerial, shippedAt, carrier, tracking }.
  advance_replacement jsonb,
  resolution text,
  resolution_detail jsonb,
  service_order_id uuid,
  -- ITM-11: the removed unit passed to the business.
  retained boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  UNIQUE (organization_id, id),
  FOREIGN KEY (organization_id, rma_id) REFERENCES rmas (organization_id, id),
  FOREIGN KEY (organization_id, device_id) REFERENCES devices (organization_id, id),
  FOREIGN KEY (organization_id, service_order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX rma_items_rma ON rma_items (organization_id, rma_id, position);
CREATE INDEX rma_items_device ON rma_items (organization_id, device_id);

-- Files of an RMA: the manufacturer's refusal evidence (ITM-5), proofs.
CREATE TABLE rma_files (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  rma_id uuid NOT NULL,
  item_id uuid,
  kind text NOT NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  size_bytes integer NOT NULL,
  sha256 text NOT NULL,
  storage_key text NOT NULL,
  created_at timestamptz NOT NULL,
  FOREIGN KEY (organization_id, rma_id) REFERENCES rmas (organization_id, id),
  FOREIGN KEY (organization_id, item_id) REFERENCES rma_items (organization_id, id)
);
CREATE INDEX rma_files_rma ON rma_files (organization_id, rma_id);

-- Charges of an RMA (ITM-12: the full unit price of a unit returned too late or not at all).
CREATE TABLE rma_charges (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  rma_id uuid NOT NULL,
  item_id uuid,
  kind text NOT NULL,
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  rule text,
  created_at timestamptz NOT NULL,
  FOREIGN KEY (organization_id, rma_id) REFERENCES rmas (organization_id, id)
);

-- ITM-12: a suspended account opens no RMA and receives no advance replacement until staff lift it.
CREATE TABLE rma_account_holds (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  rma_id uuid NOT NULL,
  rule text NOT NULL,
  created_at timestamptz NOT NULL,
  lifted_at timestamptz,
  lifted_by text,
  FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
  FOREIGN KEY (organization_id, rma_id) REFERENCES rmas (organization_id, id)
);
CREATE INDEX rma_account_holds_open ON rma_account_holds (organization_id, customer_id) WHERE lifted_at IS NULL;

-- A clock's escalation moment (ITM-12: past 20 days the consequence applies) is a timer too.
DO $$
DECLARE c text;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'timers'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%kind%' LOOP
    EXECUTE format('ALTER TABLE timers DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE timers ADD CONSTRAINT timers_kind_check CHECK (kind IN ('at-risk', 'due', 'escalation'));
