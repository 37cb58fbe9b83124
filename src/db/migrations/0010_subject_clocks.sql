-- Clocks and timers belong to a subject (a service order today; RMAs, incidents, contracts and
-- registrations next), keyed by (subject_type, subject_id), no longer by a foreign key to
-- service_orders. Each kind of case registers its clock handler with the core (src/core/timers.ts).
-- Timers are no longer one graphile-worker job each: their due times live in `timers`, indexed, and
-- are polled by every job runner (SKIP LOCKED, fired_at under the row lock: once).
ALTER TABLE order_clocks RENAME TO clocks;
ALTER TABLE clocks RENAME COLUMN order_id TO subject_id;
ALTER TABLE clocks ADD COLUMN subject_type text NOT NULL DEFAULT 'service-order';
ALTER TABLE clocks ALTER COLUMN subject_type DROP DEFAULT;
ALTER TABLE clocks DROP CONSTRAINT order_clocks_organization_id_order_id_fkey;
ALTER TABLE clocks DROP CONSTRAINT order_clocks_order_id_clock_id_key;
ALTER TABLE clocks ADD CONSTRAINT clocks_subject_clock UNIQUE (organization_id, subject_type, subject_id, clock_id);
ALTER INDEX order_clocks_due RENAME TO clocks_due;
ALTER INDEX order_clocks_pkey RENAME TO clocks_pkey;

ALTER TABLE order_clock_pauses RENAME TO clock_pauses;
ALTER INDEX order_clock_pauses_clock RENAME TO clock_pauses_clock;
ALTER INDEX order_clock_pauses_pkey RENAME TO clock_pauses_pkey;

ALTER TABLE order_timers RENAME TO timers;
ALTER TABLE timers RENAME COLUMN order_id TO subject_id;
ALTER TABLE timers ADD COLUMN subject_type text NOT NULL DEFAULT 'service-order';
ALTER TABLE timers ALTER COLUMN subject_type DROP DEFAULT;
ALTER TABLE timers DROP CONSTRAINT order_timers_organization_id_order_id_fkey;
ALTER INDEX order_timers_pending RENAME TO timers_pending;
ALTER INDEX order_timers_pkey RENAME TO timers_pkey;
CREATE INDEX timers_clock ON timers (clock_row_id) WHERE fired_at IS NULL AND cancelled_at IS NULL;

-- The rule under which a claim waits for pre-authorization comes from the pack (intake.preAuthorization),
-- stored with the order like its policy version.
ALTER TABLE service_orders ADD COLUMN pre_authorization_rule text;
UPDATE service_orders SET pre_authorization_rule = 'ITEMA-28' WHERE pre_authorization_required;
