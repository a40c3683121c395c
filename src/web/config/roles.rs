//! Roles, their rights, and the Permissions table.

use crate::auth::policy::{Action, Permit, Target};
use crate::auth::rights::{Right, RightSet};
use crate::domain::roles::{self, RoleInput, RoleSummary, SeatKind};
use crate::domain::{FieldErrors, RoleId};
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
pub struct RoleForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    seat_kind: String,
    #[serde(default)]
    rights: Vec<String>,
}

impl RoleForm {
    fn input(&self) -> RoleInput {
        RoleInput {
            name: self.name.clone(),
            description: self.description.clone(),
            seat_kind: self.seat_kind.clone(),
            rights: self.rights.clone(),
        }
    }

    fn from_role(role: &RoleSummary) -> Self {
        Self {
            name: role.role.name.clone(),
            description: role.role.description.clone(),
            seat_kind: role.role.seat_kind.clone(),
            rights: role.rights.iter().map(|r| r.code().to_owned()).collect(),
        }
    }

    pub fn has(&self, right: &Right) -> bool {
        self.rights.iter().any(|code| code == right.code())
    }
}

#[derive(Template)]
#[template(path = "config/roles.html")]
struct RolesPage {
    layout: Layout,
    roles: Vec<RoleSummary>,
}

#[derive(Template)]
#[template(path = "config/role_form.html")]
struct RoleFormPage<'a> {
    layout: Layout,
    action: String,
    role: Option<RoleSummary>,
    form: &'a RoleForm,
    errors: FieldErrors,
    all_rights: &'static [Right],
    seat_kinds: [SeatKind; 2],
    /// Rights the actor may not give: drawn disabled, as the role has them.
    out_of_reach: RightSet,
}

impl RoleFormPage<'_> {
    fn locked(&self, right: &Right) -> bool {
        self.out_of_reach.contains(*right)
    }

    /// A locked right shows what is stored, not what was posted: saving keeps it as stored.
    fn checked(&self, right: &Right) -> bool {
        if self.locked(right) {
            self.role
                .as_ref()
                .is_some_and(|r| r.rights.contains(*right))
        } else {
            self.form.has(right)
        }
    }
}

#[derive(Template)]
#[template(path = "config/permissions.html")]
struct PermissionsPage {
    layout: Layout,
    roles: Vec<RoleSummary>,
    all_rights: &'static [Right],
}

/// The permit for this area, which the route guard has already checked for the page.
fn authorized(current: &CurrentUser) -> Result<Permit, WebError> {
    current.authorize(Action::ManageRoles, Target::Account(current.account.id))
}

async fn all_roles(state: &AppState, current: &CurrentUser) -> Result<Vec<RoleSummary>, WebError> {
    let account = current.account.id;
    state.db(move |conn| Ok(roles::list(conn, account)?)).await
}

async fn one_role(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
) -> Result<RoleSummary, WebError> {
    let account = current.account.id;
    state
        .db(move |conn| Ok(roles::find(conn, account, RoleId(id))?))
        .await
}

pub async fn list(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    let roles = all_roles(&state, &current).await?;
    Ok(render(
        StatusCode::OK,
        &RolesPage {
            layout: current.layout("Roles")?,
            roles,
        },
    ))
}

pub async fn permissions(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    let roles = all_roles(&state, &current).await?;
    Ok(render(
        StatusCode::OK,
        &PermissionsPage {
            layout: current.layout("Permissions")?,
            roles,
            all_rights: &Right::ALL,
        },
    ))
}

fn form_page(
    current: &CurrentUser,
    role: Option<RoleSummary>,
    form: &RoleForm,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let (title, action) = match &role {
        Some(r) => (
            format!("Role {}", r.role.name),
            format!("/config/roles/{}", r.role.id),
        ),
        None => ("New role".to_owned(), "/config/roles".to_owned()),
    };
    let status = crate::web::respond::form_status(&errors);
    let page = RoleFormPage {
        layout: current.layout(title)?,
        action,
        role,
        form,
        errors,
        all_rights: &Right::ALL,
        seat_kinds: SeatKind::ALL,
        out_of_reach: roles::out_of_reach(&current.actor),
    };
    Ok(render(status, &page))
}

pub async fn new(current: CurrentUser) -> Result<HttpResponse, WebError> {
    let form = RoleForm {
        seat_kind: SeatKind::Full.as_str().into(),
        ..RoleForm::default()
    };
    form_page(&current, None, &form, FieldErrors::default())
}

pub async fn create(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let (input, actor) = (form.input(), current.actor.clone());
    match state
        .form(move |conn| roles::create(conn, &actor, &input, &permit))
        .await?
    {
        Ok(_) => {
            current.flash(
                FlashKind::Success,
                format!("Role {} created.", form.name.trim()),
            );
            Ok(redirect("/config/roles"))
        }
        Err(errors) => form_page(&current, None, &form, errors),
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let role = one_role(&state, &current, *id).await?;
    let form = RoleForm::from_role(&role);
    form_page(&current, Some(role), &form, FieldErrors::default())
}

pub async fn update(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let role = one_role(&state, &current, *id).await?;
    let (input, target) = (form.input(), role.role.clone());
    let actor = current.actor.clone();
    match state
        .form(move |conn| roles::update(conn, &actor, &target, &input, &permit))
        .await?
    {
        Ok(()) => {
            current.flash(
                FlashKind::Success,
                format!("Role {} saved.", form.name.trim()),
            );
            Ok(redirect("/config/roles"))
        }
        Err(errors) => form_page(&current, Some(role), &form, errors),
    }
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, WebError> {
    let role = one_role(&state, &current, *id).await?;
    let message = if role.holders > 0 {
        format!(
            "{} {} the role {}. It cannot be deleted until no one holds it.",
            crate::web::copy::users(role.holders),
            if role.holders == 1 { "holds" } else { "hold" },
            role.role.name
        )
    } else {
        format!("Delete the role {}? No one holds it.", role.role.name)
    };
    let action = format!("/config/roles/{}/delete", role.role.id);
    let cancel = format!("/config/roles/{}", role.role.id);
    let page = ConfirmPage {
        layout: current.layout(format!("Delete role {}", role.role.name))?,
        message: &message,
        action: &action,
        button: "Delete role",
        cancel: &cancel,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn delete(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let permit = authorized(&current)?;
    let role = one_role(&state, &current, *id).await?;
    let name = role.role.name.clone();
    match state
        .may_refuse(move |conn| roles::delete(conn, &role, &permit))
        .await?
    {
        Ok(()) => current.flash(FlashKind::Success, format!("Role {name} deleted.")),
        Err(message) => current.flash(FlashKind::Error, message),
    }
    Ok(redirect("/config/roles"))
}
