//! Sign-in: one answer for every failure, similar work for unknown users, failures counted
//! per user with lockout after the account's threshold.

use crate::auth::password;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::audit::{self, AuditAction, Origin};
use crate::domain::users::{self, UserRow, UserStatus};
use crate::domain::{Result, accounts};
use chrono::{NaiveDateTime, TimeDelta};

/// The one answer to every refused sign-in, whatever the reason.
pub const FAILURE: &str = "Sign-in failed. Check your email or user name and your password. \
     If it still fails, your account may be locked or disabled: ask your administrator.";

/// What a sign-in comes to.
#[derive(Debug)]
pub enum Outcome {
    SignedIn(Box<UserRow>),
    /// The password is right and the user has two-factor authentication: nobody is signed
    /// in until the code (domain::two_factor::second_step). Nothing is reset yet, so a
    /// known password does not buy more guesses at the code.
    SecondStep(Box<UserRow>),
    /// The same email and password open users in several accounts: the person chooses.
    /// Each with its account's name. Nobody is signed in yet.
    Choose(Vec<(UserRow, String)>),
    /// Every kind of failure, which the caller shows with one message.
    Refused,
}

/// A login or password longer than any stored cannot sign anyone in: refused before any
/// lookup or hash, with the reason beside its field ("login", "password"). Saying so tells
/// nothing about accounts.
pub fn check_lengths(login: &str, password: &str) -> crate::domain::FieldErrors {
    use crate::domain::limits;
    let mut errors = crate::domain::FieldErrors::default();
    limits::check(
        &mut errors,
        "login",
        "An email or user name",
        login,
        limits::EMAIL,
    );
    if !limits::fits(password, limits::PASSWORD) {
        errors.add(
            "password",
            format!("A password has at most {} characters.", limits::PASSWORD),
        );
    }
    errors
}

/// Signs in when the login and password are right and the user may sign in now.
pub fn sign_in(
    pool: &Pool,
    clock: &Clock,
    dummy_hash: &str,
    login: &str,
    password_given: &str,
    ip: Option<String>,
) -> Result<Outcome> {
    let candidates = users::sign_in_candidates(&mut *pool.get()?, login)?;
    if candidates.is_empty() {
        // Same work as for a known user, so timing does not reveal who has an account.
        password::verify(password_given, dummy_hash);
        return Ok(Outcome::Refused);
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
        let mut may = Vec::new();
        for (stale, _) in checked.iter().filter(|(_, ok)| *ok) {
            // Decide from the row as it is now, not as it was before the slow hash check: a
            // lock saved meanwhile by a parallel guess must hold.
            let Some(user) = users::find_any_account(conn, stale.id)? else {
                continue;
            };
            if user.may_sign_in(now) {
                may.push(user);
                continue;
            }
            refused(conn, &origin, &user, refusal_reason(&user, now), now)?;
        }
        match may.len() {
            0 => {}
            1 => {
                let user = may.remove(0);
                if user.totp_secret.is_some() {
                    return Ok(Outcome::SecondStep(Box::new(user)));
                }
                admit(conn, &user, now, ip.clone())?;
                return Ok(Outcome::SignedIn(Box::new(user)));
            }
            _ => {
                let mut choices = Vec::new();
                for user in may {
                    let account = accounts::find(conn, user.account_id)?;
                    choices.push((user, account.name));
                }
                return Ok(Outcome::Choose(choices));
            }
        }
        for (stale, _) in checked.iter().filter(|(_, ok)| !*ok) {
            let Some(user) = users::find_any_account(conn, stale.id)? else {
                continue;
            };
            count_failure(conn, &origin, &user, "wrong password", now)?;
        }
        Ok(Outcome::Refused)
    })
}

/// A wrong password or a wrong two-factor code: counted toward the account's lockout, and
/// the account locked when it reaches the threshold. True when the user is locked now.
pub fn count_failure(
    conn: &mut crate::db::DbConnection,
    origin: &Origin,
    user: &UserRow,
    detail: &str,
    now: NaiveDateTime,
) -> Result<bool> {
    if user.locked_at.is_some() && !user.is_locked(now) {
        // The lock has run out: counting starts again.
        users::reset_login_failures(conn, user)?;
    }
    let failures = users::record_failed_login(conn, user)?;
    audit::record(
        conn,
        origin,
        event(user, AuditAction::SignInFailed, detail),
        now,
    )?;
    if user.is_locked(now) {
        return Ok(true);
    }
    let account = accounts::find(conn, user.account_id)?;
    if failures < account.lockout_threshold {
        return Ok(false);
    }
    let until = lock_until(now, account.lockout_minutes);
    users::lock(conn, user, now, until)?;
    let detail = format!("locked after {failures} failed sign-ins");
    audit::record(
        conn,
        origin,
        event(user, AuditAction::AccountLocked, &detail),
        now,
    )?;
    Ok(true)
}

/// The sign-in itself, once the password (and the code, with two-factor authentication) is
/// proven: failures forgotten, last access and the audit event recorded.
pub fn admit(
    conn: &mut crate::db::DbConnection,
    user: &UserRow,
    now: NaiveDateTime,
    ip: Option<String>,
) -> Result<()> {
    users::reset_login_failures(conn, user)?;
    users::touch_last_access(conn, user.id, now)?;
    let signed_in = Origin {
        actor: Some(user.id),
        ip,
    };
    audit::record(conn, &signed_in, event(user, AuditAction::SignIn, ""), now)
}

/// The account chosen after a sign-in that opened several (`Outcome::Choose`): signs in
/// as that user if they still may, judged from the row as it is now. `stamp` is the
/// user's security stamp when the password was checked: a password change or "end all
/// sessions" since then voids the choice. A user with two-factor authentication comes
/// back as `SecondStep`, not signed in yet.
pub fn sign_in_chosen(
    pool: &Pool,
    clock: &Clock,
    user: crate::domain::UserId,
    stamp: &str,
    ip: Option<String>,
) -> Result<Outcome> {
    let now = clock.now_naive();
    let mut conn = pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        let Some(user) = users::find_any_account(conn, user)? else {
            return Ok(Outcome::Refused);
        };
        let reason = if user.security_stamp != stamp {
            "account chosen after the password or sessions changed"
        } else if !user.may_sign_in(now) {
            refusal_reason(&user, now)
        } else if user.totp_secret.is_some() {
            return Ok(Outcome::SecondStep(Box::new(user)));
        } else {
            admit(conn, &user, now, ip.clone())?;
            return Ok(Outcome::SignedIn(Box::new(user)));
        };
        let origin = Origin {
            actor: None,
            ip: ip.clone(),
        };
        refused(conn, &origin, &user, reason, now)?;
        Ok(Outcome::Refused)
    })
}

/// The right password, refused all the same (for the audit log; never shown).
pub fn refused(
    conn: &mut crate::db::DbConnection,
    origin: &Origin,
    user: &UserRow,
    reason: &str,
    now: NaiveDateTime,
) -> Result<()> {
    audit::record(
        conn,
        origin,
        event(user, AuditAction::SignInRefused, reason),
        now,
    )
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
pub fn refusal_reason(user: &UserRow, now: NaiveDateTime) -> &'static str {
    match user.status() {
        UserStatus::Blocked => "blocked",
        UserStatus::Deactivated => "deactivated",
        UserStatus::Invited => "invitation not accepted",
        UserStatus::Active if user.is_locked(now) => "locked",
        UserStatus::Active if user.is_expired(now) => "expired",
        UserStatus::Active => "no password set",
    }
}
