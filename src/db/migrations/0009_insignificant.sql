-- ITEMA-32: "no termination for an insignificant non-conformity". Recorded at diagnosis; the engine
-- then offers neither termination (ITEMA-18/31) nor the refund after three repairs, only a price
-- reduction.
ALTER TABLE service_orders ADD COLUMN insignificant boolean NOT NULL DEFAULT false;
