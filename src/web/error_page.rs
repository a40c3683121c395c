//! The page each web error answers with. A 500 shows nothing of its cause; the cause goes
//! to the log.

use crate::web::errors::{WebError, encode_query_value};
use crate::web::layout::Layout;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

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
            WebError::SignInRequired { .. }
            | WebError::PasswordChangeRequired
            | WebError::CodeRequired
            | WebError::EnrolmentRequired => StatusCode::SEE_OTHER,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let step = match self {
            WebError::PasswordChangeRequired => Some(crate::web::paths::PASSWORD),
            WebError::CodeRequired => Some(crate::web::paths::CODE),
            WebError::EnrolmentRequired => Some(crate::web::paths::TWO_FACTOR),
            _ => None,
        };
        if let Some(step) = step {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, step))
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
            WebError::CodeRequired => {
                ("Two-factor authentication", "Enter your code first.".into())
            }
            WebError::EnrolmentRequired => (
                "Two-factor authentication",
                "Set up two-factor authentication first.".into(),
            ),
        };
        let page = ErrorPage {
            layout: Layout::bare(title),
            message: &message,
            status: self.status_code().as_u16(),
        };
        let mut response = crate::web::respond::render(self.status_code(), &page);
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

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub layout: Layout,
    pub message: &'a str,
    pub status: u16,
}

/// The answer to a path no route matches.
pub async fn not_found() -> Result<HttpResponse, WebError> {
    Err(WebError::NotFound)
}
