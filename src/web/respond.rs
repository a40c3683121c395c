//! The answers handlers give: a rendered page with its status, or a redirect.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};

/// Renders a template with a status. A template that fails to render is logged and answered
/// with an opaque 500.
pub fn render<T: askama::Template>(status: StatusCode, template: &T) -> HttpResponse {
    match template.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type(ContentType::html())
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            HttpResponse::InternalServerError()
                .content_type(ContentType::plaintext())
                .body("Something went wrong. Try again in a moment.")
        }
    }
}

/// 422 when a form comes back with errors to correct, 200 otherwise.
pub fn form_status(errors: &crate::domain::FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// 303 See Other: after a form post the browser follows with a GET.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}
