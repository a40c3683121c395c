//! GET and POST /login/account: when one email and password open users in several accounts,
//! the person chooses which account to sign in to. The users the password opened wait in the
//! visitor's session row for two minutes; nobody is signed in until the choice.

use crate::domain::UserId;
use crate::domain::signin;
use crate::domain::signin::FAILURE;
use crate::domain::users::UserRow;
use crate::web::csrf::CsrfForm;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

const PENDING: &str = "choose_account";
/// How long the choice waits after the password was checked.
const WAIT_SECONDS: i64 = 120;
const MAX_NEXT: usize = 500;

/// The users a password opened, with their security stamps then. Names are looked up when
/// shown: the cookie stays small whatever the accounts are called.
#[derive(Serialize, Deserialize)]
struct Pending {
    choices: Vec<(UserId, String)>,
    until: i64,
    next: String,
}

/// Keeps the choices and sends the person to choose.
pub fn ask(
    session: &Session,
    state: &AppState,
    choices: Vec<(UserRow, String)>,
    next: &str,
) -> Result<HttpResponse, WebError> {
    let pending = Pending {
        choices: choices
            .into_iter()
            .map(|(u, _)| (u.id, u.security_stamp))
            .collect(),
        until: state.clock.now().timestamp() + WAIT_SECONDS,
        // A long return address is dropped rather than risk an oversized cookie.
        next: if next.len() <= MAX_NEXT {
            next.to_owned()
        } else {
            String::new()
        },
    };
    session
        .insert(PENDING, pending)
        .map_err(|e| WebError::Internal(format!("session: {e}")))?;
    Ok(redirect("/login/account"))
}

/// Forgets a waiting choice (a new sign-in starts from scratch).
pub fn forget(session: &Session) {
    session.remove(PENDING);
}

fn pending(session: &Session, state: &AppState) -> Option<Pending> {
    let pending: Pending = session.get(PENDING).ok().flatten()?;
    (pending.until >= state.clock.now().timestamp()).then_some(pending)
}

/// Back to the sign-in page, saying why.
fn start_again(session: &Session, message: &str) -> HttpResponse {
    session.remove(PENDING);
    session::push_flash(session, FlashKind::Error, message);
    redirect("/login")
}

#[derive(Template)]
#[template(path = "auth/choose_account.html")]
struct ChoosePage {
    layout: Layout,
    choices: Vec<(UserId, String)>,
}

pub async fn show(session: Session, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let Some(pending) = pending(&session, &state) else {
        return Ok(start_again(
            &session,
            "That sign-in has run out. Sign in again.",
        ));
    };
    let ids: Vec<UserId> = pending.choices.iter().map(|(id, _)| *id).collect();
    let choices = state
        .db(move |conn| Ok(crate::domain::accounts::names_of_users(conn, &ids)?))
        .await?;
    let page = ChoosePage {
        layout: Layout::anonymous("Choose an account", &session)?,
        choices,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    user: i64,
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ChoiceForm>,
) -> Result<HttpResponse, WebError> {
    let Some(pending) = pending(&session, &state) else {
        return Ok(start_again(
            &session,
            "That sign-in has run out. Sign in again.",
        ));
    };
    let ip = state.client_ip(&req);
    state.limit_sign_ins(ip)?;
    let next = pending.next.clone();
    // Only a user the password opened: the form's value is not trusted.
    let Some((chosen, stamp)) = pending
        .choices
        .into_iter()
        .find(|(id, _)| id.0 == form.user)
    else {
        return Ok(start_again(&session, FAILURE));
    };
    let ip = ip.map(|ip| ip.to_string());
    let outcome = {
        let state = state.clone();
        state
            .clone()
            .blocking(move || {
                Ok(signin::sign_in_chosen(
                    &state.pool,
                    &state.clock,
                    chosen,
                    &stamp,
                    ip,
                )?)
            })
            .await?
    };
    match outcome {
        signin::Outcome::SignedIn(user) | signin::Outcome::SecondStep(user) => {
            session.remove(PENDING);
            crate::web::auth::code::proceed(&req, &session, &state, &user, &next)
        }
        // Blocked, locked or gone since the password was checked.
        signin::Outcome::Refused | signin::Outcome::Choose(_) => Ok(start_again(&session, FAILURE)),
    }
}
