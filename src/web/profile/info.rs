//! POST /profile/info: every user changes their own displayed name and phone.

use crate::domain::{FieldErrors, identity};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::profile::show::{OwnInfo, page};
use crate::web::respond::redirect;
use crate::web::session::FlashKind;
use crate::web::state::{AppState, Unsaved};
use actix_web::http::StatusCode;
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
            // Drawn again with what was typed, beside what is stored now (the account as
            // this request loaded it), so saving again is one click and nothing is lost.
            current.flash(
                FlashKind::Error,
                "Your account was changed meanwhile (by an administrator, or in another tab). \
                 Nothing was saved: what is stored now is shown above your input. Check it, \
                 then save again.",
            );
            let typed = OwnInfo {
                version: current.user.version,
                ..typed
            };
            let mut answer = page(&state, &current, typed, FieldErrors::default()).await?;
            *answer.status_mut() = StatusCode::CONFLICT;
            Ok(answer)
        }
    }
}
