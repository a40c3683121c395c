//! Roster: invite people, give them roles and access per company, and keep that access right.
//!
//! `App::build(Config)` opens the database, applies migrations, prepares the first
//! administrator's setup link when there is none, binds the listener and returns the server,
//! ready to run. `main` and the integration tests both start Roster this way.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod mail;
pub mod web;

use crate::config::{Config, DatabaseUrl};
use crate::domain::setup::{self, SetupLink};
use actix_session::SessionMiddleware;
use actix_session::config::CookieContentSecurity;
use actix_web::cookie::{Key, SameSite};
use actix_web::{App as ActixApp, HttpServer, web as aweb};
use std::net::TcpListener;

pub const SESSION_COOKIE: &str = "roster_session";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Database(#[from] db::DbError),
    #[error("preparing the first administrator: {0}")]
    Setup(#[from] domain::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

/// Forgets addresses whose sign-in quota has refilled, so the limiter's memory stays bounded.
fn spawn_limiter_cleanup(state: aweb::Data<web::state::AppState>) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            state.login_limiter.retain_recent();
            state.login_limiter.shrink_to_fit();
        }
    });
}

/// Removes sessions that can no longer be used, so visitors' rows do not pile up.
fn spawn_session_cleanup(state: aweb::Data<web::state::AppState>) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = state.clock.now_naive();
            let removed = state
                .db(move |conn| Ok(domain::sessions::remove_stale(conn, now)?))
                .await;
            match removed {
                Ok(0) => {}
                Ok(n) => tracing::debug!(removed = n, "stale sessions removed"),
                Err(e) => tracing::warn!(error = %e, "removing stale sessions failed"),
            }
        }
    });
}

impl StartError {
    /// The configuration variable behind the failure, if one is.
    pub fn variable(&self) -> Option<&'static str> {
        match self {
            StartError::Database(_) => Some("ROSTER_DATABASE_URL"),
            StartError::Bind { .. } => Some("ROSTER_BIND"),
            _ => None,
        }
    }
}

pub struct App {
    port: u16,
    base_url: String,
    setup_links: Vec<(String, String)>,
    server: actix_web::dev::Server,
}

impl App {
    /// Must be called inside an actix (tokio) runtime.
    pub fn build(config: Config) -> Result<App, StartError> {
        let pool_size = match config.database {
            DatabaseUrl::Sqlite(_) => 8,
            DatabaseUrl::Postgres(_) => 16,
        };
        // Bind first: a second instance that cannot listen must not void the printed link.
        let listener = TcpListener::bind(config.bind).map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
        let pool = db::connect_and_migrate(&config.database, pool_size)?;
        let links = {
            let mut conn = pool.get().map_err(db::DbError::Pool)?;
            setup::bootstrap(&mut conn, config.clock.now_naive())?
        };
        let dummy_hash =
            auth::password::dummy_hash().map_err(|e| StartError::Other(e.to_string()))?;

        let local = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
        let base_url = config.base_url.clone().unwrap_or_else(|| {
            let host = if local.ip().is_unspecified() {
                "127.0.0.1".to_owned()
            } else {
                local.ip().to_string()
            };
            format!("http://{host}:{}", local.port())
        });
        let setup_links = links
            .into_iter()
            .map(|SetupLink { account, token }| (account.name, format!("{base_url}/setup/{token}")))
            .collect();

        let state = aweb::Data::new(web::state::AppState::new(
            pool,
            &config,
            base_url.clone(),
            dummy_hash,
        ));
        spawn_limiter_cleanup(state.clone());
        spawn_session_cleanup(state.clone());
        let mailer = mail::Mailer::new(&config.mail)
            .map_err(|e| StartError::Other(format!("ROSTER_MAIL_URL: cannot be used: {e}")))?;
        let from = config
            .mail_from
            .parse()
            .map_err(|e| StartError::Other(format!("ROSTER_MAIL_FROM: {e}")))?;
        mail::worker::Worker {
            id: domain::outbox::workers::WorkerId::random(),
            pool: state.pool.clone(),
            clock: config.clock.clone(),
            mailer: std::sync::Arc::new(mailer),
            from,
            wake: state.mail_wake.clone(),
            base_url: base_url.clone(),
        }
        .spawn()
        .map_err(|e| StartError::Other(format!("starting email delivery: {e}")))?;
        // derive_from panics below 32 bytes; SecretKey guarantees at least 64.
        let key = Key::derive_from(config.secret_key.as_bytes());
        let secure = config.cookie_secure;
        let server = HttpServer::new(move || {
            let store =
                web::session_store::DbSessionStore::new(state.pool.clone(), state.clock.clone());
            let session = SessionMiddleware::builder(store, key.clone())
                .cookie_name(SESSION_COOKIE.to_owned())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_content_security(CookieContentSecurity::Private)
                .build();
            ActixApp::new()
                .app_data(state.clone())
                .app_data(
                    aweb::QueryConfig::default().error_handler(|e, _| web::errors::bad_input(e)),
                )
                .app_data(
                    aweb::PathConfig::default().error_handler(|e, _| web::errors::bad_input(e)),
                )
                .app_data(aweb::PayloadConfig::new(web::middleware::MAX_BODY_BYTES))
                .wrap(actix_web::middleware::from_fn(web::request_log::log))
                .wrap(session)
                // Outermost: errors from the middleware above get their page and headers too.
                .wrap(actix_web::middleware::from_fn(move |req, next| {
                    web::middleware::secure_responses(secure, req, next)
                }))
                .configure(web::routes)
                .default_service(aweb::to(web::error_page::not_found))
        })
        .workers(config.workers)
        .listen(listener)
        .map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?
        .run();

        Ok(App {
            port: local.port(),
            base_url,
            setup_links,
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// (account name, one-time link) for each account that has no administrator yet.
    pub fn setup_links(&self) -> &[(String, String)] {
        &self.setup_links
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
