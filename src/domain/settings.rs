//! Basic settings of an account: invitations, lockout, sessions, two-factor authentication
//! for everyone, documents, seats, the weekly letter.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::accounts;
use crate::domain::audit::AuditAction;
use crate::domain::audit::Change;
use crate::domain::{FieldErrors, Result};
use diesel::prelude::*;

/// The longest idle time an account can set; sessions unused for longer are removed.
pub const MAX_IDLE_MINUTES: i32 = 1_440;

/// The settings as the form sends them: text, parsed and checked here.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub invitation_valid_hours: String,
    pub lockout_threshold: String,
    pub lockout_minutes: String,
    pub session_idle_minutes: String,
    pub session_absolute_minutes: String,
    /// Every user without two-factor authentication sets it up at their next request.
    pub require_2fa: bool,
    pub view_only_self_created: bool,
    pub full_seat_limit: String,
    pub weekly_letter: bool,
}

/// What a save writes.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
pub struct Settings {
    pub invitation_valid_hours: i32,
    pub lockout_threshold: i32,
    pub lockout_minutes: i32,
    pub session_idle_minutes: i32,
    pub session_absolute_minutes: i32,
    pub require_2fa: bool,
    pub view_only_self_created: bool,
    pub full_seat_limit: Option<i32>,
    pub weekly_letter: bool,
}

fn number(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<i32>,
    what: &str,
) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            errors.add(
                field,
                format!("Enter {what} from {} to {}.", range.start(), range.end()),
            );
            *range.start()
        }
    }
}

impl SettingsInput {
    pub fn from_account(a: &crate::domain::accounts::AccountRow) -> Self {
        Self {
            invitation_valid_hours: a.invitation_valid_hours.to_string(),
            lockout_threshold: a.lockout_threshold.to_string(),
            lockout_minutes: a.lockout_minutes.to_string(),
            session_idle_minutes: a.session_idle_minutes.to_string(),
            session_absolute_minutes: a.session_absolute_minutes.to_string(),
            require_2fa: a.require_2fa,
            view_only_self_created: a.view_only_self_created,
            full_seat_limit: a.full_seat_limit.map(|n| n.to_string()).unwrap_or_default(),
            weekly_letter: a.weekly_letter,
        }
    }

    pub fn parse(&self) -> std::result::Result<Settings, FieldErrors> {
        let mut e = FieldErrors::default();
        let settings = Settings {
            invitation_valid_hours: number(
                &mut e,
                "invitation_valid_hours",
                &self.invitation_valid_hours,
                1..=720,
                "a number of hours",
            ),
            lockout_threshold: number(
                &mut e,
                "lockout_threshold",
                &self.lockout_threshold,
                1..=100,
                "a number of attempts",
            ),
            lockout_minutes: number(
                &mut e,
                "lockout_minutes",
                &self.lockout_minutes,
                0..=10_080,
                "a number of minutes",
            ),
            session_idle_minutes: number(
                &mut e,
                "session_idle_minutes",
                &self.session_idle_minutes,
                5..=MAX_IDLE_MINUTES,
                "a number of minutes",
            ),
            session_absolute_minutes: number(
                &mut e,
                "session_absolute_minutes",
                &self.session_absolute_minutes,
                5..=43_200,
                "a number of minutes",
            ),
            require_2fa: self.require_2fa,
            view_only_self_created: self.view_only_self_created,
            full_seat_limit: match self.full_seat_limit.trim() {
                "" => None,
                text => Some(number(
                    &mut e,
                    "full_seat_limit",
                    text,
                    0..=10_000_000,
                    "a number of seats",
                )),
            },
            weekly_letter: self.weekly_letter,
        };
        if e.get("session_idle_minutes").is_none()
            && e.get("session_absolute_minutes").is_none()
            && settings.session_absolute_minutes < settings.session_idle_minutes
        {
            e.add(
                "session_absolute_minutes",
                "The maximum session length cannot be shorter than the idle timeout.",
            );
        }
        if e.is_empty() { Ok(settings) } else { Err(e) }
    }
}

pub fn save(conn: &mut DbConnection, settings: &Settings, permit: &Permit) -> Result<()> {
    let change = &Change::authorized(permit, Action::ManageConfig)?;
    crate::db::write_transaction(conn, |conn| {
        diesel::update(accounts::table.find(change.account_id()))
            .set(settings)
            .execute(conn)?;
        let detail = format!("{settings:?}");
        change.record(conn, AuditAction::SettingsChanged, None, None, &detail)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SettingsInput {
        SettingsInput {
            invitation_valid_hours: "24".into(),
            lockout_threshold: "5".into(),
            lockout_minutes: "15".into(),
            session_idle_minutes: "30".into(),
            session_absolute_minutes: "720".into(),
            full_seat_limit: "".into(),
            ..SettingsInput::default()
        }
    }

    #[test]
    fn defaults_parse_and_bad_values_are_named() {
        let ok = input().parse().unwrap();
        assert_eq!(ok.full_seat_limit, None);
        let bad = SettingsInput {
            lockout_threshold: "0".into(),
            full_seat_limit: "many".into(),
            ..input()
        };
        let errors = bad.parse().unwrap_err();
        assert!(errors.get("lockout_threshold").is_some());
        assert!(errors.get("full_seat_limit").is_some());
        let short = SettingsInput {
            session_absolute_minutes: "10".into(),
            ..input()
        };
        assert!(
            short
                .parse()
                .unwrap_err()
                .get("session_absolute_minutes")
                .is_some()
        );
    }
}
