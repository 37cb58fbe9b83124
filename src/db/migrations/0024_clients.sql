-- Issue 16 (clients): the customer page, completing a claim, correcting a device's history and
-- what a diagnosis records for the rules.

-- A duplicate client merged into another is kept (its audit trail stays readable), marked merged;
-- its devices, orders and purchases move to the client it was merged into.
alter table customers add column merged_into_id uuid references customers (id);

-- A wrong event in a device's history is voided with a reason, never deleted: the engine no longer
-- reads it, the history still shows it struck through.
alter table device_events add column voided_at timestamptz;
alter table device_events add column void_reason text;
alter table device_events add column voided_by text;

-- What the diagnosis records for the rules: dead-pixel counts by type (ITEMA-16), the country where
-- the device is used (ITEMA-5), the part the claim is about (ITEMA-7, ITM-10).
alter table service_orders add column dead_pixels jsonb;
alter table service_orders add column use_country text;
alter table service_orders add column claim_part_id text;
