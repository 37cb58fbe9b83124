-- Issue 12: the RMA's return deadline held by staff (with a reason) and resumed; the hold in force
-- is kept on the RMA (its history is the audit trail). The clock itself is paused through the core
-- (clock_pauses), like any other clock.
alter table rmas add column return_hold jsonb;
