//! Companies of the account, managed by account administrators only.

use crate::auth::policy::{Action, Permit, Target};
use crate::domain::companies::{self, CompanyInput, CompanyRow};
use crate::domain::{CompanyId, Error, FieldErrors};
use crate::web::csrf::CsrfForm;
use crate::web::csrf::Empty;
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
pub struct CompanyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
}

impl CompanyForm {
    fn input(&self) -> CompanyInput {
        CompanyInput {
            name: self.name.clone(),
            code: self.code.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "config/companies.html")]
struct CompaniesPage<'a> {
    layout: Layout,
    companies: Vec<CompanyRow>,
    form: &'a CompanyForm,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "config/company_edit.html")]
struct CompanyEditPage<'a> {
    layout: Layout,
    company: CompanyRow,
    form: &'a CompanyForm,
    errors: FieldErrors,
}

/// The permit for this area, which the route guard has already checked for the page.
fn authorized(current: &CurrentUser) -> Result<Permit, WebError> {
    current.authorize(Action::ManageCompanies, Target::Account(current.account.id))
}

async fn list_page(
    state: &AppState,
    current: &CurrentUser,
    form: &CompanyForm,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let account = current.account.id;
    let companies = state
        .db(move |conn| Ok(companies::all_for_account(conn, account)?))
        .await?;
    let status = crate::web::respond::form_status(&errors);
    let page = CompaniesPage {
        layout: current.layout("Companies")?,
        companies,
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn list(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    list_page(
        &state,
        &current,
        &CompanyForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn create(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<CompanyForm>,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let (input, permit) = (form.input(), permit);
    match state
        .db(move |conn| Ok(companies::add(conn, &input, &permit)))
        .await?
    {
        Ok(company) => {
            current.flash(
                FlashKind::Success,
                format!("Company {} added.", company.name),
            );
            Ok(redirect("/config/companies"))
        }
        Err(Error::Invalid(errors)) => list_page(&state, &current, &form, errors).await,
        Err(other) => Err(other.into()),
    }
}

async fn load(state: &AppState, current: &CurrentUser, id: i64) -> Result<CompanyRow, WebError> {
    let account = current.account.id;
    state
        .db(move |conn| Ok(companies::find(conn, account, CompanyId(id))?))
        .await
}

pub async fn edit(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let company = load(&state, &current, *id).await?;
    let form = CompanyForm {
        name: company.name.clone(),
        code: company.code.clone(),
    };
    let page = CompanyEditPage {
        layout: current.layout(format!("Company {}", company.name))?,
        company,
        form: &form,
        errors: FieldErrors::default(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<CompanyForm>,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let company = load(&state, &current, *id).await?;
    let (input, permit, target) = (form.input(), permit, company.clone());
    match state
        .db(move |conn| Ok(companies::update(conn, &target, &input, &permit)))
        .await?
    {
        Ok(()) => {
            current.flash(FlashKind::Success, "Company saved.");
            Ok(redirect("/config/companies"))
        }
        Err(Error::Invalid(errors)) => {
            let page = CompanyEditPage {
                layout: current.layout(format!("Company {}", company.name))?,
                company,
                form: &form,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

async fn set_archived(
    state: &AppState,
    current: CurrentUser,
    id: i64,
    archived: bool,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let company = load(state, &current, id).await?;
    let (permit, target) = (permit, company.clone());
    match state
        .db(move |conn| Ok(companies::set_archived(conn, &target, archived, &permit)))
        .await?
    {
        Ok(()) => {
            let done = if archived { "archived" } else { "restored" };
            current.flash(
                FlashKind::Success,
                format!("Company {} {done}.", company.name),
            );
        }
        Err(Error::Conflict(message)) => current.flash(FlashKind::Error, message),
        Err(other) => return Err(other.into()),
    }
    Ok(redirect("/config/companies"))
}

pub async fn archive(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    set_archived(&state, current, *id, true).await
}

pub async fn restore(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    set_archived(&state, current, *id, false).await
}
