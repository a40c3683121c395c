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

-- SQLite cannot change a CHECK constraint: the table is built again, rows kept. Nothing
-- references outbox and no trigger is on it.
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    invitation_id INTEGER REFERENCES invitations(id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    -- queued -> sending (claimed) -> sent | failed; a claim whose worker stopped is taken
    -- up again; an email nobody wants any more (its invitation was replaced) is cancelled.
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    -- The random left part of the Message-ID, the same on every attempt; the worker adds
    -- the domain of the From address.
    message_id TEXT NOT NULL,
    -- The mail_workers id of the worker that holds a 'sending' row.
    claimed_by TEXT
);
INSERT INTO outbox_new (id, account_id, invitation_id, to_address, subject, text_body,
                        html_body, status, attempts, next_attempt_at, last_error, created_at,
                        sent_at, message_id, claimed_by)
SELECT id, account_id, invitation_id, to_address, subject, text_body, html_body, status,
       attempts, next_attempt_at, last_error, created_at, sent_at,
       lower(hex(randomblob(16))), NULL
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_invitation ON outbox(invitation_id);
