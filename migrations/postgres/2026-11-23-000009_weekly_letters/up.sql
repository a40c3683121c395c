-- The Monday letter to Configurators: one row per account and ISO week, so that several
-- instances (or a restart) send it at most once.
CREATE TABLE weekly_letters (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    iso_week TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, iso_week)
);
