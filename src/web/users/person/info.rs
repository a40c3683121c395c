//! The User Info tab: names, displayed name, user name and phone; the email is shown (a
//! change of email, confirmed from the new address, is not built yet).

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
}

fn page(
    current: &CurrentUser,
    person: Person,
    form: IdentityInput,
    errors: FieldErrors,
    stored: Option<IdentityInput>,
) -> Result<HttpResponse, WebError> {
    let read_only = refusal(current, &person, Action::EditUserIdentity)?;
    let status = if stored.is_some() {
        StatusCode::CONFLICT
    } else {
        crate::web::respond::form_status(&errors)
    };
    let page = InfoPage {
        layout: current.layout(person.user.display_name.clone())?,
        person,
        tab: "info",
        form,
        errors,
        read_only,
        stored,
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
    page(&current, person, form, FieldErrors::default(), None)
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
        Err(Unsaved::Invalid(errors)) => page(&current, person, form.input(), errors, None),
        Err(Unsaved::Changed) => {
            // Drawn again from what is stored now; what was typed stays in the form.
            let (person, _) = load(&state, &current, *id).await?;
            let stored = IdentityInput::of(&person.user);
            let mut typed = form.input();
            typed.version = stored.version;
            page(
                &current,
                person,
                typed,
                FieldErrors::default(),
                Some(stored),
            )
        }
    }
}
