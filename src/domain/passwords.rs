//! A user changing their own password, the strength rule every new password meets, and
//! the reset links a changed password voids.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::domain::audit::Change;
use crate::domain::users::{UserRow, find, new_security_stamp};
use crate::domain::{FieldErrors, Result};
use diesel::prelude::*;

/// A new password with its confirmation, on any form that sets one: strong enough given
/// what is known of the person (`context`: names, email, account name), then typed twice
/// the same. The messages go beside the fields "password" and "password_confirm".
pub fn check_new(errors: &mut FieldErrors, password: &str, confirm: &str, context: &[&str]) {
    if let Err(reason) = crate::auth::password::check_strength(password, context) {
        errors.add("password", reason);
    } else if password != confirm {
        errors.add("password_confirm", "The two passwords are not the same.");
    }
}

/// Changes a user's own password: the current one must be given, the new one must be
/// strong (checked against their names, email and the account's name) and different. Every
/// other session ends (the security stamp changes) and a pre-assigned password counts as
/// changed. Returns the updated row, to restart the caller's own session with. The slow
/// checks and the hash run before the write transaction (SQLite has one writer); the write
/// only happens if the stored password is still the one checked.
pub fn change_password(
    conn: &mut DbConnection,
    permit: &Permit,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<UserRow> {
    let id = permit.actor();
    let change = &Change::authorized_on_user(permit, Action::OwnAccount, id)?;
    let user = find(conn, change.account_id(), id)?;
    let account = crate::domain::accounts::find(conn, change.account_id())?;
    let mut errors = FieldErrors::default();
    let old_hash = user.password_hash.as_deref().unwrap_or_default();
    // No stored password is longer than the limit: a longer one is wrong without hashing it.
    if old_hash.is_empty()
        || !crate::domain::limits::fits(current, crate::domain::limits::PASSWORD)
        || !crate::auth::password::verify(current, old_hash)
    {
        errors.add("current_password", "This is not your current password.");
    } else if current == new {
        errors.add(
            "password",
            "Choose a password different from the current one.",
        );
    } else {
        let context = [
            user.first_name.as_str(),
            user.last_name.as_str(),
            user.email.as_str(),
            account.name.as_str(),
        ];
        check_new(&mut errors, new, confirm, &context);
    }
    errors.into_result()?;
    let hash = crate::auth::password::hash(new)
        .map_err(|e| crate::domain::Error::Internal(format!("password hash: {e}")))?;
    crate::db::write_transaction(conn, |conn| {
        let changed = diesel::update(
            users::table
                .find(id)
                .filter(users::password_hash.eq(old_hash)),
        )
        .set((
            users::password_hash.eq(Some(hash)),
            users::must_change_password.eq(false),
            users::security_stamp.eq(new_security_stamp()),
            users::updated_at.eq(change.now),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(crate::domain::Error::field(
                "current_password",
                "Your password was changed meanwhile: enter the current one.",
            ));
        }
        // Every session ends with the old password, this one too: the page starts a new one.
        crate::domain::sessions::end_all(conn, id)?;
        // A reset link waiting is pointless now, and would undo this change.
        void_reset_links(conn, id)?;
        change.record(
            conn,
            crate::domain::audit::AuditAction::PasswordChanged,
            Some(id),
            None,
            "by the user",
        )?;
        find(conn, change.account_id(), id)
    })
}

/// Voids every password reset link of the user still waiting (see domain::password_reset):
/// a newer link replaces them, and a changed password makes them pointless.
pub fn void_reset_links(conn: &mut DbConnection, user: crate::domain::UserId) -> Result<()> {
    use crate::db::schema::password_resets;
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user))
            .filter(password_resets::status.eq("pending")),
    )
    .set(password_resets::status.eq("void"))
    .execute(conn)?;
    Ok(())
}
