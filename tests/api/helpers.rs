//! The test harness: a real Roster server on 127.0.0.1:0 with its own fresh database (a
//! SQLite file in a temporary folder, or a PostgreSQL database created for the test and
//! dropped after it), and a cookie-keeping client that submits forms the way a browser does.

use diesel::Connection;
use diesel::RunQueryDsl;
use diesel::pg::PgConnection;
use roster::App;
use roster::clock::Clock;
use roster::config::{Config, DatabaseUrl, MailUrl, SecretKey};
use roster::db::{DbConnection, Manager};
use scraper::{Html, Selector};
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
            log: "warn".into(),
            workers: 1,
            login_attempts_per_minute: 1000,
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

/// An HTTP response, with its HTML parsed on demand.
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }

    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The visible text of the page, whitespace folded.
    pub fn text(&self) -> String {
        let html = self.html();
        let body = Selector::parse("body").expect("selector");
        let text: Vec<String> = html
            .select(&body)
            .flat_map(|b| b.text())
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
            .collect();
        text.join(" ")
    }

    /// The text of every element matching `selector`.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr))
            .map(str::to_owned)
    }

    pub fn title(&self) -> String {
        self.texts("h1").into_iter().next().unwrap_or_default()
    }
}

/// A browser-like client: keeps cookies, does not follow redirects by itself (tests look at
/// them), and fills forms from the page they are on.
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Client {
            http,
            base: base.to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    async fn read(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::read(self.http.get(self.url(path)).send().await.expect("GET")).await
    }

    /// GET, following redirects the way a browser does.
    pub async fn visit(&self, path: &str) -> Page {
        let mut page = self.get(path).await;
        for _ in 0..5 {
            if !(300..400).contains(&page.status) {
                break;
            }
            let next = page.location().to_owned();
            page = self.get(&next).await;
        }
        page
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_html_form::to_string(fields).expect("form");
        let response = self
            .http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST");
        Self::read(response).await
    }

    /// Submits the form matching `selector` on `page`: its hidden inputs (the CSRF token
    /// among them) and prefilled values, overridden by `fields`.
    pub async fn submit(&self, page: &Page, selector: &str, fields: &[(&str, &str)]) -> Page {
        let html = page.html();
        let form_sel = Selector::parse(selector).expect("selector");
        let form = html
            .select(&form_sel)
            .next()
            .unwrap_or_else(|| panic!("no form {selector} in {}", page.body));
        let action = form.value().attr("action").expect("form action").to_owned();
        let input_sel = Selector::parse("input[name]").expect("selector");
        let mut values: Vec<(String, String)> = form
            .select(&input_sel)
            .filter(|i| {
                !matches!(
                    i.value().attr("type"),
                    Some("checkbox" | "radio" | "password")
                )
            })
            .map(|i| {
                (
                    i.value().attr("name").unwrap_or("").to_owned(),
                    i.value().attr("value").unwrap_or("").to_owned(),
                )
            })
            .collect();
        for (name, value) in fields {
            values.retain(|(n, _)| n != name);
            values.push((name.to_string(), value.to_string()));
        }
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        self.post(&action, &pairs).await
    }

    /// Signs in through the login page; returns the answer to the form post.
    pub async fn sign_in(&self, login: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        self.submit(
            &form,
            "form[action='/login']",
            &[("login", login), ("password", password)],
        )
        .await
    }

    /// Whether this client's session is signed in (My Profile opens).
    pub async fn is_signed_in(&self) -> bool {
        self.get("/profile").await.status == 200
    }
}
