//! GET /healthz: what a load balancer or an operator asks to know the server can work.

use crate::db;
use crate::web::errors::WebError;
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};

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
