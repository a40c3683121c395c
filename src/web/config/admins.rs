//! The Admins group: only account administrators see it.

use crate::auth::policy::{Action, Permit, Target};
use crate::domain::users::UserRow;
use crate::domain::{Error, FieldErrors, UserId, admins};
use crate::web::confirm::ConfirmPage;
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
pub struct AddForm {
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "config/admins.html")]
struct AdminsPage<'a> {
    layout: Layout,
    admins: Vec<UserRow>,
    me: UserId,
    form: &'a AddForm,
    errors: FieldErrors,
}

/// The permit for this area, which the route guard has already checked for the page.
fn authorized(current: &CurrentUser) -> Result<Permit, WebError> {
    current.authorize(Action::ManageAdmins, Target::Account(current.account.id))
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    form: &AddForm,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let account = current.account.id;
    let admins = state
        .db(move |conn| Ok(admins::list(conn, account)?))
        .await?;
    let status = crate::web::respond::form_status(&errors);
    let page = AdminsPage {
        layout: current.layout("Admins")?,
        admins,
        me: current.user.id,
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn list(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    page(
        &state,
        &current,
        &AddForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn add(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let (email, permit) = (form.email.clone(), permit);
    match state
        .db(move |conn| Ok(admins::add(conn, &email, &permit)))
        .await?
    {
        Ok(user) => {
            current.flash(
                FlashKind::Success,
                format!("{} is now an administrator.", user.email),
            );
            Ok(redirect("/config/admins"))
        }
        Err(Error::Invalid(errors)) => page(&state, &current, &form, errors).await,
        Err(other) => Err(other.into()),
    }
}

async fn admin(state: &AppState, current: &CurrentUser, id: i64) -> Result<UserRow, WebError> {
    let account = current.account.id;
    let user = state
        .db(move |conn| Ok(crate::domain::users::find(conn, account, UserId(id))?))
        .await?;
    if !user.is_account_admin {
        return Err(WebError::NotFound);
    }
    Ok(user)
}

pub async fn confirm_remove(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let user = admin(&state, &current, *id).await?;
    let message = format!(
        "Remove {} from the Admins group? They keep their roles in each company, but lose every right that came from being an administrator.",
        user.email
    );
    let action = format!("/config/admins/{}/remove", user.id);
    let page = ConfirmPage {
        layout: current.layout("Remove administrator")?,
        message: &message,
        action: &action,
        button: "Remove",
        cancel: "/config/admins",
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn remove(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let user = admin(&state, &current, *id).await?;
    let (permit, target) = (permit, user.id);
    match state
        .db(move |conn| Ok(admins::remove(conn, target, &permit)))
        .await?
    {
        Ok(_) => current.flash(
            FlashKind::Success,
            format!("{} is no longer an administrator.", user.email),
        ),
        Err(Error::Conflict(message)) => current.flash(FlashKind::Error, message),
        Err(other) => return Err(other.into()),
    }
    Ok(redirect("/config/admins"))
}
