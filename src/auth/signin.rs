//! Sign-in: one answer for every failure, similar work for unknown users, failures counted
//! per user with lockout after the account's threshold.

use crate::auth::password;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::audit::{self, AuditAction, Origin};
use crate::domain::users::{self, UserRow, UserStatus};
use crate::domain::{Result, accounts};
use chrono::{NaiveDateTime, TimeDelta};

/// Returns the user when the login and password are right and the user may sign in now;
/// None for every kind of failure, which the caller shows with one message.
pub fn sign_in(
    pool: &Pool,
    clock: &Clock,
    dummy_hash: &str,
    login: &str,
    password_given: &str,
    ip: Option<String>,
) -> Result<Option<UserRow>> {
    let candidates = users::sign_in_candidates(&mut *pool.get()?, login)?;
    if candidates.is_empty() {
        // Same work as for a known user, so timing does not reveal who has an account.
        password::verify(password_given, dummy_hash);
        return Ok(None);
    }
    // Hash checks run without holding a connection: they are the slow part.
    let checked: Vec<(UserRow, bool)> = candidates
        .into_iter()
        .map(|user| {
            let hash = user.password_hash.as_deref();
            let ok = password::verify(password_given, hash.unwrap_or(dummy_hash)) && hash.is_some();
            (user, ok)
        })
        .collect();

    let now = clock.now_naive();
    let mut conn = pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        // Failures are not the user's doing: no actor, only the address they came from.
        let origin = Origin {
            actor: None,
            ip: ip.clone(),
        };
        for (stale, _) in checked.iter().filter(|(_, ok)| *ok) {
            // Decide from the row as it is now, not as it was before the slow hash check: a
            // lock saved meanwhile by a parallel guess must hold.
            let Some(user) = users::find_any_account(conn, stale.id)? else {
                continue;
            };
            if user.may_sign_in(now) {
                users::reset_login_failures(conn, user.id)?;
                users::touch_last_access(conn, user.id, now)?;
                let signed_in = Origin {
                    actor: Some(user.id),
                    ip: ip.clone(),
                };
                audit::record(conn, &signed_in, event(&user, AuditAction::SignIn, ""), now)?;
                return Ok(Some(user));
            }
            let reason = refusal_reason(&user, now);
            audit::record(
                conn,
                &origin,
                event(&user, AuditAction::SignInRefused, reason),
                now,
            )?;
        }
        for (stale, _) in checked.iter().filter(|(_, ok)| !*ok) {
            let Some(user) = users::find_any_account(conn, stale.id)? else {
                continue;
            };
            let user = &user;
            if user.locked_at.is_some() && !user.is_locked(now) {
                // The lock has run out: counting starts again.
                users::reset_login_failures(conn, user.id)?;
            }
            let failures = users::record_failed_login(conn, user.id)?;
            audit::record(
                conn,
                &origin,
                event(user, AuditAction::SignInFailed, "wrong password"),
                now,
            )?;
            let account = accounts::find(conn, user.account_id)?;
            if failures >= account.lockout_threshold && !user.is_locked(now) {
                let until = lock_until(now, account.lockout_minutes);
                users::lock(conn, user.id, now, until)?;
                let detail = format!("locked after {failures} failed sign-ins");
                audit::record(
                    conn,
                    &origin,
                    event(user, AuditAction::AccountLocked, &detail),
                    now,
                )?;
            }
        }
        Ok(None)
    })
}

fn event<'a>(user: &UserRow, action: AuditAction, detail: &'a str) -> audit::Event<'a> {
    audit::Event {
        account_id: user.account_id,
        action,
        target_user: Some(user.id),
        company: None,
        detail,
    }
}

/// Zero minutes means locked until an administrator unlocks.
fn lock_until(now: NaiveDateTime, minutes: i32) -> Option<NaiveDateTime> {
    (minutes > 0).then(|| now + TimeDelta::minutes(minutes.into()))
}

/// For the audit log only; the person signing in never sees it.
fn refusal_reason(user: &UserRow, now: NaiveDateTime) -> &'static str {
    match user.status() {
        UserStatus::Blocked => "blocked",
        UserStatus::Deactivated => "deactivated",
        UserStatus::Invited => "invitation not accepted",
        UserStatus::Active if user.is_locked(now) => "locked",
        UserStatus::Active if user.is_expired(now) => "expired",
        UserStatus::Active => "no password set",
    }
}
