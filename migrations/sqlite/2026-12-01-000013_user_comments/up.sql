-- Comments on a user (the Comments tab): free text for administrators, each kept with who
-- wrote it and when. A deleted author's comments stay, without their name.
CREATE TABLE user_comments (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX user_comments_user_time ON user_comments(user_id, created_at);
