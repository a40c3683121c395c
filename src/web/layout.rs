//! What the base layout needs on every page: the CSRF token for forms, the signed-in user,
//! navigation filtered by rights, and one-time messages.

use crate::domain::admins::RECOMMENDED_ADMINS;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::session::{self, Flash};
use actix_session::Session;

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
}

pub struct NavUser {
    pub display_name: String,
    pub email: String,
    pub account_name: String,
}

pub struct Layout {
    pub title: String,
    pub csrf_token: String,
    pub user: Option<NavUser>,
    pub nav: Vec<NavItem>,
    pub flashes: Vec<Flash>,
    /// Standing warnings, shown on every page until their cause is fixed.
    pub warnings: Vec<String>,
}

impl Layout {
    pub fn anonymous(title: impl Into<String>, session: &Session) -> Result<Self, WebError> {
        Ok(Self {
            title: title.into(),
            csrf_token: session::csrf_token(session)?,
            user: None,
            nav: Vec::new(),
            flashes: session::take_flashes(session),
            warnings: Vec::new(),
        })
    }

    pub fn for_user(
        title: impl Into<String>,
        session: &Session,
        current: &CurrentUser,
    ) -> Result<Self, WebError> {
        Ok(Self {
            title: title.into(),
            csrf_token: session::csrf_token(session)?,
            user: Some(NavUser {
                display_name: current.user.display_name.clone(),
                email: current.user.email.clone(),
                account_name: current.account.name.clone(),
            }),
            nav: nav_for(current),
            flashes: session::take_flashes(session),
            warnings: warnings_for(current),
        })
    }

    /// For pages that carry no form and have no session at hand (error pages).
    pub fn bare(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            csrf_token: String::new(),
            user: None,
            nav: Vec::new(),
            flashes: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Only what the user may open. Later areas add their entries here, each behind its right.
fn nav_for(current: &CurrentUser) -> Vec<NavItem> {
    let mut nav = Vec::new();
    if current
        .actor
        .has_anywhere(crate::auth::rights::Right::UsersView)
    {
        nav.push(NavItem {
            label: "User Management",
            href: "/users",
        });
    }
    nav.push(NavItem {
        label: "My Profile",
        href: "/profile",
    });
    if crate::web::config_hub::may_configure(current) {
        nav.push(NavItem {
            label: "Configuration",
            href: "/config",
        });
    }
    nav
}

fn warnings_for(current: &CurrentUser) -> Vec<String> {
    match current.admin_count {
        Some(n) if n < RECOMMENDED_ADMINS => vec![format!(
            "This account has only {n} administrator. Add a second one in Configuration → Admins, \
             so that someone can still manage users when one is away."
        )],
        _ => Vec::new(),
    }
}
