CREATE TABLE outbox_old (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    invitation_id INTEGER REFERENCES invitations(id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
-- The old schema has no 'cancelled': those emails become failed ones, which nothing sends.
-- A claim's lease is over at once, so the old worker takes it up.
INSERT INTO outbox_old (id, account_id, invitation_id, to_address, subject, text_body,
                        html_body, status, attempts, next_attempt_at, claimed_until,
                        last_error, created_at, sent_at)
SELECT id, account_id, invitation_id, to_address, subject, text_body, html_body,
       CASE status WHEN 'cancelled' THEN 'failed' ELSE status END,
       attempts, next_attempt_at,
       CASE status WHEN 'sending' THEN next_attempt_at END,
       CASE status WHEN 'cancelled' THEN 'cancelled' ELSE last_error END,
       created_at, sent_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_invitation ON outbox(invitation_id);
DROP TABLE mail_workers;
