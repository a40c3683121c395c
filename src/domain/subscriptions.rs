//! Which emails a user receives. Invitations and security notices always go; the Monday
//! letter (to Configurators) can be turned off, which is all "Disable All Email
//! Notifications" turns off today. An administrator sets it on the user's page (users.edit
//! in every company of the user); every user sets their own on My Profile.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::domain::audit::{AuditAction, Change};
use crate::domain::users::{self as people, UserRow};
use crate::domain::{Error, Result, UserId};
use diesel::prelude::*;

/// The kinds of email, in the order the page lists them, and whether each can be turned
/// off.
pub const KINDS: [(&str, &str, bool); 3] = [
    ("invitations", "Invitations to join an account", false),
    (
        "security",
        "Security notices (password, email or two-factor changes)",
        false,
    ),
    (
        "weekly",
        "The Monday letter about users without a required custom field (Configurators)",
        true,
    ),
];

/// Turns the optional emails on or off for `user`, with a permit to edit them (an
/// administrator's) or for one's own account. `version` is the user's as the form was drawn.
pub fn set(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    on: bool,
    version: i32,
) -> Result<UserRow> {
    let change = Change::authorized_on_user(permit, Action::EditUserIdentity, user)
        .or_else(|_| Change::authorized_on_user(permit, Action::OwnAccount, user))?;
    crate::db::write_transaction(conn, |conn| {
        let before = people::find(conn, change.account_id(), user)?;
        if before.version != version {
            return Err(Error::Changed);
        }
        if before.email_subscriptions == on {
            return Ok(before);
        }
        let changed = diesel::update(people::as_read(&before))
            .set((
                users::email_subscriptions.eq(on),
                users::updated_at.eq(change.now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(Error::Changed);
        }
        let detail = if on {
            "email notifications on"
        } else {
            "all optional email notifications off"
        };
        change.record(conn, AuditAction::UserEdited, Some(user), None, detail)?;
        people::find(conn, change.account_id(), user)
    })
}
