//! Two-factor authentication with TOTP: who must have it (Enforce Two-Factor
//! Authentication on the user, Require two-factor authentication for everyone on the
//! account), enrolling on My Profile, the code step of sign-in, recovery codes, turning it
//! off, and an administrator's reset. A code is accepted once: the step it belongs to is
//! stored, and only a later step is taken, by one conditional update, so two requests with
//! the same code cannot both pass. Every change and every recovery code used is emailed.

use crate::auth::policy::{Action, Permit};
use crate::auth::totp::{self, SecretSeal, TotpSecret};
use crate::clock::Clock;
use crate::db::schema::{recovery_codes, users};
use crate::db::{DbConnection, Pool};
use crate::domain::accounts::{self, AccountRow};
use crate::domain::audit::{AuditAction, Change, Origin};
use crate::domain::outbox::{self, Letters, TwoFactorLetter};
use crate::domain::users::{self as people, UserRow};
use crate::domain::{AccountId, Error, Result, UserId, signin};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Beside the code field when a code is neither a current authenticator code nor an
/// unused recovery code.
pub const WRONG_CODE: &str = "That code is not right. Enter the 6-digit code your \
     authenticator app shows now, or one of your recovery codes.";
/// The same where only an authenticator code will do.
const WRONG_APP_CODE: &str = "That code is not right. Enter the 6-digit code your \
     authenticator app shows now.";
/// No code typed.
const NO_CODE: &str = "Enter the 6-digit code your authenticator app shows.";
/// Beside the password field of the forms that change the second factor.
const WRONG_PASSWORD: &str = "That is not your current password.";
const NO_PASSWORD: &str = "Enter your current password.";
/// A locked account changes nothing about its second factor until the lock ends.
const LOCKED: &str = "Your account is locked after too many wrong passwords or codes. Try \
     again when the lock ends, or ask an administrator to unlock it.";
/// A right code that was already used: the next one comes within 30 seconds.
pub const USED_CODE: &str = "That code was already used. Wait for the next code in your \
     authenticator app and enter that one.";

/// Where a user stands with two-factor authentication, as the user list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TwoFactorState {
    On,
    Off,
    /// Enforced on them or required for everyone, and not set up yet: they set it up the
    /// next time they sign in or open a page, before anything else.
    Required,
}

impl TwoFactorState {
    pub const ALL: [TwoFactorState; 3] = [
        TwoFactorState::On,
        TwoFactorState::Off,
        TwoFactorState::Required,
    ];

    pub fn of(user: &UserRow, account_requires: bool) -> TwoFactorState {
        if user.totp_secret.is_some() {
            TwoFactorState::On
        } else if user.enforce_2fa || account_requires {
            TwoFactorState::Required
        } else {
            TwoFactorState::Off
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TwoFactorState::On => "On",
            TwoFactorState::Off => "Off",
            TwoFactorState::Required => "Required but not enrolled",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            TwoFactorState::On => "on",
            TwoFactorState::Off => "off",
            TwoFactorState::Required => "required",
        }
    }

    pub fn parse(slug: &str) -> Option<TwoFactorState> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// Whether two-factor authentication applies to the user: then they cannot turn it off,
/// and without it they must set it up before any other page.
pub fn required(user: &UserRow, account: &AccountRow) -> bool {
    user.enforce_2fa || account.require_2fa
}

pub fn must_enrol(user: &UserRow, account: &AccountRow) -> bool {
    user.totp_secret.is_none() && required(user, account)
}

/// How many users of the account must still set it up (the list's "Required but not
/// enrolled").
pub fn still_to_enrol(conn: &mut DbConnection, account: &AccountRow) -> Result<i64> {
    let query = users::table
        .filter(users::account_id.eq(account.id))
        .filter(users::totp_secret.is_null())
        .into_boxed();
    let query = if account.require_2fa {
        query
    } else {
        query.filter(users::enforce_2fa.eq(true))
    };
    Ok(query.count().get_result(conn)?)
}

/// How many unused recovery codes the user has.
pub fn recovery_codes_left(conn: &mut DbConnection, user: UserId) -> Result<i64> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}

/// What a user's sealed secret is bound to: a secret copied to another row does not open.
pub fn owner(user: UserId) -> Vec<u8> {
    format!("roster user {}", user.0).into_bytes()
}

fn unix(now: NaiveDateTime) -> u64 {
    u64::try_from(now.and_utc().timestamp()).unwrap_or(0)
}

/// Takes the step for the user if it is later than the last one used: false when it (or a
/// later one) was used already, by this request's twin too.
fn claim_step(conn: &mut DbConnection, user: UserId, step: u64) -> Result<bool> {
    let step = i64::try_from(step).map_err(|_| Error::Internal("TOTP step out of range".into()))?;
    let taken = diesel::update(
        users::table.find(user).filter(
            users::totp_last_step
                .is_null()
                .or(users::totp_last_step.lt(step)),
        ),
    )
    .set(users::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(taken == 1)
}

/// What a code typed at a prompt turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    /// A current authenticator code, now used.
    Code,
    /// A right authenticator code whose step was used already.
    Replayed,
    /// An unused recovery code, now used; this many are left.
    Recovery {
        left: i64,
    },
    Wrong,
}

fn check_code(
    conn: &mut DbConnection,
    seal: &SecretSeal,
    user: &UserRow,
    typed: &str,
    now: NaiveDateTime,
    recovery_too: bool,
) -> Result<Checked> {
    let secret = user.totp_secret.as_deref().and_then(|stored| {
        let opened = seal.open(stored, &owner(user.id));
        if opened.is_none() {
            // Sealed under another secret key (ROSTER_SECRET_KEY changed or its file was
            // lost): only recovery codes or an administrator's reset help now.
            tracing::warn!(
                user = user.id.0,
                "a TOTP secret does not open with this key"
            );
        }
        opened
    });
    if let Some(step) = secret.and_then(|s| s.check(typed, unix(now))) {
        return Ok(if claim_step(conn, user.id, step)? {
            Checked::Code
        } else {
            Checked::Replayed
        });
    }
    if !recovery_too {
        return Ok(Checked::Wrong);
    }
    let Some(normalized) = totp::normalize_recovery_code(typed) else {
        return Ok(Checked::Wrong);
    };
    let used = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user.id))
            .filter(recovery_codes::code_hash.eq(totp::hash_recovery_code(&normalized)))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now))
    .execute(conn)?;
    if used == 0 {
        return Ok(Checked::Wrong);
    }
    Ok(Checked::Recovery {
        left: recovery_codes_left(conn, user.id)?,
    })
}

/// New recovery codes for the user, the old ones void; returns them in the clear, to be
/// shown once.
fn new_recovery_codes(
    conn: &mut DbConnection,
    user: UserId,
    now: NaiveDateTime,
) -> Result<Vec<String>> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user))).execute(conn)?;
    let codes: Vec<String> = (0..totp::RECOVERY_CODES)
        .map(|_| totp::new_recovery_code())
        .collect();
    // One insert per code: the two backends together have no batch insert.
    for code in &codes {
        let Some(normalized) = totp::normalize_recovery_code(code) else {
            continue;
        };
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::user_id.eq(user),
                recovery_codes::code_hash.eq(totp::hash_recovery_code(&normalized)),
                recovery_codes::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(codes)
}

/// What happened, in the email's words.
struct Notice<'a> {
    /// For the subject: "turned on", "turned off", …
    what: &'a str,
    sentence: &'a str,
    /// What to do if it was not them.
    closing: &'a str,
}

const NOT_YOU: &str = "If this was not you, tell an administrator of your account at once.";

/// Emails the user about their two-factor authentication, in the change's transaction.
fn notify(
    conn: &mut DbConnection,
    account: &AccountRow,
    user: &UserRow,
    notice: &Notice<'_>,
    letters: &dyn Letters,
    now: NaiveDateTime,
) -> Result<()> {
    let letter = letters.two_factor(&TwoFactorLetter {
        account: &account.name,
        name: &user.display_name,
        what: notice.what,
        sentence: notice.sentence,
        closing: notice.closing,
    })?;
    outbox::enqueue_letter(conn, user.account_id, &user.email, &letter, now)
}

/// Clears the user's secret, last step and recovery codes; `Error::Changed` when the row
/// was saved by someone else since it was read (nothing is then kept of the change).
fn clear(conn: &mut DbConnection, user: &UserRow, now: NaiveDateTime) -> Result<()> {
    let cleared = diesel::update(people::as_read(user))
        .set((
            users::totp_secret.eq(None::<String>),
            users::totp_last_step.eq(None::<i64>),
            users::updated_at.eq(now),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
    if cleared != 1 {
        return Err(Error::Changed);
    }
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user.id)))
        .execute(conn)?;
    Ok(())
}

fn own(conn: &mut DbConnection, permit: &Permit) -> Result<(Change, UserRow)> {
    let change = Change::authorized_on_user(permit, Action::OwnAccount, permit.actor())?;
    let user = people::find(conn, change.account_id(), permit.actor())?;
    Ok((change, user))
}

/// Locks the user's row until the transaction ends, so that checks of their lock and codes
/// made by parallel requests are judged one after the other. A write that changes nothing,
/// through the users table's data-version trigger like every write to users: the
/// `data_version` row is taken first, then the user's, the order every writer keeps (see
/// migration 000007), so this cannot deadlock with them. SQLite has one writer anyway.
fn lock_user(conn: &mut DbConnection, user: UserId) -> Result<()> {
    diesel::update(users::table.find(user))
        .set(users::totp_last_step.eq(users::totp_last_step))
        .execute(conn)?;
    Ok(())
}

/// A wrong password typed by a signed-in user at one of these forms: counted toward the
/// lockout as at sign-in, in a transaction of its own (the hash is checked before any
/// write, and the change itself wrote nothing).
fn count_wrong(
    conn: &mut DbConnection,
    permit: &Permit,
    user: &UserRow,
    detail: &str,
) -> Result<()> {
    let origin = Origin {
        actor: Some(user.id),
        ip: permit.ip().map(str::to_owned),
    };
    crate::db::write_transaction(conn, |conn| {
        signin::count_failure(conn, &origin, user, detail, permit.at()).map(|_| ())
    })
}

/// The signed-in user (`user`, as read) proves it is them before their second factor
/// changes, so a session left open is not enough: not locked, and their current password
/// (checked slowly, before any write; a wrong one counts toward the lockout), whose
/// messages go beside `field`.
fn reauthenticate(
    conn: &mut DbConnection,
    permit: &Permit,
    user: &UserRow,
    password: &str,
    field: &'static str,
) -> Result<()> {
    if user.is_locked(permit.at()) {
        return Err(Error::Conflict(LOCKED.into()));
    }
    if password.is_empty() {
        return Err(Error::field(field, NO_PASSWORD));
    }
    let hash = user.password_hash.as_deref().unwrap_or_default();
    if !crate::auth::password::verify(password, hash) {
        count_wrong(conn, permit, user, "wrong password at a two-factor change")?;
        return Err(Error::field(field, WRONG_PASSWORD));
    }
    Ok(())
}

/// Inside the change's transaction: the user's row locked (`lock_user`) and read again,
/// with the same password as the one just checked (else `Changed`) and not locked
/// meanwhile; and the change the permit allows.
fn locked_again(
    conn: &mut DbConnection,
    permit: &Permit,
    checked: &UserRow,
) -> Result<(Change, UserRow)> {
    let change = Change::authorized_on_user(permit, Action::OwnAccount, checked.id)?;
    lock_user(conn, checked.id)?;
    let now_user = people::find(conn, change.account_id(), checked.id)?;
    if now_user.password_hash != checked.password_hash {
        return Err(Error::Changed);
    }
    if now_user.is_locked(change.now) {
        return Err(Error::Conflict(LOCKED.into()));
    }
    Ok((change, now_user))
}

/// Why a code typed at a form that changes the second factor was refused (the change's
/// transaction commits only the count of a wrong one).
enum Refused {
    Wrong,
    Used,
}

impl Refused {
    /// The refusal as the form shows it, beside `field`.
    fn shown<T>(self, field: &'static str, wrong: &str) -> Result<T> {
        match self {
            Refused::Used => Err(Error::field(field, USED_CODE)),
            Refused::Wrong => Err(Error::field(field, wrong.to_owned())),
        }
    }
}

/// A wrong code at one of these forms, counted toward the lockout inside the change's
/// transaction, with the row as it is now (locked by `lock_user`).
fn count_wrong_code(
    conn: &mut DbConnection,
    change: &Change,
    permit: &Permit,
    user: &UserRow,
) -> Result<Refused> {
    let origin = Origin {
        actor: Some(user.id),
        ip: permit.ip().map(str::to_owned),
    };
    let detail = "wrong two-factor code at a two-factor change";
    signin::count_failure(conn, &origin, user, detail, change.now)?;
    Ok(Refused::Wrong)
}

/// Turns two-factor authentication on for the signed-in user with the secret they were
/// shown, confirmed by their current password and a current code from their app. Returns
/// the recovery codes, shown once.
pub fn enrol(
    conn: &mut DbConnection,
    permit: &Permit,
    seal: &SecretSeal,
    secret: &TotpSecret,
    password: &str,
    code: &str,
    letters: &dyn Letters,
) -> Result<Vec<String>> {
    if code.trim().is_empty() {
        return Err(Error::field("code", NO_CODE));
    }
    let (_, checked) = own(conn, permit)?;
    reauthenticate(conn, permit, &checked, password, "current_password")?;
    crate::db::write_transaction(conn, |conn| {
        let (change, user) = locked_again(conn, permit, &checked)?;
        let now = change.now;
        if user.totp_secret.is_some() {
            return Err(Error::Conflict(ALREADY_ON.into()));
        }
        // A wrong code here guesses nothing: the secret was just shown to this user.
        let Some(step) = secret.check(code, unix(now)) else {
            return Err(Error::field("code", WRONG_APP_CODE));
        };
        let step = i64::try_from(step).map_err(|_| Error::Internal("TOTP step".into()))?;
        let sealed = seal
            .seal(secret, &owner(user.id))
            .ok_or_else(|| Error::Internal("could not seal a TOTP secret".into()))?;
        let set = diesel::update(people::as_read(&user).filter(users::totp_secret.is_null()))
            .set((
                users::totp_secret.eq(Some(sealed)),
                users::totp_last_step.eq(Some(step)),
                users::updated_at.eq(now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        if set == 0 {
            return Err(Error::Changed);
        }
        let codes = new_recovery_codes(conn, user.id, now)?;
        change.record(conn, AuditAction::TwoFactorEnabled, Some(user.id), None, "")?;
        let notice = Notice {
            what: "turned on",
            sentence: "Two-factor authentication was turned on for your account: signing in \
                 now asks for a code from your authenticator app after your password.",
            closing: NOT_YOU,
        };
        let account = accounts::find(conn, user.account_id)?;
        notify(conn, &account, &user, &notice, letters, now)?;
        Ok(codes)
    })
}

/// Said when two-factor authentication is turned on twice (a double click).
pub const ALREADY_ON: &str = "Two-factor authentication is already on for your account.";

/// New recovery codes for the signed-in user (the old ones stop working), confirmed by
/// their current password and a current code from their app. Its fields are renew_password
/// and renew_code: its page has a second form with a password.
pub fn renew_recovery_codes(
    conn: &mut DbConnection,
    permit: &Permit,
    seal: &SecretSeal,
    password: &str,
    code: &str,
    letters: &dyn Letters,
) -> Result<Vec<String>> {
    if code.trim().is_empty() {
        return Err(Error::field("renew_code", NO_CODE));
    }
    let (_, checked) = own(conn, permit)?;
    reauthenticate(conn, permit, &checked, password, "renew_password")?;
    let outcome = crate::db::write_transaction(conn, |conn| {
        let (change, user) = locked_again(conn, permit, &checked)?;
        let now = change.now;
        if user.totp_secret.is_none() {
            return Err(Error::Conflict(
                "Two-factor authentication is off: there are no recovery codes to renew.".into(),
            ));
        }
        match check_code(conn, seal, &user, code, now, false)? {
            Checked::Code => {}
            Checked::Replayed => return Ok(Err(Refused::Used)),
            _ => return Ok(Err(count_wrong_code(conn, &change, permit, &user)?)),
        }
        let codes = new_recovery_codes(conn, user.id, now)?;
        change.record(
            conn,
            AuditAction::RecoveryCodesRenewed,
            Some(user.id),
            None,
            "",
        )?;
        let notice = Notice {
            what: "new recovery codes",
            sentence: "New recovery codes were made for your account; the old ones no longer \
                 work.",
            closing: NOT_YOU,
        };
        let account = accounts::find(conn, user.account_id)?;
        notify(conn, &account, &user, &notice, letters, now)?;
        Ok(Ok(codes))
    })?;
    outcome.or_else(|why| why.shown("renew_code", WRONG_APP_CODE))
}

const REQUIRED: &str =
    "Two-factor authentication is required for your account: it cannot be turned off.";

/// Turns two-factor authentication off for the signed-in user: with their current password
/// and a code (or a recovery code), and never while it is required of them. Judged again
/// inside the write: their own Enforce flag saved meanwhile changes the row's version, so
/// the clear writes nothing and the change is refused; Require for everyone turned on at
/// the same moment sends them to set it up again at their next page.
pub fn disable(
    conn: &mut DbConnection,
    permit: &Permit,
    seal: &SecretSeal,
    password: &str,
    code: &str,
    letters: &dyn Letters,
) -> Result<()> {
    let (_, checked) = own(conn, permit)?;
    if required(&checked, &accounts::find(conn, checked.account_id)?) {
        return Err(Error::Conflict(REQUIRED.into()));
    }
    if code.trim().is_empty() {
        return Err(Error::field("code", NO_CODE));
    }
    reauthenticate(conn, permit, &checked, password, "current_password")?;
    let outcome = crate::db::write_transaction(conn, |conn| {
        let (change, now_user) = locked_again(conn, permit, &checked)?;
        let account = accounts::find(conn, now_user.account_id)?;
        if required(&now_user, &account) {
            return Err(Error::Conflict(REQUIRED.into()));
        }
        if now_user.totp_secret.is_none() {
            return Err(Error::Conflict(
                "Two-factor authentication is already off for your account.".into(),
            ));
        }
        match check_code(conn, seal, &now_user, code, change.now, true)? {
            Checked::Code | Checked::Recovery { .. } => {}
            Checked::Replayed => return Ok(Err(Refused::Used)),
            Checked::Wrong => {
                return Ok(Err(count_wrong_code(conn, &change, permit, &now_user)?));
            }
        }
        clear(conn, &now_user, change.now)?;
        change.record(
            conn,
            AuditAction::TwoFactorDisabled,
            Some(now_user.id),
            None,
            "by the user",
        )?;
        let notice = Notice {
            what: "turned off",
            sentence: "Two-factor authentication was turned off for your account: signing in \
                 asks only for your password now.",
            closing: NOT_YOU,
        };
        notify(conn, &account, &now_user, &notice, letters, change.now)?;
        Ok(Ok(()))
    })?;
    outcome.or_else(|why| why.shown("code", WRONG_CODE))
}

/// An administrator turns off another user's two-factor authentication (a lost phone):
/// `permit` is for ResetTwoFactor on the user as a person. Their sessions end; where it is
/// required of them, they set it up again at their next sign-in.
pub fn reset(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    letters: &dyn Letters,
) -> Result<UserRow> {
    let change = Change::authorized_on_user(permit, Action::ResetTwoFactor, user)?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, change.account_id(), user)?;
        if person.totp_secret.is_none() {
            return Err(Error::Conflict(format!(
                "{} has no two-factor authentication to reset.",
                person.display_name
            )));
        }
        clear(conn, &person, change.now)?;
        crate::domain::sessions::end_everywhere(conn, &person, change.now)?;
        change.record(
            conn,
            AuditAction::TwoFactorReset,
            Some(user),
            None,
            "by an administrator; sessions ended",
        )?;
        let account = accounts::find(conn, person.account_id)?;
        let sentence = if required(&person, &account) {
            "An administrator reset two-factor authentication for your account and signed \
             you out everywhere. You will set it up again, with a new key, when you next \
             sign in."
        } else {
            "An administrator reset two-factor authentication for your account and signed \
             you out everywhere. Signing in asks only for your password now; you can set it \
             up again on My Profile."
        };
        let notice = Notice {
            what: "reset",
            sentence,
            closing: "If you did not ask for this, tell an administrator of your account at \
                 once.",
        };
        notify(conn, &account, &person, &notice, letters, change.now)?;
        people::find(conn, change.account_id(), user)
    })
}

/// What the code step of sign-in comes to.
#[derive(Debug)]
pub enum CodeOutcome {
    SignedIn(Box<UserRow>),
    /// Not a current code nor an unused recovery code; counted toward the lockout.
    Wrong,
    /// A right code already used (not counted: it proves the app, not a guess; recorded,
    /// since a code used twice can mean someone else saw it).
    Replayed,
    /// The sign-in cannot go on: locked meanwhile (by these codes too), blocked, or the
    /// password or sessions changed since the password was checked.
    Refused,
}

/// The code step after a right password (`signin::Outcome::SecondStep`): `stamp` is the
/// user's security stamp when the password was checked. The user's row is locked first
/// (`lock_user`), so parallel guesses are judged one after the other and none gets past a
/// lock another one just set.
#[allow(clippy::too_many_arguments)]
pub fn second_step(
    pool: &Pool,
    clock: &Clock,
    seal: &SecretSeal,
    user: UserId,
    stamp: &str,
    code: &str,
    ip: Option<String>,
    letters: &dyn Letters,
) -> Result<CodeOutcome> {
    let now = clock.now_naive();
    let mut conn = pool.get()?;
    crate::db::write_transaction(&mut conn, |conn| {
        lock_user(conn, user)?;
        let Some(person) = people::find_any_account(conn, user)? else {
            return Ok(CodeOutcome::Refused);
        };
        let origin = Origin {
            actor: None,
            ip: ip.clone(),
        };
        let reason = if person.security_stamp != stamp {
            Some("code given after the password or sessions changed")
        } else if !person.may_sign_in(now) {
            Some(signin::refusal_reason(&person, now))
        } else if person.totp_secret.is_none() {
            Some("two-factor authentication was reset meanwhile")
        } else {
            None
        };
        if let Some(reason) = reason {
            signin::refused(conn, &origin, &person, reason, now)?;
            return Ok(CodeOutcome::Refused);
        }
        match check_code(conn, seal, &person, code, now, true)? {
            Checked::Code => {}
            Checked::Recovery { left } => {
                let detail = format!("{left} left");
                record_as(
                    conn,
                    &person,
                    &ip,
                    AuditAction::RecoveryCodeUsed,
                    &detail,
                    now,
                )?;
                let account = accounts::find(conn, person.account_id)?;
                let advice = if required(&person, &account) {
                    "If you lost your phone, ask an administrator to reset two-factor \
                     authentication, then set it up again."
                } else {
                    "If you lost your phone, turn two-factor authentication off on My Profile \
                     (a recovery code does for the code) and set it up again."
                };
                let sentence = format!(
                    "A recovery code was used to sign in to your account. {} left. {advice}",
                    codes_in_words(left)
                );
                let notice = Notice {
                    what: "recovery code used",
                    sentence: &sentence,
                    closing: NOT_YOU,
                };
                notify(conn, &account, &person, &notice, letters, now)?;
            }
            Checked::Replayed => {
                signin::refused(conn, &origin, &person, "two-factor code used again", now)?;
                return Ok(CodeOutcome::Replayed);
            }
            Checked::Wrong => {
                let locked =
                    signin::count_failure(conn, &origin, &person, "wrong two-factor code", now)?;
                return Ok(if locked {
                    CodeOutcome::Refused
                } else {
                    CodeOutcome::Wrong
                });
            }
        }
        signin::admit(conn, &person, now, ip.clone())?;
        Ok(CodeOutcome::SignedIn(Box::new(person)))
    })
}

/// How many recovery codes are left, as the start of a sentence: "No recovery codes are",
/// "1 recovery code is", "3 recovery codes are".
pub fn codes_in_words(n: i64) -> String {
    match n {
        0 => "No recovery codes are".to_owned(),
        1 => "1 recovery code is".to_owned(),
        n => format!("{n} recovery codes are"),
    }
}

/// An event of the user's own doing where no permit exists yet (the sign-in itself).
fn record_as(
    conn: &mut DbConnection,
    user: &UserRow,
    ip: &Option<String>,
    action: AuditAction,
    detail: &str,
    now: NaiveDateTime,
) -> Result<()> {
    let account: AccountId = user.account_id;
    Change::without_permit(
        account,
        Origin {
            actor: Some(user.id),
            ip: ip.clone(),
        },
        now,
    )
    .record(conn, action, Some(user.id), None, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_left_read_as_a_sentence() {
        assert_eq!(codes_in_words(0), "No recovery codes are");
        assert_eq!(codes_in_words(1), "1 recovery code is");
        assert_eq!(codes_in_words(9), "9 recovery codes are");
    }

    #[test]
    fn every_state_round_trips_through_its_slug() {
        for state in TwoFactorState::ALL {
            assert_eq!(TwoFactorState::parse(state.slug()), Some(state));
        }
        assert_eq!(TwoFactorState::parse("maybe"), None);
    }
}
