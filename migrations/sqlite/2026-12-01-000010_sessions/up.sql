-- Sessions live here; the cookie carries only a random key, whose SHA-256 is stored, so a
-- copy of the database cannot sign anyone in. Signing out deletes the row, so a cookie
-- taken before that no longer works. A row without a user is a visitor's (the sign-in
-- form's CSRF token, one-time messages, an account choice waiting).
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    -- The session's values as a JSON object (CSRF token, messages, drafts).
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- Refreshed at most once a minute while the session is used.
    last_seen_at TIMESTAMP NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_last_seen ON sessions(last_seen_at);
