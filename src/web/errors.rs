//! Errors of the web layer and the pages they render. A 500 shows nothing of its cause; the
//! cause goes to the log.

use crate::auth::policy::Denied;
use crate::domain;
use crate::web::layout::Layout;
use crate::web::pages::ErrorPage;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};

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

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden(_) | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::SignInRequired { .. } | WebError::PasswordChangeRequired => {
                StatusCode::SEE_OTHER
            }
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::PasswordChangeRequired = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, crate::web::password::PATH))
                .finish();
        }
        if let WebError::SignInRequired { next } = self {
            let location = match next {
                Some(next) => format!("/login?next={}", encode_query_value(next)),
                None => "/login".to_owned(),
            };
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        let (title, message): (&str, String) = match self {
            WebError::NotFound | WebError::TooLarge => {
                let (title, message) = words_for(self.status_code());
                (title, message.into())
            }
            WebError::Forbidden(reason) => ("Not allowed", reason.clone()),
            WebError::Csrf => (
                "This form has expired",
                "The form was not sent by this page of Roster, or it is too old. Go back, reload \
                 the page and try again."
                    .into(),
            ),
            WebError::BadRequest(reason) => ("This request could not be handled", reason.clone()),
            WebError::Conflict(reason) => ("This could not be done", reason.clone()),
            WebError::TooManyRequests => (
                "Too many attempts",
                "Too many sign-in attempts came from your network address. Wait a minute, then \
                 try again."
                    .into(),
            ),
            WebError::Busy(cause) => {
                tracing::warn!(%cause, "no database connection came free in time");
                (
                    "Roster is busy",
                    "Roster is answering many requests right now. Nothing was changed. Try again \
                     in a few seconds."
                        .into(),
                )
            }
            WebError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                let (title, message) = words_for(self.status_code());
                (title, message.into())
            }
            // Answered with a redirect above.
            WebError::SignInRequired { .. } => ("Sign in", "Please sign in.".into()),
            WebError::PasswordChangeRequired => (
                "Change your password",
                "Choose a new password first.".into(),
            ),
        };
        let page = ErrorPage {
            layout: Layout::bare(title),
            message: &message,
            status: self.status_code().as_u16(),
        };
        let mut response = crate::web::render(self.status_code(), &page);
        if matches!(self, WebError::TooManyRequests | WebError::Busy(_)) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        }
        response
    }
}

/// The title and message of an error page that says no more than its status.
fn words_for(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "There is nothing here. Check the address, or go back.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "This page cannot be used this way",
            "This address does not take this kind of request. Go back and use the page's own \
             links and buttons.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "This form is too large",
            "Roster reads forms of up to 1 MiB and this one is larger, so nothing was saved. \
             Send less at once (fewer addresses or choices), then try again.",
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            "This request is too large",
            "The request's headers are larger than Roster reads, often because of too many or \
             too large cookies for this site. Remove this site's cookies, then try again.",
        ),
        s if s.is_server_error() => (
            "Something went wrong",
            "Roster could not complete this request. Nothing was changed unless a page said \
             so. Try again in a moment; if it keeps happening, tell your administrator.",
        ),
        _ => (
            "This request could not be handled",
            "Part of the request is not valid. Go back, reload the page and try again.",
        ),
    }
}

/// The page for an error that came without one (actix's own answers, a middleware that
/// failed), so that no error reaches the browser as an empty body.
pub fn page_for_status(status: StatusCode) -> String {
    let (title, message) = words_for(status);
    let page = ErrorPage {
        layout: Layout::bare(title),
        message,
        status: status.as_u16(),
    };
    askama::Template::render(&page).unwrap_or_else(|e| {
        tracing::error!(error = %e, "error page failed to render");
        format!("{title}. {message}")
    })
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
