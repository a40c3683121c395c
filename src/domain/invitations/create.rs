//! "Create user": a password chosen by the administrator instead of an invitation.

use super::{InviteRequest, invite};
use crate::auth::policy::Permit;
use crate::db::DbConnection;
use crate::domain::{Error, FieldErrors, Result};

/// "Create user" instead of inviting: one person, active at once with a password chosen by
/// the administrator, which they must change at their first sign-in. Same checks and access
/// as an invitation (the same path, with the password's hash); no invitation. Unless "Send
/// invitation email" was unticked, they are emailed that the account exists and where to
/// sign in, never the password.
pub fn create_with_password(
    conn: &mut DbConnection,
    permits: &[Permit],
    request: &InviteRequest,
    password: &str,
    confirm: &str,
) -> Result<()> {
    let [email] = request.emails.as_slice() else {
        return Err(Error::field(
            "password",
            "Create one user at a time; invite several people by email instead.",
        ));
    };
    let account = crate::domain::accounts::find(conn, request.inviter.account_id)?;
    let mut errors = FieldErrors::default();
    let person = &request.person;
    let context = [
        person.first_name.as_str(),
        person.last_name.as_str(),
        email.as_str(),
        account.name.as_str(),
    ];
    crate::domain::passwords::check_new(&mut errors, password, confirm, &context);
    errors.into_result()?;
    let hash = crate::auth::password::hash(password)
        .map_err(|e| Error::Internal(format!("password hash: {e}")))?;
    let request = InviteRequest {
        password_hash: Some(hash),
        ..request.clone()
    };
    let outcome = invite(conn, permits, &request)?;
    // Nothing was written for a skipped address: the person exists already.
    if let Some((email, why)) = outcome.skipped.first() {
        return Err(Error::field("email", format!("{email}: {why}.")));
    }
    Ok(())
}
