//! POST /users/{id}/email: asks for a change of the user's email address (see
//! domain::email_change); the User Info tab draws the form and what waits.

use super::info::{EmailSection, page};
use super::load;
use crate::auth::policy::{Action, Target};
use crate::domain::FieldErrors;
use crate::domain::email_change::{self, Request};
use crate::domain::identity::IdentityInput;
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::respond::redirect;
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    new_email: String,
}

pub async fn request(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let permit = current.authorize(Action::ChangeUserEmail, Target::User(&person.target))?;
    let user = person.user.id;
    let typed = form.new_email.clone();
    let account_name = current.account.name.clone();
    let requester = crate::domain::invitations::inviter_name(&current.user);
    let base_url = state.base_url.clone();
    let outcome = state
        .form(move |conn| {
            let request = Request {
                new_email: &typed,
                account_name: &account_name,
                requester_name: &requester,
                base_url: &base_url,
                letters: &crate::mail::templates::TEMPLATES,
            };
            email_change::request(conn, &permit, user, &request)
        })
        .await?;
    match outcome {
        Ok(asked) => {
            state.mail_wake.notify_one();
            current.flash(
                FlashKind::Success,
                format!(
                    "A confirmation link was sent to {}; {} was told. The address changes when \
                     the link is opened.",
                    asked.new_email, person.user.email
                ),
            );
            Ok(redirect(&format!("/users/{}#email", user.0)))
        }
        Err(errors) => {
            let email = EmailSection {
                typed: form.new_email,
                error: errors.text("new_email").to_owned(),
                ..EmailSection::empty()
            };
            let info = IdentityInput::of(&person.user);
            let fields = FieldErrors::default();
            page(&state, &current, person, info, fields, None, email).await
        }
    }
}
