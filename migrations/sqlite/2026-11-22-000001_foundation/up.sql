-- Foundation schema (SQLite). Kept in step with migrations/postgres by hand: same tables,
-- same columns, same indexes. Timestamps are UTC.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    invitation_valid_hours INTEGER NOT NULL DEFAULT 24,
    lockout_threshold INTEGER NOT NULL DEFAULT 5,
    lockout_minutes INTEGER NOT NULL DEFAULT 15,
    session_idle_minutes INTEGER NOT NULL DEFAULT 30,
    session_absolute_minutes INTEGER NOT NULL DEFAULT 720,
    require_2fa BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX companies_account_code ON companies(account_id, lower(code));

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    username TEXT,
    username_lower TEXT,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated', 'blocked')),
    is_account_admin BOOLEAN NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_at TIMESTAMP,
    locked_until TIMESTAMP,
    expires_at TIMESTAMP,
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    security_stamp TEXT NOT NULL,
    last_access_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_account_email ON users(account_id, email_lower);
CREATE UNIQUE INDEX users_account_username ON users(account_id, username_lower);
CREATE INDEX users_email_lower ON users(email_lower);
CREATE INDEX users_username_lower ON users(username_lower);
CREATE INDEX users_admins ON users(account_id) WHERE is_account_admin;

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    seat_kind TEXT NOT NULL CHECK (seat_kind IN ('full', 'light')),
    builtin BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX roles_account_name ON roles(account_id, lower(name));

CREATE TABLE role_rights (
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    right_code TEXT NOT NULL,
    PRIMARY KEY (role_id, right_code)
);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX memberships_user_company ON memberships(user_id, company_id);
CREATE INDEX memberships_company ON memberships(company_id);

CREATE TABLE membership_roles (
    membership_id INTEGER NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE RESTRICT,
    PRIMARY KEY (membership_id, role_id)
);
CREATE INDEX membership_roles_role ON membership_roles(role_id);

CREATE TABLE setup_tokens (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    voided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    actor_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
    detail TEXT NOT NULL DEFAULT '',
    ip TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_account_time ON audit_events(account_id, created_at);
CREATE INDEX audit_events_target ON audit_events(target_user_id);
