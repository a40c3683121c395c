ALTER TABLE audit_events DROP COLUMN target_name;
ALTER TABLE audit_events DROP COLUMN actor_name;
