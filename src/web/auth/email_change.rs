//! GET and POST /email-change/{token}: whoever owns the new address confirms a change of
//! email an administrator asked for. The GET only shows what the link would do (mail
//! scanners open links); the POST makes the change.

use crate::domain::accounts;
use crate::domain::email_change::{self, LinkProblem};
use crate::web::auth::link_problem::LinkProblemPage;
use crate::web::csrf::{CsrfForm, Empty};
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "auth/email_change.html")]
struct ConfirmPage<'a> {
    layout: Layout,
    token: &'a str,
    account: &'a str,
    old_email: &'a str,
    new_email: &'a str,
}

fn problem_page(session: &Session, problem: LinkProblem) -> Result<HttpResponse, WebError> {
    let (status, title, message) = match problem {
        LinkProblem::Unknown => (
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This link to confirm an email address is not valid. Check that you opened the \
             whole link from the email.",
        ),
        LinkProblem::Used => (
            StatusCode::GONE,
            "Link already used",
            "This link was used already, or a newer change of address replaced it. Use the \
             most recent email, or ask an administrator.",
        ),
        LinkProblem::Expired => (
            StatusCode::GONE,
            "Link expired",
            "This link has expired and the address did not change. Ask an administrator to \
             ask for the change again.",
        ),
    };
    LinkProblemPage::respond(session, status, title, message, false)
}

pub async fn show(
    session: Session,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let now = state.clock.now_naive();
    let lookup = token.clone();
    let found = state
        .db(move |conn| {
            Ok(match email_change::check_link(conn, &lookup, now)? {
                Ok((row, user)) => {
                    let account = accounts::find(conn, user.account_id)?;
                    Ok((row, user, account))
                }
                Err(problem) => Err(problem),
            })
        })
        .await?;
    let (row, user, account) = match found {
        Ok(found) => found,
        Err(problem) => return problem_page(&session, problem),
    };
    let page = ConfirmPage {
        layout: Layout::anonymous("Confirm your new email address", &session)?,
        token: &token,
        account: &account.name,
        old_email: &user.email,
        new_email: &row.new_email,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn confirm(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    token: web::Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let now = state.clock.now_naive();
    let ip = state.client_ip(&req).map(|ip| ip.to_string());
    let outcome = state
        .may_refuse(move |conn| email_change::confirm(conn, &token, now, ip))
        .await?;
    match outcome {
        Ok(Ok(user)) => {
            let message = format!(
                "Your email address is now {}. Sign in with it from now on.",
                user.email
            );
            session::push_flash(&session, FlashKind::Success, message);
            let to = if session::signed_in(&session).is_some() {
                "/profile"
            } else {
                "/login"
            };
            Ok(redirect(to))
        }
        Ok(Err(problem)) => problem_page(&session, problem),
        Err(refused) => {
            session::push_flash(&session, FlashKind::Error, refused);
            Ok(redirect("/login"))
        }
    }
}
