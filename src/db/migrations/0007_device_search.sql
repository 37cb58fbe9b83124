-- Device search by any part of the serial (the console's search box: the last digits read off a
-- label, a serial typed without its dashes' case). pg_trgm is a trusted extension (PostgreSQL 13+), so
-- the database's owner may create it; where the role may not, search still works, without the index
-- (a scan of the organization's devices).
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR feature_not_supported OR undefined_file THEN
  RAISE NOTICE 'pg_trgm is not available (%): device search runs without its index', SQLERRM;
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX IF NOT EXISTS devices_serial_trgm ON devices USING gin (serial gin_trgm_ops)';
    EXECUTE 'CREATE INDEX IF NOT EXISTS devices_model_trgm ON devices USING gin (model gin_trgm_ops)';
  END IF;
END $$;
