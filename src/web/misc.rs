//! Small routes: the home redirect, the health check, the stylesheet, the 404 page.

use crate::db;
use crate::web::errors::WebError;
use crate::web::respond::redirect;
use crate::web::session;
use crate::web::state::AppState;
use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

pub async fn home(session: Session) -> HttpResponse {
    if session::signed_in(&session).is_some() {
        redirect("/profile")
    } else {
        redirect("/login")
    }
}

/// 200 when the database answers, 503 when it does not.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state
        .db(|conn| db::ping(conn).map_err(|e| WebError::Internal(e.to_string())))
        .await
    {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("database unavailable")
        }
    }
}

const STYLESHEET: &str = include_str!("../../static/roster.css");

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

pub async fn not_found() -> Result<HttpResponse, WebError> {
    Err(WebError::NotFound)
}
