//! `CsrfForm<T>`: a form body that is only accepted with the session's CSRF token. Every
//! POST handler takes its form through it.

use crate::web::errors::WebError;
use crate::web::session;
use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

pub const FIELD: &str = "csrf_token";

pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => WebError::TooLarge,
                _ => WebError::BadRequest(format!("The form could not be read: {e}")),
            })?;
            let given = form_urlencoded::parse(&bytes)
                .find(|(name, _)| name == FIELD)
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default();
            if given.is_empty() || !session::csrf_matches(&session, &given) {
                return Err(WebError::Csrf);
            }
            // NUL cannot be stored in PostgreSQL text, and no field of ours wants control
            // characters other than line breaks and tabs: refuse them for every form.
            let bad_char = form_urlencoded::parse(&bytes).any(|(_, value)| {
                value
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            });
            if bad_char {
                return Err(WebError::BadRequest(
                    "The form contains control characters that cannot be stored. Remove them and try again.".into(),
                ));
            }
            serde_html_form::from_bytes(&bytes)
                .map(CsrfForm)
                .map_err(|e| WebError::BadRequest(format!("The form could not be read: {e}")))
        })
    }
}

/// A form that carries nothing but its CSRF token (sign out, archive, delete).
#[derive(serde::Deserialize)]
pub struct Empty {}
