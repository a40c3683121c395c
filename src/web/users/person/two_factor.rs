//! GET and POST /users/{id}/two-factor/reset: an administrator turns off a user's
//! two-factor authentication (a lost phone). Their sessions end and they are emailed;
//! where it is required of them, they set it up again at their next sign-in.

use super::load;
use crate::auth::policy::{Action, Target};
use crate::domain::{Error, two_factor};
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
    current.authorize(Action::ResetTwoFactor, Target::User(&person.target))?;
    if person.user.totp_secret.is_none() {
        return Err(WebError::Conflict(format!(
            "{} has no two-factor authentication to reset.",
            person.user.display_name
        )));
    }
    let message = format!(
        "Reset two-factor authentication for {}? Their authenticator app and recovery codes \
         stop working, they are signed out everywhere, and they are told by email.{}",
        person.user.display_name,
        if two_factor::required(&person.user, &current.account) {
            " It is required of them, so they set it up again at their next sign-in."
        } else {
            " They can then sign in with their password alone."
        }
    );
    let action = format!("/users/{}/two-factor/reset", person.user.id);
    let cancel = format!("/users/{}/security", person.user.id);
    let page = ConfirmPage {
        layout: current.layout(format!(
            "Reset two-factor authentication of {}",
            person.user.display_name
        ))?,
        message: &message,
        action: &action,
        button: "Reset two-factor authentication",
        cancel: &cancel,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn reset(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let permit = current.authorize(Action::ResetTwoFactor, Target::User(&person.target))?;
    let user = person.user.id;
    let outcome = state
        .db(move |conn| {
            Ok(
                match two_factor::reset(conn, &permit, user, &crate::mail::templates::TEMPLATES) {
                    Ok(done) => Ok(done),
                    Err(Error::Conflict(reason)) => Err(reason),
                    Err(Error::Changed) => Err(
                        "This user was changed by someone else meanwhile. Look at the page \
                         again, then reset if it is still needed."
                            .to_owned(),
                    ),
                    Err(other) => return Err(other.into()),
                },
            )
        })
        .await?;
    match outcome {
        Ok(done) => {
            state.mail_wake.notify_one();
            current.flash(
                FlashKind::Success,
                format!(
                    "Two-factor authentication of {} was reset; they were signed out everywhere.",
                    done.display_name
                ),
            );
        }
        Err(reason) => current.flash(FlashKind::Error, reason),
    }
    Ok(redirect(&format!("/users/{}/security", user.0)))
}
