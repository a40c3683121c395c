//! Where a test's database lives: a SQLite file in a temporary folder, or a PostgreSQL
//! database created for the test and dropped after it; and `on_both_backends!`, which runs a
//! test on each.

use diesel::Connection;
use diesel::RunQueryDsl;
use diesel::pg::PgConnection;
use roster::clock::Clock;
use roster::config::{Config, DatabaseUrl, MailUrl, SecretKey};
use roster::db::{DbConnection, Manager};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Runs each named async test `fn name(backend: Backend)` once on SQLite and once on
/// PostgreSQL (when ROSTER_TEST_POSTGRES_URL is set).
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[actix_web::test]
            async fn sqlite() {
                super::$test($crate::helpers::Backend::sqlite()).await
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(backend) = $crate::helpers::Backend::postgres() {
                    super::$test(backend).await
                }
            }
        }
    )*};
}

/// Where a test's database lives. Dropping it removes the database.
pub enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(PgDatabase),
}

impl Backend {
    pub fn sqlite() -> Self {
        Backend::Sqlite(tempfile::tempdir().expect("temp dir"))
    }

    /// A fresh PostgreSQL database, or None (with a visible line) when none is configured.
    /// With CI=true a missing or unreachable server fails the test.
    pub fn postgres() -> Option<Self> {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        match std::env::var("ROSTER_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(PgDatabase::create(&url))),
            _ if in_ci => panic!("CI=true but ROSTER_TEST_POSTGRES_URL is not set"),
            _ => {
                // Straight to stderr, once: libtest would swallow eprintln! of a passing test.
                if !SKIP_SAID.swap(true, Ordering::Relaxed) {
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "\nPostgreSQL runs skipped: set ROSTER_TEST_POSTGRES_URL to run every integration test on PostgreSQL too.\n"
                    );
                }
                None
            }
        }
    }

    /// Another fresh database on the same backend: a second installation.
    pub fn another(&self) -> Self {
        match self {
            Backend::Sqlite(_) => Backend::sqlite(),
            Backend::Postgres(db) => Backend::Postgres(PgDatabase::create(&db.admin_url)),
        }
    }

    pub fn database_url(&self) -> DatabaseUrl {
        match self {
            Backend::Sqlite(dir) => DatabaseUrl::Sqlite(dir.path().join("roster.db")),
            Backend::Postgres(db) => DatabaseUrl::Postgres(db.url.clone()),
        }
    }

    /// The value ROSTER_DATABASE_URL takes for this database.
    pub fn env_url(&self) -> String {
        match self.database_url() {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => url,
        }
    }

    pub fn dir(&self) -> std::path::PathBuf {
        match self {
            Backend::Sqlite(dir) => dir.path().to_owned(),
            Backend::Postgres(db) => db.dir.path().to_owned(),
        }
    }

    /// A direct connection, for arranging what no page can make yet and checking what was
    /// stored.
    pub fn conn(&self) -> DbConnection {
        Manager::new(self.database_url())
            .establish()
            .expect("connect to the test database")
    }

    pub fn config(&self) -> Config {
        Config {
            database: self.database_url(),
            bind: "127.0.0.1:0".parse().expect("address"),
            base_url: None,
            secret_key: SecretKey::generate(),
            cookie_secure: false,
            mail: MailUrl::File(self.dir().join("outbox")),
            mail_from: roster::config::DEFAULT_MAIL_FROM.into(),
            log: "warn".into(),
            workers: 1,
            login_attempts_per_minute: 1000,
            trusted_proxies: Vec::new(),
            // The floor only pads refused sign-ins' timing; the suite has many of them.
            signin_floor: std::time::Duration::ZERO,
            clock: Clock::default(),
            warnings: Vec::new(),
        }
    }
}

pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
    dir: tempfile::TempDir,
}

static PG_COUNTER: AtomicU32 = AtomicU32::new(0);
static SKIP_SAID: AtomicBool = AtomicBool::new(false);

impl PgDatabase {
    fn create(admin_url: &str) -> Self {
        let name = format!(
            "roster_test_{}_{}_{}",
            std::process::id(),
            PG_COUNTER.fetch_add(1, Ordering::Relaxed),
            rand_suffix()
        );
        let mut conn = PgConnection::establish(admin_url).unwrap_or_else(|e| {
            panic!("PostgreSQL at ROSTER_TEST_POSTGRES_URL is unreachable: {e}")
        });
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        PgDatabase {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now()) % 1_000_000
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}
