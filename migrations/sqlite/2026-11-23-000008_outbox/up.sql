-- Every email is a row here, written in the same transaction as the change that causes it;
-- a worker delivers it. The body holds the invitation link until it is sent, then is
-- cleared, so a token lives in plain text only while its email waits.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    invitation_id INTEGER REFERENCES invitations(id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    -- queued -> sending (claimed) -> sent | failed; a claim that runs out is queued again.
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_invitation ON outbox(invitation_id);

-- When the next waiting invitation expires (cached counts hold until then).
CREATE INDEX invitations_expires_at ON invitations(expires_at);
