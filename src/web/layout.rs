//! What the base layout needs on every page: the CSRF token for forms, the signed-in user,
//! navigation filtered by rights, and one-time messages.

use crate::auth::policy::Actor;
use crate::domain::accounts::AccountRow;
use crate::domain::admins::RECOMMENDED_ADMINS;
use crate::domain::users::UserRow;
use crate::web::errors::WebError;
use crate::web::nav::{self, NavItem};
use crate::web::session::{self, Flash};
use actix_session::Session;

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
        user: &UserRow,
        account: &AccountRow,
        actor: &Actor,
        admin_count: Option<i64>,
    ) -> Result<Self, WebError> {
        Ok(Self {
            title: title.into(),
            csrf_token: session::csrf_token(session)?,
            user: Some(NavUser {
                display_name: user.display_name.clone(),
                email: user.email.clone(),
                account_name: account.name.clone(),
            }),
            nav: nav::top_bar(actor),
            flashes: session::take_flashes(session),
            warnings: warnings_for(admin_count),
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

fn warnings_for(admin_count: Option<i64>) -> Vec<String> {
    match admin_count {
        Some(n) if n < RECOMMENDED_ADMINS => vec![format!(
            "This account has only {n} administrator. Add a second one in Configuration → Admins, \
             so that someone can still manage users when one is away."
        )],
        _ => Vec::new(),
    }
}
