-- The audit log made tamper-evident (issue 15): a hash chain per organization. Each row carries its
-- place in its organization's chain (chain_seq, 1, 2, ...), the hash of the row before it
-- (prev_hash; '' for the first) and its own hash: sha256 over prev_hash and every column, as
-- audit_event_hash() encodes them. audit_heads holds each organization's last position and hash.
--
-- The row trigger below fills them in for every insert (one row or many in one statement, rows
-- chained in insertion order). It takes the organization's head row with UPDATE, so concurrent
-- transactions writing audit rows of one organization queue there until the holder commits: the
-- chain never forks (a unique index on (organization_id, chain_seq) also makes a fork impossible),
-- and a rolled-back transaction gives back its positions. `aftercare audit verify` recomputes it.
ALTER TABLE audit_events ADD COLUMN chain_seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text;

CREATE TABLE audit_heads (
  organization_id uuid PRIMARY KEY REFERENCES organizations(id),
  seq bigint NOT NULL,
  hash text NOT NULL
);

-- The encoding is a JSON array (jsonb's text form is canonical: the same values give the same text);
-- the moment as microseconds since 1970, so no time zone or date style setting changes it.
CREATE FUNCTION audit_event_hash(prev text, e audit_events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    prev, e.chain_seq, e.organization_id, e.id, (extract(epoch FROM e.occurred_at) * 1000000)::bigint,
    e.actor_type, e.actor_id, e.channel, e.action, e.entity_type, e.entity_id, e.before, e.after)::text, 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head audit_heads%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_heads WHERE organization_id = NEW.organization_id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO audit_heads (organization_id, seq, hash) VALUES (NEW.organization_id, 0, '') ON CONFLICT (organization_id) DO NOTHING;
    SELECT * INTO head FROM audit_heads WHERE organization_id = NEW.organization_id FOR UPDATE;
  END IF;
  NEW.chain_seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := audit_event_hash(head.hash, NEW);
  UPDATE audit_heads SET seq = NEW.chain_seq, hash = NEW.hash WHERE organization_id = NEW.organization_id;
  RETURN NEW;
END $$;

-- The rows written before this migration: chained in the order they were written (id).
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change;
DO $$
DECLARE
  r audit_events%ROWTYPE;
  h audit_heads%ROWTYPE;
BEGIN
  FOR r IN SELECT * FROM audit_events ORDER BY organization_id, id LOOP
    SELECT * INTO h FROM audit_heads WHERE organization_id = r.organization_id;
    IF NOT FOUND THEN
      h := ROW(r.organization_id, 0, '');
      INSERT INTO audit_heads VALUES (r.organization_id, 0, '');
    END IF;
    r.chain_seq := h.seq + 1;
    r.prev_hash := h.hash;
    r.hash := audit_event_hash(h.hash, r);
    UPDATE audit_events SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
    UPDATE audit_heads SET seq = r.chain_seq, hash = r.hash WHERE organization_id = r.organization_id;
  END LOOP;
END $$;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change;

ALTER TABLE audit_events ALTER COLUMN chain_seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
CREATE UNIQUE INDEX audit_events_chain ON audit_events (organization_id, chain_seq);
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_chain();

-- The head moves only with the chain: nothing else may change it.
CREATE FUNCTION audit_heads_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'audit_heads is written only by the audit_events trigger';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER audit_heads_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_heads
  FOR EACH ROW EXECUTE FUNCTION audit_heads_guard();
