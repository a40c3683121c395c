//! My Profile: what the signed-in user is and may access. Later issues add tabs.

use crate::auth::rights::Right;
use crate::domain::audit::{self, AuditAction, Origin};
use crate::domain::memberships::CompanyAccess;
use crate::domain::users;
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::login::Empty;
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use crate::web::{redirect, render};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "profile/show.html")]
struct ProfilePage<'a> {
    layout: Layout,
    user: &'a users::UserRow,
    status: &'static str,
    access: &'a [CompanyAccess],
    single_company: bool,
    last_access: String,
    all_rights: &'static [Right],
}

pub async fn show(current: CurrentUser) -> Result<HttpResponse, WebError> {
    let page = ProfilePage {
        layout: current.layout("My Profile")?,
        user: &current.user,
        status: current.user.status().label(),
        access: &current.access,
        single_company: current.actor.account_companies <= 1,
        last_access: current
            .user
            .last_access_at
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "Never".into()),
        all_rights: &Right::ALL,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Ends every session of the signed-in user, this one included, by changing the stamp.
pub async fn end_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let user_id = current.user.id;
    let account_id = current.account.id;
    let now = state.clock.now_naive();
    let origin = Origin {
        actor: Some(user_id),
        ip: state.client_ip(&req).map(|ip| ip.to_string()),
    };
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                users::rotate_security_stamp(conn, user_id, now)?;
                let event = audit::Event {
                    account_id,
                    action: AuditAction::SessionsEnded,
                    target_user: Some(user_id),
                    company: None,
                    detail: "by the user",
                };
                audit::record(conn, &origin, event, now)
            })?;
            Ok(())
        })
        .await?;
    session::end(&current.session);
    session::push_flash(
        &current.session,
        FlashKind::Success,
        "You were signed out on every device. Sign in again to continue.",
    );
    Ok(redirect("/login"))
}
