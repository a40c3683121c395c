//! A user's identity as User Info edits it: first and last name, displayed name, user name
//! and phone. Identity reaches every company the person works in, so the permit is for
//! EditUserIdentity on the user as a person (users.edit in each of their companies). A save
//! names the version it was read at: if someone else saved the user meanwhile it is refused,
//! never silently overwritten.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::domain::audit::{AuditAction, Change};
use crate::domain::users::{self as people, UserRow};
use crate::domain::{Error, FieldErrors, Result, UserId};
use diesel::prelude::*;

/// What the User Info form sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityInput {
    pub first_name: String,
    pub last_name: String,
    /// Empty: "First Last", or the part of the email before the @ when no name is known.
    pub display_name: String,
    /// Empty: none.
    pub username: String,
    pub phone: String,
    /// The user's version when the form was drawn.
    pub version: i32,
}

impl IdentityInput {
    pub fn of(user: &UserRow) -> IdentityInput {
        IdentityInput {
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            display_name: user.display_name.clone(),
            username: user.username.clone().unwrap_or_default(),
            phone: user.phone.clone(),
            version: user.version,
        }
    }

    fn validate(&self) -> FieldErrors {
        people::check_person(
            &self.first_name,
            &self.last_name,
            &self.display_name,
            &self.username,
            &self.phone,
        )
    }
}

/// Saves User Info. Refused with field errors for bad input or a user name taken in the
/// account, and with `Error::Changed` when the user was saved by someone else since the
/// form was drawn (nothing is written then). One audit event lists what changed.
pub fn update(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    input: &IdentityInput,
) -> Result<UserRow> {
    let change = Change::authorized_on_user(permit, Action::EditUserIdentity, user)?;
    save(conn, &change, user, input)
}

/// What every user may change of their own info on My Profile: the displayed name and the
/// phone (not their names, user name or email, which administrators keep).
pub fn update_own(
    conn: &mut DbConnection,
    permit: &Permit,
    display_name: &str,
    phone: &str,
    version: i32,
) -> Result<UserRow> {
    let user = permit.actor();
    let change = Change::authorized_on_user(permit, Action::OwnAccount, user)?;
    let current = people::find(conn, change.account_id(), user)?;
    let input = IdentityInput {
        display_name: display_name.to_owned(),
        phone: phone.to_owned(),
        version,
        ..IdentityInput::of(&current)
    };
    save(conn, &change, user, &input)
}

fn save(
    conn: &mut DbConnection,
    change: &Change,
    user: UserId,
    input: &IdentityInput,
) -> Result<UserRow> {
    input.validate().into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let before = people::find(conn, change.account_id(), user)?;
        if before.version != input.version {
            return Err(Error::Changed);
        }
        let (first, last) = (input.first_name.trim(), input.last_name.trim());
        let display = match input.display_name.trim() {
            "" => people::default_display_name(first, last, &before.email),
            given => given.to_owned(),
        };
        let username = Some(input.username.trim()).filter(|u| !u.is_empty());
        let username_lower = username.map(str::to_lowercase);
        if let Some(lower) = &username_lower
            && before.username_lower.as_ref() != Some(lower)
            && username_taken(conn, &before, lower)?
        {
            return Err(Error::field(
                "username",
                "Another user of the account has this user name.",
            ));
        }
        let phone = input.phone.trim();
        let changed = diesel::update(people::as_read(&before))
            .set((
                users::first_name.eq(first),
                users::last_name.eq(last),
                users::display_name.eq(&display),
                users::username.eq(username),
                users::username_lower.eq(&username_lower),
                users::phone.eq(phone),
                users::updated_at.eq(change.now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(Error::Changed);
        }
        let after = people::find(conn, change.account_id(), user)?;
        let detail = differences(&before, &after);
        if !detail.is_empty() {
            change.record(conn, AuditAction::UserEdited, Some(user), None, &detail)?;
        }
        Ok(after)
    })
}

fn username_taken(conn: &mut DbConnection, user: &UserRow, lower: &str) -> Result<bool> {
    let count: i64 = users::table
        .filter(users::account_id.eq(user.account_id))
        .filter(users::username_lower.eq(lower))
        .filter(users::id.ne(user.id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// "First name: Ann → Anna; Phone: (none) → 555" for the audit log.
fn differences(before: &UserRow, after: &UserRow) -> String {
    let shown = |v: &str| {
        if v.is_empty() {
            "(none)".to_owned()
        } else {
            v.to_owned()
        }
    };
    let fields = [
        ("First name", &before.first_name, &after.first_name),
        ("Last name", &before.last_name, &after.last_name),
        ("Displayed name", &before.display_name, &after.display_name),
        ("Phone", &before.phone, &after.phone),
    ];
    let mut parts: Vec<String> = fields
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(label, a, b)| format!("{label}: {} → {}", shown(a), shown(b)))
        .collect();
    if before.username != after.username {
        parts.push(format!(
            "User name: {} → {}",
            shown(before.username.as_deref().unwrap_or_default()),
            shown(after.username.as_deref().unwrap_or_default())
        ));
    }
    parts.join("; ")
}
