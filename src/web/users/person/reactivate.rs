//! GET and POST /users/{id}/reactivate: reactivate a user in the companies where they are
//! deactivated (their access there is as it was); refused over the full seat limit.

use super::{Person, load};
use crate::auth::policy::{Action, Permit, Target};
use crate::domain::{CompanyId, FieldErrors, lifecycle};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::{AppState, Unsaved};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "users/person/reactivate.html")]
struct ReactivatePage {
    layout: Layout,
    person: Person,
    tab: &'static str,
    /// (company, name, ticked)
    rows: Vec<(CompanyId, String, bool)>,
    errors: FieldErrors,
}

/// The companies where the user is deactivated and the actor may reactivate them.
fn reach(current: &CurrentUser, person: &Person) -> Vec<(CompanyId, String, Permit)> {
    person
        .access
        .iter()
        .filter(|a| !a.active)
        .filter_map(|a| {
            let target = Target::UserInCompany(&person.target, a.company.id);
            let permit = current.authorize(Action::DeactivateUser, target).ok()?;
            Some((a.company.id, a.company.name.clone(), permit))
        })
        .collect()
}

fn page(
    current: &CurrentUser,
    person: Person,
    ticked: Option<&[CompanyId]>,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let rows: Vec<(CompanyId, String, bool)> = reach(current, &person)
        .into_iter()
        .map(|(c, name, _)| (c, name, ticked.is_none_or(|t| t.contains(&c))))
        .collect();
    if rows.is_empty() {
        return Err(WebError::Forbidden(
            "There is no company where you may reactivate this user (it needs \
             users.deactivate there, and they must be deactivated there)."
                .into(),
        ));
    }
    let status = crate::web::respond::form_status(&errors);
    let page = ReactivatePage {
        layout: current.layout(format!("Reactivate {}", person.user.display_name))?,
        person,
        tab: "",
        rows,
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
    page(&current, person, None, FieldErrors::default())
}

pub async fn submit(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let reach = reach(&current, &person);
    let (chosen, permits): (Vec<CompanyId>, Vec<_>) =
        super::posted_companies(&pairs, &reach)?.into_iter().unzip();
    let user = person.user.id;
    let wanted = chosen.clone();
    let outcome = state
        .versioned(move |conn| lifecycle::reactivate(conn, &permits, user, &wanted))
        .await?;
    match outcome {
        Ok(saved) => {
            current.flash(
                FlashKind::Success,
                format!("{} was reactivated as chosen.", saved.display_name),
            );
            Ok(redirect(&format!("/users/{}/companies", user.0)))
        }
        Err(Unsaved::Invalid(errors)) => page(&current, person, Some(&chosen), errors),
        Err(Unsaved::Changed) => Err(WebError::Conflict(
            "This user was changed meanwhile: open the page again.".into(),
        )),
    }
}
