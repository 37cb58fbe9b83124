-- Billing (issue 14): tax documents (invoices, receipts, credit notes) numbered without gaps per
-- organization, series and year; refunds; deposits and online payments.
--
-- Gap-free: a tax document's number comes from a counter ROW (tax_document_counters), taken with
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING, which holds the row's lock to COMMIT. A second
-- issuer of the same series waits for the first to commit or roll back, and a rolled-back issue
-- gives its number back. This is the opposite trade-off to case numbers (0011: sequences, gaps
-- allowed): tax law wants no gaps, and documents are issued far less often than cases are opened.
CREATE TABLE tax_document_counters (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  series text NOT NULL,
  year int NOT NULL,
  last_number bigint NOT NULL,
  PRIMARY KEY (organization_id, series, year)
);

CREATE TABLE tax_documents (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  kind text NOT NULL CHECK (kind IN ('invoice', 'receipt', 'credit-note')),
  series text NOT NULL,
  year int NOT NULL,
  seq bigint NOT NULL,
  number text NOT NULL,
  -- What the document is about: a service order, an RMA, ...
  subject_type text NOT NULL,
  subject_id uuid NOT NULL,
  subject_number text NOT NULL,
  customer_id uuid,
  language text NOT NULL,
  currency char(3) NOT NULL,
  -- Lines as priced (billing/money.ts), the tax setting applied, the totals in minor units.
  lines jsonb NOT NULL,
  tax jsonb NOT NULL,
  net_minor bigint NOT NULL,
  tax_minor bigint NOT NULL,
  total_minor bigint NOT NULL,
  -- A credit note names the document it corrects, and why.
  refers_to uuid REFERENCES tax_documents(id),
  reason text,
  rule text,
  issued_at timestamptz NOT NULL,
  issued_by text NOT NULL,
  UNIQUE (organization_id, series, year, seq),
  UNIQUE (organization_id, number)
);
CREATE INDEX tax_documents_subject ON tax_documents (organization_id, subject_type, subject_id);

-- Payments: a deposit may be taken before anything is charged; a payment online (Stripe) names
-- its reference (one record per reference); each payment has its receipt.
ALTER TABLE order_payments DROP CONSTRAINT order_payments_method_check;
ALTER TABLE order_payments ADD CONSTRAINT order_payments_method_check CHECK (method IN ('cash', 'card-terminal', 'bank-transfer', 'stripe'));
ALTER TABLE order_payments ADD COLUMN kind text NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'deposit'));
ALTER TABLE order_payments ADD COLUMN external_ref text;
ALTER TABLE order_payments ADD COLUMN receipt_id uuid REFERENCES tax_documents(id);
CREATE UNIQUE INDEX order_payments_external_ref ON order_payments (organization_id, external_ref) WHERE external_ref IS NOT NULL;

-- Refunds, in full or in part. `credit`: of what the order charged, against one of its payments, with
-- a credit note (it lowers what the order charges). `overpayment`: of a payment over the charges (a
-- deposit), no credit note. `remedy`: money paid out under a remedy (price reduction, termination,
-- buy-back, refund after repairs: of the purchase price, not of the order's payments), with a credit
-- note; it does not touch the order's balance.
CREATE TABLE order_refunds (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  payment_id uuid REFERENCES order_payments(id),
  kind text NOT NULL CHECK (kind IN ('credit', 'overpayment', 'remedy')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency char(3) NOT NULL,
  method text NOT NULL,
  reason text NOT NULL,
  remedy text,
  credit_note_id uuid REFERENCES tax_documents(id),
  external_ref text,
  status text NOT NULL DEFAULT 'done' CHECK (status IN ('pending', 'done', 'failed')),
  refunded_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'remedy') = (payment_id IS NULL)),
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX order_refunds_order ON order_refunds (organization_id, order_id);
CREATE INDEX order_refunds_payment ON order_refunds (payment_id);

-- Charges lowered by a credit note (price reduction, part refund) carry a negative amount.
ALTER TABLE order_charges DROP CONSTRAINT order_charges_kind_check;
ALTER TABLE order_charges ADD CONSTRAINT order_charges_kind_check CHECK (kind IN ('repair', 'diagnosis', 'transport', 'other', 'surcharge', 'credit'));
ALTER TABLE order_charges DROP CONSTRAINT order_charges_amount_minor_check;
ALTER TABLE order_charges ADD CONSTRAINT order_charges_amount_minor_check CHECK (amount_minor >= 0 OR kind = 'credit');
ALTER TABLE order_charges ADD COLUMN credit_note_id uuid REFERENCES tax_documents(id);

-- Remedies executed on an order (issue 12): what the engine offered and staff carried out.
CREATE TABLE order_remedies (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  type text NOT NULL,
  rule text NOT NULL,
  details jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX order_remedies_order ON order_remedies (organization_id, order_id);

-- A remedy that takes the device back closes the order as `settled`.
ALTER TABLE service_orders DROP CONSTRAINT service_orders_state_check;
ALTER TABLE service_orders ADD CONSTRAINT service_orders_state_check CHECK (state IN ('claimed', 'received', 'diagnosing', 'warranty-approved', 'awaiting-decision',
  'accepted', 'refused', 'in-repair', 'testing', 'ready', 'handed-over', 'returned', 'unclaimed', 'disposed', 'cancelled', 'settled'));
