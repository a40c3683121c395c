-- People (SQLite): what the profile, filters and invitations need about a user.
ALTER TABLE users ADD COLUMN integration TEXT;
ALTER TABLE users ADD COLUMN enforce_2fa BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE users ADD COLUMN directory_auth BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN email_subscriptions BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN comments TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN substitute_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX users_account_status ON users(account_id, status);
CREATE INDEX users_account_last_access ON users(account_id, last_access_at);

-- An invitation: the token is stored only as a hash; a newer one voids the older.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'accepted', 'expired', 'revoked')),
    send_count INTEGER NOT NULL DEFAULT 0,
    failure_reason TEXT,
    expires_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    accepted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitations_account_status ON invitations(account_id, status);
CREATE INDEX invitations_user ON invitations(user_id);
