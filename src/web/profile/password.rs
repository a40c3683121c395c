//! GET and POST /profile/password: change one's own password (current one required). A
//! user created with a pre-assigned password is sent here before anything else.

use crate::domain::{FieldErrors, passwords};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub const PATH: &str = crate::web::paths::PASSWORD;

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "profile/password.html")]
struct PasswordPage {
    layout: Layout,
    required: bool,
    errors: FieldErrors,
}

pub async fn show(current: CurrentUser) -> Result<HttpResponse, WebError> {
    let page = PasswordPage {
        layout: current.layout("Change password")?,
        required: current.user.must_change_password,
        errors: FieldErrors::default(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, WebError> {
    let permit = current.own();
    let outcome = state
        .db(move |conn| {
            Ok(passwords::change_password(
                conn,
                &permit,
                &form.current_password,
                &form.password,
                &form.password_confirm,
            ))
        })
        .await?;
    match outcome {
        Ok(user) => {
            // Other sessions ended with the old stamp; this one continues with the new.
            session::start(&current.session, &user, session::Client::of(&req, &state))?;
            session::push_flash(
                &current.session,
                FlashKind::Success,
                "Password changed. You were signed out everywhere else.",
            );
            Ok(redirect("/profile"))
        }
        Err(crate::domain::Error::Invalid(errors)) => {
            let page = PasswordPage {
                layout: current.layout("Change password")?,
                required: current.user.must_change_password,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}
