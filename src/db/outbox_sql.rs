//! The outbox claim in each backend's words: PostgreSQL locks the rows it takes and skips
//! rows another instance holds (FOR UPDATE SKIP LOCKED); SQLite has a single writer, taken
//! at BEGIN IMMEDIATE by the caller's write transaction.

use super::DbConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

#[derive(QueryableByName)]
pub struct Due {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub claimed_by: Option<String>,
}

/// Queued rows whose time has come, and claimed rows that no other live worker holds: $2 is
/// the asking worker, $3 the oldest heartbeat that still counts as alive.
const DUE: &str = "SELECT id, status, claimed_by FROM outbox \
    WHERE (status = 'queued' AND next_attempt_at <= $1) \
       OR (status = 'sending' AND NOT EXISTS ( \
            SELECT 1 FROM mail_workers w \
            WHERE w.id = outbox.claimed_by AND w.id <> $2 AND w.heartbeat_at >= $3)) \
    ORDER BY id LIMIT $4";

pub fn due(
    conn: &mut DbConnection,
    worker: &str,
    now: chrono::NaiveDateTime,
    alive_since: chrono::NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Due>> {
    match conn {
        DbConnection::Postgres(c) => diesel::sql_query(format!("{DUE} FOR UPDATE SKIP LOCKED"))
            .bind::<Timestamp, _>(now)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(alive_since)
            .bind::<BigInt, _>(limit)
            .load(c),
        DbConnection::Sqlite(c) => diesel::sql_query(DUE.replace('$', "?"))
            .bind::<Timestamp, _>(now)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(alive_since)
            .bind::<BigInt, _>(limit)
            .load(c),
    }
}
