//! My Profile: what the signed-in user is and may access. Later issues add tabs.

use crate::auth::rights::Right;
use crate::domain::FieldErrors;
use crate::domain::memberships::CompanyAccess;
use crate::domain::sessions;
use crate::domain::{SessionId, users};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::render;
use crate::web::session::{self};
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "profile/show.html")]
struct ProfilePage<'a> {
    layout: Layout,
    user: &'a users::UserRow,
    status: &'static str,
    access: &'a [CompanyAccess],
    /// Per company, the locations, custom field options and product groups held.
    held: Vec<crate::domain::user_access::AccessInWords>,
    single_company: bool,
    last_access: String,
    all_rights: &'static [Right],
    sessions: Vec<SessionView>,
    kinds: &'static [(&'static str, &'static str, bool)],
    /// The displayed name and phone as the form shows them (typed, after a refusal).
    info: OwnInfo,
    errors: FieldErrors,
    status_code: StatusCode,
    /// On, Off or Required but not enrolled.
    two_factor: crate::domain::two_factor::TwoFactorState,
}

/// What a user edits of themself on My Profile.
#[derive(Clone, Default, serde::Deserialize)]
pub struct OwnInfo {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub version: i32,
}

impl OwnInfo {
    fn of(user: &users::UserRow) -> OwnInfo {
        OwnInfo {
            display_name: user.display_name.clone(),
            phone: user.phone.clone(),
            version: user.version,
        }
    }
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

impl ProfilePage<'_> {
    /// What the user holds in a company, in words (None for a company not listed).
    fn held_in(
        &self,
        company: &crate::domain::CompanyId,
    ) -> Option<&crate::domain::user_access::AccessInWords> {
        self.held.iter().find(|h| h.company == *company)
    }
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
    let info = OwnInfo::of(&current.user);
    page(&state, &current, info, FieldErrors::default()).await
}

/// My Profile, with the info form as given (the stored values, or what was typed).
pub async fn page(
    state: &AppState,
    current: &CurrentUser,
    info: OwnInfo,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let user_id = current.user.id;
    let (idle, absolute) = (
        current.account.session_idle_minutes,
        current.account.session_absolute_minutes,
    );
    let now = state.clock.now_naive();
    let (rows, held) = state
        .db(move |conn| {
            Ok((
                sessions::of_user(conn, user_id, idle, absolute, now)?,
                crate::domain::user_access::in_words(conn, user_id)?,
            ))
        })
        .await?;
    let this = session::row(&current.session).map(|r| r.id);
    let page = ProfilePage {
        layout: current.layout("My Profile")?,
        user: &current.user,
        status: current.user.status().label(),
        access: &current.access,
        held,
        single_company: current.actor.account_companies <= 1,
        last_access: current
            .user
            .last_access_at
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "Never".into()),
        all_rights: &Right::ALL,
        sessions: rows.iter().map(|r| SessionView::of(r, this)).collect(),
        kinds: &crate::domain::subscriptions::KINDS,
        info,
        two_factor: crate::domain::two_factor::TwoFactorState::of(
            &current.user,
            current.account.require_2fa,
        ),
        status_code: crate::web::respond::form_status(&errors),
        errors,
    };
    Ok(render(page.status_code, &page))
}
