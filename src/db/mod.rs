//! The data layer: one connection type over SQLite and PostgreSQL, the pool, migrations.
//! Backend-specific SQL lives here and nowhere else.

pub mod list_sql;
pub mod outbox_sql;
pub mod schema;
mod timing;

use crate::config::DatabaseUrl;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot prepare the connection: {0}")]
    Setup(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migrations failed: {0}")]
    Migrate(String),
}

/// Opens connections of the backend the URL names. Written by hand rather than using the
/// derived `establish`, which tries each backend in turn and hides the real error.
#[derive(Clone, Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    pub fn establish(&self) -> Result<DbConnection, DbError> {
        let mut conn = self.open()?;
        conn.set_instrumentation(timing::QueryTimer::default());
        Ok(conn)
    }

    fn open(&self) -> Result<DbConnection, DbError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // WAL lets readers work while one writer commits; the busy timeout makes
                // concurrent writers wait instead of failing at once. Statement journals
                // and sorts stay in memory: in a file, the triggers' statement journals
                // made a seed of 20,000 users write 2.5 million times.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA temp_store = MEMORY;",
                )?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => Ok(DbConnection::Postgres(PgConnection::establish(url)?)),
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        conn.ping().map_err(DbError::Setup)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Connects once (so a bad URL fails at once with the real cause), migrates, then builds the
/// pool with a short timeout instead of r2d2's default 30 s.
pub fn connect_and_migrate(url: &DatabaseUrl, max_size: u32) -> Result<Pool, DbError> {
    let manager = Manager::new(url.clone());
    let mut first = manager.establish()?;
    migrate(&mut first)?;
    drop(first);
    Ok(r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        // A page makes many short database calls; a ping before each would double the round
        // trips. Broken connections are still dropped through `has_broken`.
        .test_on_check_out(false)
        .build(manager)?)
}

pub fn migrate(conn: &mut DbConnection) -> Result<(), DbError> {
    let result = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    let applied = result.map_err(|e| DbError::Migrate(e.to_string()))?;
    if let DbConnection::Sqlite(c) = conn {
        // New indexes without statistics beside old ones with them mislead SQLite's planner
        // (the name-sorted page took an index on created_at: 33 ms instead of 1 ms at
        // 100,000 users). Statistics taken of empty tables mislead it too (a seed ran twice
        // as slow), so only a database that holds users is analyzed.
        let has_users = {
            use diesel::{QueryDsl, RunQueryDsl};
            diesel::select(diesel::dsl::exists(
                schema::users::table.select(schema::users::id),
            ))
            .get_result::<bool>(c)
            .map_err(DbError::Setup)?
        };
        if applied > 0 && has_users {
            c.batch_execute("ANALYZE").map_err(DbError::Setup)?;
        }
    }
    Ok(())
}

/// Runs the pending migrations whose version sorts before `version` ("2026-12-01-000012"):
/// the schema a test of a data migration fills before the migration runs.
pub fn migrate_before(conn: &mut DbConnection, version: &str) -> Result<(), DbError> {
    fn run<DB: diesel::backend::Backend, C: MigrationHarness<DB>>(
        c: &mut C,
        source: EmbeddedMigrations,
        version: &str,
    ) -> Result<(), DbError> {
        // Diesel names a folder "2026-12-01-000012_x" by the digits alone.
        let digits = |v: &str| -> String { v.chars().filter(char::is_ascii_digit).collect() };
        let before = digits(version);
        let pending = c
            .pending_migrations(source)
            .map_err(|e| DbError::Migrate(e.to_string()))?;
        for migration in pending
            .iter()
            .filter(|m| digits(&m.name().version().to_string()) < before)
        {
            c.run_migration(migration)
                .map_err(|e| DbError::Migrate(e.to_string()))?;
        }
        Ok(())
    }
    match conn {
        DbConnection::Sqlite(c) => run(c, SQLITE_MIGRATIONS, version),
        DbConnection::Postgres(c) => run(c, POSTGRES_MIGRATIONS, version),
    }
}

/// Cheap liveness check for /healthz.
pub fn ping(conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
    conn.batch_execute("SELECT 1")
}

diesel::define_sql_function!(
    /// SQL lower(), the same on both backends (MultiBackend has no `ilike`).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// The id of the row this connection inserted last. MultiBackend has no RETURNING, so each
/// backend is asked in its own words; both answers are per connection, so concurrent
/// inserts elsewhere cannot leak in.
pub fn last_insert_id(conn: &mut DbConnection) -> diesel::QueryResult<i64> {
    use diesel::RunQueryDsl;
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::select(sql::<BigInt>("last_insert_rowid()")).get_result(c)
        }
        DbConnection::Postgres(c) => diesel::select(sql::<BigInt>("lastval()")).get_result(c),
    }
}

/// A transaction that writes. On SQLite it takes the write lock at BEGIN (IMMEDIATE): a
/// concurrent writer then makes it wait for the busy timeout, where a deferred transaction
/// that read first would fail at once when it tried to write. PostgreSQL needs nothing
/// special. Inside another transaction it is a savepoint. A closure that panics leaves the
/// transaction open, which makes the pool discard the connection (`has_broken`).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let began = match conn {
        DbConnection::Sqlite(c) => {
            match AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE") {
                Ok(()) => true,
                Err(diesel::result::Error::AlreadyInTransaction) => false,
                Err(e) => return Err(e.into()),
            }
        }
        DbConnection::Postgres(_) => false,
    };
    if !began {
        return conn.transaction(work);
    }
    let outcome = work(conn);
    if let DbConnection::Sqlite(c) = conn {
        match &outcome {
            Ok(_) => AnsiTransactionManager::commit_transaction(c)?,
            Err(_) => {
                if let Err(e) = AnsiTransactionManager::rollback_transaction(c) {
                    tracing::warn!(error = %e, "rollback failed");
                }
            }
        }
    }
    outcome
}

/// Inserts many rows in batches through the backend's own connection (MultiBackend has no
/// multi-row INSERT). `$rows` is a slice of Insertable structs; evaluates to the row count.
#[macro_export]
macro_rules! bulk_insert {
    ($conn:expr, $table:expr, $rows:expr) => {{
        use diesel::RunQueryDsl;
        let mut inserted = 0usize;
        for chunk in $rows.chunks(500) {
            inserted += match &mut *$conn {
                $crate::db::DbConnection::Sqlite(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
                $crate::db::DbConnection::Postgres(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
            };
        }
        inserted
    }};
}

/// After rows were inserted with explicit ids, moves PostgreSQL's identity sequences past
/// them (SQLite needs nothing: a rowid follows the largest one).
pub fn sync_id_sequences(conn: &mut DbConnection, tables: &[&str]) -> diesel::QueryResult<()> {
    if let DbConnection::Postgres(c) = conn {
        for table in tables {
            // Table names come from our own code, never from input.
            c.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 GREATEST((SELECT COALESCE(max(id), 0) FROM {table}), 1))"
            ))?;
        }
    }
    Ok(())
}

/// Refreshes the planner's statistics after a bulk load: without them PostgreSQL picks
/// nested loops over freshly filled tables (a count went from 69 ms to 2.5 ms at 2,000 users).
/// On PostgreSQL, VACUUM also marks the pages all-visible, so a deep page of the user list
/// is an index-only scan at once rather than after autovacuum comes by (page 500 at 100,000
/// users: 42 ms before, 4 ms after). Must run outside a transaction.
pub fn analyze(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("ANALYZE"),
        DbConnection::Postgres(c) => c.batch_execute("VACUUM ANALYZE"),
    }
}

/// Runs a bulk load inside the current transaction with SQLite's row triggers set aside:
/// each firing opens a statement savepoint whose cost grows with the database, so a seed of
/// 100,000 users spent 28 s, mostly there. The triggers are put back as they were (their
/// SQL read from the schema, so nothing is written twice), then what they maintain is
/// brought up to date at once: the search index is rebuilt and the data version moved.
/// PostgreSQL's triggers fire once per statement and stay.
pub fn bulk_load<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::RunQueryDsl;
    use diesel::sql_types::Text;
    #[derive(diesel::QueryableByName)]
    struct Trigger {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        sql: String,
    }
    let DbConnection::Sqlite(c) = conn else {
        return work(conn);
    };
    let triggers: Vec<Trigger> =
        diesel::sql_query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").load(c)?;
    for trigger in &triggers {
        // Names come from the schema itself, quoted as identifiers.
        c.batch_execute(&format!(
            "DROP TRIGGER \"{}\"",
            trigger.name.replace('"', "\"\"")
        ))?;
    }
    let outcome = work(conn)?;
    let DbConnection::Sqlite(c) = conn else {
        return Ok(outcome);
    };
    for trigger in &triggers {
        c.batch_execute(&trigger.sql)?;
    }
    c.batch_execute(
        "INSERT INTO users_search(users_search) VALUES ('rebuild'); \
         UPDATE data_version SET version = version + 1;",
    )?;
    Ok(outcome)
}

/// The largest id in a table, for handing out explicit ids.
pub fn max_id(conn: &mut DbConnection, table: &str) -> diesel::QueryResult<i64> {
    use diesel::RunQueryDsl;
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let query = format!("COALESCE((SELECT max(id) FROM {table}), 0)");
    match conn {
        DbConnection::Sqlite(c) => diesel::select(sql::<BigInt>(&query)).get_result(c),
        DbConnection::Postgres(c) => diesel::select(sql::<BigInt>(&query)).get_result(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::RunQueryDsl;
    use diesel::sql_types::{BigInt, Text};

    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }

    #[derive(diesel::QueryableByName)]
    struct Keys {
        #[diesel(sql_type = BigInt)]
        foreign_keys: i64,
    }

    #[test]
    fn sqlite_connections_use_wal_and_enforce_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("t.db"));
        let pool = connect_and_migrate(&url, 2).unwrap();
        let mut conn = pool.get().unwrap();
        let DbConnection::Sqlite(c) = &mut *conn else {
            panic!("sqlite expected")
        };
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result(c)
            .unwrap();
        assert_eq!(mode.journal_mode, "wal");
        let keys: Keys = diesel::sql_query("PRAGMA foreign_keys")
            .get_result(c)
            .unwrap();
        assert_eq!(keys.foreign_keys, 1);
        let orphan = diesel::sql_query(
            "INSERT INTO companies (account_id, name, code, created_at) VALUES (999, 'x', 'x', '2026-01-01')",
        )
        .execute(c);
        assert!(orphan.is_err(), "a company of a missing account is refused");
    }

    /// Four writers that each read before they write: with deferred transactions SQLite fails
    /// some at once ("database is locked"); with write_transaction they take turns.
    #[test]
    fn concurrent_read_then_write_transactions_take_turns() {
        use crate::db::schema::accounts;
        use diesel::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let pool = connect_and_migrate(&DatabaseUrl::Sqlite(dir.path().join("t.db")), 4).unwrap();
        let now = chrono::Utc::now().naive_utc();
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    for i in 0..40 {
                        let mut conn = pool.get().unwrap();
                        write_transaction(&mut conn, |c| {
                            let seen: i64 = accounts::table.count().get_result(c)?;
                            diesel::insert_into(accounts::table)
                                .values((
                                    accounts::name.eq(format!("w{w}-{i}-{seen}")),
                                    accounts::created_at.eq(now),
                                ))
                                .execute(c)?;
                            Ok::<_, diesel::result::Error>(())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let total: i64 = accounts::table
            .count()
            .get_result(&mut pool.get().unwrap())
            .unwrap();
        assert_eq!(total, 160);
    }
}

/// Escapes LIKE wildcards in user input; the query uses `\` as its escape character.
pub fn like_pattern(search: &str) -> String {
    let mut out = String::from("%");
    // Control characters cannot match stored text (and NUL breaks PostgreSQL): drop them.
    for ch in search
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
    {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod like_tests {
    use super::like_pattern;

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(like_pattern(" 50%_Off "), "%50\\%\\_off%");
        assert_eq!(like_pattern("a\u{0}b"), "%ab%");
    }
}
