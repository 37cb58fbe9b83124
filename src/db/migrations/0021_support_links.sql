-- Issue 13: an incident can become an RMA as well as a service order, linked both ways: the ticket
-- holds the case it became (service_order_id since 0015, rma_id here); the order's and the RMA's
-- pages find their ticket by these columns.
ALTER TABLE support_tickets ADD COLUMN rma_id uuid;
ALTER TABLE support_tickets ADD CONSTRAINT support_tickets_rma_fk FOREIGN KEY (organization_id, rma_id) REFERENCES rmas (organization_id, id);
CREATE INDEX support_tickets_service_order ON support_tickets (organization_id, service_order_id) WHERE service_order_id IS NOT NULL;
CREATE INDEX support_tickets_rma ON support_tickets (organization_id, rma_id) WHERE rma_id IS NOT NULL;
