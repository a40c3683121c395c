//! One catalog item: edit, update, add an option to a field, delete (after asking), archive
//! and restore.

use crate::domain::FieldErrors;
use crate::domain::catalog::{self, ItemKind, ItemRow, StateChange, StateOutcome};
use crate::domain::companies::CompanyRow;
use crate::web::config::catalog::{
    EditPage, ItemForm, ItemPath, ListParams, StatePath, any_kind, company_for, item_for,
    item_link, load_list,
};
use crate::web::confirm::ConfirmPage;
use crate::web::csrf::CsrfForm;
use crate::web::csrf::Empty;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
struct EditInput<'a> {
    form: &'a ItemForm,
    errors: FieldErrors,
    option_form: &'a ItemForm,
    option_errors: FieldErrors,
}

async fn edit_page(
    state: &AppState,
    current: &CurrentUser,
    company: CompanyRow,
    item: ItemRow,
    params: &ListParams,
    input: EditInput<'_>,
) -> Result<HttpResponse, WebError> {
    let options = if item.kind() == ItemKind::Field {
        let base = item_link(&item);
        Some(
            load_list(
                state,
                &company,
                ItemKind::FieldOption,
                Some(item.id),
                params,
                base,
            )
            .await?,
        )
    } else {
        None
    };
    let status = if input.errors.is_empty() && input.option_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        layout: current.layout(format!("{} {}", item.kind().singular(), item.name))?,
        multi_company: current.actor.account_companies > 1,
        company,
        item,
        form: input.form,
        errors: input.errors,
        options,
        option_form: input.option_form,
        option_errors: input.option_errors,
    };
    Ok(render(status, &page))
}

pub async fn edit(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<ItemPath>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, WebError> {
    let kind = any_kind(&path.kind)?;
    let (company, _) = company_for(&state, &current, path.company).await?;
    let item = item_for(&state, &company, kind, path.id).await?;
    let form = ItemForm::from_item(&item);
    let blank = ItemForm::default();
    let input = EditInput {
        form: &form,
        errors: FieldErrors::default(),
        option_form: &blank,
        option_errors: FieldErrors::default(),
    };
    edit_page(&state, &current, company, item, &params, input).await
}

pub async fn update(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<ItemPath>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<HttpResponse, WebError> {
    let kind = any_kind(&path.kind)?;
    let (company, permit) = company_for(&state, &current, path.company).await?;
    let item = item_for(&state, &company, kind, path.id).await?;
    let (input, target) = (form.input(), item.clone());
    match state
        .form(move |conn| catalog::update(conn, &target, &input, &permit))
        .await?
    {
        Ok(()) => {
            current.flash(FlashKind::Success, format!("{} saved.", kind.singular()));
            Ok(redirect(&item_link(&item)))
        }
        Err(errors) => {
            let blank = ItemForm::default();
            let input = EditInput {
                form: &form,
                errors,
                option_form: &blank,
                option_errors: FieldErrors::default(),
            };
            edit_page(
                &state,
                &current,
                company,
                item,
                &ListParams::default(),
                input,
            )
            .await
        }
    }
}

/// POST /config/companies/{company}/fields/{id}/options: adds an option to a field.
pub async fn create_option(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<HttpResponse, WebError> {
    let (company_id, field_id) = path.into_inner();
    let (company, permit) = company_for(&state, &current, company_id).await?;
    let field = item_for(&state, &company, ItemKind::Field, field_id).await?;
    let (input, parent) = (form.input(), field.id);
    match state
        .form(move |conn| {
            catalog::create(
                conn,
                company.id,
                ItemKind::FieldOption,
                Some(parent),
                &input,
                &permit,
            )
        })
        .await?
    {
        Ok(option) => {
            current.flash(
                FlashKind::Success,
                format!("Option {} added to {}.", option.name, field.name),
            );
            Ok(redirect(&item_link(&field)))
        }
        Err(option_errors) => {
            let field_form = ItemForm::from_item(&field);
            let input = EditInput {
                form: &field_form,
                errors: FieldErrors::default(),
                option_form: &form,
                option_errors,
            };
            edit_page(
                &state,
                &current,
                company,
                field,
                &ListParams::default(),
                input,
            )
            .await
        }
    }
}

fn back_link(item: &ItemRow) -> String {
    match (item.kind(), item.parent_id) {
        (ItemKind::FieldOption, Some(field)) => {
            format!("/config/companies/{}/fields/{field}", item.company_id)
        }
        (kind, _) => format!("/config/companies/{}/{}", item.company_id, kind.slug()),
    }
}

/// GET …/{id}/delete: asks before deleting.
pub async fn confirm_delete(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, WebError> {
    let kind = any_kind(&path.kind)?;
    let (company, _) = company_for(&state, &current, path.company).await?;
    let item = item_for(&state, &company, kind, path.id).await?;
    let message = format!(
        "Delete {} {} ({})? If anyone has access to it, it is archived instead, so their access stays on record.",
        kind.singular().to_lowercase(),
        item.name,
        item.code
    );
    let action = format!("{}/delete", item_link(&item));
    let cancel = item_link(&item);
    let page = ConfirmPage {
        layout: current.layout(format!("Delete {}", item.name))?,
        message: &message,
        action: &action,
        button: "Delete",
        cancel: &cancel,
    };
    Ok(render(StatusCode::OK, &page))
}

/// POST …/{id}/{archive|restore|delete}.
pub async fn change_state(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<StatePath>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let kind = any_kind(&path.kind)?;
    let what = StateChange::from_slug(&path.action).ok_or(WebError::NotFound)?;
    let (company, permit) = company_for(&state, &current, path.company).await?;
    let item = item_for(&state, &company, kind, path.id).await?;
    let target = item.clone();
    let outcome = state
        .db(move |conn| Ok(catalog::change_state(conn, &target, what, &permit)?))
        .await?;
    let name = format!("{} {}", kind.singular(), item.name);
    let message = match outcome {
        StateOutcome::Archived => format!("{name} archived. Restore it from the archived list."),
        StateOutcome::Restored => format!("{name} restored."),
        StateOutcome::Deleted => format!("{name} deleted."),
        StateOutcome::ArchivedInUse(users) => {
            format!(
                "{name} is in use by {}, so it was archived instead of deleted.",
                crate::web::copy::users(users)
            )
        }
    };
    current.flash(FlashKind::Success, message);
    Ok(redirect(&back_link(&item)))
}
