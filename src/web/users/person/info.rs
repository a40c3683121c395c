//! The User Info tab: names, displayed name, user name and phone; the email address, with
//! a change of it asked for here and confirmed from the new address (see `email`).

use super::{Person, load, refusal};
use crate::auth::policy::{Action, Target};
use crate::domain::FieldErrors;
use crate::domain::identity::{self, IdentityInput};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::{AppState, Unsaved};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct InfoForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    version: i32,
}

impl InfoForm {
    fn input(&self) -> IdentityInput {
        IdentityInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            display_name: self.display_name.clone(),
            username: self.username.clone(),
            phone: self.phone.clone(),
            version: self.version,
        }
    }
}

#[derive(Template)]
#[template(path = "users/person/info.html")]
struct InfoPage {
    layout: Layout,
    person: Person,
    tab: &'static str,
    form: IdentityInput,
    errors: FieldErrors,
    /// Why the form is read-only, or "" when the actor may edit.
    read_only: String,
    /// Saved by someone else meanwhile: what is stored now, beside what was typed.
    stored: Option<IdentityInput>,
    email: EmailSection,
}

/// The Email section: the address, a change waiting for confirmation, the form to ask for
/// one.
pub struct EmailSection {
    /// A change waiting: the new address, and when its link expires (or "expired").
    pub waiting: Option<(String, String)>,
    /// What was typed as the new address, and why it was refused.
    pub typed: String,
    pub error: String,
    /// Why no change can be asked for here, or "".
    pub refused: String,
}

impl EmailSection {
    pub fn empty() -> EmailSection {
        EmailSection {
            waiting: None,
            typed: String::new(),
            error: String::new(),
            refused: String::new(),
        }
    }
}

pub async fn page(
    state: &AppState,
    current: &CurrentUser,
    person: Person,
    form: IdentityInput,
    errors: FieldErrors,
    stored: Option<IdentityInput>,
    mut email: EmailSection,
) -> Result<HttpResponse, WebError> {
    let read_only = refusal(current, &person, Action::EditUserIdentity)?;
    let status = if stored.is_some() {
        StatusCode::CONFLICT
    } else if !email.error.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        crate::web::respond::form_status(&errors)
    };
    let user = person.user.id;
    let waiting = state
        .db(move |conn| Ok(crate::domain::email_change::waiting_for(conn, user)?))
        .await?;
    let now = state.clock.now_naive();
    email.waiting = waiting.map(|w| {
        let expires = if w.expires_at <= now {
            "expired".to_owned()
        } else {
            format!(
                "link valid until {} UTC",
                w.expires_at.format("%Y-%m-%d %H:%M")
            )
        };
        (w.new_email, expires)
    });
    email.refused = if person.user.status() == crate::domain::users::UserStatus::Invited {
        "This user has not accepted the invitation yet: correct the address on the invitation          page, which sends the invitation to it."
            .into()
    } else {
        refusal(current, &person, Action::ChangeUserEmail)?
    };
    let page = InfoPage {
        layout: current.layout(person.user.display_name.clone())?,
        person,
        tab: "info",
        form,
        errors,
        read_only,
        stored,
        email,
    };
    Ok(render(status, &page))
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let form = IdentityInput::of(&person.user);
    let errors = FieldErrors::default();
    page(
        &state,
        &current,
        person,
        form,
        errors,
        None,
        EmailSection::empty(),
    )
    .await
}

pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<InfoForm>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let permit = current.authorize(Action::EditUserIdentity, Target::User(&person.target))?;
    let (input, user) = (form.input(), person.user.id);
    let outcome = state
        .versioned(move |conn| identity::update(conn, &permit, user, &input))
        .await?;
    match outcome {
        Ok(saved) => {
            current.flash(FlashKind::Success, format!("{} saved.", saved.display_name));
            Ok(redirect(&format!("/users/{}", saved.id)))
        }
        Err(Unsaved::Invalid(errors)) => {
            let typed = form.input();
            page(
                &state,
                &current,
                person,
                typed,
                errors,
                None,
                EmailSection::empty(),
            )
            .await
        }
        Err(Unsaved::Changed) => {
            // Drawn again from what is stored now; what was typed stays in the form.
            let (person, _) = load(&state, &current, *id).await?;
            let stored = IdentityInput::of(&person.user);
            let mut typed = form.input();
            typed.version = stored.version;
            let errors = FieldErrors::default();
            let email = EmailSection::empty();
            page(&state, &current, person, typed, errors, Some(stored), email).await
        }
    }
}
