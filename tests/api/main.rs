//! Integration tests: the real server, a real database per test, on SQLite and PostgreSQL.

mod helpers;

mod cli;
mod csrf_and_headers;
mod sessions;
mod setup;
mod sign_in;
