-- Issue 14, the rest of the money side. A refund Stripe rejects (refund.failed, or refund.updated /
-- charge.refund.updated with status failed or canceled) keeps Stripe's reason, on Stripe's record
-- and on the order's refund the console shows ("refund failed: <reason>"). A Payment Link staff send
-- for what an order has due is a checkout without a session until the client pays it: its plink_...
-- identifies it when checkout.session.completed carries `payment_link`.
ALTER TABLE stripe_refunds ADD COLUMN failure_reason text;
ALTER TABLE order_refunds ADD COLUMN failure_reason text;
ALTER TABLE order_refunds ADD COLUMN failed_at timestamptz;
ALTER TABLE stripe_checkouts ADD COLUMN payment_link_id text UNIQUE;
