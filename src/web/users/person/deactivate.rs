//! GET and POST /users/{id}/deactivate: deactivate a user in some or all of their
//! companies, each with a Substitute User (or one for all companies at once). The form
//! says what will happen; it is the confirmation.

use super::{Person, load};
use crate::auth::policy::{Action, Permit, Target};
use crate::domain::lifecycle::{self, Deactivation, Notice};
use crate::domain::users::UserRow;
use crate::domain::{CompanyId, FieldErrors, UserId};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::{AppState, Unsaved};
use actix_web::{HttpResponse, web};
use askama::Template;

/// One company the user may be deactivated in by the actor, with who may stand in.
struct Row {
    company: CompanyId,
    name: String,
    substitutes: Vec<UserRow>,
    /// What the form had for it: ticked, and the substitute chosen.
    ticked: bool,
    substitute: Option<UserId>,
}

#[derive(Template)]
#[template(path = "users/person/deactivate.html")]
struct DeactivatePage {
    layout: Layout,
    person: Person,
    tab: &'static str,
    rows: Vec<Row>,
    /// Everyone who may stand in in every company listed (for "all companies at once").
    common: Vec<UserRow>,
    substitute_all: Option<UserId>,
    errors: FieldErrors,
}

impl DeactivatePage {
    fn chosen(&self, row: &Row, id: &UserId) -> bool {
        row.substitute == Some(*id)
    }

    fn all_is(&self, id: &UserId) -> bool {
        self.substitute_all == Some(*id)
    }
}

/// The companies where the user is active and the actor may deactivate them, each with
/// its permit.
fn reach(current: &CurrentUser, person: &Person) -> Vec<(CompanyId, String, Permit)> {
    person
        .access
        .iter()
        .filter(|a| a.active)
        .filter_map(|a| {
            let target = Target::UserInCompany(&person.target, a.company.id);
            let permit = current.authorize(Action::DeactivateUser, target).ok()?;
            Some((a.company.id, a.company.name.clone(), permit))
        })
        .collect()
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    person: Person,
    posted: Option<&[(String, String)]>,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let reach = reach(current, &person);
    if reach.is_empty() {
        return Err(WebError::Forbidden(
            "There is no company where you may deactivate this user (it needs \
             users.deactivate there, and they must be active there)."
                .into(),
        ));
    }
    let user = person.user.clone();
    let companies: Vec<(CompanyId, String)> =
        reach.iter().map(|(c, n, _)| (*c, n.clone())).collect();
    let found = state
        .db(move |conn| {
            let mut out = Vec::new();
            for (company, _) in &companies {
                out.push(lifecycle::substitutes(conn, &user, *company)?);
            }
            Ok(out)
        })
        .await?;
    let value =
        |name: &str| posted.and_then(|p| p.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
    let ticked = |company: CompanyId| {
        posted.is_none_or(|p| {
            p.iter()
                .any(|(k, v)| k == "company" && *v == company.to_string())
        })
    };
    let rows: Vec<Row> = reach
        .into_iter()
        .zip(found)
        .map(|((company, name, _), substitutes)| Row {
            company,
            name,
            substitutes,
            ticked: ticked(company),
            substitute: value(&format!("substitute_{company}"))
                .and_then(|v| v.parse().ok().map(UserId)),
        })
        .collect();
    let common: Vec<UserRow> = rows
        .first()
        .map(|first| {
            first
                .substitutes
                .iter()
                .filter(|u| {
                    rows.iter()
                        .all(|r| r.substitutes.iter().any(|s| s.id == u.id))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let status = crate::web::respond::form_status(&errors);
    let page = DeactivatePage {
        layout: current.layout(format!("Deactivate {}", person.user.display_name))?,
        person,
        tab: "",
        rows,
        common,
        substitute_all: value("substitute_all").and_then(|v| v.parse().ok().map(UserId)),
        errors,
    };
    Ok(render(status, &page))
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    page(&state, &current, person, None, FieldErrors::default()).await
}

pub async fn submit(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let reach = reach(&current, &person);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = field("substitute_all").parse().ok().map(UserId);
    let mut chosen = Vec::new();
    let mut permits = Vec::new();
    for (company, permit) in super::posted_companies(&pairs, &reach)? {
        let own = field(&format!("substitute_{company}"))
            .parse()
            .ok()
            .map(UserId);
        chosen.push(Deactivation {
            company,
            substitute: all.or(own),
        });
        permits.push(permit);
    }
    let user = person.user.id;
    let (account_name, base_url) = (current.account.name.clone(), state.base_url.clone());
    let outcome = state
        .versioned(move |conn| {
            let notice = Notice {
                account_name: &account_name,
                base_url: &base_url,
                letters: &crate::mail::templates::TEMPLATES,
            };
            lifecycle::deactivate(conn, &permits, user, &chosen, &notice)
        })
        .await;
    let outcome = match outcome {
        Err(WebError::Conflict(reason)) => {
            let mut errors = FieldErrors::default();
            errors.add("companies", reason);
            Err(Unsaved::Invalid(errors))
        }
        other => other?,
    };
    match outcome {
        Ok(saved) => {
            state.mail_wake.notify_one();
            current.flash(
                FlashKind::Success,
                format!("{} was deactivated as chosen.", saved.display_name),
            );
            Ok(redirect(&format!("/users/{}/companies", user.0)))
        }
        Err(Unsaved::Invalid(errors)) => page(&state, &current, person, Some(&pairs), errors).await,
        Err(Unsaved::Changed) => Err(WebError::Conflict(
            "This user was changed meanwhile: open the page again.".into(),
        )),
    }
}
