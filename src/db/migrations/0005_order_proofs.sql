-- Proof files sent with a claim (issue 6: the portal's warranty request form uploads an invoice,
-- receipt or warranty card through the order page link). A stored document belongs to a purchase or
-- to a service order, never to both; the composite key keeps it in the order's organization.
ALTER TABLE documents ADD COLUMN service_order_id uuid;
ALTER TABLE documents ADD CONSTRAINT documents_service_order_fk
  FOREIGN KEY (organization_id, service_order_id) REFERENCES service_orders (organization_id, id);
ALTER TABLE documents ADD CONSTRAINT documents_one_owner CHECK (purchase_id IS NULL OR service_order_id IS NULL);
CREATE INDEX documents_service_order ON documents (organization_id, service_order_id) WHERE service_order_id IS NOT NULL;
