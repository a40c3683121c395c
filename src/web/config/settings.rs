//! Basic Settings of the account.

use crate::auth::policy::{Action, Permit, Target};
use crate::domain::FieldErrors;
use crate::domain::settings::{self, SettingsInput};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    invitation_valid_hours: String,
    #[serde(default)]
    lockout_threshold: String,
    #[serde(default)]
    lockout_minutes: String,
    #[serde(default)]
    session_idle_minutes: String,
    #[serde(default)]
    session_absolute_minutes: String,
    require_2fa: Option<String>,
    view_only_self_created: Option<String>,
    #[serde(default)]
    full_seat_limit: String,
    weekly_letter: Option<String>,
}

impl SettingsForm {
    fn input(&self) -> SettingsInput {
        SettingsInput {
            invitation_valid_hours: self.invitation_valid_hours.clone(),
            lockout_threshold: self.lockout_threshold.clone(),
            lockout_minutes: self.lockout_minutes.clone(),
            session_idle_minutes: self.session_idle_minutes.clone(),
            session_absolute_minutes: self.session_absolute_minutes.clone(),
            require_2fa: self.require_2fa.is_some(),
            view_only_self_created: self.view_only_self_created.is_some(),
            full_seat_limit: self.full_seat_limit.clone(),
            weekly_letter: self.weekly_letter.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "config/settings.html")]
struct SettingsPage {
    layout: Layout,
    form: SettingsInput,
    errors: FieldErrors,
    /// Users who must set up two-factor authentication and have not yet.
    still_to_enrol: i64,
    /// The user list opens for this user: the count links to those users.
    may_list_users: bool,
}

impl SettingsPage {
    fn to_enrol_text(&self) -> String {
        match self.still_to_enrol {
            0 => "Everyone who must have two-factor authentication has set it up.".to_owned(),
            1 => "1 user must still set up two-factor authentication.".to_owned(),
            n => format!("{n} users must still set up two-factor authentication."),
        }
    }
}

fn may_list_users(current: &CurrentUser) -> bool {
    crate::auth::policy::allowed_somewhere(&current.actor, Action::ViewUsers)
}

async fn still_to_enrol(state: &AppState, current: &CurrentUser) -> Result<i64, WebError> {
    let account = current.account.clone();
    state
        .db(move |conn| Ok(crate::domain::two_factor::still_to_enrol(conn, &account)?))
        .await
}

/// The permit for this area, which the route guard has already checked for the page.
fn authorized(current: &CurrentUser) -> Result<Permit, WebError> {
    current.authorize(Action::ManageConfig, Target::Account(current.account.id))
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    let form = SettingsInput::from_account(&current.account);
    Ok(render(
        StatusCode::OK,
        &SettingsPage {
            layout: current.layout("Basic Settings")?,
            form,
            errors: FieldErrors::default(),
            still_to_enrol: still_to_enrol(&state, &current).await?,
            may_list_users: may_list_users(&current),
        },
    ))
}

pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let input = form.input();
    match input.parse() {
        Ok(parsed) => {
            state
                .db(move |conn| Ok(settings::save(conn, &parsed, &permit)?))
                .await?;
            // Turning the requirement on sends an administrator without two-factor
            // authentication to set it up at the next page (web::current_user), which says so.
            current.flash(FlashKind::Success, "Settings saved.");
            Ok(redirect("/config/settings"))
        }
        Err(errors) => {
            let page = SettingsPage {
                layout: current.layout("Basic Settings")?,
                form: input,
                errors,
                still_to_enrol: still_to_enrol(&state, &current).await?,
                may_list_users: may_list_users(&current),
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
