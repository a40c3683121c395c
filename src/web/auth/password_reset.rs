//! Forgot password (GET and POST /password/forgot) and choosing the new password from a
//! reset link (GET and POST /password/reset/{token}). The forgot page answers the same
//! whether or not the address belongs to anyone, after the same least time as a refused
//! sign-in; both posts count against the client's limit, and the forgot post against the
//! address's.

use crate::domain::FieldErrors;
use crate::domain::accounts;
use crate::domain::password_reset::{self, LinkProblem, Mail};
use crate::web::auth::link_problem::LinkProblemPage;
use crate::web::csrf::CsrfForm;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::render;
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    layout: Layout,
    email: String,
    sent: bool,
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot_show(session: Session) -> Result<HttpResponse, WebError> {
    let page = ForgotPage {
        layout: Layout::anonymous("Forgot password", &session)?,
        email: String::new(),
        sent: false,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn forgot_submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> Result<HttpResponse, WebError> {
    state.limit_sign_ins(state.client_ip(&req))?;
    state.limit_forgot(&form.email)?;
    let started = std::time::Instant::now();
    let now = state.clock.now_naive();
    let (email, base_url) = (form.email.clone(), state.base_url.clone());
    state
        .db(move |conn| {
            let mail = Mail {
                base_url: &base_url,
                letters: &crate::mail::templates::TEMPLATES,
            };
            Ok(password_reset::send_forgotten(conn, &email, now, &mail)?)
        })
        .await?;
    state.mail_wake.notify_one();
    // Known or not, the answer comes after the same least time.
    if let Some(rest) = state.signin_floor.checked_sub(started.elapsed()) {
        tokio::time::sleep(rest).await;
    }
    let page = ForgotPage {
        layout: Layout::anonymous("Forgot password", &session)?,
        email: form.email.trim().to_owned(),
        sent: true,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage<'a> {
    layout: Layout,
    token: &'a str,
    email: &'a str,
    account: &'a str,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

fn problem_page(session: &Session, problem: LinkProblem) -> Result<HttpResponse, WebError> {
    let (status, title, message) = match problem {
        LinkProblem::Unknown => (
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This password reset link is not valid. Check that you opened the whole link from \
             the email, or ask for a new one.",
        ),
        LinkProblem::Used => (
            StatusCode::GONE,
            "Link already used",
            "This link was used already, or a newer link or a password change replaced it. \
             Use the most recent email, or ask for a new link.",
        ),
        LinkProblem::Expired => (
            StatusCode::GONE,
            "Link expired",
            "This link has expired (links work for one hour). Ask for a new one.",
        ),
        LinkProblem::Refused => (
            StatusCode::FORBIDDEN,
            "Account cannot sign in",
            "This account cannot sign in now, so its password cannot be reset here. Ask an \
             administrator.",
        ),
    };
    LinkProblemPage::respond(session, status, title, message, true)
}

async fn draw(
    state: &AppState,
    session: &Session,
    token: &str,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let now = state.clock.now_naive();
    let lookup = token.to_owned();
    let found = state
        .db(move |conn| {
            Ok(match password_reset::check_link(conn, &lookup, now)? {
                Ok((_, user)) => {
                    let account = accounts::find(conn, user.account_id)?;
                    Ok((user, account))
                }
                Err(problem) => Err(problem),
            })
        })
        .await?;
    let (user, account) = match found {
        Ok(found) => found,
        Err(problem) => return problem_page(session, problem),
    };
    let status = crate::web::respond::form_status(&errors);
    let page = ResetPage {
        layout: Layout::anonymous("Choose a new password", session)?,
        token,
        email: &user.email,
        account: &account.name,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn reset_show(
    session: Session,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    draw(&state, &session, &token, FieldErrors::default()).await
}

pub async fn reset_submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<HttpResponse, WebError> {
    state.limit_sign_ins(state.client_ip(&req))?;
    let token = token.into_inner();
    let now = state.clock.now_naive();
    let ip = state.client_ip(&req).map(|ip| ip.to_string());
    let lookup = token.clone();
    let outcome = state
        .form(move |conn| {
            password_reset::complete(
                conn,
                &lookup,
                &form.password,
                &form.password_confirm,
                now,
                ip,
                &crate::mail::templates::TEMPLATES,
            )
        })
        .await?;
    match outcome {
        Ok(Ok(user)) => {
            state.mail_wake.notify_one();
            session::push_flash(
                &session,
                FlashKind::Success,
                "Your new password is set; every other session was signed out.",
            );
            // A reset link proves the mailbox, not the second factor: with two-factor
            // authentication the code step still comes first.
            crate::web::auth::code::proceed(&req, &session, &state, &user, "/profile")
        }
        Ok(Err(problem)) => problem_page(&session, problem),
        Err(errors) => draw(&state, &session, &token, errors).await,
    }
}
