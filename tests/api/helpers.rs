//! The test harness: a real Roster server on 127.0.0.1:0 with its own fresh database (a
//! SQLite file in a temporary folder, or a PostgreSQL database created for the test and
//! dropped after it), and a cookie-keeping client that submits forms the way a browser does.

pub use crate::client::Client;
use diesel::Connection;
use diesel::RunQueryDsl;
use diesel::pg::PgConnection;
use roster::App;
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

pub const STRONG_PASSWORD: &str = "violet ferns hum under tin rain";

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

/// A running server and what a test needs to reach it.
pub struct TestApp {
    pub base: String,
    pub clock: Clock,
    pub setup_links: Vec<String>,
}

impl TestApp {
    pub async fn spawn(backend: &Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: &Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = backend.config();
        adjust(&mut config);
        let clock = config.clock.clone();
        let app = App::build(config).expect("app builds");
        let base = app.base_url().to_owned();
        let setup_links = app
            .setup_links()
            .iter()
            .map(|(_, link)| link.clone())
            .collect();
        actix_web::rt::spawn(app.run_until_stopped());
        TestApp {
            base,
            clock,
            setup_links,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client whose requests say, as a reverse proxy would, that they come from `ip`.
    pub fn client_forwarded_for(&self, ip: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        let value = reqwest::header::HeaderValue::from_bytes(ip.as_bytes()).expect("header value");
        headers.insert("x-forwarded-for", value);
        Client::with_headers(&self.base, headers)
    }

    /// A client that presents itself with this User-Agent, as a browser would.
    pub fn client_with_agent(&self, agent: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        let value = reqwest::header::HeaderValue::from_str(agent).expect("header value");
        headers.insert(reqwest::header::USER_AGENT, value);
        Client::with_headers(&self.base, headers)
    }

    /// A client that sends exactly this session cookie (a copy taken from another browser).
    pub fn client_with_session_cookie(&self, cookie: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        let value = reqwest::header::HeaderValue::from_str(cookie).expect("header value");
        headers.insert(reqwest::header::COOKIE, value);
        Client::with_headers(&self.base, headers)
    }

    /// Uses the setup link to make the first administrator, and returns their signed-in
    /// client.
    pub async fn first_admin(&self, email: &str) -> Client {
        let client = self.client();
        let link = self.setup_links.first().expect("a setup link").clone();
        let form = client.get(&link).await;
        let done = client
            .submit(
                &form,
                "form",
                &[
                    ("email", email),
                    ("first_name", "Ada"),
                    ("last_name", "Admin"),
                    ("password", STRONG_PASSWORD),
                    ("password_confirm", STRONG_PASSWORD),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "setup failed: {}", done.text());
        client
    }
}

/// Puts a user straight into the first account: pages to make users come in later issues.
pub fn arrange_user(
    conn: &mut DbConnection,
    email: &str,
    status: roster::domain::users::UserStatus,
    username: Option<&str>,
) -> roster::domain::UserId {
    use diesel::prelude::*;
    let account: roster::domain::AccountId = roster::db::schema::accounts::table
        .select(roster::db::schema::accounts::id)
        .order(roster::db::schema::accounts::id)
        .first(conn)
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    roster::domain::users::insert(
        conn,
        roster::domain::users::NewUser {
            account_id: account,
            email,
            email_lower: email.to_lowercase(),
            username,
            username_lower: username.map(str::to_lowercase),
            first_name: "Test",
            last_name: "Person",
            display_name: email.into(),
            phone: "",
            password_hash: Some(roster::auth::password::hash(STRONG_PASSWORD).unwrap()),
            status: status.as_str(),
            is_account_admin: false,
            must_change_password: false,
            security_stamp: "stamp".into(),
            created_at: now,
            updated_at: now,
        },
    )
    .unwrap()
    .id
}

/// An active user with the named roles in the account's first company; returns the user
/// and their membership.
pub fn arrange_member(
    conn: &mut DbConnection,
    email: &str,
    roles: &[&str],
) -> (roster::domain::UserId, roster::domain::MembershipId) {
    let user = arrange_user(conn, email, roster::domain::users::UserStatus::Active, None);
    let company = first_company(conn);
    let membership = arrange_membership(conn, user, company, roles);
    (user, membership)
}

/// Gives a user the named roles in a company of their account.
pub fn arrange_membership(
    conn: &mut DbConnection,
    user: roster::domain::UserId,
    company: roster::domain::CompanyId,
    roles: &[&str],
) -> roster::domain::MembershipId {
    let account = roster::domain::users::find_any_account(conn, user)
        .unwrap()
        .unwrap()
        .account_id;
    let role_ids: Vec<_> = roles
        .iter()
        .map(|name| {
            roster::domain::roles::find_by_name(conn, account, name)
                .unwrap()
                .id
        })
        .collect();
    let now = chrono::Utc::now().naive_utc();
    roster::domain::memberships::add(conn, user, company, &role_ids, now).unwrap()
}

/// A new active user of the first account with the named roles in each company given,
/// signed in: someone who is not an account administrator, acting through the pages.
pub async fn signed_in_with_roles(
    app: &TestApp,
    conn: &mut DbConnection,
    email: &str,
    roles: &[(roster::domain::CompanyId, &[&str])],
) -> Client {
    let user = arrange_user(conn, email, roster::domain::users::UserStatus::Active, None);
    for (company, names) in roles {
        arrange_membership(conn, user, *company, names);
    }
    let client = app.client();
    assert_eq!(client.sign_in(email, STRONG_PASSWORD).await.status, 303);
    client
}

pub fn first_company(conn: &mut DbConnection) -> roster::domain::CompanyId {
    use diesel::prelude::*;
    roster::db::schema::companies::table
        .select(roster::db::schema::companies::id)
        .order(roster::db::schema::companies::id)
        .first(conn)
        .unwrap()
}

/// Adds a location, field, option (under `parent`) or product group to a company, as the
/// configuration pages would.
pub fn add_item(
    conn: &mut DbConnection,
    company: roster::domain::CompanyId,
    kind: roster::domain::catalog::ItemKind,
    parent: Option<roster::domain::ItemId>,
    (name, code): (&str, &str),
    required: bool,
) -> roster::domain::ItemId {
    let permit = config_permit(conn, company);
    let input = roster::domain::catalog::ItemInput {
        name: name.into(),
        code: code.into(),
        required,
    };
    roster::domain::catalog::create(conn, company, kind, parent, &input, &permit)
        .unwrap()
        .id
}

/// A second account, "Beta Ltd", with its company "Beta East" and administrator
/// ops@beta.test: what tenant-isolation tests reach for.
pub struct OtherAccount {
    pub account: roster::domain::accounts::AccountRow,
    pub admin: roster::domain::users::UserRow,
    pub company: roster::domain::CompanyId,
}

pub fn other_account(conn: &mut DbConnection) -> OtherAccount {
    use roster::domain::setup::{AccountChoice, create_admin};
    let hash = roster::auth::password::hash(STRONG_PASSWORD).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let (account, admin) = create_admin(
        conn,
        &AccountChoice::Named("Beta Ltd"),
        Some("Beta East"),
        "ops@beta.test",
        hash,
        now,
    )
    .unwrap();
    let company = roster::domain::companies::active_for_account(conn, account.id).unwrap()[0].id;
    OtherAccount {
        account,
        admin,
        company,
    }
}

/// Adds a company to the account of the first one (making it a multi-company account).
pub fn add_company(conn: &mut DbConnection, name: &str, code: &str) -> roster::domain::CompanyId {
    use diesel::prelude::*;
    let account = roster::db::schema::companies::table
        .find(first_company(conn))
        .select(roster::db::schema::companies::account_id)
        .first(conn)
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    roster::domain::companies::create(conn, account, name, code, now)
        .unwrap()
        .id
}

/// The permit an administrator of the company's account gets to configure it, made by the
/// policy as the server makes it: for arranging a catalog through the domain.
pub fn config_permit(
    conn: &mut DbConnection,
    company: roster::domain::CompanyId,
) -> roster::auth::policy::Permit {
    use diesel::prelude::*;
    use roster::auth::policy::{self, Action, Actor, Target};
    use roster::db::schema::{companies, users};
    let account: roster::domain::AccountId = companies::table
        .find(company)
        .select(companies::account_id)
        .first(conn)
        .unwrap();
    let admin: roster::domain::UserId = users::table
        .filter(users::account_id.eq(account))
        .filter(users::is_account_admin)
        .order(users::id)
        .select(users::id)
        .first(conn)
        .unwrap();
    let actor = Actor {
        user_id: admin,
        account_id: account,
        is_account_admin: true,
        rights: Default::default(),
        account_companies: 1,
        ip: None,
        now: chrono::Utc::now().naive_utc(),
    };
    policy::authorize(
        &actor,
        Action::ManageConfig,
        Target::Company(account, company),
    )
    .unwrap()
}
