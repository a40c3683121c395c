//! The outbox claim in each backend's words: PostgreSQL locks the rows it takes and skips
//! rows another instance holds (FOR UPDATE SKIP LOCKED); SQLite has a single writer, taken
//! at BEGIN IMMEDIATE by the caller's write transaction.

use super::DbConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

const DUE: &str = "SELECT id FROM outbox \
    WHERE (status = 'queued' AND next_attempt_at <= $1) \
       OR (status = 'sending' AND claimed_until < $1) \
    ORDER BY id LIMIT $2";

pub fn due_ids(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let rows: Vec<Id> = match conn {
        DbConnection::Postgres(c) => diesel::sql_query(format!("{DUE} FOR UPDATE SKIP LOCKED"))
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(DUE.replace("$1", "?1").replace("$2", "?2"))
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c)?,
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}
