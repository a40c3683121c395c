//! The running server (`TestApp`), the clients that reach it, and signing in.

use super::{Backend, Client, STRONG_PASSWORD, SmtpSink, arrange_membership, arrange_user};
use roster::App;
use roster::clock::Clock;
use roster::config::{Config, DatabaseUrl, MailUrl};
use roster::db::{DbConnection, Manager};
use roster::domain::CompanyId;
use roster::domain::users::UserStatus;
use std::sync::atomic::{AtomicU32, Ordering};

/// A running server and what a test needs to reach it.
pub struct TestApp {
    pub base: String,
    pub clock: Clock,
    pub setup_links: Vec<String>,
    database: DatabaseUrl,
}

static SIGNED_IN_COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestApp {
    pub async fn spawn(backend: &Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: &Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = backend.config();
        adjust(&mut config);
        let clock = config.clock.clone();
        let database = config.database.clone();
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
            database,
        }
    }

    /// A server whose mail goes to `sink`, a real SMTP server on loopback.
    pub async fn spawn_with_smtp(backend: &Backend, sink: &SmtpSink) -> TestApp {
        let port = sink.port;
        Self::spawn_with(backend, move |c| {
            c.mail = MailUrl::Smtp {
                host: "127.0.0.1".into(),
                port,
            }
        })
        .await
    }

    /// A direct connection to the server's database, for arranging and checking.
    pub fn conn(&self) -> DbConnection {
        Manager::new(self.database.clone())
            .establish()
            .expect("connect to the test database")
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

    /// A client signed in through the login page as `login`, with the suite's password.
    pub async fn signed_in(&self, login: &str) -> Client {
        let client = self.client();
        let answer = client.sign_in(login, STRONG_PASSWORD).await;
        assert_eq!(answer.status, 303, "sign-in as {login}: {}", answer.text());
        client
    }

    /// A new active user of the first account who holds the built-in role `role` in
    /// `company` and nothing else, signed in through the login page.
    pub async fn signed_in_as_role(&self, role: &str, company: CompanyId) -> Client {
        let n = SIGNED_IN_COUNTER.fetch_add(1, Ordering::Relaxed);
        let email = format!("{}-{n}@roles.test", role.to_lowercase());
        self.signed_in_with_roles(&email, &[(company, &[role])])
            .await
    }

    /// A new active user of the first account with the named roles in each company given,
    /// signed in: someone who is not an account administrator, acting through the pages.
    pub async fn signed_in_with_roles(
        &self,
        email: &str,
        roles: &[(CompanyId, &[&str])],
    ) -> Client {
        let mut conn = self.conn();
        let user = arrange_user(&mut conn, email, UserStatus::Active, None);
        for (company, names) in roles {
            arrange_membership(&mut conn, user, *company, names);
        }
        self.signed_in(email).await
    }
}

impl TestApp {
    /// Forgot password for `email`, then the link from the `nth` email the sink receives
    /// (counting from 1) opened in a new browser and `RESET_PASSWORD` chosen there; returns
    /// the browser and the answer to the form.
    pub async fn reset_password_by_link(
        &self,
        sink: &super::SmtpSink,
        email: &str,
        nth: usize,
    ) -> (Client, super::Page) {
        let visitor = self.client();
        let forgot = visitor.get("/password/forgot").await;
        visitor
            .submit(&forgot, "#forgot", &[("email", email)])
            .await;
        let link = sink.wait_for(nth).await[nth - 1].path_under("/password/reset/");
        let page = visitor.get(&link).await;
        let new_password = super::RESET_PASSWORD;
        let fields = [
            ("password", new_password),
            ("password_confirm", new_password),
        ];
        let done = visitor.submit(&page, "#reset", &fields).await;
        (visitor, done)
    }
}
