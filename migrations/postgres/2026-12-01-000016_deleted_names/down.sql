ALTER TABLE audit_events DROP COLUMN target_name, DROP COLUMN actor_name;
