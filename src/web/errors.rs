//! Errors of the web layer (their pages are in web::error_page).

use crate::auth::policy::Denied;
use crate::domain;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("too many requests")]
    TooManyRequests,
    /// A body over the payload limit (see crate::web::middleware::MAX_BODY_BYTES).
    #[error("request body too large")]
    TooLarge,
    /// Not signed in (or the session ended): go to the sign-in page, then back to `next`.
    #[error("sign-in required")]
    SignInRequired { next: Option<String> },
    /// A pre-assigned password must be replaced before anything else.
    #[error("password change required")]
    PasswordChangeRequired,
    /// The password was right; the two-factor code is still to come (/login/code).
    #[error("two-factor code required")]
    CodeRequired,
    /// Two-factor authentication is required of the user and not set up yet: they set it
    /// up before anything else.
    #[error("two-factor enrolment required")]
    EnrolmentRequired,
    /// No database connection came free in time: the server is overloaded, not broken.
    #[error("busy: {0}")]
    Busy(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<domain::Error> for WebError {
    fn from(e: domain::Error) -> Self {
        match e {
            domain::Error::Invalid(fields) => WebError::BadRequest(fields.to_string()),
            domain::Error::NotFound => WebError::NotFound,
            domain::Error::Conflict(message) => WebError::Conflict(message),
            domain::Error::Changed => WebError::Conflict(
                "This was changed by someone else meanwhile. Reload the page and try again.".into(),
            ),
            domain::Error::Pool(e) => WebError::Busy(e.to_string()),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<Denied> for WebError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound => WebError::NotFound,
            Denied::Forbidden(reason) => WebError::Forbidden(reason.into()),
        }
    }
}

impl From<actix_web::error::BlockingError> for WebError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        WebError::Internal(e.to_string())
    }
}

impl From<r2d2::Error> for WebError {
    /// r2d2's only error is a timeout waiting for a free connection.
    fn from(e: r2d2::Error) -> Self {
        WebError::Busy(e.to_string())
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Turns actix's own extractor errors (bad query, path, oversized body) into our pages.
pub fn bad_input(err: impl std::fmt::Display) -> actix_web::Error {
    WebError::BadRequest(format!("Part of the request is not valid: {err}")).into()
}
