//! GET and POST /users/{id}/password-reset: Reset Password. The user is emailed a link to
//! choose a new password; the administrator never sets or sees it.

use super::load;
use crate::auth::policy::{Action, Target};
use crate::domain::password_reset::{self, Mail};
use crate::web::confirm::ConfirmPage;
use crate::web::csrf::{CsrfForm, Empty};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

pub async fn confirm(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    current.authorize(Action::ResetPassword, Target::User(&person.target))?;
    let message = format!(
        "Send {} a link to choose a new password? It goes to {}, works for one hour and \
         once; their current password keeps working until they choose a new one.",
        person.user.display_name, person.user.email
    );
    let action = format!("/users/{}/password-reset", person.user.id);
    let cancel = format!("/users/{}", person.user.id);
    let page = ConfirmPage {
        layout: current.layout(format!(
            "Reset the password of {}",
            person.user.display_name
        ))?,
        message: &message,
        action: &action,
        button: "Send the link",
        cancel: &cancel,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn send(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let permit = current.authorize(Action::ResetPassword, Target::User(&person.target))?;
    let (user, base_url) = (person.user.id, state.base_url.clone());
    let outcome = state
        .may_refuse(move |conn| {
            let mail = Mail {
                base_url: &base_url,
                letters: &crate::mail::templates::TEMPLATES,
            };
            password_reset::send_by_admin(conn, &permit, user, &mail)
        })
        .await?;
    match outcome {
        Ok(sent) => {
            state.mail_wake.notify_one();
            current.flash(
                FlashKind::Success,
                format!(
                    "A link to choose a new password was sent to {}.",
                    sent.email
                ),
            );
        }
        Err(reason) => current.flash(FlashKind::Error, reason),
    }
    Ok(redirect(&format!("/users/{}", user.0)))
}
