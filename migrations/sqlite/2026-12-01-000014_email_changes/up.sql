-- A change of a user's email address asked for by an administrator: it takes effect only
-- when the link sent to the new address is opened and confirmed; until then the old
-- address stays. A newer request replaces the older (status 'replaced').
CREATE TABLE email_changes (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    requested_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    new_email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'replaced')),
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP
);
CREATE INDEX email_changes_user ON email_changes(user_id, status);
