//! My Profile: what the signed-in user is and may access. Later issues add tabs.

use crate::auth::rights::Right;
use crate::domain::audit::{self, AuditAction, Origin};
use crate::domain::memberships::CompanyAccess;
use crate::domain::sessions;
use crate::domain::{SessionId, users};
use crate::web::csrf::CsrfForm;
use crate::web::csrf::Empty;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
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
    sessions: Vec<SessionView>,
}

/// One of the user's sessions as My Profile lists it.
struct SessionView {
    id: SessionId,
    browser: String,
    address: String,
    signed_in: String,
    last_seen: String,
    current: bool,
}

impl SessionView {
    fn of(row: &sessions::SessionRow, current: Option<SessionId>) -> Self {
        SessionView {
            id: row.id,
            browser: browser_of(row.user_agent.as_deref()),
            address: row.ip.clone().unwrap_or_else(|| "Unknown".into()),
            signed_in: row.created_at.format(TIME).to_string(),
            last_seen: row.last_seen_at.format(TIME).to_string(),
            current: Some(row.id) == current,
        }
    }
}

const TIME: &str = "%Y-%m-%d %H:%M UTC";

/// "Firefox on Linux", from the user agent the session was signed in with.
fn browser_of(agent: Option<&str>) -> String {
    let parsed = agent.and_then(|a| woothee::parser::Parser::new().parse(a));
    match parsed {
        Some(p) if p.name != woothee::woothee::VALUE_UNKNOWN => {
            if p.os == woothee::woothee::VALUE_UNKNOWN {
                p.name.to_owned()
            } else {
                format!("{} on {}", p.name, p.os)
            }
        }
        _ => match agent {
            Some(a) if !a.is_empty() => {
                format!("Other ({})", a.chars().take(60).collect::<String>())
            }
            _ => "Unknown browser".into(),
        },
    }
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    let user_id = current.user.id;
    let (idle, absolute) = (
        current.account.session_idle_minutes,
        current.account.session_absolute_minutes,
    );
    let now = state.clock.now_naive();
    let rows = state
        .db(move |conn| Ok(sessions::of_user(conn, user_id, idle, absolute, now)?))
        .await?;
    let this = session::row(&current.session).map(|r| r.id);
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
        sessions: rows.iter().map(|r| SessionView::of(r, this)).collect(),
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

/// Signs out every other session of the user; this one goes on.
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let Some(this) = session::row(&current.session) else {
        return Err(WebError::Internal(
            "a signed-in session without its row".into(),
        ));
    };
    let change = current.change(&state);
    let user_id = current.user.id;
    let ended = state
        .db(move |conn| Ok(sessions::sign_out_others(conn, &change, user_id, this.id)?))
        .await?;
    let message = match ended {
        0 => "You had no other sessions.".to_owned(),
        1 => "1 other session was signed out.".to_owned(),
        n => format!("{n} other sessions were signed out."),
    };
    current.flash(FlashKind::Success, message);
    Ok(redirect("/profile#sessions"))
}

/// Signs out one session of the user, from its row in My Profile.
pub async fn end_one_session(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let id = SessionId(path.into_inner());
    let change = current.change(&state);
    let user_id = current.user.id;
    state
        .db(move |conn| Ok(sessions::sign_out_one(conn, &change, user_id, id)?))
        .await?;
    if session::row(&current.session).is_some_and(|r| r.id == id) {
        session::end(&current.session);
        session::push_flash(&current.session, FlashKind::Success, "You are signed out.");
        return Ok(redirect("/login"));
    }
    current.flash(FlashKind::Success, "The session was signed out.");
    Ok(redirect("/profile#sessions"))
}
