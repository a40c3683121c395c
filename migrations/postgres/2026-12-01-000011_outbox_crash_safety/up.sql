-- Delivery that survives a crash. A claim belongs to a worker (claimed_by) and lasts while
-- that worker's heartbeat in mail_workers is fresh, instead of a fixed lease; an email a
-- Resend or Revoke replaced is 'cancelled'; each email has a random Message-ID part.

-- One row per running delivery worker (an id drawn at each process start), beaten every
-- few seconds while it runs.
CREATE TABLE mail_workers (
    id TEXT PRIMARY KEY NOT NULL,
    heartbeat_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP NOT NULL
);

-- queued -> sending (claimed) -> sent | failed; a claim whose worker stopped is taken up
-- again; an email nobody wants any more (its invitation was replaced) is cancelled.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled'));
ALTER TABLE outbox DROP COLUMN claimed_until;
-- The random left part of the Message-ID, the same on every attempt; the worker adds the
-- domain of the From address.
ALTER TABLE outbox ADD COLUMN message_id TEXT;
UPDATE outbox SET message_id = replace(gen_random_uuid()::text, '-', '');
ALTER TABLE outbox ALTER COLUMN message_id SET NOT NULL;
-- The mail_workers id of the worker that holds a 'sending' row.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
