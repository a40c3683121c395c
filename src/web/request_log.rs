//! One line per request at the default level: method, path, the query's parameter names
//! (never their values, which hold searches and emails), status, time and the signed-in
//! user's id. A path that carries a secret (an invitation or setup link) is logged as its
//! route pattern.

use actix_session::SessionExt;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

pub async fn log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let method = req.method().to_string();
    let path = match req.match_pattern() {
        Some(pattern) if pattern.contains("{token}") => pattern,
        _ => req.path().chars().take(300).collect(),
    };
    let names: Vec<String> = form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(name, _)| name.chars().take(40).collect())
        .take(30)
        .collect();
    let user = crate::web::session::signed_in(&req.get_session()).map(|s| s.user_id.0);
    let result = next.call(req).await;
    let status = match &result {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.as_response_error().status_code().as_u16(),
    };
    tracing::info!(
        target: "roster::request",
        %method,
        %path,
        query = %names.join("&"),
        status,
        ms = started.elapsed().as_secs_f64() * 1000.0,
        user = user.map(|u| u.to_string()).unwrap_or_default(),
        "request"
    );
    result
}
