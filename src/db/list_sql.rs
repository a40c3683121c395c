//! What the User Management list asks each backend in its own words: partial search through
//! a trigram index (SQLite FTS5, PostgreSQL pg_trgm), the last-access order with "never"
//! placed explicitly, and the data version that cached counts are checked against.

use super::{DbConnection, MultiBackend};
use crate::db::schema::users;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

/// Which SQL dialect a query is built for; boxed queries are built before they meet a
/// connection, so the caller asks once and passes it along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend(conn: &DbConnection) -> Backend {
    match conn {
        DbConnection::Sqlite(_) => Backend::Sqlite,
        DbConnection::Postgres(_) => Backend::Postgres,
    }
}

pub type UserCondition = Box<dyn BoxableExpression<users::table, MultiBackend, SqlType = Bool>>;

/// Trigram indexes need three characters; shorter searches scan.
pub const INDEXED_SEARCH_MIN_CHARS: usize = 3;

/// Users whose displayed name, email, user name, first or last name contains `term`
/// (case-insensitive), through the trigram index. `term` must have at least
/// [`INDEXED_SEARCH_MIN_CHARS`] characters.
pub fn search_indexed(backend: Backend, term: &str) -> UserCondition {
    match backend {
        Backend::Sqlite => {
            // An FTS5 string in double quotes is one phrase: the trigram tokenizer matches it
            // as a substring of any column. A quote inside is doubled.
            let phrase = format!("\"{}\"", term.replace('"', "\"\""));
            Box::new(
                sql::<Bool>(
                    "users.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ",
                )
                .bind::<Text, _>(phrase)
                .sql(")"),
            )
        }
        Backend::Postgres => {
            let pattern = super::like_pattern(term);
            Box::new(
                sql::<Bool>("users.search_text LIKE ")
                    .bind::<Text, _>(pattern)
                    .sql(" ESCAPE '\\'"),
            )
        }
    }
}

/// The last-access order: newest first puts "never" last, oldest first puts it first. Both
/// backends accept NULLS FIRST/LAST; an index matches it on each (SQLite sorts NULL lowest,
/// PostgreSQL has users_account_last_access_order).
pub fn last_access_order(descending: bool) -> diesel::expression::SqlLiteral<BigInt> {
    if descending {
        sql::<BigInt>("users.last_access_at DESC NULLS LAST, users.id DESC")
    } else {
        sql::<BigInt>("users.last_access_at ASC NULLS FIRST, users.id ASC")
    }
}

/// The number every write to what the list counts moves on (triggers in migration 000007).
pub fn data_version(conn: &mut DbConnection) -> QueryResult<i64> {
    use diesel::dsl::sql;
    diesel::select(sql::<BigInt>(
        "(SELECT version FROM data_version WHERE id = 1)",
    ))
    .get_result(conn)
}
