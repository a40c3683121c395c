//! A user's page (/users/{id}): the header every tab shares, and the tabs. Opening it needs
//! users.view in one of the user's companies; each tab's changes ask the policy for their
//! own action.

pub mod access;
pub mod activity;
pub mod comments;
pub mod companies;
pub mod deactivate;
pub mod email;
pub mod info;
pub mod password;
pub mod reactivate;
pub mod security;
pub mod standing;
pub mod subscriptions;
pub mod two_factor;

use crate::auth::policy::{Action, Permit, Target, TargetUser};
use crate::domain::invitations::{self, InvitationStatus};
use crate::domain::memberships::{self, CompanyAccess};
use crate::domain::users::{self, UserRow};
use crate::domain::{self, UserId};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::state::AppState;

/// The tabs of a user's page, in their order, with what opening each needs (in any of the
/// user's companies): a tab is shown only to whom the policy lets open it.
const TABS: [(&str, &str, Action); 10] = [
    ("info", "User Info", Action::ViewUsers),
    ("companies", "Companies", Action::ViewUsers),
    ("access/roles", "Roles", Action::ViewUsers),
    ("access/locations", "Locations", Action::ViewUsers),
    ("access/fields", "Document Custom Fields", Action::ViewUsers),
    ("access/product_groups", "Product Groups", Action::ViewUsers),
    ("subscriptions", "Email Subscriptions", Action::ViewUsers),
    ("security", "Security", Action::ViewUsers),
    ("comments", "Comments", Action::CommentOnUser),
    ("activity", "Activity", Action::ViewAudit),
];

/// What every tab of the page shows at the top.
pub struct Person {
    pub user: UserRow,
    pub target: TargetUser,
    pub access: Vec<CompanyAccess>,
    /// The latest invitation's status as shown, when the user was invited.
    pub invitation: Option<InvitationStatus>,
    /// The tabs the actor may open: (slug, label).
    pub tabs: Vec<(&'static str, &'static str)>,
    /// What the actor may do to the person from the header: (address, label).
    pub actions: Vec<(String, &'static str)>,
}

impl Person {
    pub fn status_label(&self) -> &'static str {
        self.user.status().label()
    }

    pub fn companies(&self) -> String {
        let names: Vec<&str> = self
            .access
            .iter()
            .map(|a| a.company.name.as_str())
            .collect();
        names.join(", ")
    }
}

/// Why the actor may not change what `action` covers on this user, or "" when they may:
/// the tab then draws its values without a form that would be refused.
pub fn refusal(current: &CurrentUser, person: &Person, action: Action) -> Result<String, WebError> {
    match current.authorize(action, Target::User(&person.target)) {
        Ok(_) => Ok(String::new()),
        Err(WebError::Forbidden(reason)) => Ok(reason),
        Err(other) => Err(other),
    }
}

/// The user, if they are in the actor's account and the actor may view them, with the
/// permit to view them.
pub async fn load(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
) -> Result<(Person, Permit), WebError> {
    let actor = current.actor.clone();
    let now = state.clock.now_naive();
    let (user, target, access, invitation) = state
        .db(move |conn| {
            let (user, target) = users::target(conn, &actor, UserId(id))?;
            let access = memberships::access_of(conn, user.id)?;
            let invitation = match invitations::latest_for(conn, user.account_id, user.id) {
                Ok(invitation) => Some(invitation.shown_status(now)),
                Err(domain::Error::NotFound) => None,
                Err(other) => return Err(other.into()),
            };
            Ok((user, target, access, invitation))
        })
        .await?;
    let permit = current.authorize(Action::ViewUsers, Target::UserInAnyCompany(&target))?;
    let tabs = TABS
        .iter()
        .filter(|(_, _, needs)| {
            current
                .authorize(*needs, Target::UserInAnyCompany(&target))
                .is_ok()
        })
        .map(|(slug, label, _)| (*slug, *label))
        .collect();
    let actions = actions(current, &user, &target, &access);
    Ok((
        Person {
            user,
            target,
            access,
            invitation,
            tabs,
            actions,
        },
        permit,
    ))
}

/// The header's actions the policy allows: deactivate where the user is active, reactivate
/// where they are not, block or activate, end their sessions.
fn actions(
    current: &CurrentUser,
    user: &UserRow,
    target: &TargetUser,
    access: &[CompanyAccess],
) -> Vec<(String, &'static str)> {
    let may_in = |active: bool| {
        access.iter().filter(|a| a.active == active).any(|a| {
            current
                .authorize(
                    Action::DeactivateUser,
                    Target::UserInCompany(target, a.company.id),
                )
                .is_ok()
        })
    };
    let on_person = |action: Action| current.authorize(action, Target::User(target)).is_ok();
    let id = user.id.0;
    let mut out = Vec::new();
    if may_in(true) {
        out.push((format!("/users/{id}/deactivate"), "Deactivate…"));
    }
    if may_in(false) {
        out.push((format!("/users/{id}/reactivate"), "Reactivate…"));
    }
    if on_person(Action::BlockUser) {
        if user.status() == crate::domain::users::UserStatus::Blocked {
            out.push((format!("/users/{id}/activate"), "Activate…"));
        } else {
            out.push((format!("/users/{id}/block"), "Block…"));
        }
    }
    if on_person(Action::EndSessions) {
        out.push((format!("/users/{id}/sessions/end"), "End all sessions…"));
    }
    if on_person(Action::ResetPassword) && user.password_hash.is_some() {
        out.push((format!("/users/{id}/password-reset"), "Reset Password…"));
    }
    if on_person(Action::DeleteUser) {
        out.push((format!("/users/{id}/delete"), "Delete…"));
    }
    out
}

/// The companies a deactivate or reactivate form sent, each with the permit found for it
/// in `reach` (the companies the page offered); any other company is refused.
pub fn posted_companies(
    pairs: &[(String, String)],
    reach: &[(crate::domain::CompanyId, String, Permit)],
) -> Result<Vec<(crate::domain::CompanyId, Permit)>, WebError> {
    pairs
        .iter()
        .filter(|(k, _)| k == "company")
        .map(|(_, value)| {
            let company = value
                .parse()
                .map(crate::domain::CompanyId)
                .map_err(|_| WebError::BadRequest("A company was not a number.".into()))?;
            reach
                .iter()
                .find(|(c, _, _)| *c == company)
                .map(|(_, _, permit)| (company, permit.clone()))
                .ok_or_else(|| {
                    WebError::Forbidden(
                        "You may not do this to the user in one of the companies sent.".into(),
                    )
                })
        })
        .collect()
}
