DROP TRIGGER users_version ON users;
CREATE TRIGGER users_version BEFORE INSERT OR DELETE OR UPDATE OF account_id, email, email_lower, username, username_lower, first_name, last_name, display_name, phone, password_hash, status, is_account_admin, failed_logins, locked_at, locked_until, expires_at, must_change_password, security_stamp, version, created_at, updated_at, integration, enforce_2fa, totp_secret, totp_last_step, directory_auth, email_subscriptions, comments, substitute_user_id ON users FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
DROP INDEX users_two_factor_on;
DROP INDEX users_two_factor_off;
DROP TABLE recovery_codes;
