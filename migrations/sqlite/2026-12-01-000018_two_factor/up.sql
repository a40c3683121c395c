-- Two-factor authentication. users.totp_secret (sealed, see auth::totp) and
-- users.totp_last_step exist since 000003; here come the recovery codes, shown once and kept
-- as SHA-256 hashes, each used once.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id, code_hash);

-- The 2FA filter of the user list (On, Off, Required but not enrolled).
CREATE INDEX users_two_factor_off ON users(account_id, enforce_2fa) WHERE totp_secret IS NULL;
CREATE INDEX users_two_factor_on ON users(account_id) WHERE totp_secret IS NOT NULL;
