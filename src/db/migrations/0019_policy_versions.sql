-- Issue 11: a business's policy is its own data. The shipped packs (packs/*.yaml) are templates: an
-- organization's policy is the list of versions stored here, each one pack version (the body of one
-- `versions[]` entry of a pack file, as `policy validate` reads it). `policy_rev` on the organization
-- counts publications, so every server process can keep the compiled policy cached and notice a new
-- version on its next read of the organization row.
ALTER TABLE organizations DROP CONSTRAINT IF EXISTS organizations_pack_id_check;
ALTER TABLE organizations
  ADD CONSTRAINT organizations_pack_id_check CHECK (pack_id ~ '^[a-z][a-z0-9-]*$'),
  ADD COLUMN policy_rev integer NOT NULL DEFAULT 0,
  ADD COLUMN country char(2);

ALTER TABLE locations ADD COLUMN opening_hours text;

CREATE TABLE policy_versions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  seq integer NOT NULL,
  label text NOT NULL,
  effective date NOT NULL,
  applies_to_existing boolean NOT NULL DEFAULT false,
  -- One pack version: settings, rules, terms, parts, ..., clocks (src/policy/pack-schema.ts).
  body jsonb NOT NULL,
  -- The template it started from ('its', ..., 'blank') or 'import' / 'editor'.
  origin text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text,
  UNIQUE (organization_id, seq),
  UNIQUE (organization_id, label)
);

-- The draft a manager edits before publishing (one per organization).
CREATE TABLE policy_drafts (
  organization_id uuid PRIMARY KEY REFERENCES organizations(id),
  body jsonb NOT NULL,
  base_seq integer NOT NULL,
  version integer NOT NULL DEFAULT 1,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
