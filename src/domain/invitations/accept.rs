//! The link an invited person follows: checked, then accepted once.

use super::{InvitationRow, InvitationStatus};
use crate::auth::token;
use crate::db::DbConnection;
use crate::db::schema::{invitations, users};
use crate::domain::audit::{AuditAction, Change};
use crate::domain::users::{UserRow, UserStatus};
use crate::domain::{Error, FieldErrors, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    Accepted,
    Revoked,
    Expired,
}

/// The invitation and its user behind a link that can still be accepted.
pub fn check_link(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<std::result::Result<(InvitationRow, UserRow), LinkProblem>> {
    let found: Option<InvitationRow> = invitations::table
        .filter(invitations::token_hash.eq(token::hash_token(token)))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?;
    let Some(invitation) = found else {
        return Ok(Err(LinkProblem::Unknown));
    };
    let problem = match invitation.stored_status() {
        InvitationStatus::Accepted => Some(LinkProblem::Accepted),
        InvitationStatus::Revoked | InvitationStatus::Expired => Some(LinkProblem::Revoked),
        _ if invitation.expires_at <= now => Some(LinkProblem::Expired),
        _ => None,
    };
    if let Some(problem) = problem {
        return Ok(Err(problem));
    }
    let user: UserRow = users::table
        .find(invitation.user_id)
        .select(UserRow::as_select())
        .first(conn)?;
    Ok(Ok((invitation, user)))
}

pub struct Acceptance<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password: &'a str,
    pub password_confirm: &'a str,
}

/// Accepts the invitation: names confirmed, a password chosen (checked for strength against
/// the person's names, email and the account's name). The user becomes Active; the link is
/// used up. The slow checks and the hash run before the write transaction (SQLite has one
/// writer); the link is checked again inside it, so it is used once.
pub fn accept(
    conn: &mut DbConnection,
    token: &str,
    form: &Acceptance<'_>,
    now: NaiveDateTime,
    ip: Option<String>,
) -> Result<std::result::Result<UserRow, LinkProblem>> {
    let (invitation, user) = match check_link(conn, token, now)? {
        Ok(found) => found,
        Err(problem) => return Ok(Err(problem)),
    };
    let account = crate::domain::accounts::find(conn, invitation.account_id)?;
    let mut errors = FieldErrors::default();
    crate::domain::users::check_name(
        &mut errors,
        "first_name",
        "First name",
        form.first_name.trim(),
    );
    crate::domain::users::check_name(&mut errors, "last_name", "Last name", form.last_name.trim());
    let context = [
        form.first_name,
        form.last_name,
        user.email.as_str(),
        account.name.as_str(),
    ];
    crate::domain::passwords::check_new(
        &mut errors,
        form.password,
        form.password_confirm,
        &context,
    );
    errors.into_result()?;
    let hash = crate::auth::password::hash(form.password)
        .map_err(|e| Error::Internal(format!("password hash: {e}")))?;
    crate::db::write_transaction(conn, |conn| {
        let (invitation, user) = match check_link(conn, token, now)? {
            Ok(found) => found,
            Err(problem) => return Ok(Err(problem)),
        };
        diesel::update(users::table.find(user.id))
            .set((
                users::first_name.eq(form.first_name.trim()),
                users::last_name.eq(form.last_name.trim()),
                users::password_hash.eq(Some(hash)),
                users::status.eq(UserStatus::Active.as_str()),
                users::updated_at.eq(now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        diesel::update(invitations::table.find(invitation.id))
            .set((
                invitations::status.eq(InvitationStatus::Accepted.as_str()),
                invitations::accepted_at.eq(Some(now)),
            ))
            .execute(conn)?;
        let origin = crate::domain::audit::Origin {
            actor: Some(user.id),
            ip,
        };
        let change = Change::without_permit(invitation.account_id, origin, now);
        change.record(
            conn,
            AuditAction::InvitationAccepted,
            Some(user.id),
            None,
            &user.email,
        )?;
        Ok(Ok(users::table
            .find(user.id)
            .select(UserRow::as_select())
            .first(conn)?))
    })
}
