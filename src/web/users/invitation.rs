//! Managing an invitation that waits: GET /users/{id}/invitation shows it; POST .../resend,
//! .../revoke and .../email (correct a typo, then send again). All need users.invite in
//! every company the invited person belongs to.

use crate::auth::policy::{Action, Permit, Target};
use crate::domain::UserId;
use crate::domain::invitations::{self, InvitationStatus, InviteRequest, PersonInfo};
use crate::domain::users::{UserRow, UserStatus};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::respond::redirect;
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

/// Where to return: the list view the button was on, never another site.
fn back_to(form: &Back) -> String {
    if form.back.starts_with("/users") && !form.back.starts_with("//") {
        form.back.clone()
    } else {
        "/users".to_owned()
    }
}

/// The person whose invitation is managed, once the inviter may: the row, and the permit
/// to manage their invitation.
async fn target(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
) -> Result<(UserRow, Permit), WebError> {
    let actor = current.actor.clone();
    let (user, target) = state
        .db(move |conn| Ok(crate::domain::users::target(conn, &actor, UserId(id))?))
        .await?;
    let permit = current.authorize(Action::InviteUsers, Target::User(&target))?;
    Ok((user, permit))
}

#[derive(askama::Template)]
#[template(path = "users/invitation.html")]
struct InvitationPage {
    layout: crate::web::layout::Layout,
    person: crate::domain::users::UserRow,
    invitation: invitations::InvitationRow,
    shown: InvitationStatus,
    email: String,
    error: String,
}

/// Who invites, from where, for how long: what every email of an invitation needs.
pub(crate) fn request_for(state: &AppState, current: &CurrentUser) -> InviteRequest {
    InviteRequest {
        emails: Vec::new(),
        grants: Vec::new(),
        person: PersonInfo::default(),
        send_email: true,
        add_existing: false,
        password_hash: None,
        inviter: current.actor.clone(),
        inviter_name: invitations::inviter_name(&current.user),
        account_name: current.account.name.clone(),
        base_url: state.base_url.clone(),
        letters: &crate::mail::templates::TEMPLATES,
        valid_hours: i64::from(current.account.invitation_valid_hours),
    }
}

async fn show_page(
    state: &AppState,
    current: &CurrentUser,
    person: UserRow,
    email: Option<String>,
    error: String,
) -> Result<HttpResponse, WebError> {
    let (account, user) = (current.account.id, person.id);
    let invitation = state
        .db(move |conn| Ok(invitations::latest_for(conn, account, user)?))
        .await?;
    let shown = invitation.shown_status(state.clock.now_naive());
    let status = if error.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = InvitationPage {
        layout: current.layout(format!("Invitation of {}", person.email))?,
        email: email.unwrap_or_else(|| person.email.clone()),
        person,
        invitation,
        shown,
        error,
    };
    Ok(crate::web::respond::render(status, &page))
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let (person, _permit) = target(&state, &current, path.into_inner()).await?;
    show_page(&state, &current, person, None, String::new()).await
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn change_email(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<HttpResponse, WebError> {
    let (person, permit) = target(&state, &current, path.into_inner()).await?;
    let request = request_for(&state, &current);
    let (user, email) = (person.id, form.email.clone());
    let done = state
        .db(move |conn| {
            Ok(invitations::change_email(
                conn, &permit, user, &email, &request,
            ))
        })
        .await?;
    match done {
        Ok(()) => {
            state.mail_wake.notify_one();
            current.flash(
                FlashKind::Success,
                format!(
                    "Email corrected; the invitation was sent again to {}.",
                    form.email.trim()
                ),
            );
            Ok(redirect(&format!("/users/{}/invitation", user.0)))
        }
        Err(crate::domain::Error::Invalid(errors)) => {
            show_page(
                &state,
                &current,
                person,
                Some(form.email),
                errors.to_string(),
            )
            .await
        }
        Err(crate::domain::Error::Conflict(message)) => {
            show_page(&state, &current, person, Some(form.email), message).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn resend(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<Back>,
) -> Result<HttpResponse, WebError> {
    let (person, permit) = target(&state, &current, path.into_inner()).await?;
    let request = request_for(&state, &current);
    let user = person.id;
    let done = state
        .may_refuse(move |conn| invitations::resend(conn, &permit, user, &request))
        .await?;
    match done {
        Ok(()) => {
            state.mail_wake.notify_one();
            current.flash(
                FlashKind::Success,
                "Invitation sent again with a new link; the previous link no longer works.",
            );
        }
        Err(message) => current.flash(FlashKind::Error, message),
    }
    Ok(redirect(&back_to(&form)))
}

/// Revoking is confirmed first: the link stops working at once.
pub async fn confirm_revoke(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let (person, _permit) = target(&state, &current, path.into_inner()).await?;
    let user = person.id;
    let message = format!(
        "Revoke the invitation of {}? Its link stops working at once; Resend sends a new one.",
        person.email
    );
    let (action, cancel) = (
        format!("/users/{}/invitation/revoke", user.0),
        format!("/users/{}/invitation", user.0),
    );
    let page = crate::web::confirm::ConfirmPage {
        layout: current.layout("Revoke the invitation")?,
        message: &message,
        action: &action,
        button: "Revoke",
        cancel: &cancel,
    };
    Ok(crate::web::respond::render(
        actix_web::http::StatusCode::OK,
        &page,
    ))
}

pub async fn revoke(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<Back>,
) -> Result<HttpResponse, WebError> {
    let (person, permit) = target(&state, &current, path.into_inner()).await?;
    let user = person.id;
    let done = state
        .may_refuse(move |conn| invitations::revoke(conn, &permit, user))
        .await?;
    match done {
        Ok(()) => current.flash(
            FlashKind::Success,
            "Invitation revoked: its link no longer works.",
        ),
        Err(message) => current.flash(FlashKind::Error, message),
    }
    Ok(redirect(&back_to(&form)))
}
