//! Block, Activate, End all sessions and Delete: each a confirmation page (GET) and the
//! action (POST), about the person across all their companies.

use super::load;
use crate::auth::policy::{Action, Target};
use crate::domain::lifecycle;
use crate::web::confirm::ConfirmPage;
use crate::web::csrf::{CsrfForm, Empty};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

/// One of the three: what it needs, what the confirmation says and what is done.
#[derive(Clone, Copy)]
enum Standing {
    Block,
    Activate,
    EndSessions,
    Delete,
}

impl Standing {
    fn action(self) -> Action {
        match self {
            Standing::Block | Standing::Activate => Action::BlockUser,
            Standing::EndSessions => Action::EndSessions,
            Standing::Delete => Action::DeleteUser,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Standing::Block => "block",
            Standing::Activate => "activate",
            Standing::EndSessions => "sessions/end",
            Standing::Delete => "delete",
        }
    }

    fn button(self) -> &'static str {
        match self {
            Standing::Block => "Block",
            Standing::Activate => "Activate",
            Standing::EndSessions => "End all sessions",
            Standing::Delete => "Delete user",
        }
    }

    fn question(self, name: &str) -> String {
        match self {
            Standing::Block => format!(
                "Block {name}? They are signed out everywhere now and cannot sign in until \
                 someone activates them. Their companies, roles and access stay as they are."
            ),
            Standing::Activate => format!(
                "Activate {name}? They can sign in again (unless they are deactivated in every \
                 company, or have not accepted their invitation yet)."
            ),
            Standing::EndSessions => format!(
                "End all sessions of {name}? Every browser where they are signed in is signed \
                 out at its next request; they can sign in again."
            ),
            Standing::Delete => format!(
                "Delete {name}? This removes them from every company with their roles and \
                 access, their sessions, invitations, saved filters and the comments about \
                 them, and frees their seat; their email can then be invited again. The \
                 activity log keeps their name on what they did. This cannot be undone."
            ),
        }
    }

    fn done(self, name: &str) -> String {
        match self {
            Standing::Block => format!("{name} is blocked and signed out everywhere."),
            Standing::Activate => format!("{name} is activated."),
            Standing::EndSessions => format!("Every session of {name} has ended."),
            Standing::Delete => format!("{name} was deleted."),
        }
    }
}

async fn confirm(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
    what: Standing,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(state, current, id).await?;
    current.authorize(what.action(), Target::User(&person.target))?;
    let message = what.question(&person.user.display_name);
    let action = format!("/users/{}/{}", person.user.id, what.slug());
    let cancel = format!("/users/{}", person.user.id);
    let page = ConfirmPage {
        layout: current.layout(format!("{} {}", what.button(), person.user.display_name))?,
        message: &message,
        action: &action,
        button: what.button(),
        cancel: &cancel,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn act(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
    what: Standing,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(state, current, id).await?;
    let permit = current.authorize(what.action(), Target::User(&person.target))?;
    let user = person.user.id;
    let outcome = state
        .may_refuse(move |conn| match what {
            Standing::Block => lifecycle::block(conn, &permit, user).map(|u| u.display_name),
            Standing::Activate => lifecycle::activate(conn, &permit, user).map(|u| u.display_name),
            Standing::EndSessions => {
                lifecycle::end_sessions(conn, &permit, user).map(|u| u.display_name)
            }
            Standing::Delete => lifecycle::delete(conn, &permit, user),
        })
        .await?;
    let back = format!("/users/{}", user.0);
    match outcome {
        Ok(name) => {
            current.flash(FlashKind::Success, what.done(&name));
            match what {
                Standing::Delete => Ok(redirect("/users")),
                _ => Ok(redirect(&back)),
            }
        }
        Err(reason) => {
            current.flash(FlashKind::Error, reason);
            Ok(redirect(&back))
        }
    }
}

pub async fn confirm_block(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    confirm(&state, &current, *id, Standing::Block).await
}

pub async fn block(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    act(&state, &current, *id, Standing::Block).await
}

pub async fn confirm_activate(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    confirm(&state, &current, *id, Standing::Activate).await
}

pub async fn activate(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    act(&state, &current, *id, Standing::Activate).await
}

pub async fn confirm_end_sessions(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    confirm(&state, &current, *id, Standing::EndSessions).await
}

pub async fn end_sessions(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    act(&state, &current, *id, Standing::EndSessions).await
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    confirm(&state, &current, *id, Standing::Delete).await
}

pub async fn delete(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    act(&state, &current, *id, Standing::Delete).await
}
