//! The Companies tab: the companies the user belongs to with their roles there; Add to
//! company (choose companies, then the access tabs for them); Remove from company, after a
//! confirmation, never from the user's last company (that is deactivation).

use super::{Person, load};
use crate::auth::policy::{Action, Target};
use crate::domain::{CompanyId, companies, user_access};
use crate::web::confirm::ConfirmPage;
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

/// One company of the user's, as the tab lists it.
struct Row {
    id: CompanyId,
    name: String,
    roles: String,
    /// "Active", or "Deactivated · substitute Bob".
    standing: String,
    /// The actor may change the user's access here.
    editable: bool,
}

#[derive(Template)]
#[template(path = "users/person/companies.html")]
struct CompaniesPage {
    layout: Layout,
    person: Person,
    tab: &'static str,
    rows: Vec<Row>,
    /// Companies the actor may add the user to.
    addable: Vec<companies::CompanyRow>,
    /// Why no company can be added, when none can.
    add_refused: String,
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let account = current.account.id;
    let user = person.user.id;
    let (all, deactivated) = state
        .db(move |conn| {
            Ok((
                companies::active_for_account(conn, account)?,
                crate::domain::lifecycle::deactivated_in(conn, user)?,
            ))
        })
        .await?;
    let standing = |company: CompanyId| match deactivated.iter().find(|(c, _)| *c == company) {
        None => "Active".to_owned(),
        Some((_, Some(name))) => format!("Deactivated · substitute {name}"),
        Some((_, None)) => "Deactivated · no substitute".to_owned(),
    };
    let target = &person.target;
    let rows = person
        .access
        .iter()
        .map(|a| Row {
            id: a.company.id,
            name: a.company.name.clone(),
            roles: {
                let mut names: Vec<&str> = a.roles.iter().map(|r| r.role.name.as_str()).collect();
                names.sort_unstable();
                names.join(", ")
            },
            standing: standing(a.company.id),
            editable: current
                .authorize(
                    Action::EditUserAccess,
                    Target::UserInCompany(target, a.company.id),
                )
                .is_ok(),
        })
        .collect();
    let on_user = current.authorize(Action::EditUserAccess, Target::UserInAnyCompany(target));
    let addable: Vec<companies::CompanyRow> = all
        .into_iter()
        .filter(|c| !person.access.iter().any(|a| a.company.id == c.id))
        .filter(|c| {
            on_user.is_ok()
                && current
                    .authorize(Action::InviteUsers, Target::Company(account, c.id))
                    .is_ok()
        })
        .collect();
    let add_refused = match on_user {
        Err(WebError::Forbidden(reason)) => reason,
        Err(other) => return Err(other),
        Ok(_) if addable.is_empty() => {
            "There is no other company you may add this user to (it needs users.invite there)."
                .into()
        }
        Ok(_) => String::new(),
    };
    let page = CompaniesPage {
        layout: current.layout(format!("{}: Companies", person.user.display_name))?,
        person,
        tab: "companies",
        rows,
        addable,
        add_refused,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The user and the company they would leave, with the permit to take them out of it.
async fn leaving(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
    company: i64,
) -> Result<(Person, CompanyId, String, crate::auth::policy::Permit), WebError> {
    let (person, _) = load(state, current, id).await?;
    let company = CompanyId(company);
    let name = person
        .access
        .iter()
        .find(|a| a.company.id == company)
        .map(|a| a.company.name.clone())
        .ok_or(WebError::NotFound)?;
    let permit = current.authorize(
        Action::EditUserAccess,
        Target::UserInCompany(&person.target, company),
    )?;
    Ok((person, company, name, permit))
}

pub async fn confirm_remove(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, WebError> {
    let (id, company) = path.into_inner();
    let (person, company, name, _) = leaving(&state, &current, id, company).await?;
    let message = format!(
        "Remove {} from {name}? Their roles, locations, custom field options and product \
         groups there go; their other companies stay as they are.",
        person.user.display_name
    );
    let action = format!("/users/{}/companies/{}/remove", person.user.id, company);
    let cancel = format!("/users/{}/companies", person.user.id);
    let page = ConfirmPage {
        layout: current.layout("Remove from company")?,
        message: &message,
        action: &action,
        button: "Remove from company",
        cancel: &cancel,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn remove(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<crate::web::csrf::Empty>,
) -> Result<HttpResponse, WebError> {
    let (id, company) = path.into_inner();
    let (person, company, name, permit) = leaving(&state, &current, id, company).await?;
    let user = person.user.id;
    let outcome = state
        .may_refuse(move |conn| user_access::remove_company(conn, &permit, user, company))
        .await?;
    match outcome {
        Ok(()) => current.flash(
            FlashKind::Success,
            format!("{} removed from {name}.", person.user.display_name),
        ),
        Err(reason) => current.flash(FlashKind::Error, reason),
    }
    Ok(redirect(&format!("/users/{}/companies", user.0)))
}
