//! What the base layout needs on every page: the CSRF token for forms, the signed-in user,
//! navigation filtered by rights, and one-time messages.

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
}

impl Layout {
    pub fn anonymous(title: impl Into<String>, session: &Session) -> Result<Self, WebError> {
        Ok(Self {
            title: title.into(),
            csrf_token: session::csrf_token(session)?,
            user: None,
            nav: Vec::new(),
            flashes: session::take_flashes(session),
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
        }
    }
}

/// Only what the user may open. Later areas add their entries here, each behind its right.
fn nav_for(_current: &CurrentUser) -> Vec<NavItem> {
    vec![NavItem {
        label: "My Profile",
        href: "/profile",
    }]
}
