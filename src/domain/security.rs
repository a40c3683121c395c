//! A user's Security tab: unlock a locked account, set when the account expires, Enforce
//! Two-Factor Authentication (domain::two_factor acts on it), and a flag stored for a
//! feature still to come (Active Directory Authentication). These reach every company of
//! the person, so the permit is
//! for EditUserSecurity on the user as a person; nobody changes their own here. A save names
//! the version it was read at.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::domain::audit::{AuditAction, Change};
use crate::domain::users::{self as people, UserRow};
use crate::domain::{Error, Result, UserId};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// The longest expiry that can be set in days (about 100 years).
const MAX_DAYS: i64 = 36_500;

/// What the Security form sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityInput {
    /// "Locked Account" as ticked: unticking a locked account unlocks it; ticking cannot
    /// lock (only failed sign-ins lock, and blocking is the lifecycle's).
    pub locked: bool,
    /// "Account Expires In": a number of days from now, a date (YYYY-MM-DD), or empty for
    /// never.
    pub expires: String,
    pub enforce_2fa: bool,
    pub directory_auth: bool,
    pub version: i32,
}

impl SecurityInput {
    pub fn of(user: &UserRow, now: NaiveDateTime) -> SecurityInput {
        SecurityInput {
            locked: user.is_locked(now),
            expires: user
                .expires_at
                .map(|at| at.date().format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            enforce_2fa: user.enforce_2fa,
            directory_auth: user.directory_auth,
            version: user.version,
        }
    }
}

/// When the account expires, from what was typed: None for never.
pub fn parse_expiry(text: &str, now: NaiveDateTime) -> Result<Option<NaiveDateTime>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(days) = text.parse::<i64>() {
        if !(0..=MAX_DAYS).contains(&days) {
            return Err(Error::field(
                "expires",
                format!("Enter between 0 and {MAX_DAYS} days, or leave it empty for never."),
            ));
        }
        return Ok(Some(now + TimeDelta::days(days)));
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => Ok(date.and_hms_opt(0, 0, 0)),
        Err(_) => Err(Error::field(
            "expires",
            "Enter a number of days, a date like 2027-03-31, or leave it empty for never.",
        )),
    }
}

/// Saves the Security tab in one transaction with one audit event naming what changed;
/// `Error::Changed` when the user was saved by someone else since the form was drawn.
pub fn update(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    input: &SecurityInput,
) -> Result<UserRow> {
    let change = Change::authorized_on_user(permit, Action::EditUserSecurity, user)?;
    let now = change.now;
    let expires_at = parse_expiry(&input.expires, now)?;
    crate::db::write_transaction(conn, |conn| {
        let before = people::find(conn, change.account_id(), user)?;
        if before.version != input.version {
            return Err(Error::Changed);
        }
        let unlock = before.is_locked(now) && !input.locked;
        let mut done = Vec::new();
        if unlock {
            people::reset_login_failures(conn, &before)?;
            done.push("unlocked".to_owned());
        }
        if expires_at != before.expires_at {
            done.push(match expires_at {
                Some(at) => format!("expires {}", at.format("%Y-%m-%d %H:%M")),
                None => "never expires".to_owned(),
            });
        }
        if input.enforce_2fa != before.enforce_2fa {
            let on = if input.enforce_2fa { "on" } else { "off" };
            done.push(format!("Enforce Two-Factor Authentication {on}"));
        }
        if input.directory_auth != before.directory_auth {
            let on = if input.directory_auth { "on" } else { "off" };
            done.push(format!("Active Directory Authentication {on}"));
        }
        let changed = diesel::update(people::as_read(&before))
            .set((
                users::expires_at.eq(expires_at),
                users::enforce_2fa.eq(input.enforce_2fa),
                users::directory_auth.eq(input.directory_auth),
                users::updated_at.eq(now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(Error::Changed);
        }
        if !done.is_empty() {
            let action = if unlock {
                AuditAction::UserUnlocked
            } else {
                AuditAction::UserEdited
            };
            change.record(conn, action, Some(user), None, &done.join("; "))?;
        }
        people::find(conn, change.account_id(), user)
    })
}

/// When the user last signed in, from the audit log.
pub fn last_sign_in(conn: &mut DbConnection, user: &UserRow) -> Result<Option<NaiveDateTime>> {
    use crate::db::schema::audit_events;
    Ok(audit_events::table
        .filter(audit_events::account_id.eq(user.account_id))
        .filter(audit_events::target_user_id.eq(user.id))
        .filter(audit_events::action.eq(AuditAction::SignIn.as_str()))
        .order(audit_events::created_at.desc())
        .select(audit_events::created_at)
        .first(conn)
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::parse_expiry;
    use chrono::NaiveDate;

    #[test]
    fn an_expiry_is_days_from_now_a_date_or_never() {
        let now = NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap();
        assert_eq!(parse_expiry("", now).unwrap(), None);
        assert_eq!(
            parse_expiry("30", now).unwrap().unwrap().date(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        assert_eq!(
            parse_expiry("2027-03-31", now).unwrap().unwrap().date(),
            NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()
        );
        assert!(parse_expiry("-1", now).is_err());
        assert!(parse_expiry("next week", now).is_err());
    }
}
