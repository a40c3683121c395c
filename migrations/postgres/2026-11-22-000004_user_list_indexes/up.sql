-- The User Management list sorts by lower(display_name) within an account by default (the
-- email sort uses the unique index users_account_email).
CREATE INDEX users_account_name ON users(account_id, lower(display_name), id);
