-- The policy simulator (issue 11) reads every device of a business with its whole history. In id
-- order through device_events_device each event row is a visit to a heap page of its own (events are
-- written over the years, so one device's rows lie far apart): 2 000 000 rows took 26 s of
-- PostgreSQL, 890 000 buffer reads. This index holds every column the engine reads, in the engine's
-- order (date, then the time recorded, then the id), so that read is an index-only scan of one
-- contiguous range per business: 2.6 s for the same rows (docs/benchmarks.md, "The policy simulator").
-- The note is not included (free text of any length cannot be an index column); the simulator reads
-- the note of a 'warranty-voided' event from the row, the only event whose note the engine reads.
CREATE INDEX device_events_history ON device_events (organization_id, device_id, date, recorded_at, id)
  INCLUDE (type, voided_at, part_id, replaces_part_id, category, under_warranty, term, plan_id, order_ref);
