ALTER TABLE memberships DROP COLUMN substitute_id;
ALTER TABLE memberships DROP COLUMN deactivated_at;
