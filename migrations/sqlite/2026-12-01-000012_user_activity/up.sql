-- A user's Activity tab: the events about them and the events by them, newest first.
CREATE INDEX audit_events_target_time ON audit_events(target_user_id, created_at);
CREATE INDEX audit_events_actor_time ON audit_events(actor_user_id, created_at);
DROP INDEX audit_events_target;

-- Displayed names defaulted to the email's local part even when a name was known; the rule
-- is now "First Last", else the local part. Names an administrator typed are left alone.
UPDATE users SET display_name = trim(first_name || ' ' || last_name)
WHERE trim(first_name || last_name) <> ''
  AND display_name = substr(email, 1, instr(email, '@') - 1);
