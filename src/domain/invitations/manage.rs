//! Managing invitations that wait: resend with a new link, revoke, correct the email.

use super::{InvitationRow, InviteRequest, issue, void_waiting};
use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::{invitations, users};
use crate::domain::AccountId;
use crate::domain::audit::{AuditAction, Change};
use crate::domain::users::UserStatus;
use crate::domain::{Error, FieldErrors, Result, UserId};
use diesel::prelude::*;

/// The latest invitation of a user of the account.
pub fn latest_for(
    conn: &mut DbConnection,
    account: AccountId,
    user: UserId,
) -> Result<InvitationRow> {
    invitations::table
        .filter(invitations::account_id.eq(account))
        .filter(invitations::user_id.eq(user))
        .order(invitations::id.desc())
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Resend: a new link and its email; the old link is void. Only for someone who has not
/// accepted yet.
pub fn resend(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    request: &InviteRequest,
) -> Result<()> {
    let change = &Change::authorized_on_user(permit, Action::InviteUsers, user)?;
    crate::db::write_transaction(conn, |conn| {
        let person = crate::domain::users::find(conn, change.account_id(), user)?;
        if person.status() != UserStatus::Invited {
            return Err(Error::Conflict(format!(
                "{} has already accepted the invitation.",
                person.email
            )));
        }
        issue(conn, change, &person, request, true)?;
        change.record(
            conn,
            AuditAction::InvitationResent,
            Some(user),
            None,
            &person.email,
        )
    })
}

/// Revoke: the link stops working; the user stays Invited (and can be invited again).
pub fn revoke(conn: &mut DbConnection, permit: &Permit, user: UserId) -> Result<()> {
    let change = &Change::authorized_on_user(permit, Action::InviteUsers, user)?;
    crate::db::write_transaction(conn, |conn| {
        let person = crate::domain::users::find(conn, change.account_id(), user)?;
        let latest = latest_for(conn, change.account_id(), user)?;
        if !latest.is_waiting() {
            return Err(Error::Conflict(
                "This invitation is not waiting any more.".into(),
            ));
        }
        void_waiting(conn, user)?;
        change.record(
            conn,
            AuditAction::InvitationRevoked,
            Some(user),
            None,
            &person.email,
        )
    })
}

/// Edit the email of someone who has not accepted yet (a typo), and send the invitation
/// again to the corrected address with a new link.
pub fn change_email(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    email: &str,
    request: &InviteRequest,
) -> Result<()> {
    let change = &Change::authorized_on_user(permit, Action::InviteUsers, user)?;
    let email = email.trim();
    let mut errors = FieldErrors::default();
    crate::domain::users::check_email(&mut errors, "email", email);
    errors.into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let mut person = crate::domain::users::find(conn, change.account_id(), user)?;
        if person.status() != UserStatus::Invited {
            return Err(Error::Conflict(format!(
                "{} has already accepted the invitation: their email can no longer be edited here.",
                person.email
            )));
        }
        // A new address hands the invitation's roles to whoever owns it: that is granting
        // them, so the editor must be allowed to grant each one.
        let held = crate::domain::grants::roles_held(conn, user)?;
        crate::domain::grants::check_grantable(
            conn,
            &request.inviter,
            held.iter().map(|(company, roles)| (*company, roles)),
        )
        .map_err(|e| match e {
            Error::Invalid(errors) => Error::field(
                "email",
                format!("The invitation cannot be sent to another address by you. {errors}"),
            ),
            other => other,
        })?;
        let lower = email.to_lowercase();
        if lower != person.email_lower
            && crate::domain::users::email_taken(conn, change.account_id(), &lower)?
        {
            return Err(Error::field(
                "email",
                "This email already belongs to a user of the account.",
            ));
        }
        diesel::update(users::table.find(user))
            .set((
                users::email.eq(email),
                users::email_lower.eq(&lower),
                users::updated_at.eq(change.now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        (person.email, person.email_lower) = (email.to_owned(), lower);
        issue(conn, change, &person, request, true)?;
        let detail = format!("email corrected to {email}");
        change.record(
            conn,
            AuditAction::InvitationResent,
            Some(user),
            None,
            &detail,
        )
    })
}
