//! Rules of the product, one module per concept. No actix types here: handlers parse and
//! authorize, then call these functions, which run in one transaction where it matters.

pub mod accounts;
pub mod activity;
pub mod admins;
pub mod audit;
pub mod catalog;
pub mod comments;
pub mod companies;
pub mod email_change;
pub mod grants;
pub mod identity;
pub mod ids;
pub mod invitations;
pub mod lifecycle;
pub mod limits;
pub mod memberships;
pub mod outbox;
pub mod paging;
pub mod password_reset;
pub mod passwords;
pub mod roles;
pub mod saved_filters;
pub mod seats;
pub mod security;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod setup;
pub mod signin;
pub mod subscriptions;
pub mod two_factor;
pub mod user_access;
pub mod user_list;
pub mod users;
pub mod weekly_letter;

use std::collections::BTreeMap;
use std::fmt;

pub use ids::*;

/// Messages for a form, by field name, shown next to the field that caused them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// The message for a field, or "" (what templates test for).
    pub fn text(&self, field: &str) -> &str {
        self.get(field).unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self))
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<&str> = self.0.values().map(String::as_str).collect();
        f.write_str(&messages.join(" "))
    }
}

/// Errors of the domain layer. `Invalid`, `NotFound` and `Conflict` carry what the user may
/// read; `Database` and `Internal` are logged and shown as an opaque 500.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// Saved by someone else since the form was drawn (optimistic locking): nothing was
    /// written, and the form shows both versions.
    #[error("changed by someone else meanwhile")]
    Changed,
    #[error("database error: {0}")]
    Database(diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<diesel::result::Error> for Error {
    /// A unique index that refuses a row means someone else saved the same thing first
    /// (checks run before inserts, so only a race gets here): say so instead of a 500.
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match e {
            D::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Error::Conflict(
                "This was saved by someone else a moment ago, or it already exists. Reload the page and check.".into(),
            ),
            other => Error::Database(other),
        }
    }
}

impl From<crate::auth::policy::Misused> for Error {
    /// A permit used for what it was not granted for is a bug, not the user's mistake.
    fn from(e: crate::auth::policy::Misused) -> Self {
        Error::Internal(e.to_string())
    }
}

impl Error {
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Self::Invalid(errors)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
