//! GET and POST /invitation/{token}: the invited person confirms their names and sets a
//! password, then is signed in and lands on My Profile. A used, revoked, replaced or expired
//! link gets a page that says so and what to do.

use crate::db::DbConnection;
use crate::domain::FieldErrors;
use crate::domain::accounts::{self, AccountRow};
use crate::domain::invitations::{self, Acceptance, LinkProblem};
use crate::domain::users::UserRow;
use crate::web::auth::link_problem::LinkProblemPage;
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
use chrono::NaiveDateTime;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct AcceptForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "auth/accept.html")]
struct AcceptPage<'a> {
    layout: Layout,
    token: &'a str,
    email: &'a str,
    account: &'a str,
    form: &'a AcceptForm,
    errors: FieldErrors,
}

fn problem_page(session: &Session, problem: LinkProblem) -> Result<HttpResponse, WebError> {
    let (status, title, message, show_login) = match problem {
        LinkProblem::Unknown => (
            StatusCode::NOT_FOUND,
            "Invitation link not valid",
            "This invitation link is not valid. Check that you opened the whole link from the \
             email, or ask the person who invited you to send it again.",
            false,
        ),
        LinkProblem::Accepted => (
            StatusCode::GONE,
            "Invitation already accepted",
            "This invitation has already been accepted. Sign in with your email and the \
             password you chose.",
            true,
        ),
        LinkProblem::Revoked => (
            StatusCode::GONE,
            "Invitation link no longer valid",
            "This invitation link was withdrawn or replaced by a newer one. Use the most recent \
             invitation email, or ask the person who invited you to send it again.",
            false,
        ),
        LinkProblem::Expired => (
            StatusCode::GONE,
            "Invitation expired",
            "This invitation has expired. Ask the person who invited you to send it again: \
             the new email has a fresh link.",
            false,
        ),
    };
    LinkProblemPage::respond(session, status, title, message, show_login)
}

/// Accepting for someone else while signed in would leave two people in one browser.
fn signed_in_elsewhere(session: &Session) -> Option<HttpResponse> {
    session::signed_in(session).map(|_| {
        session::push_flash(
            session,
            FlashKind::Error,
            "You are signed in. Sign out first to accept an invitation for another person.",
        );
        redirect("/profile")
    })
}

/// Whose invitation a link is, and to which account: what the page shows.
type Details = Result<(UserRow, AccountRow), LinkProblem>;

fn details(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> Result<Details, WebError> {
    Ok(match invitations::check_link(conn, token, now)? {
        Ok((invitation, user)) => Ok((user, accounts::find(conn, invitation.account_id)?)),
        Err(problem) => Err(problem),
    })
}

pub async fn show(
    session: Session,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    if let Some(refused) = signed_in_elsewhere(&session) {
        return Ok(refused);
    }
    let token = token.into_inner();
    let now = state.clock.now_naive();
    let lookup = token.clone();
    let found = state.db(move |conn| details(conn, &lookup, now)).await?;
    let (user, account) = match found {
        Ok(found) => found,
        Err(problem) => return problem_page(&session, problem),
    };
    let form = AcceptForm {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        ..AcceptForm::default()
    };
    let page = AcceptPage {
        layout: Layout::anonymous("Accept the invitation", &session)?,
        token: &token,
        email: &user.email,
        account: &account.name,
        form: &form,
        errors: FieldErrors::default(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(refused) = signed_in_elsewhere(&session) {
        return Ok(refused);
    }
    let token = token.into_inner();
    let now = state.clock.now_naive();
    let ip = state.client_ip(&req).map(|ip| ip.to_string());
    let (lookup, kept) = (token.clone(), form.clone());
    let (outcome, shown) = state
        .db(move |conn| {
            let acceptance = Acceptance {
                first_name: &kept.first_name,
                last_name: &kept.last_name,
                password: &kept.password,
                password_confirm: &kept.password_confirm,
            };
            let outcome = invitations::accept(conn, &lookup, &acceptance, now, ip);
            // A refused form is drawn again: with the same connection, not another trip.
            let shown = match &outcome {
                Err(crate::domain::Error::Invalid(_)) => Some(details(conn, &lookup, now)?),
                _ => None,
            };
            Ok((outcome, shown))
        })
        .await?;
    match outcome {
        Ok(Ok(user)) => {
            session::push_flash(
                &session,
                FlashKind::Success,
                "Welcome to Roster. Your account is ready.",
            );
            // The same way in as a sign-in, so no path skips a code step.
            crate::web::auth::code::proceed(&req, &session, &state, &user, "/profile")
        }
        Ok(Err(problem)) => problem_page(&session, problem),
        Err(crate::domain::Error::Invalid(errors)) => {
            let (user, account) = match shown {
                Some(Ok(found)) => found,
                Some(Err(problem)) => return problem_page(&session, problem),
                None => return Err(WebError::Internal("accept: no details drawn".into())),
            };
            let kept = AcceptForm {
                password: String::new(),
                password_confirm: String::new(),
                ..form
            };
            let page = AcceptPage {
                layout: Layout::anonymous("Accept the invitation", &session)?,
                token: &token,
                email: &user.email,
                account: &account.name,
                form: &kept,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}
