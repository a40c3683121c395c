use crate::clock::Clock;
use crate::config::Config;
use crate::db::{DbConnection, Pool};
use crate::domain::user_list::ListCache;
use crate::domain::{self, FieldErrors};
use crate::web::errors::WebError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Enough for every administrator's recent filters; an entry is a key and a few numbers.
const COUNT_CACHE_ENTRIES: usize = 4096;

/// What every handler shares. Built once in `App::build`.
/// Why a versioned save wrote nothing.
pub enum Unsaved {
    Invalid(FieldErrors),
    /// Someone else saved the row since the form was drawn.
    Changed,
}

pub struct AppState {
    pub pool: Pool,
    pub clock: Clock,
    pub base_url: String,
    /// Argon2 hash of a random password, for unknown users at sign-in.
    pub dummy_hash: Arc<str>,
    pub login_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Forgot password, per email address asked for (lower case): a few links an hour.
    pub forgot_limiter: DefaultKeyedRateLimiter<String>,
    /// User counts and infocards, kept while the data they count is unchanged.
    pub counts: Arc<ListCache>,
    /// Wakes the email worker when something was queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// Reverse proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// The least time a refused sign-in takes.
    pub signin_floor: std::time::Duration,
    /// Seals TOTP secrets at rest, under a key derived from the server's secret key.
    pub seal: crate::auth::totp::SecretSeal,
}

/// How many reset links one address may be sent in an hour.
const FORGOT_PER_HOUR: NonZeroU32 = match NonZeroU32::new(5) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

impl AppState {
    pub fn new(pool: Pool, config: &Config, base_url: String, dummy_hash: String) -> Self {
        let per_minute =
            NonZeroU32::new(config.login_attempts_per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            pool,
            clock: config.clock.clone(),
            base_url,
            dummy_hash: dummy_hash.into(),
            login_limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            forgot_limiter: RateLimiter::keyed(Quota::per_hour(FORGOT_PER_HOUR)),
            counts: Arc::new(ListCache::new(COUNT_CACHE_ENTRIES)),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
            trusted_proxies: config.trusted_proxies.clone().into(),
            signin_floor: config.signin_floor,
            seal: crate::auth::totp::SecretSeal::new(config.secret_key.as_bytes()),
        }
    }

    /// Counts an attempt that checks a password (sign-in, the account choice, setting up
    /// the first administrator) against the client's limit; 429 past it.
    pub fn limit_sign_ins(&self, ip: Option<std::net::IpAddr>) -> Result<(), WebError> {
        let Some(ip) = ip else {
            return Ok(());
        };
        let key = crate::web::client_ip::limiter_key(ip);
        self.login_limiter
            .check_key(&key)
            .map_err(|_| WebError::TooManyRequests)
    }

    /// Counts a Forgot password request for `email` against its limit; 429 past it (the
    /// same whether or not the address belongs to anyone).
    pub fn limit_forgot(&self, email: &str) -> Result<(), WebError> {
        // Cut to an address's length: a key is kept per distinct text sent.
        let key: String = email
            .trim()
            .to_lowercase()
            .chars()
            .take(crate::domain::limits::EMAIL)
            .collect();
        self.forgot_limiter
            .check_key(&key)
            .map_err(|_| WebError::TooManyRequests)
    }

    /// The client's address (see crate::web::client_ip).
    pub fn client_ip(&self, req: &actix_web::HttpRequest) -> Option<std::net::IpAddr> {
        crate::web::client_ip::client_ip(req, &self.trusted_proxies)
    }

    /// Runs blocking database work off the async workers.
    pub async fn db<T, F>(&self, work: F) -> Result<T, WebError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, WebError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }

    /// Runs a domain operation behind a form: its field errors come back for the form to be
    /// drawn again with them and the input kept; any other error is the request's.
    pub async fn form<T, F>(&self, work: F) -> Result<Result<T, FieldErrors>, WebError>
    where
        F: FnOnce(&mut DbConnection) -> domain::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.db(move |conn| match work(conn) {
            Ok(done) => Ok(Ok(done)),
            Err(domain::Error::Invalid(errors)) => Ok(Err(errors)),
            Err(other) => Err(other.into()),
        })
        .await
    }

    /// Runs a save of a versioned row (a user's tabs): field errors, or "changed by someone
    /// else meanwhile", come back for the form to be drawn again; any other error is the
    /// request's.
    pub async fn versioned<T, F>(&self, work: F) -> Result<Result<T, Unsaved>, WebError>
    where
        F: FnOnce(&mut DbConnection) -> domain::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.db(move |conn| match work(conn) {
            Ok(done) => Ok(Ok(done)),
            Err(domain::Error::Invalid(errors)) => Ok(Err(Unsaved::Invalid(errors))),
            Err(domain::Error::Changed) => Ok(Err(Unsaved::Changed)),
            Err(other) => Err(other.into()),
        })
        .await
    }

    /// Runs a domain operation that may be refused for a reason the user reads (a
    /// conflict: the last administrator, an invitation no longer waiting): the reason comes
    /// back to be shown; any other error is the request's.
    pub async fn may_refuse<T, F>(&self, work: F) -> Result<Result<T, String>, WebError>
    where
        F: FnOnce(&mut DbConnection) -> domain::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.db(move |conn| match work(conn) {
            Ok(done) => Ok(Ok(done)),
            Err(domain::Error::Conflict(message)) => Ok(Err(message)),
            Err(other) => Err(other.into()),
        })
        .await
    }

    /// Runs blocking work that is not a single database call (hashing, sign-in).
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, WebError>
    where
        F: FnOnce() -> Result<T, WebError> + Send + 'static,
        T: Send + 'static,
    {
        actix_web::web::block(work).await?
    }
}
