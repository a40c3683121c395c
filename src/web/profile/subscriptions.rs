//! POST /profile/subscriptions: every user turns their own optional emails on or off.

use crate::domain::subscriptions;
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::respond::redirect;
use crate::web::session::FlashKind;
use crate::web::state::{AppState, Unsaved};
use crate::web::users::person::subscriptions::SubscriptionsForm;
use actix_web::{HttpResponse, web};

pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<SubscriptionsForm>,
) -> Result<HttpResponse, WebError> {
    let permit = current.own();
    let (user, on, version) = (current.user.id, form.on(), form.version());
    let saved = state
        .versioned(move |conn| subscriptions::set(conn, &permit, user, on, version))
        .await?;
    match saved {
        Ok(_) => current.flash(FlashKind::Success, "Your email subscriptions are saved."),
        Err(Unsaved::Changed) => current.flash(
            FlashKind::Error,
            "Your account was changed meanwhile: check your subscriptions and save again.",
        ),
        Err(Unsaved::Invalid(errors)) => current.flash(FlashKind::Error, errors.to_string()),
    }
    Ok(redirect("/profile#email-subscriptions"))
}
