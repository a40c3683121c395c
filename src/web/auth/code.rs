//! GET and POST /login/code: the second step of signing in for a user with two-factor
//! authentication. Until the code (or a recovery code) is right, the session holds only
//! who is waiting (web::session::AwaitingCode) and every signed-in page redirects here; a
//! right code renews the session and signs the user in.

use crate::domain::FieldErrors;
use crate::domain::signin::FAILURE;
use crate::domain::two_factor::{self, CodeOutcome};
use crate::domain::users::UserRow;
use crate::web::csrf::CsrfForm;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::next::safe_next;
use crate::web::respond::{redirect, render};
use crate::web::session::{self, AwaitingCode, FlashKind};
use crate::web::state::AppState;
use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub const PATH: &str = crate::web::paths::CODE;
/// How long the code may take after the password.
const WAIT_SECONDS: i64 = 300;
const MAX_NEXT: usize = 500;

/// The one way in after a proven password (a sign-in, the account choice, a new password
/// set with a link, an accepted invitation): signs the user in, or, with two-factor
/// authentication, sends them to give a code first.
pub fn proceed(
    req: &HttpRequest,
    session: &Session,
    state: &AppState,
    user: &UserRow,
    next: &str,
) -> Result<HttpResponse, WebError> {
    let next = safe_next(next).unwrap_or("/profile");
    if user.totp_secret.is_none() {
        session::start(session, user, session::Client::of(req, state))?;
        return Ok(redirect(next));
    }
    let waiting = AwaitingCode {
        user_id: user.id,
        stamp: user.security_stamp.clone(),
        until: state.clock.now().timestamp() + WAIT_SECONDS,
        // A long return address is dropped rather than risk an oversized session.
        next: if next.len() <= MAX_NEXT {
            next.to_owned()
        } else {
            String::new()
        },
    };
    session::await_code(session, &waiting)?;
    Ok(redirect(PATH))
}

fn waiting(session: &Session, state: &AppState) -> Option<AwaitingCode> {
    session::awaiting_code(session).filter(|w| w.until >= state.clock.now().timestamp())
}

/// Back to the sign-in page, saying why.
fn start_again(session: &Session, message: &str) -> HttpResponse {
    session::forget_code(session);
    session::push_flash(session, FlashKind::Error, message);
    redirect("/login")
}

const RUN_OUT: &str = "That sign-in has run out. Sign in again.";

#[derive(Template)]
#[template(path = "auth/code.html")]
struct CodePage {
    layout: Layout,
    errors: FieldErrors,
}

fn page(session: &Session, errors: FieldErrors) -> Result<HttpResponse, WebError> {
    let status = crate::web::respond::form_status(&errors);
    let page = CodePage {
        layout: Layout::anonymous("Two-factor authentication", session)?,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn show(session: Session, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    if session::signed_in(&session).is_some() {
        return Ok(redirect("/profile"));
    }
    if waiting(&session, &state).is_none() {
        return Ok(start_again(&session, RUN_OUT));
    }
    page(&session, FieldErrors::default())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, WebError> {
    let Some(waiting) = waiting(&session, &state) else {
        return Ok(start_again(&session, RUN_OUT));
    };
    let ip = state.client_ip(&req);
    state.limit_sign_ins(ip)?;
    let code: String = form.code.chars().take(64).collect();
    if code.trim().is_empty() {
        let mut errors = FieldErrors::default();
        errors.add("code", "Enter the code from your authenticator app.");
        return page(&session, errors);
    }
    let (user, stamp) = (waiting.user_id, waiting.stamp.clone());
    let outcome = {
        let state = state.clone();
        let ip = ip.map(|ip| ip.to_string());
        state
            .clone()
            .blocking(move || {
                Ok(two_factor::second_step(
                    &state.pool,
                    &state.clock,
                    &state.seal,
                    user,
                    &stamp,
                    &code,
                    ip,
                    &crate::mail::templates::TEMPLATES,
                )?)
            })
            .await?
    };
    let mut errors = FieldErrors::default();
    match outcome {
        CodeOutcome::SignedIn(user) => {
            state.mail_wake.notify_one();
            session::start(&session, &user, session::Client::of(&req, &state))?;
            Ok(redirect(safe_next(&waiting.next).unwrap_or("/profile")))
        }
        CodeOutcome::Wrong => {
            errors.add("code", two_factor::WRONG_CODE);
            page(&session, errors)
        }
        CodeOutcome::Replayed => {
            errors.add("code", two_factor::USED_CODE);
            page(&session, errors)
        }
        CodeOutcome::Refused => Ok(start_again(&session, FAILURE)),
    }
}
