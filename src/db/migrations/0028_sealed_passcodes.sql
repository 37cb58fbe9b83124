-- The device passcode and unlock pattern sealed at rest (issue 16): `passcode` and `unlock_pattern`
-- now hold only AES-256-GCM envelopes (`ac1.<key id>.<iv>.<ciphertext>.<tag>`, src/core/secrets.ts),
-- and `secret_key_id` names the key that sealed them (rotation: src/core/secrets.ts `resealAll`).
-- The key is not in the database, so SQL cannot seal: the plain values already stored move to the
-- `*_unsealed` columns here, and the server seals them with its key as it starts, before it serves
-- (`sealStoredPasscodes`, src/modules/service-orders/workshop.ts), emptying those columns.
ALTER TABLE order_workshop
  ADD COLUMN secret_key_id text,
  ADD COLUMN passcode_unsealed text,
  ADD COLUMN unlock_pattern_unsealed text;

UPDATE order_workshop
SET passcode_unsealed = passcode, unlock_pattern_unsealed = unlock_pattern, passcode = NULL, unlock_pattern = NULL
WHERE passcode IS NOT NULL OR unlock_pattern IS NOT NULL;

ALTER TABLE order_workshop
  ADD CONSTRAINT order_workshop_passcode_sealed CHECK (passcode IS NULL OR passcode ~ '^ac1\.[0-9a-f]{16}\.'),
  ADD CONSTRAINT order_workshop_unlock_pattern_sealed CHECK (unlock_pattern IS NULL OR unlock_pattern ~ '^ac1\.[0-9a-f]{16}\.'),
  ADD CONSTRAINT order_workshop_sealed_key CHECK ((passcode IS NULL AND unlock_pattern IS NULL) OR secret_key_id IS NOT NULL);

-- Only rows still to seal.
CREATE INDEX order_workshop_unsealed ON order_workshop (organization_id, order_id)
  WHERE passcode_unsealed IS NOT NULL OR unlock_pattern_unsealed IS NOT NULL;
