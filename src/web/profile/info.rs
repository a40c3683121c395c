//! POST /profile/info: every user changes their own displayed name and phone.

use crate::domain::identity;
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::profile::show::{OwnInfo, page};
use crate::web::respond::redirect;
use crate::web::session::FlashKind;
use crate::web::state::{AppState, Unsaved};
use actix_web::{HttpResponse, web};

pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<OwnInfo>,
) -> Result<HttpResponse, WebError> {
    let permit = current.own();
    let typed = form.clone();
    let saved = state
        .versioned(move |conn| {
            identity::update_own(conn, &permit, &form.display_name, &form.phone, form.version)
        })
        .await?;
    match saved {
        Ok(_) => {
            current.flash(FlashKind::Success, "Your info is saved.");
            Ok(redirect("/profile"))
        }
        Err(Unsaved::Invalid(errors)) => page(&state, &current, typed, errors).await,
        Err(Unsaved::Changed) => {
            current.flash(
                FlashKind::Error,
                "Your account was changed meanwhile (by an administrator, or in another tab): \
                 here is what is stored now. Make your change again.",
            );
            Ok(redirect("/profile"))
        }
    }
}
