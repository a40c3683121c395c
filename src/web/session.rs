//! What a session holds and the helpers that read and write it. The session is a row in
//! the database (web::session_store); the cookie carries only its key, signed and encrypted.

use crate::auth::token;
use crate::domain::users::UserRow;
use crate::domain::{SessionId, UserId};
use crate::web::errors::WebError;
use actix_session::Session;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

pub(crate) const USER: &str = "user";
/// The row's own facts, put in by the store when it loads a session and never written
/// back.
pub(crate) const ROW: &str = "_row";
/// Put in by the store when the cookie names a session whose row is gone (signed out
/// elsewhere, ended, or expired), so the page can say so; never written back.
pub(crate) const GONE: &str = "_gone";
/// Set by `start` for the store: the only new session that may carry a sign-in is the one
/// this request signed in. Never written to the row.
pub(crate) const FRESH: &str = "_fresh";
/// A sign-in half done: the password was right, the two-factor code is still to come.
pub(crate) const AWAITING_CODE: &str = "awaiting_code";
/// A secret shown on the enrolment page and not confirmed yet: kept sealed in the session
/// row (never in the cookie) so the page can be drawn again with the same QR code.
const ENROLLING: &str = "enrolling";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

/// The signed-in part of the session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: UserId,
    pub stamp: String,
    /// Where and with what the user signed in, for their list of sessions.
    pub ip: Option<String>,
    pub agent: Option<String>,
}

/// Who gave the right password and must now give a code; nobody is signed in meanwhile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AwaitingCode {
    pub user_id: UserId,
    /// The user's security stamp when the password was checked: a password change or
    /// "end all sessions" since then voids the half sign-in.
    pub stamp: String,
    /// Unix seconds after which the password must be given again.
    pub until: i64,
    /// Where to go once signed in.
    pub next: String,
}

/// Puts the session in the half-signed-in state: whatever it held before is gone but the
/// messages, and every page but the code step answers with a redirect to it.
pub fn await_code(session: &Session, waiting: &AwaitingCode) -> Result<(), WebError> {
    let flashes = take_flashes(session);
    session.clear();
    session.renew();
    session.insert(AWAITING_CODE, waiting).map_err(internal)?;
    for flash in flashes {
        push_flash(session, flash.kind, flash.message);
    }
    Ok(())
}

pub fn awaiting_code(session: &Session) -> Option<AwaitingCode> {
    session.get::<AwaitingCode>(AWAITING_CODE).ok().flatten()
}

pub fn forget_code(session: &Session) {
    if session.contains_key(AWAITING_CODE) {
        session.remove(AWAITING_CODE);
    }
}

/// The secret being enrolled, sealed, if one was shown in this session.
pub fn enrolling(session: &Session) -> Option<String> {
    session.get::<String>(ENROLLING).ok().flatten()
}

pub fn set_enrolling(session: &Session, secret: &str) -> Result<(), WebError> {
    session.insert(ENROLLING, secret).map_err(internal)
}

/// The session row as loaded for this request.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RowInfo {
    pub id: SessionId,
    /// Unix seconds.
    created_at: i64,
    last_seen_at: i64,
}

impl RowInfo {
    pub fn new(id: SessionId, created_at: NaiveDateTime, last_seen_at: NaiveDateTime) -> Self {
        Self {
            id,
            created_at: created_at.and_utc().timestamp(),
            last_seen_at: last_seen_at.and_utc().timestamp(),
        }
    }

    pub fn created_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.created_at, 0).unwrap_or_default()
    }

    pub fn last_seen_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.last_seen_at, 0).unwrap_or_default()
    }
}

/// The client a session is started for.
pub struct Client {
    pub ip: Option<String>,
    pub agent: Option<String>,
}

impl Client {
    pub fn of(req: &actix_web::HttpRequest, state: &crate::web::state::AppState) -> Self {
        let agent = req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|a| {
                a.chars()
                    .take(crate::domain::sessions::AGENT_MAX)
                    .collect::<String>()
            });
        Client {
            ip: state.client_ip(req).map(|ip| ip.to_string()),
            agent,
        }
    }
}

fn internal(e: impl std::fmt::Display) -> WebError {
    WebError::Internal(format!("session: {e}"))
}

/// Starts a fresh session for the user: a new key (the visitor's row is deleted) and a new
/// CSRF token, so nothing from before sign-in carries over but the messages.
pub fn start(session: &Session, user: &UserRow, client: Client) -> Result<(), WebError> {
    let flashes = take_flashes(session);
    // clear + renew, not purge: actix-session lets a purge win over a later renew and
    // would delete the new cookie.
    session.clear();
    session.renew();
    let signed_in = SignedIn {
        user_id: user.id,
        stamp: user.security_stamp.clone(),
        ip: client.ip,
        agent: client.agent,
    };
    session.insert(USER, signed_in).map_err(internal)?;
    session.insert(FRESH, true).map_err(internal)?;
    for flash in flashes {
        push_flash(session, flash.kind, flash.message);
    }
    Ok(())
}

pub fn signed_in(session: &Session) -> Option<SignedIn> {
    session.get::<SignedIn>(USER).ok().flatten()
}

/// The row behind this request's session; None for a session that has none yet.
pub fn row(session: &Session) -> Option<RowInfo> {
    session.get::<RowInfo>(ROW).ok().flatten()
}

/// Whether this request came with the cookie of a session that has ended.
pub fn came_ended(session: &Session) -> bool {
    session.contains_key(GONE)
}

/// Signs out: the row is deleted; a new, empty session remains, so a message can still be
/// shown on the next page.
pub fn end(session: &Session) {
    session.clear();
    session.renew();
}

/// The session's CSRF token, made on first use.
pub fn csrf_token(session: &Session) -> Result<String, WebError> {
    if let Some(existing) = session.get::<String>(CSRF).ok().flatten() {
        return Ok(existing);
    }
    let fresh = token::random_token();
    session.insert(CSRF, &fresh).map_err(internal)?;
    Ok(fresh)
}

pub fn csrf_matches(session: &Session, given: &str) -> bool {
    match session.get::<String>(CSRF).ok().flatten() {
        Some(expected) => token::same(&expected, given),
        None => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

impl FlashKind {
    pub fn css(self) -> &'static str {
        match self {
            FlashKind::Success => "success",
            FlashKind::Info => "info",
            FlashKind::Error => "error",
        }
    }
}

/// A one-time message shown on the next page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

/// Messages waiting for a page are kept up to this many, the newest: a client that posts
/// again and again without opening a page must not grow its session.
const MAX_FLASHES: usize = 5;

pub fn push_flash(session: &Session, kind: FlashKind, message: impl Into<String>) {
    let mut flashes = session
        .get::<Vec<Flash>>(FLASH)
        .ok()
        .flatten()
        .unwrap_or_default();
    flashes.push(Flash {
        kind,
        message: message.into(),
    });
    let excess = flashes.len().saturating_sub(MAX_FLASHES);
    flashes.drain(..excess);
    if let Err(e) = session.insert(FLASH, flashes) {
        tracing::warn!(error = %e, "could not store a flash message");
    }
}

pub fn take_flashes(session: &Session) -> Vec<Flash> {
    // Looked at before taking: a removal marks the session changed, and a page without
    // messages must not write its session row.
    if !session.contains_key(FLASH) {
        return Vec::new();
    }
    session
        .remove_as::<Vec<Flash>>(FLASH)
        .and_then(Result::ok)
        .unwrap_or_default()
}
