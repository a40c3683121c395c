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

/// Queued rows (status `queued`) whose time has come, and rows being sent (status
/// `sending`) that no other live worker holds: $4 is the asking worker, $5 the oldest
/// heartbeat that still counts as alive. The parameters are numbered in the order they
/// appear, as SQLite's `?` binds them.
const DUE: &str = "SELECT id, status, claimed_by FROM outbox \
    WHERE (status = $1 AND next_attempt_at <= $2) \
       OR (status = $3 AND NOT EXISTS ( \
            SELECT 1 FROM mail_workers w \
            WHERE w.id = outbox.claimed_by AND w.id <> $4 AND w.heartbeat_at >= $5)) \
    ORDER BY id LIMIT $6";

/// The statuses the claim looks for, in the domain's words (src/db does not know them).
pub struct DueStatuses<'a> {
    pub queued: &'a str,
    pub sending: &'a str,
}

pub fn due(
    conn: &mut DbConnection,
    statuses: DueStatuses<'_>,
    worker: &str,
    now: chrono::NaiveDateTime,
    alive_since: chrono::NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Due>> {
    macro_rules! bound {
        ($query:expr) => {
            $query
                .bind::<Text, _>(statuses.queued)
                .bind::<Timestamp, _>(now)
                .bind::<Text, _>(statuses.sending)
                .bind::<Text, _>(worker)
                .bind::<Timestamp, _>(alive_since)
                .bind::<BigInt, _>(limit)
        };
    }
    match conn {
        DbConnection::Postgres(c) => {
            bound!(diesel::sql_query(format!("{DUE} FOR UPDATE SKIP LOCKED"))).load(c)
        }
        DbConnection::Sqlite(c) => bound!(diesel::sql_query(DUE.replace('$', "?"))).load(c),
    }
}
