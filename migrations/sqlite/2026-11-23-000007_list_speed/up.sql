-- The User Management list at 100,000 users (SQLite).

-- One number that every write to what the list counts moves on. Counts and infocards are
-- cached against it, so a page view does not recount unchanged data. last_access_at is left
-- out: it is touched by every signed-in user and no cached count depends on it.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
CREATE TRIGGER users_insert_version AFTER INSERT ON users BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER users_delete_version AFTER DELETE ON users BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER users_update_version AFTER UPDATE OF account_id, email, email_lower, username, username_lower, first_name, last_name, display_name, phone, password_hash, status, is_account_admin, failed_logins, locked_at, locked_until, expires_at, must_change_password, security_stamp, version, created_at, updated_at, integration, enforce_2fa, totp_secret, totp_last_step, directory_auth, email_subscriptions, comments, substitute_user_id ON users BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER memberships_insert_version AFTER INSERT ON memberships BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER memberships_delete_version AFTER DELETE ON memberships BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER memberships_update_version AFTER UPDATE ON memberships BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_roles_insert_version AFTER INSERT ON membership_roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_roles_delete_version AFTER DELETE ON membership_roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_roles_update_version AFTER UPDATE ON membership_roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_items_insert_version AFTER INSERT ON membership_items BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_items_delete_version AFTER DELETE ON membership_items BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_items_update_version AFTER UPDATE ON membership_items BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_fields_all_insert_version AFTER INSERT ON membership_fields_all BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_fields_all_delete_version AFTER DELETE ON membership_fields_all BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER membership_fields_all_update_version AFTER UPDATE ON membership_fields_all BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER invitations_insert_version AFTER INSERT ON invitations BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER invitations_delete_version AFTER DELETE ON invitations BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER invitations_update_version AFTER UPDATE ON invitations BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER catalog_items_insert_version AFTER INSERT ON catalog_items BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER catalog_items_delete_version AFTER DELETE ON catalog_items BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER catalog_items_update_version AFTER UPDATE ON catalog_items BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER roles_insert_version AFTER INSERT ON roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER roles_delete_version AFTER DELETE ON roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER roles_update_version AFTER UPDATE ON roles BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER companies_insert_version AFTER INSERT ON companies BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER companies_delete_version AFTER DELETE ON companies BEGIN UPDATE data_version SET version = version + 1; END;
CREATE TRIGGER companies_update_version AFTER UPDATE ON companies BEGIN UPDATE data_version SET version = version + 1; END;

-- Partial search ("smi" finds Smith) through a trigram index instead of a scan. External
-- content: the text stays in users, the index follows it through triggers.
CREATE VIRTUAL TABLE users_search USING fts5(
    display_name, email, username, first_name, last_name,
    content='users', content_rowid='id', tokenize='trigram'
);
INSERT INTO users_search(users_search) VALUES ('rebuild');
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search(rowid, display_name, email, username, first_name, last_name)
    VALUES (NEW.id, NEW.display_name, NEW.email, NEW.username, NEW.first_name, NEW.last_name);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search(users_search, rowid, display_name, email, username, first_name, last_name)
    VALUES ('delete', OLD.id, OLD.display_name, OLD.email, OLD.username, OLD.first_name, OLD.last_name);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF display_name, email, username, first_name, last_name ON users BEGIN
    INSERT INTO users_search(users_search, rowid, display_name, email, username, first_name, last_name)
    VALUES ('delete', OLD.id, OLD.display_name, OLD.email, OLD.username, OLD.first_name, OLD.last_name);
    INSERT INTO users_search(rowid, display_name, email, username, first_name, last_name)
    VALUES (NEW.id, NEW.display_name, NEW.email, NEW.username, NEW.first_name, NEW.last_name);
END;

-- When the next lock runs out or the next account expires: a cached count of Active,
-- Locked or Expired users holds until then.
CREATE INDEX users_locked_until ON users(locked_until);
CREATE INDEX users_expires_at ON users(expires_at);
-- The Created sort.
CREATE INDEX users_account_created ON users(account_id, created_at);

-- The new indexes need statistics on a database that has users: db::migrate runs ANALYZE
-- after migrating one (not here, where an empty database would get misleading ones).
