//! Password reset links. An administrator with users.edit in every company of the user
//! sends one (Reset Password: they never set or see the password), or the person asks on
//! the sign-in page (Forgot password). A link works for one hour, once; a newer link and
//! any change of password void it. Choosing the new password checks its strength as
//! everywhere, ends every session, and tells the person by email.

use crate::auth::policy::{Action, Permit};
use crate::auth::token;
use crate::db::DbConnection;
use crate::db::schema::{accounts, password_resets, users};
use crate::domain::audit::{AuditAction, Change, Origin};
use crate::domain::outbox::{self, Letters, PasswordChangedLetter, PasswordResetLetter};
use crate::domain::users::{self as people, UserRow, UserStatus};
use crate::domain::{Error, FieldErrors, Result, UserId};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// How long a link works.
pub const VALID_MINUTES: i64 = 60;

/// What the emails need besides the user.
pub struct Mail<'a> {
    pub base_url: &'a str,
    pub letters: &'a dyn Letters,
}

/// A new link for the user, emailed.
fn issue(
    conn: &mut DbConnection,
    user: &UserRow,
    requested_by: Option<UserId>,
    why: &str,
    now: NaiveDateTime,
    mail: &Mail<'_>,
) -> Result<()> {
    crate::domain::passwords::void_reset_links(conn, user.id)?;
    let token = token::random_token();
    let expires_at = now + TimeDelta::minutes(VALID_MINUTES);
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::account_id.eq(user.account_id),
            password_resets::user_id.eq(user.id),
            password_resets::requested_by.eq(requested_by),
            password_resets::token_hash.eq(token::hash_token(&token)),
            password_resets::status.eq("pending"),
            password_resets::expires_at.eq(expires_at),
            password_resets::created_at.eq(now),
        ))
        .execute(conn)?;
    let account: String = accounts::table
        .find(user.account_id)
        .select(accounts::name)
        .first(conn)?;
    let link = format!("{}/password/reset/{token}", mail.base_url);
    let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
    let letter = mail.letters.password_reset(&PasswordResetLetter {
        account: &account,
        name: &user.display_name,
        why,
        link: &link,
        expires: &expires,
    })?;
    outbox::enqueue_letter(conn, user.account_id, &user.email, &letter, now)
}

/// Who may get a link: people who could sign in but for their password (not blocked,
/// deactivated, expired or still invited). A locked account may: choosing a new password
/// is how the person gets back in (with two-factor authentication, once the lock ends: the
/// lock may come from wrong codes, which a new password does not excuse).
fn may_reset(user: &UserRow, now: NaiveDateTime) -> bool {
    user.status() == UserStatus::Active && !user.is_expired(now)
}

/// Reset Password by an administrator: `permit` is for ResetPassword on the user as a
/// person.
pub fn send_by_admin(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    mail: &Mail<'_>,
) -> Result<UserRow> {
    let change = Change::authorized_on_user(permit, Action::ResetPassword, user)?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, change.account_id(), user)?;
        if person.status() == UserStatus::Invited {
            return Err(Error::Conflict(format!(
                "{} has not accepted the invitation yet: resend the invitation instead.",
                person.display_name
            )));
        }
        if !may_reset(&person, change.now) {
            return Err(Error::Conflict(format!(
                "{} cannot sign in now ({}): a new password would not let them in.",
                person.display_name,
                person.status().label().to_lowercase()
            )));
        }
        let why = "An administrator sent you this link to choose a new password.";
        issue(conn, &person, change.actor(), why, change.now, mail)?;
        change.record(
            conn,
            AuditAction::PasswordResetSent,
            Some(user),
            None,
            "by an administrator",
        )?;
        Ok(person)
    })
}

/// Forgot password: a link for every account where `email` belongs to someone who may
/// get one. Says nothing about whether any did: the caller answers the same either way.
pub fn send_forgotten(
    conn: &mut DbConnection,
    email: &str,
    now: NaiveDateTime,
    mail: &Mail<'_>,
) -> Result<()> {
    let lower = email.trim().to_lowercase();
    if lower.is_empty() || !crate::domain::limits::fits(&lower, crate::domain::limits::EMAIL) {
        return Ok(());
    }
    crate::db::write_transaction(conn, |conn| {
        let found: Vec<UserRow> = users::table
            .filter(users::email_lower.eq(&lower))
            .select(UserRow::as_select())
            .limit(20)
            .load(conn)?;
        for user in found.iter().filter(|u| may_reset(u, now)) {
            let why = "Someone, hopefully you, asked to reset your password.";
            issue(conn, user, None, why, now, mail)?;
            let change = Change::without_permit(
                user.account_id,
                Origin {
                    actor: None,
                    ip: None,
                },
                now,
            );
            change.record(
                conn,
                AuditAction::PasswordResetSent,
                Some(user.id),
                None,
                "asked for on the sign-in page",
            )?;
        }
        Ok(())
    })
}

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    /// Used, or voided by a newer link or a changed password.
    Used,
    Expired,
    /// The person may not sign in any more (blocked, deactivated, expired).
    Refused,
}

/// The user a link is for, or why it cannot be used.
pub fn check_link(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<std::result::Result<(i64, UserRow), LinkProblem>> {
    let found: Option<(i64, UserId, crate::domain::AccountId, String, NaiveDateTime)> =
        password_resets::table
            .filter(password_resets::token_hash.eq(token::hash_token(token)))
            .select((
                password_resets::id,
                password_resets::user_id,
                password_resets::account_id,
                password_resets::status,
                password_resets::expires_at,
            ))
            .first(conn)
            .optional()?;
    let Some((id, user, account, status, expires_at)) = found else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if status != "pending" {
        return Ok(Err(LinkProblem::Used));
    }
    if expires_at <= now {
        return Ok(Err(LinkProblem::Expired));
    }
    let person = people::find(conn, account, user)?;
    if !may_reset(&person, now) {
        return Ok(Err(LinkProblem::Refused));
    }
    Ok(Ok((id, person)))
}

/// Sets the new password a link was sent for: the strength rules as everywhere; every
/// session of the user ends (the caller signs them in anew, after the code with two-factor
/// authentication), the lock and failure count clear (without two-factor authentication:
/// with it, only a right code clears them), every other link dies, and the person is told
/// by email.
pub fn complete(
    conn: &mut DbConnection,
    token: &str,
    password: &str,
    confirm: &str,
    now: NaiveDateTime,
    ip: Option<String>,
    letters: &dyn Letters,
) -> Result<std::result::Result<UserRow, LinkProblem>> {
    let (id, person) = match check_link(conn, token, now)? {
        Ok(found) => found,
        Err(problem) => return Ok(Err(problem)),
    };
    let account: String = accounts::table
        .find(person.account_id)
        .select(accounts::name)
        .first(conn)?;
    let mut errors = FieldErrors::default();
    let context = [
        person.first_name.as_str(),
        person.last_name.as_str(),
        person.email.as_str(),
        account.as_str(),
    ];
    crate::domain::passwords::check_new(&mut errors, password, confirm, &context);
    errors.into_result()?;
    let hash = crate::auth::password::hash(password)
        .map_err(|e| Error::Internal(format!("password hash: {e}")))?;
    crate::db::write_transaction(conn, |conn| {
        // Used once: a second request with the same link finds it no longer pending.
        let claimed = diesel::update(
            password_resets::table
                .find(id)
                .filter(password_resets::status.eq("pending")),
        )
        .set(password_resets::status.eq("used"))
        .execute(conn)?;
        if claimed == 0 {
            return Ok(Err(LinkProblem::Used));
        }
        crate::domain::passwords::void_reset_links(conn, person.id)?;
        diesel::update(users::table.find(person.id))
            .set((
                users::password_hash.eq(Some(hash)),
                users::must_change_password.eq(false),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        // With two-factor authentication the code step is still to come: its lock and its
        // count of wrong codes stay until a right code (signin::admit), or a reset link would
        // buy more guesses at the code.
        // Judged from the row as it is now: set up meanwhile counts.
        let has_two_factor = people::find(conn, person.account_id, person.id)?
            .totp_secret
            .is_some();
        if !has_two_factor {
            people::reset_login_failures(conn, &person)?;
        }
        crate::domain::sessions::end_everywhere(conn, &person, now)?;
        let letter = letters.password_changed(&PasswordChangedLetter {
            account: &account,
            name: &person.display_name,
        })?;
        outbox::enqueue_letter(conn, person.account_id, &person.email, &letter, now)?;
        let change = Change::without_permit(
            person.account_id,
            Origin {
                actor: Some(person.id),
                ip,
            },
            now,
        );
        change.record(
            conn,
            AuditAction::PasswordChanged,
            Some(person.id),
            None,
            "with a reset link",
        )?;
        Ok(Ok(people::find(conn, person.account_id, person.id)?))
    })
}
