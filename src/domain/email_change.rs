//! Changing a user's email address: an administrator asks (ChangeUserEmail on the user as a
//! person, never on oneself), a link goes to the new address and a notice to the old one;
//! the change takes effect only when the link is confirmed, and until then the old address
//! stays for signing in and every email. An invited user who has not accepted yet has their
//! address corrected on the invitation page instead (`invitations::change_email`).

use crate::auth::policy::{Action, Permit};
use crate::auth::token;
use crate::db::DbConnection;
use crate::db::schema::{email_changes, users};
use crate::domain::audit::{AuditAction, Change, Origin};
use crate::domain::outbox::{self, EmailChangeLetter, Letters};
use crate::domain::users::{self as people, UserRow, UserStatus};
use crate::domain::{AccountId, Error, FieldErrors, Result, UserId};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// How long the confirmation link works.
pub const VALID_HOURS: i64 = 48;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_changes)]
pub struct EmailChangeRow {
    pub id: i64,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub requested_by: Option<UserId>,
    pub new_email: String,
    pub token_hash: String,
    pub status: String,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
}

/// What the emails need besides the user and the address.
pub struct Request<'a> {
    pub new_email: &'a str,
    pub account_name: &'a str,
    pub requester_name: &'a str,
    pub base_url: &'a str,
    pub letters: &'a dyn Letters,
}

/// Asks for the user's address to become `new_email`: replaces any change still waiting,
/// and queues the link to the new address and the notice to the old one, in one
/// transaction. Nothing about the user changes yet.
pub fn request(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    request: &Request<'_>,
) -> Result<EmailChangeRow> {
    let change = Change::authorized_on_user(permit, Action::ChangeUserEmail, user)?;
    let new_email = request.new_email.trim();
    let mut errors = FieldErrors::default();
    people::check_email(&mut errors, "new_email", new_email);
    errors.into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, change.account_id(), user)?;
        if person.status() == UserStatus::Invited {
            return Err(Error::field(
                "new_email",
                "This user has not accepted the invitation yet: correct the address on the \
                 invitation page, which sends the invitation to it.",
            ));
        }
        let lower = new_email.to_lowercase();
        if lower == person.email_lower {
            return Err(Error::field(
                "new_email",
                "This is the user's address already.",
            ));
        }
        if people::email_taken(conn, change.account_id(), &lower)? {
            return Err(Error::field(
                "new_email",
                "This email already belongs to a user of the account.",
            ));
        }
        replace_waiting(conn, user)?;
        let token = token::random_token();
        let expires_at = change.now + TimeDelta::hours(VALID_HOURS);
        diesel::insert_into(email_changes::table)
            .values((
                email_changes::account_id.eq(change.account_id()),
                email_changes::user_id.eq(user),
                email_changes::requested_by.eq(change.actor()),
                email_changes::new_email.eq(new_email),
                email_changes::token_hash.eq(token::hash_token(&token)),
                email_changes::status.eq("pending"),
                email_changes::expires_at.eq(expires_at),
                email_changes::created_at.eq(change.now),
            ))
            .execute(conn)?;
        let link = format!("{}/email-change/{token}", request.base_url);
        let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
        let letter = EmailChangeLetter {
            account: request.account_name,
            name: &person.display_name,
            requester: request.requester_name,
            old_email: &person.email,
            new_email,
            link: &link,
            expires: &expires,
        };
        for (to, written) in [
            (new_email, request.letters.email_change(&letter)?),
            (
                person.email.as_str(),
                request.letters.email_change_notice(&letter)?,
            ),
        ] {
            outbox::enqueue_letter(conn, change.account_id(), to, &written, change.now)?;
        }
        let detail = format!("{} -> {new_email} (waits for confirmation)", person.email);
        change.record(
            conn,
            AuditAction::EmailChangeRequested,
            Some(user),
            None,
            &detail,
        )?;
        waiting_for(conn, user)?.ok_or(Error::NotFound)
    })
}

fn replace_waiting(conn: &mut DbConnection, user: UserId) -> Result<()> {
    diesel::update(
        email_changes::table
            .filter(email_changes::user_id.eq(user))
            .filter(email_changes::status.eq("pending")),
    )
    .set(email_changes::status.eq("replaced"))
    .execute(conn)?;
    Ok(())
}

/// The change still waiting for the user's confirmation, if any (an expired one included:
/// the page says it expired).
pub fn waiting_for(conn: &mut DbConnection, user: UserId) -> Result<Option<EmailChangeRow>> {
    Ok(email_changes::table
        .filter(email_changes::user_id.eq(user))
        .filter(email_changes::status.eq("pending"))
        .order(email_changes::id.desc())
        .select(EmailChangeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Why a confirmation link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    /// Confirmed already, or replaced by a newer request.
    Used,
    Expired,
}

/// The change a link confirms, with its user, or why the link cannot be used.
pub fn check_link(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<std::result::Result<(EmailChangeRow, UserRow), LinkProblem>> {
    let found: Option<EmailChangeRow> = email_changes::table
        .filter(email_changes::token_hash.eq(token::hash_token(token)))
        .select(EmailChangeRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = found else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if row.status != "pending" {
        return Ok(Err(LinkProblem::Used));
    }
    if row.expires_at <= now {
        return Ok(Err(LinkProblem::Expired));
    }
    let user = people::find(conn, row.account_id, row.user_id)?;
    Ok(Ok((row, user)))
}

/// Confirms the change a link names: the user's address becomes the new one (their
/// version moves on, so a form drawn before is refused as changed). Refused when the
/// address was taken by another user of the account since the request.
pub fn confirm(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
    ip: Option<String>,
) -> Result<std::result::Result<UserRow, LinkProblem>> {
    crate::db::write_transaction(conn, |conn| {
        let (row, user) = match check_link(conn, token, now)? {
            Ok(found) => found,
            Err(problem) => return Ok(Err(problem)),
        };
        let lower = row.new_email.to_lowercase();
        if people::email_taken(conn, row.account_id, &lower)? {
            return Err(Error::Conflict(
                "Another user of the account has this address now, so it cannot become yours. \
                 Ask an administrator."
                    .into(),
            ));
        }
        diesel::update(users::table.find(user.id))
            .set((
                users::email.eq(&row.new_email),
                users::email_lower.eq(&lower),
                users::updated_at.eq(now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        diesel::update(email_changes::table.find(row.id))
            .set((
                email_changes::status.eq("confirmed"),
                email_changes::confirmed_at.eq(Some(now)),
            ))
            .execute(conn)?;
        let origin = Origin {
            actor: Some(user.id),
            ip,
        };
        let change = Change::without_permit(row.account_id, origin, now);
        let detail = format!("{} -> {} (confirmed by link)", user.email, row.new_email);
        change.record(
            conn,
            AuditAction::EmailChanged,
            Some(user.id),
            None,
            &detail,
        )?;
        Ok(Ok(people::find(conn, row.account_id, user.id)?))
    })
}
