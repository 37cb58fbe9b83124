-- Case numbers (service orders today; RMAs and tickets next) come from one sequence per
-- (kind, organization, year), created on first use by next_case_number(). nextval never waits for
-- another transaction, so intakes of one business no longer queue behind a counter row held to
-- COMMIT; a rolled-back intake leaves a gap, which case numbers may have (tax documents, which must
-- be gap-free, get their own counter). Existing counters continue where they stopped.
CREATE FUNCTION next_case_number(p_kind text, p_org uuid, p_year int) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  seq text := format('case_no_%s_%s_%s', p_kind, replace(p_org::text, '-', ''), p_year);
BEGIN
  RETURN nextval(seq::regclass);
EXCEPTION WHEN undefined_table THEN
  BEGIN
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', seq);
  EXCEPTION WHEN unique_violation OR duplicate_table THEN
    NULL; -- another transaction created it meanwhile
  END;
  RETURN nextval(seq::regclass);
END $$;

DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT organization_id, year, last_number FROM order_counters LOOP
    EXECUTE format('CREATE SEQUENCE %I START WITH %s', format('case_no_%s_%s_%s', 'so', replace(r.organization_id::text, '-', ''), r.year), r.last_number + 1);
  END LOOP;
END $$;
DROP TABLE order_counters;
