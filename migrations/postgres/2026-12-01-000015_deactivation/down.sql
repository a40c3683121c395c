ALTER TABLE memberships DROP COLUMN substitute_id, DROP COLUMN deactivated_at;
