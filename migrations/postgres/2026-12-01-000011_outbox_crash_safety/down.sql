-- The old schema has no 'cancelled': those emails become failed ones, which nothing sends.
UPDATE outbox SET status = 'failed', last_error = 'cancelled' WHERE status = 'cancelled';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('queued', 'sending', 'sent', 'failed'));
ALTER TABLE outbox DROP COLUMN claimed_by;
ALTER TABLE outbox DROP COLUMN message_id;
-- A claim's lease is over at once, so the old worker takes it up.
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMP;
UPDATE outbox SET claimed_until = next_attempt_at WHERE status = 'sending';
DROP TABLE mail_workers;
