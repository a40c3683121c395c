//! The outermost middleware: every response leaves through it, with the security headers and,
//! for an error, a page saying what went wrong.
//!
//! actix-web's `DefaultHeaders` only touches responses: an `Err` that an inner middleware
//! returns (the session middleware failing to write its cookie) passed it untouched and became
//! a bare 500 later. Here an error is turned into its response first, then dressed.
//!
//! What stays out of reach: actix-http's connection handler answers some requests before any
//! middleware runs, without headers or body, and has no setting to change that: a request head
//! over its 128 KiB buffer or with more than 96 header fields (431), a head it cannot parse
//! (400), and a client too slow to send its head (408). Header fields over
//! `MAX_HEADER_BYTES`, far below the 128 KiB, are answered here instead, with the headers and
//! a page; only a head past actix's own limits still gets the bare 431.

use crate::web::error_page::page_for_status;
use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// The Content-Security-Policy of every answer: no inline script, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
                       frame-ancestors 'none'; form-action 'self'";

/// The largest request body read (a form): the invite wizard carries its whole state in
/// hidden fields, thousands of ticked boxes included, and stays far below it. Forms are read
/// as bytes by `CsrfForm`, so this is their one limit (`web::Form`'s 16 KiB does not apply).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The most the request's header fields may weigh together (names and values). Browsers
/// send a few KiB; beyond this is a cookie jar gone wrong or a client probing.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Answers through the inner services and puts the security headers on whatever comes back,
/// errors included. `hsts` when cookies are secure, i.e. the site is served over HTTPS.
pub async fn secure_responses(
    hsts: bool,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if header_bytes(&req) > MAX_HEADER_BYTES {
        let refusal = HttpResponse::new(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        return Ok(req.into_response(dress(refusal, hsts)));
    }
    match next.call(req).await {
        Ok(response) => {
            let (request, response) = response.map_into_boxed_body().into_parts();
            Ok(ServiceResponse::new(request, dress(response, hsts)))
        }
        // No request is left to answer with (the router needs it to itself, so none can be
        // kept aside): the dressed response travels inside the error, and actix sends it.
        Err(error) => {
            let response = error.error_response();
            if response.status().is_server_error() {
                tracing::error!(%error, "a middleware failed");
            }
            let response = dress(response, hsts);
            Err(InternalError::from_response(error, response).into())
        }
    }
}

fn header_bytes(req: &ServiceRequest) -> usize {
    req.headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum()
}

/// The security headers, and for an error that came with an empty body the short page for
/// its status.
fn dress(response: HttpResponse<BoxBody>, hsts: bool) -> HttpResponse<BoxBody> {
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    let mut response = if is_error && response.body().size().is_eof() {
        let (head, _) = response.into_parts();
        let mut response = head.set_body(BoxBody::new(page_for_status(status)));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    } else {
        response
    };
    add_security_headers(response.headers_mut(), hsts);
    response
}

/// Adds each header the response does not set itself (the stylesheet keeps its own
/// Cache-Control).
fn add_security_headers(headers: &mut header::HeaderMap, hsts: bool) {
    let mut wanted: Vec<(HeaderName, &'static str)> = vec![
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    if hsts {
        wanted.push((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ));
    }
    for (name, value) in wanted {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}
