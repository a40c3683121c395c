-- The User Management list at 100,000 users (PostgreSQL).

-- One number that every write to what the list counts moves on. Counts and infocards are
-- cached against it, so a page view does not recount unchanged data. last_access_at is left
-- out: it is touched by every signed-in user and no cached count depends on it.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

-- Once per statement and BEFORE it touches any row: a writer takes the version row's lock
-- before the rows it changes, in every transaction, so two writers cannot each hold what the
-- other waits for. The new number becomes visible with the data, at commit.
CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_version BEFORE INSERT OR DELETE OR UPDATE OF account_id, email, email_lower, username, username_lower, first_name, last_name, display_name, phone, password_hash, status, is_account_admin, failed_logins, locked_at, locked_until, expires_at, must_change_password, security_stamp, version, created_at, updated_at, integration, enforce_2fa, totp_secret, totp_last_step, directory_auth, email_subscriptions, comments, substitute_user_id ON users FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER memberships_version BEFORE INSERT OR DELETE OR UPDATE ON memberships FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER membership_roles_version BEFORE INSERT OR DELETE OR UPDATE ON membership_roles FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER membership_items_version BEFORE INSERT OR DELETE OR UPDATE ON membership_items FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER membership_fields_all_version BEFORE INSERT OR DELETE OR UPDATE ON membership_fields_all FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER invitations_version BEFORE INSERT OR DELETE OR UPDATE ON invitations FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER catalog_items_version BEFORE INSERT OR DELETE OR UPDATE ON catalog_items FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER roles_version BEFORE INSERT OR DELETE OR UPDATE ON roles FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER companies_version BEFORE INSERT OR DELETE OR UPDATE ON companies FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();

-- Partial search ("smi" finds Smith) through a trigram index instead of a scan. The fields
-- are joined by a character no search can hold (forms refuse control characters).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE users ADD COLUMN search_text TEXT GENERATED ALWAYS AS (
    lower(display_name || chr(1) || email || chr(1) || coalesce(username, '') || chr(1)
          || first_name || chr(1) || last_name)
) STORED;
CREATE INDEX users_search_trgm ON users USING gin (search_text gin_trgm_ops);

-- Deep pages skip index entries only (an index-only scan needs every column it reads).
DROP INDEX users_account_name;
CREATE INDEX users_account_name ON users(account_id, lower(display_name), id) INCLUDE (display_name);
-- Last access, newest first with "never" last, and its reverse.
CREATE INDEX users_account_last_access_order ON users(account_id, last_access_at DESC NULLS LAST, id DESC);
-- When the next lock runs out or the next account expires: a cached count of Active,
-- Locked or Expired users holds until then.
CREATE INDEX users_locked_until ON users(locked_until);
CREATE INDEX users_expires_at ON users(expires_at);
-- The Created sort.
CREATE INDEX users_account_created ON users(account_id, created_at, id);

ANALYZE users;
