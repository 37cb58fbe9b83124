-- Notifications: the messages the delivery worker renders from outbox rows (one outbox row gives one
-- message to the client, or one per staff recipient), with their delivery state. A message is
-- rendered once and stored, so a retry sends exactly the same text with the same Message-ID.

CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  outbox_id uuid NOT NULL REFERENCES outbox(id),
  -- Position among the messages of one outbox row (staff messages have one per recipient).
  seq integer NOT NULL,
  topic text NOT NULL,
  audience text NOT NULL CHECK (audience IN ('client', 'staff')),
  -- email / sms: the channel chosen for it; none: the recipient has no address we can use. A message
  -- no channel can carry (no SMTP configured, the log-only SMS provider, no address) is 'kept' for staff.
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'none')),
  language text NOT NULL,
  recipient text,
  subject text,
  body text NOT NULL,
  link text,
  order_id uuid,
  customer_id uuid,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'kept', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  -- The idempotency marker: the email's Message-ID, stable across retries.
  message_key text NOT NULL UNIQUE,
  provider_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sending_at timestamptz,
  sent_at timestamptz,
  UNIQUE (outbox_id, seq)
);
CREATE INDEX notifications_org ON notifications (organization_id, id);
CREATE INDEX notifications_order ON notifications (organization_id, order_id);
CREATE INDEX notifications_kept ON notifications (organization_id, status) WHERE status IN ('kept', 'failed');
