-- Configuration (SQLite): what access is made of, and the account's basic settings.
ALTER TABLE accounts ADD COLUMN view_only_self_created BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN full_seat_limit INTEGER;
ALTER TABLE accounts ADD COLUMN weekly_letter BOOLEAN NOT NULL DEFAULT 1;

-- Locations, Document Custom Fields, their Options, and Product Groups: one shape, one table.
-- kind: 'location' | 'field' | 'option' | 'product_group'; an option's parent is its field.
CREATE TABLE catalog_items (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('location', 'field', 'option', 'product_group')),
    parent_id INTEGER REFERENCES catalog_items(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    code TEXT NOT NULL,
    code_lower TEXT NOT NULL,
    required BOOLEAN NOT NULL DEFAULT 0,
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX catalog_items_code ON catalog_items(company_id, kind, coalesce(parent_id, 0), code_lower);
CREATE INDEX catalog_items_list ON catalog_items(company_id, kind, parent_id, name_lower);
CREATE INDEX catalog_items_parent ON catalog_items(parent_id);

-- Access to All (per kind) for locations and product groups; Select All per custom field.
ALTER TABLE memberships ADD COLUMN all_locations BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN all_product_groups BOOLEAN NOT NULL DEFAULT 0;
CREATE TABLE membership_fields_all (
    membership_id INTEGER NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    field_id INTEGER NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
    PRIMARY KEY (membership_id, field_id)
);
CREATE INDEX membership_fields_all_field ON membership_fields_all(field_id);
-- Explicitly chosen locations, options and product groups.
CREATE TABLE membership_items (
    membership_id INTEGER NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
    PRIMARY KEY (membership_id, item_id)
);
CREATE INDEX membership_items_item ON membership_items(item_id);
