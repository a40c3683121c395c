-- The displayed names fixed by up.sql are not put back: the old default was a defect.
CREATE INDEX audit_events_target ON audit_events(target_user_id);
DROP INDEX audit_events_actor_time;
DROP INDEX audit_events_target_time;
