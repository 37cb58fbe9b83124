-- When a claim actually reached the business (a phone call or an e-mail entered later), when it is
-- not the moment it was entered (created_at). The claim's clocks run from it; null: created_at.
alter table service_orders add column claim_received_at timestamptz;

-- ITEMA-12 for sales: a purchase delivered by courier, the moment it was delivered, and the
-- client's objection to the terms (within the pack's courier-objection window).
alter table purchases add column courier_delivered_at timestamptz;
alter table purchases add column objection_at timestamptz;
alter table purchases add column objection_note text;
