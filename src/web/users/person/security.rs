//! The Security tab: Locked Account (untick to unlock), Account Expires In, Enforce
//! Two-Factor Authentication, and Active Directory Authentication (stored for a feature to
//! come, and the page says so), with the last sign-in, the failed attempts, and where the
//! user stands with two-factor authentication (and the way to reset it).

use super::{Person, load, refusal};
use crate::auth::policy::{Action, Target};
use crate::domain::FieldErrors;
use crate::domain::security::{self, SecurityInput};
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
use chrono::NaiveDateTime;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SecurityForm {
    locked: Option<String>,
    #[serde(default)]
    expires: String,
    enforce_2fa: Option<String>,
    directory_auth: Option<String>,
    #[serde(default)]
    version: i32,
}

impl SecurityForm {
    fn input(&self) -> SecurityInput {
        SecurityInput {
            locked: self.locked.is_some(),
            expires: self.expires.clone(),
            enforce_2fa: self.enforce_2fa.is_some(),
            directory_auth: self.directory_auth.is_some(),
            version: self.version,
        }
    }
}

#[derive(Template)]
#[template(path = "users/person/security.html")]
struct SecurityPage {
    layout: Layout,
    person: Person,
    tab: &'static str,
    form: SecurityInput,
    errors: FieldErrors,
    /// Locked now, and since when and until when ("" until an administrator unlocks).
    locked_since: String,
    locked_until: String,
    last_sign_in: String,
    read_only: String,
    changed: bool,
    two_factor: crate::domain::two_factor::TwoFactorState,
    /// Required of everyone by Basic Settings, whatever the box says.
    account_requires: bool,
    /// The actor may reset the user's two-factor authentication, and there is one to reset.
    may_reset_two_factor: bool,
}

fn when(at: Option<NaiveDateTime>, none: &str) -> String {
    at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| none.to_owned())
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    person: Person,
    form: SecurityInput,
    errors: FieldErrors,
    changed: bool,
) -> Result<HttpResponse, WebError> {
    let read_only = refusal(current, &person, Action::EditUserSecurity)?;
    let now = state.clock.now_naive();
    let user = person.user.clone();
    let last = state
        .db(move |conn| Ok(security::last_sign_in(conn, &user)?))
        .await?;
    let locked = person.user.is_locked(now);
    let status = if changed {
        StatusCode::CONFLICT
    } else {
        crate::web::respond::form_status(&errors)
    };
    let page = SecurityPage {
        layout: current.layout(format!("{}: Security", person.user.display_name))?,
        locked_since: if locked {
            when(person.user.locked_at, "")
        } else {
            String::new()
        },
        locked_until: if locked {
            when(
                person.user.locked_until,
                "until an administrator unlocks it",
            )
        } else {
            String::new()
        },
        last_sign_in: when(last, "Never"),
        two_factor: crate::domain::two_factor::TwoFactorState::of(
            &person.user,
            current.account.require_2fa,
        ),
        account_requires: current.account.require_2fa,
        may_reset_two_factor: person.user.totp_secret.is_some()
            && current
                .authorize(Action::ResetTwoFactor, Target::User(&person.target))
                .is_ok(),
        person,
        tab: "security",
        form,
        errors,
        read_only,
        changed,
    };
    Ok(render(status, &page))
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let form = SecurityInput::of(&person.user, state.clock.now_naive());
    page(
        &state,
        &current,
        person,
        form,
        FieldErrors::default(),
        false,
    )
    .await
}

pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<SecurityForm>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let permit = current.authorize(Action::EditUserSecurity, Target::User(&person.target))?;
    let (input, user) = (form.input(), person.user.id);
    let outcome = state
        .versioned(move |conn| security::update(conn, &permit, user, &input))
        .await?;
    let path = format!("/users/{}/security", person.user.id);
    match outcome {
        Ok(saved) => {
            current.flash(
                FlashKind::Success,
                format!("Security of {} saved.", saved.display_name),
            );
            Ok(redirect(&path))
        }
        Err(Unsaved::Invalid(errors)) => {
            page(&state, &current, person, form.input(), errors, false).await
        }
        Err(Unsaved::Changed) => {
            let (person, _) = load(&state, &current, *id).await?;
            let mut typed = form.input();
            typed.version = person.user.version;
            page(
                &state,
                &current,
                person,
                typed,
                FieldErrors::default(),
                true,
            )
            .await
        }
    }
}
