-- A deleted user's row goes (so their email can be invited again), and the audit events'
-- references to them become NULL: their displayed name as it was is kept on those events
-- first, so past activity still reads correctly.
ALTER TABLE audit_events ADD COLUMN actor_name TEXT;
ALTER TABLE audit_events ADD COLUMN target_name TEXT;
