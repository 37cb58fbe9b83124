-- Issue 14, the rest. A Payment Link staff send for what an order has due (docs/payments.md) is a
-- stripe_checkouts row with its plink_... (migration 0027); when the balance changes before the
-- client pays, the link is switched off in Stripe and its row becomes `deactivated`. A refund Stripe
-- did not make (refund.failed) of a registration's fee or a plan's price keeps Stripe's reason on the
-- registration / the plan sale itself, for staff to see and try again.
ALTER TABLE stripe_checkouts DROP CONSTRAINT IF EXISTS stripe_checkouts_state_check;
ALTER TABLE stripe_checkouts ADD CONSTRAINT stripe_checkouts_state_check CHECK (state IN ('open', 'paid', 'expired', 'mismatch', 'deactivated'));
ALTER TABLE device_registrations ADD COLUMN refund_failure_reason text;
ALTER TABLE device_registrations ADD COLUMN refund_failed_at timestamptz;
ALTER TABLE plan_sales ADD COLUMN refund_failure_reason text;
ALTER TABLE plan_sales ADD COLUMN refund_failed_at timestamptz;
