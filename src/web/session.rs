//! What the session cookie holds and the helpers that read and write it. The cookie is
//! signed and encrypted (actix-session, private cookie); revocation is by security stamp.

use crate::auth::token;
use crate::domain::UserId;
use crate::domain::users::UserRow;
use crate::web::errors::WebError;
use actix_session::Session;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

const USER: &str = "user";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

/// The signed-in part of the session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: UserId,
    pub stamp: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
}

impl SignedIn {
    pub fn signed_in_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.signed_in_at, 0).unwrap_or_default()
    }

    pub fn last_seen_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.last_seen_at, 0).unwrap_or_default()
    }
}

fn internal(e: impl std::fmt::Display) -> WebError {
    WebError::Internal(format!("session: {e}"))
}

/// Starts a fresh session for the user: a new cookie and a new CSRF token, so nothing from
/// before sign-in carries over.
pub fn start(session: &Session, user: &UserRow, now: DateTime<Utc>) -> Result<(), WebError> {
    let flashes = take_flashes(session);
    // clear + renew, not purge: actix-session lets a purge win over a later renew and
    // would delete the new cookie.
    session.clear();
    session.renew();
    let signed_in = SignedIn {
        user_id: user.id,
        stamp: user.security_stamp.clone(),
        signed_in_at: now.timestamp(),
        last_seen_at: now.timestamp(),
    };
    session.insert(USER, signed_in).map_err(internal)?;
    for flash in flashes {
        push_flash(session, flash.kind, flash.message);
    }
    Ok(())
}

pub fn signed_in(session: &Session) -> Option<SignedIn> {
    session.get::<SignedIn>(USER).ok().flatten()
}

pub fn mark_seen(
    session: &Session,
    mut signed_in: SignedIn,
    now: DateTime<Utc>,
) -> Result<(), WebError> {
    signed_in.last_seen_at = now.timestamp();
    session.insert(USER, signed_in).map_err(internal)
}

/// Signs out: an empty session remains, so a message can still be shown on the next page.
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
    session
        .remove_as::<Vec<Flash>>(FLASH)
        .and_then(Result::ok)
        .unwrap_or_default()
}
