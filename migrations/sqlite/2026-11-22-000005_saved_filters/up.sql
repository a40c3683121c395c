-- Saved filters (SQLite): a user's named query strings per page, at most one default.
CREATE TABLE saved_filters (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    page TEXT NOT NULL,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    query TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX saved_filters_name ON saved_filters(user_id, page, name_lower);
-- The database itself keeps "one default per user and page".
CREATE UNIQUE INDEX saved_filters_one_default ON saved_filters(user_id, page) WHERE is_default;
