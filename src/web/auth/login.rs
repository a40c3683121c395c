//! GET and POST /login.

use crate::domain::FieldErrors;
use crate::domain::signin::FAILURE;
use crate::domain::{sessions, signin};
use crate::web::csrf::{CsrfForm, Empty};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::next::safe_next;
use crate::web::respond::{redirect, render};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// The one message for every sign-in failure: unknown user, wrong password, locked, blocked,
/// deactivated, expired. It must not tell them apart.

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage<'a> {
    layout: Layout,
    login: &'a str,
    next: &'a str,
    error: Option<&'a str>,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// How long to wait so that `elapsed` becomes the next whole multiple of `floor`.
fn padding(
    floor: std::time::Duration,
    elapsed: std::time::Duration,
) -> Option<std::time::Duration> {
    if floor.is_zero() {
        return None;
    }
    let floors = elapsed.as_nanos() / floor.as_nanos() + 1;
    let target = floor.checked_mul(u32::try_from(floors).ok()?)?;
    target.checked_sub(elapsed)
}

pub async fn show(
    session: Session,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, WebError> {
    if session::signed_in(&session).is_some() {
        return Ok(redirect("/profile"));
    }
    // A choice of account or a code step left waiting is not for whoever opens the
    // sign-in page next.
    crate::web::auth::choose_account::forget(&session);
    session::forget_code(&session);
    let next = query.next.as_deref().and_then(safe_next).unwrap_or("");
    let page = LoginPage {
        layout: Layout::anonymous("Sign in", &session)?,
        login: "",
        next,
        error: None,
        errors: FieldErrors::default(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<HttpResponse, WebError> {
    let started = std::time::Instant::now();
    crate::web::auth::choose_account::forget(&session);
    let ip = state.client_ip(&req);
    state.limit_sign_ins(ip)?;
    let login = form.login.trim().to_owned();
    let errors = signin::check_lengths(&login, &form.password);
    if !errors.is_empty() {
        let page = LoginPage {
            layout: Layout::anonymous("Sign in", &session)?,
            login: &login,
            next: safe_next(&form.next).unwrap_or(""),
            error: None,
            errors,
        };
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let password = form.password;
    let outcome = {
        let state = state.clone();
        let login = login.clone();
        state
            .clone()
            .blocking(move || {
                Ok(signin::sign_in(
                    &state.pool,
                    &state.clock,
                    &state.dummy_hash,
                    &login,
                    &password,
                    ip.map(|ip| ip.to_string()),
                )?)
            })
            .await?
    };
    match outcome {
        signin::Outcome::SignedIn(user) | signin::Outcome::SecondStep(user) => {
            crate::web::auth::code::proceed(&req, &session, &state, &user, &form.next)
        }
        signin::Outcome::Choose(choices) => {
            let next = safe_next(&form.next).unwrap_or("");
            crate::web::auth::choose_account::ask(&session, &state, choices, next)
        }
        signin::Outcome::Refused => {
            // Every refusal takes the same time, whatever the reason behind it: a whole
            // number of floors, so the rare slow one (an email in many accounts, a busy
            // machine) does not stand out by a few milliseconds either.
            if let Some(rest) = padding(state.signin_floor, started.elapsed()) {
                actix_web::rt::time::sleep(rest).await;
            }
            let next = safe_next(&form.next).unwrap_or("");
            let page = LoginPage {
                layout: Layout::anonymous("Sign in", &session)?,
                login: &login,
                next,
                error: Some(FAILURE),
                errors: FieldErrors::default(),
            };
            Ok(render(StatusCode::OK, &page))
        }
    }
}

pub async fn logout(
    session: Session,
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let permit = current.own();
    state
        .db(move |conn| Ok(sessions::record_sign_out(conn, &permit)?))
        .await?;
    session::end(&session);
    session::push_flash(&session, FlashKind::Success, "You are signed out.");
    Ok(redirect("/login"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/profile?tab=roles"), Some("/profile?tab=roles"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "profile",
            "/a\nb",
            "",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}

#[cfg(test)]
mod padding_tests {
    use super::padding;
    use std::time::Duration;

    #[test]
    fn refusals_wait_to_a_whole_number_of_floors() {
        let ms = Duration::from_millis;
        assert_eq!(padding(ms(300), ms(20)), Some(ms(280)));
        assert_eq!(padding(ms(300), ms(310)), Some(ms(290)));
        assert_eq!(padding(Duration::ZERO, ms(20)), None);
    }
}
