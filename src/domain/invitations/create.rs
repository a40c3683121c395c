//! "Create user": a password chosen by the administrator instead of an invitation.

use super::{InviteRequest, invite};
use crate::db::DbConnection;
use crate::db::schema::{invitations, users};
use crate::domain::audit::{AuditAction, Change};
use crate::domain::users::UserStatus;
use crate::domain::{Error, FieldErrors, Result, UserId};
use diesel::prelude::*;

/// "Create user" instead of inviting: one person, active at once with a password chosen by
/// the administrator, which they must change at their first sign-in. Same checks and access
/// as an invitation; no email.
pub fn create_with_password(
    conn: &mut DbConnection,
    change: &Change,
    request: &InviteRequest,
    password: &str,
    confirm: &str,
) -> Result<UserId> {
    let [email] = request.emails.as_slice() else {
        return Err(Error::field(
            "password",
            "Create one user at a time; invite several people by email instead.",
        ));
    };
    let account = crate::domain::accounts::find(conn, change.account_id)?;
    let mut errors = FieldErrors::default();
    let person = &request.person;
    let context = [
        person.first_name.as_str(),
        person.last_name.as_str(),
        email.as_str(),
        account.name.as_str(),
    ];
    if let Err(reason) = crate::auth::password::check_strength(password, &context) {
        errors.add("password", reason);
    } else if password != confirm {
        errors.add("password_confirm", "The two passwords are not the same.");
    }
    errors.into_result()?;
    let hash = crate::auth::password::hash(password)
        .map_err(|e| Error::Internal(format!("password hash: {e}")))?;
    let request = InviteRequest {
        emails: vec![email.clone()],
        grants: request.grants.clone(),
        person: request.person.clone(),
        send_email: false,
        inviter_name: request.inviter_name.clone(),
        account_name: request.account_name.clone(),
        base_url: request.base_url.clone(),
        valid_hours: request.valid_hours,
    };
    crate::db::write_transaction(conn, |conn| {
        let outcome = invite(conn, change, &request)?;
        if let Some((email, why)) = outcome.skipped.first() {
            return Err(Error::field("email", format!("{email}: {why}.")));
        }
        let user: UserId = users::table
            .filter(users::account_id.eq(change.account_id))
            .filter(users::email_lower.eq(email.to_lowercase()))
            .select(users::id)
            .first(conn)?;
        diesel::update(users::table.find(user))
            .set((
                users::password_hash.eq(Some(hash)),
                users::status.eq(UserStatus::Active.as_str()),
                users::must_change_password.eq(true),
            ))
            .execute(conn)?;
        // No link to accept: the invitation the shared path made goes.
        diesel::delete(invitations::table.filter(invitations::user_id.eq(user))).execute(conn)?;
        change.record(conn, AuditAction::UserCreated, Some(user), None, email)?;
        Ok(user)
    })
}
