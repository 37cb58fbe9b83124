-- The business's own message templates (issue 16): per topic and language a subject, an e-mail
-- body and an SMS text, in the shipped templates' {placeholder} syntax. Without a row the shipped
-- text (src/modules/notifications/templates/<lang>.json) is sent. `version` starts at 1 and grows
-- by one with each save (optimistic concurrency); a reset to the default deletes the row (audited).
CREATE TABLE message_templates (
  organization_id uuid NOT NULL REFERENCES organizations (id),
  topic text NOT NULL,
  language text NOT NULL CHECK (language IN ('en', 'bg', 'vi')),
  subject text NOT NULL,
  body text NOT NULL,
  sms text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, topic, language)
);
