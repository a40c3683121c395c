//! The Admins group: account administrators, who hold every right in every company. The
//! account always keeps at least one; fewer than two is worth a warning.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::domain::audit::AuditAction;
use crate::domain::audit::Change;
use crate::domain::users::{UserRow, UserStatus};
use crate::domain::{AccountId, Error, FieldErrors, Result, UserId, limits};
use diesel::prelude::*;

pub const RECOMMENDED_ADMINS: i64 = 2;

pub fn list(conn: &mut DbConnection, account_id: AccountId) -> Result<Vec<UserRow>> {
    Ok(users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::is_account_admin)
        .order((users::display_name, users::id))
        .select(UserRow::as_select())
        .load(conn)?)
}

fn record(
    conn: &mut DbConnection,
    change: &Change,
    user: UserId,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    change.record(conn, action, Some(user), None, detail)
}

/// Makes a user of the account an administrator. Only active users who have accepted their
/// invitation (and so have a password) qualify.
pub fn add(conn: &mut DbConnection, email: &str, permit: &Permit) -> Result<UserRow> {
    let change = &Change::authorized(permit, Action::ManageAdmins)?;
    let email = email.trim();
    let mut errors = FieldErrors::default();
    limits::check(
        &mut errors,
        "email",
        "An email address",
        email,
        limits::EMAIL,
    );
    errors.into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let user = users::table
            .filter(users::account_id.eq(change.account_id()))
            .filter(users::email_lower.eq(email.to_lowercase()))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                Error::field("email", "No user of this account has this email address.")
            })?;
        if user.is_account_admin {
            return Err(Error::field(
                "email",
                "This user is already an administrator.",
            ));
        }
        if user.status() != UserStatus::Active || user.password_hash.is_none() {
            return Err(Error::field(
                "email",
                "Only active users who have accepted their invitation can become administrators.",
            ));
        }
        diesel::update(users::table.find(user.id))
            .set((
                users::is_account_admin.eq(true),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        record(conn, change, user.id, AuditAction::AdminAdded, "")?;
        Ok(user)
    })
}

/// Takes the administrator role away; never from the last administrator.
pub fn remove(conn: &mut DbConnection, user_id: UserId, permit: &Permit) -> Result<UserRow> {
    let change = &Change::authorized(permit, Action::ManageAdmins)?;
    crate::db::write_transaction(conn, |conn| {
        let user = crate::domain::users::find(conn, change.account_id(), user_id)?;
        if !user.is_account_admin {
            return Err(Error::NotFound);
        }
        if crate::domain::users::admin_count(conn, change.account_id())? <= 1 {
            return Err(Error::Conflict(
                "The account must keep at least one administrator. Add another one first.".into(),
            ));
        }
        diesel::update(users::table.find(user.id))
            .set((
                users::is_account_admin.eq(false),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        record(conn, change, user.id, AuditAction::AdminRemoved, "")?;
        Ok(user)
    })
}
