//! The Email Subscriptions tab of a user's page.

use super::{Person, load, refusal};
use crate::auth::policy::{Action, Target};
use crate::domain::subscriptions::{self, KINDS};
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

/// What the Email Subscriptions form sends (also My Profile's).
#[derive(Deserialize, Default)]
pub struct SubscriptionsForm {
    disable_all: Option<String>,
    weekly: Option<String>,
    #[serde(default)]
    version: i32,
}

impl SubscriptionsForm {
    /// Optional emails are on unless all are disabled or the Monday letter is unticked.
    pub fn on(&self) -> bool {
        self.disable_all.is_none() && self.weekly.is_some()
    }

    pub fn version(&self) -> i32 {
        self.version
    }
}

#[derive(Template)]
#[template(path = "users/person/subscriptions.html")]
struct SubscriptionsPage {
    layout: Layout,
    person: Person,
    tab: &'static str,
    kinds: &'static [(&'static str, &'static str, bool)],
    read_only: String,
    changed: bool,
}

impl SubscriptionsPage {
    fn form_action(&self) -> String {
        format!("/users/{}/subscriptions", self.person.user.id)
    }
}

fn page(current: &CurrentUser, person: Person, changed: bool) -> Result<HttpResponse, WebError> {
    let read_only = refusal(current, &person, Action::EditUserIdentity)?;
    let status = if changed {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let page = SubscriptionsPage {
        layout: current.layout(format!("{}: Email Subscriptions", person.user.display_name))?,
        person,
        tab: "subscriptions",
        kinds: &KINDS,
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
    page(&current, person, false)
}

pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<SubscriptionsForm>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let permit = current.authorize(Action::EditUserIdentity, Target::User(&person.target))?;
    let (user, on, version) = (person.user.id, form.on(), form.version());
    match state
        .versioned(move |conn| subscriptions::set(conn, &permit, user, on, version))
        .await?
    {
        Ok(saved) => {
            current.flash(
                FlashKind::Success,
                format!("Email subscriptions of {} saved.", saved.display_name),
            );
            Ok(redirect(&format!("/users/{}/subscriptions", saved.id)))
        }
        Err(Unsaved::Invalid(errors)) => Err(WebError::BadRequest(errors.to_string())),
        Err(Unsaved::Changed) => {
            let (person, _) = load(&state, &current, *id).await?;
            page(&current, person, true)
        }
    }
}
