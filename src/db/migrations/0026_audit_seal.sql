-- The audit hash chain sealed after commit, not inside the writer's transaction (issue 10 against
-- issue 15). Migration 0020 chained each row as it was inserted: the insert took its organization's
-- audit_heads row with UPDATE and held it to COMMIT, so every audited transaction of a business
-- (every intake, every transition) queued behind the one before, fsync included — the very
-- serialization issue 10 removed from case numbers.
--
-- Now a row is inserted unsealed (chain_seq, prev_hash and hash NULL) and audit_seal(org) chains
-- every committed unsealed row of the organization, in id order, under the head's lock: only
-- sealers queue there, never writers. The job runner seals every minute (crontab task
-- `audit-seal`) and `aftercare audit verify` seals before it verifies. The chain's order is the
-- order rows were sealed in (a transaction that commits late is sealed in a later batch); its
-- positions stay 1, 2, 3, ... without gaps, and a rolled-back write never reaches the chain.
DROP TRIGGER audit_events_chain ON audit_events;
DROP FUNCTION audit_events_chain();
ALTER TABLE audit_events ALTER COLUMN chain_seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;
CREATE INDEX audit_events_unsealed ON audit_events (organization_id, id) WHERE chain_seq IS NULL;

-- Still append-only: the one update allowed is the sealer's, filling the three chain columns of an
-- unsealed row and changing nothing else.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('aftercare.audit_seal', true) = 'on'
     AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
     AND to_jsonb(OLD) - ARRAY['chain_seq', 'prev_hash', 'hash'] = to_jsonb(NEW) - ARRAY['chain_seq', 'prev_hash', 'hash'] THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END $$;

-- The head moves only with the chain: only audit_seal writes it.
CREATE OR REPLACE FUNCTION audit_heads_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('aftercare.audit_seal', true), '') <> 'on' THEN
    RAISE EXCEPTION 'audit_heads is written only by audit_seal()';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;

-- Chains up to max_rows unsealed rows of one organization; returns how many it sealed.
CREATE FUNCTION audit_seal(org uuid, max_rows int DEFAULT 5000) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  head audit_heads%ROWTYPE;
  r audit_events%ROWTYPE;
  n int := 0;
BEGIN
  PERFORM set_config('aftercare.audit_seal', 'on', true);
  INSERT INTO audit_heads (organization_id, seq, hash) VALUES (org, 0, '') ON CONFLICT (organization_id) DO NOTHING;
  SELECT * INTO head FROM audit_heads WHERE organization_id = org FOR UPDATE;
  -- Read after the lock: a sealer that waited sees what the one before it sealed.
  FOR r IN SELECT * FROM audit_events WHERE organization_id = org AND chain_seq IS NULL ORDER BY id LIMIT max_rows LOOP
    r.chain_seq := head.seq + 1;
    r.prev_hash := head.hash;
    r.hash := audit_event_hash(head.hash, r);
    UPDATE audit_events SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
    head.seq := r.chain_seq;
    head.hash := r.hash;
    n := n + 1;
  END LOOP;
  IF n > 0 THEN
    UPDATE audit_heads SET seq = head.seq, hash = head.hash WHERE organization_id = org;
  END IF;
  PERFORM set_config('aftercare.audit_seal', 'off', true);
  RETURN n;
END $$;
