//! Saved filters of the User Management page: save the current one, the Saved Filters tab
//! (apply, rename, make default, delete), and Reset All Filters.

use crate::domain::saved_filters::{self, SavedFilterRow, USERS_PAGE};
use crate::domain::{Error, FieldErrors, SavedFilterId};
use crate::web::confirm::ConfirmPage;
use crate::web::csrf::CsrfForm;
use crate::web::csrf::Empty;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use crate::web::users::criteria::Criteria;
use crate::web::users::list::{FilterDraft, RESET_KEY, scope_of};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SaveForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
    use_as_default: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

#[derive(Template)]
#[template(path = "users/saved_filters.html")]
struct SavedFiltersPage {
    layout: Layout,
    filters: Vec<SavedFilterRow>,
    errors: FieldErrors,
    /// The filter whose rename was refused, with the name typed for it.
    failed: Option<(SavedFilterId, String)>,
}

impl SavedFiltersPage {
    fn refused(&self, id: &SavedFilterId) -> bool {
        self.failed.as_ref().is_some_and(|(failed, _)| failed == id)
    }

    /// What the rename box shows: the refused name where a rename was refused.
    fn shown_name<'a>(&'a self, filter: &'a SavedFilterRow) -> &'a str {
        match &self.failed {
            Some((id, typed)) if *id == filter.id => typed,
            _ => &filter.name,
        }
    }
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    errors: FieldErrors,
    failed: Option<(SavedFilterId, String)>,
) -> Result<HttpResponse, WebError> {
    let user = current.user.id;
    let filters = state
        .db(move |conn| Ok(saved_filters::list(conn, user, USERS_PAGE)?))
        .await?;
    let status = crate::web::respond::form_status(&errors);
    Ok(render(
        status,
        &SavedFiltersPage {
            layout: current.layout("Saved Filters")?,
            filters,
            errors,
            failed,
        },
    ))
}

pub async fn list(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    scope_of(&current)?;
    page(&state, &current, FieldErrors::default(), None).await
}

fn clear_reset(current: &CurrentUser) {
    current.session.remove(RESET_KEY);
}

pub async fn save(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<SaveForm>,
) -> Result<HttpResponse, WebError> {
    let scope = scope_of(&current)?;
    // Only a query that the list itself accepts can be saved.
    let criteria = Criteria::parse(&form.query)?;
    let query = criteria.query_with(|_| {});
    let (permit, as_default) = (current.own(), form.use_as_default.is_some());
    let (name, saved_query) = (form.name.clone(), query.clone());
    match state
        .db(move |conn| {
            Ok(saved_filters::save(
                conn,
                &permit,
                USERS_PAGE,
                &name,
                &saved_query,
                as_default,
            ))
        })
        .await?
    {
        Ok(()) => {
            if as_default {
                clear_reset(&current);
            }
            let note = if as_default {
                " It opens by default."
            } else {
                ""
            };
            current.flash(
                FlashKind::Success,
                format!("Filter “{}” saved.{note}", form.name.trim()),
            );
            Ok(redirect(&format!("/users?{query}")))
        }
        Err(Error::Invalid(errors)) => {
            let draft = FilterDraft {
                name: form.name,
                use_as_default: as_default,
                error: errors.to_string(),
            };
            crate::web::users::list::list_page(&state, &current, scope, criteria, draft).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn own(state: &AppState, current: &CurrentUser, id: i64) -> Result<SavedFilterRow, WebError> {
    scope_of(current)?;
    let user = current.user.id;
    state
        .db(move |conn| Ok(saved_filters::find(conn, user, SavedFilterId(id))?))
        .await
}

pub async fn rename(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<RenameForm>,
) -> Result<HttpResponse, WebError> {
    let filter = own(&state, &current, *id).await?;
    let (target, name, permit) = (filter.clone(), form.name.clone(), current.own());
    match state
        .db(move |conn| Ok(saved_filters::rename(conn, &permit, &target, &name)))
        .await?
    {
        Ok(()) => {
            current.flash(FlashKind::Success, "Filter renamed.");
            Ok(redirect("/users/filters"))
        }
        Err(Error::Invalid(errors)) => {
            page(&state, &current, errors, Some((filter.id, form.name))).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn set_default(
    state: &AppState,
    current: CurrentUser,
    id: i64,
    on: bool,
) -> Result<HttpResponse, WebError> {
    let filter = own(state, &current, id).await?;
    let (target, permit) = (filter.clone(), current.own());
    state
        .db(move |conn| Ok(saved_filters::set_default(conn, &permit, &target, on)?))
        .await?;
    if on {
        clear_reset(&current);
        current.flash(
            FlashKind::Success,
            format!("“{}” now opens by default.", filter.name),
        );
    } else {
        current.flash(
            FlashKind::Success,
            "The User Management page now opens without a filter.",
        );
    }
    Ok(redirect("/users/filters"))
}

pub async fn make_default(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    set_default(&state, current, *id, true).await
}

pub async fn remove_default(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    set_default(&state, current, *id, false).await
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let filter = own(&state, &current, *id).await?;
    let message = format!("Delete the saved filter “{}”?", filter.name);
    let action = format!("/users/filters/{}/delete", filter.id);
    let page = ConfirmPage {
        layout: current.layout("Delete saved filter")?,
        message: &message,
        action: &action,
        button: "Delete",
        cancel: "/users/filters",
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn delete(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let filter = own(&state, &current, *id).await?;
    let (target, permit) = (filter.clone(), current.own());
    state
        .db(move |conn| Ok(saved_filters::delete(conn, &permit, &target)?))
        .await?;
    current.flash(
        FlashKind::Success,
        format!("Filter “{}” deleted.", filter.name),
    );
    Ok(redirect("/users/filters"))
}
