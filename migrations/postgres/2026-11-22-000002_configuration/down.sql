DROP TABLE membership_items;
DROP TABLE membership_fields_all;
ALTER TABLE memberships DROP COLUMN all_product_groups;
ALTER TABLE memberships DROP COLUMN all_locations;
DROP TABLE catalog_items;
ALTER TABLE accounts DROP COLUMN weekly_letter;
ALTER TABLE accounts DROP COLUMN full_seat_limit;
ALTER TABLE accounts DROP COLUMN view_only_self_created;
