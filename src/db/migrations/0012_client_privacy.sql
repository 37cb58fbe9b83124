-- Issue 15, the client-facing endpoints' privacy.
--
-- A claim from the public web form is no longer matched to a stored client or device by what the
-- form says (an e-mail or a serial anyone may type): it keeps what the client sent (`submitted`) and
-- waits for staff to link it (`awaiting_link`, the staff queue "to link"); until then the order has
-- no customer and no device, so nothing stored is shown through its page.
ALTER TABLE service_orders
  ADD COLUMN submitted jsonb,
  ADD COLUMN awaiting_link boolean NOT NULL DEFAULT false,
  -- When the order reached handed-over, returned, disposed or cancelled: its page links work for
  -- ORDER_PAGE_LINK_DAYS after this (a link staff issue later, that long from its issue).
  ADD COLUMN closed_at timestamptz;
-- Closed orders never change again, so their last change is when they closed.
UPDATE service_orders SET closed_at = updated_at WHERE state IN ('handed-over', 'returned', 'disposed', 'cancelled');
CREATE INDEX service_orders_to_link ON service_orders (organization_id, id) WHERE awaiting_link;

-- One-time codes sent to the contact on an order (through the outbox) before the client may accept
-- or refuse a quote on the page reached by order number and contact. Only a hash is stored; a code
-- works once, for a few minutes.
CREATE TABLE order_lookup_codes (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  order_id uuid NOT NULL,
  code_hash text NOT NULL,
  via text NOT NULL CHECK (via IN ('email', 'sms')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  FOREIGN KEY (organization_id, order_id) REFERENCES service_orders (organization_id, id)
);
CREATE INDEX order_lookup_codes_order ON order_lookup_codes (organization_id, order_id, expires_at);
CREATE INDEX order_lookup_codes_expires ON order_lookup_codes (expires_at);
