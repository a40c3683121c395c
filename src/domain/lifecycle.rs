//! A person's standing in the account after they exist: deactivated per company (with a
//! Substitute User who takes over there) and reactivated, blocked and activated again, and
//! their sessions ended by an administrator. Each is one transaction with an audit event.
//!
//! The user's status follows from the rest (`settle`): Blocked stays Blocked until
//! Activate; otherwise a user with no active company is Deactivated, one without a password
//! yet is Invited, and everyone else is Active. Sign-in and every request refuse all but
//! Active (`UserRow::may_sign_in`), and deactivating everywhere or blocking also ends the
//! sessions at once. Nobody does these to themselves (the policy refuses), and the
//! account's last active administrator is never taken out by someone else.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::{memberships, users};
use crate::domain::audit::{AuditAction, Change};
use crate::domain::outbox::{self, Letters, SubstituteLetter};
use crate::domain::seats::SeatGuard;
use crate::domain::users::{self as people, UserRow, UserStatus};
use crate::domain::{CompanyId, Error, Result, UserId, companies, sessions};
use diesel::prelude::*;

/// The status the user's rows call for, Blocked kept.
fn settled(conn: &mut DbConnection, user: &UserRow) -> Result<UserStatus> {
    if user.status() == UserStatus::Blocked {
        return Ok(UserStatus::Blocked);
    }
    let active: i64 = memberships::table
        .filter(memberships::user_id.eq(user.id))
        .filter(memberships::active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(if active == 0 {
        UserStatus::Deactivated
    } else if user.password_hash.is_none() {
        UserStatus::Invited
    } else {
        UserStatus::Active
    })
}

fn set_status(
    conn: &mut DbConnection,
    user: &UserRow,
    status: UserStatus,
    now: chrono::NaiveDateTime,
) -> Result<()> {
    diesel::update(
        users::table
            .filter(users::id.eq(user.id))
            .filter(users::account_id.eq(user.account_id)),
    )
    .set((
        users::status.eq(status.as_str()),
        users::updated_at.eq(now),
        users::version.eq(users::version + 1),
    ))
    .execute(conn)?;
    Ok(())
}

/// Refuses a change that would leave the account without an active administrator: `user`
/// is an administrator, and no other one may still sign in.
fn keep_an_administrator(conn: &mut DbConnection, user: &UserRow) -> Result<()> {
    if !user.is_account_admin {
        return Ok(());
    }
    let others: i64 = users::table
        .filter(users::account_id.eq(user.account_id))
        .filter(users::is_account_admin)
        .filter(users::id.ne(user.id))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(Error::Conflict(format!(
            "{} is the account's last active administrator: make someone else an \
             administrator first (Configuration → Admins).",
            user.display_name
        )));
    }
    Ok(())
}

/// The change a permit among `permits` allows: DeactivateUser on the user in `company`.
fn change_in(permits: &[Permit], user: UserId, company: CompanyId) -> Result<Change> {
    let permit = permits
        .iter()
        .find(|p| {
            p.require_on_user(Action::DeactivateUser, user).is_ok()
                && p.require_in(Action::DeactivateUser, company).is_ok()
        })
        .ok_or_else(|| {
            Error::Internal(format!(
                "no permit to (re)activate in company {}",
                company.0
            ))
        })?;
    Change::authorized_in(permit, Action::DeactivateUser, company)
}

/// One company to deactivate the user in, and who takes over there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deactivation {
    pub company: CompanyId,
    pub substitute: Option<UserId>,
}

/// What the substitute's email needs.
pub struct Notice<'a> {
    pub account_name: &'a str,
    pub base_url: &'a str,
    pub letters: &'a dyn Letters,
}

/// Users who may stand in for `user` in `company`: active, with active access there, not
/// the user themself; by displayed name.
pub fn substitutes(
    conn: &mut DbConnection,
    user: &UserRow,
    company: CompanyId,
) -> Result<Vec<UserRow>> {
    Ok(may_stand_in(user, company)
        .order((users::display_name, users::id))
        .select(UserRow::as_select())
        .load(conn)?)
}

/// The users who may stand in for `user` in `company` (see `substitutes`), as a query.
fn may_stand_in(
    user: &UserRow,
    company: CompanyId,
) -> diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<users::table, memberships::table>,
    crate::db::MultiBackend,
> {
    users::table
        .inner_join(memberships::table)
        .filter(users::account_id.eq(user.account_id))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .filter(users::id.ne(user.id))
        .filter(memberships::company_id.eq(company))
        .filter(memberships::active.eq(true))
        .into_boxed()
}

/// Deactivates the user in the companies given, each with its substitute (checked: an
/// active user with active access there, never the user). `permits` hold DeactivateUser
/// on the user in each company. Deactivated in every company, the user can no longer sign
/// in and their sessions end now. Each substitute is told by email.
pub fn deactivate(
    conn: &mut DbConnection,
    permits: &[Permit],
    user: UserId,
    chosen: &[Deactivation],
    notice: &Notice<'_>,
) -> Result<UserRow> {
    if chosen.is_empty() {
        return Err(Error::field(
            "companies",
            "Choose at least one company to deactivate the user in.",
        ));
    }
    let changes: Vec<Change> = chosen
        .iter()
        .map(|d| change_in(permits, user, d.company))
        .collect::<Result<_>>()?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, changes[0].account_id(), user)?;
        for (d, change) in chosen.iter().zip(&changes) {
            let membership: Option<(i64, bool)> = memberships::table
                .filter(memberships::user_id.eq(user))
                .filter(memberships::company_id.eq(d.company))
                .select((memberships::id, memberships::active))
                .first(conn)
                .optional()?;
            let company_name = companies::name_of(conn, d.company)?;
            let Some((membership, true)) = membership else {
                return Err(Error::field(
                    "companies",
                    format!("{} is not active in {company_name}.", person.display_name),
                ));
            };
            let substitute = match d.substitute {
                None => None,
                Some(id) => {
                    let found: Option<UserRow> = may_stand_in(&person, d.company)
                        .filter(users::id.eq(id))
                        .select(UserRow::as_select())
                        .first(conn)
                        .optional()?;
                    let Some(found) = found else {
                        return Err(Error::field(
                            "substitute",
                            format!(
                                "The substitute in {company_name} must be another active user \
                                 with access there."
                            ),
                        ));
                    };
                    Some(found)
                }
            };
            diesel::update(memberships::table.find(membership))
                .set((
                    memberships::active.eq(false),
                    memberships::deactivated_at.eq(Some(change.now)),
                    memberships::substitute_id.eq(substitute.as_ref().map(|s| s.id)),
                ))
                .execute(conn)?;
            let detail = match &substitute {
                Some(s) => format!("{company_name}; substitute {}", s.display_name),
                None => format!("{company_name}; no substitute"),
            };
            change.record(
                conn,
                AuditAction::UserDeactivated,
                Some(user),
                Some(d.company),
                &detail,
            )?;
            if let Some(s) = substitute {
                tell_substitute(conn, change, &person, &s, &company_name, notice)?;
            }
        }
        let status = settled(conn, &person)?;
        if status == UserStatus::Deactivated && person.status() != UserStatus::Deactivated {
            keep_an_administrator(conn, &person)?;
            set_status(conn, &person, status, changes[0].now)?;
            sessions::end_everywhere(conn, &person, changes[0].now)?;
        } else {
            bump(conn, &person, changes[0].now)?;
        }
        people::find(conn, person.account_id, user)
    })
}

fn tell_substitute(
    conn: &mut DbConnection,
    change: &Change,
    person: &UserRow,
    substitute: &UserRow,
    company: &str,
    notice: &Notice<'_>,
) -> Result<()> {
    let link = format!("{}/users/{}", notice.base_url, person.id);
    let letter = notice.letters.substitute(&SubstituteLetter {
        account: notice.account_name,
        name: &substitute.display_name,
        deactivated: &person.display_name,
        company,
        link: &link,
    })?;
    outbox::enqueue_letter(
        conn,
        change.account_id(),
        &substitute.email,
        &letter,
        change.now,
    )
}

/// A new version for the user, so forms drawn before are refused as changed.
fn bump(conn: &mut DbConnection, user: &UserRow, now: chrono::NaiveDateTime) -> Result<()> {
    diesel::update(users::table.find(user.id))
        .set((
            users::updated_at.eq(now),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Reactivates the user in the companies given (where they are deactivated): their access
/// there is as it was, the substitute is cleared, and they take a seat again, refused over
/// the seat limit. `permits` hold DeactivateUser on the user in each company.
pub fn reactivate(
    conn: &mut DbConnection,
    permits: &[Permit],
    user: UserId,
    chosen: &[CompanyId],
) -> Result<UserRow> {
    if chosen.is_empty() {
        return Err(Error::field(
            "companies",
            "Choose at least one company to reactivate the user in.",
        ));
    }
    let changes: Vec<Change> = chosen
        .iter()
        .map(|company| change_in(permits, user, *company))
        .collect::<Result<_>>()?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, changes[0].account_id(), user)?;
        let seats = SeatGuard::open(conn, person.account_id)?;
        for (company, change) in chosen.iter().zip(&changes) {
            let updated = diesel::update(
                memberships::table
                    .filter(memberships::user_id.eq(user))
                    .filter(memberships::company_id.eq(*company))
                    .filter(memberships::active.eq(false)),
            )
            .set((
                memberships::active.eq(true),
                memberships::deactivated_at.eq(None::<chrono::NaiveDateTime>),
                memberships::substitute_id.eq(None::<UserId>),
            ))
            .execute(conn)?;
            let company_name = companies::name_of(conn, *company)?;
            if updated == 0 {
                return Err(Error::field(
                    "companies",
                    format!(
                        "{} is not deactivated in {company_name}.",
                        person.display_name
                    ),
                ));
            }
            change.record(
                conn,
                AuditAction::UserReactivated,
                Some(user),
                Some(*company),
                &company_name,
            )?;
        }
        let status = settled(conn, &person)?;
        if status != person.status() {
            set_status(conn, &person, status, changes[0].now)?;
        } else {
            bump(conn, &person, changes[0].now)?;
        }
        seats.check(conn)?;
        people::find(conn, person.account_id, user)
    })
}

/// Blocks the person: they are signed out everywhere at once and cannot sign in until
/// Activate. `permit` is for BlockUser on the user as a person.
pub fn block(conn: &mut DbConnection, permit: &Permit, user: UserId) -> Result<UserRow> {
    let change = Change::authorized_on_user(permit, Action::BlockUser, user)?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, change.account_id(), user)?;
        if person.status() == UserStatus::Blocked {
            return Err(Error::Conflict(format!(
                "{} is blocked already.",
                person.display_name
            )));
        }
        keep_an_administrator(conn, &person)?;
        set_status(conn, &person, UserStatus::Blocked, change.now)?;
        sessions::end_everywhere(conn, &person, change.now)?;
        change.record(conn, AuditAction::UserBlocked, Some(user), None, "")?;
        people::find(conn, person.account_id, user)
    })
}

/// Activate: undoes Block. The user is then as their companies and password say (Active,
/// Invited, or Deactivated when no company is active).
pub fn activate(conn: &mut DbConnection, permit: &Permit, user: UserId) -> Result<UserRow> {
    let change = Change::authorized_on_user(permit, Action::BlockUser, user)?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, change.account_id(), user)?;
        if person.status() != UserStatus::Blocked {
            return Err(Error::Conflict(format!(
                "{} is not blocked.",
                person.display_name
            )));
        }
        let seats = SeatGuard::open(conn, person.account_id)?;
        // Settled as if not blocked.
        let unblocked = UserRow {
            status: UserStatus::Active.as_str().to_owned(),
            ..person.clone()
        };
        let status = settled(conn, &unblocked)?;
        set_status(conn, &person, status, change.now)?;
        change.record(
            conn,
            AuditAction::UserActivated,
            Some(user),
            None,
            status.label(),
        )?;
        seats.check(conn)?;
        people::find(conn, person.account_id, user)
    })
}

/// Ends every session of the user now (they sign in again). `permit` is for EndSessions
/// on the user as a person.
pub fn end_sessions(conn: &mut DbConnection, permit: &Permit, user: UserId) -> Result<UserRow> {
    let change = Change::authorized_on_user(permit, Action::EndSessions, user)?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, change.account_id(), user)?;
        sessions::end_everywhere(conn, &person, change.now)?;
        change.record(
            conn,
            AuditAction::SessionsEnded,
            Some(user),
            None,
            "by an administrator",
        )?;
        people::find(conn, person.account_id, user)
    })
}

/// Where the user is deactivated, and the displayed name of their substitute there (None:
/// no substitute, or theirs was deleted since).
pub fn deactivated_in(
    conn: &mut DbConnection,
    user: UserId,
) -> Result<Vec<(CompanyId, Option<String>)>> {
    let rows: Vec<(CompanyId, Option<UserId>)> = memberships::table
        .filter(memberships::user_id.eq(user))
        .filter(memberships::active.eq(false))
        .select((memberships::company_id, memberships::substitute_id))
        .load(conn)?;
    let ids: Vec<UserId> = rows.iter().filter_map(|(_, s)| *s).collect();
    let names: std::collections::HashMap<UserId, String> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::display_name))
        .load::<(UserId, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(company, s)| (company, s.and_then(|s| names.get(&s).cloned())))
        .collect())
}

/// Deletes the user: their row goes, and with it their companies, roles and access,
/// sessions, invitations (their links die) and emails not sent yet, saved filters and the
/// comments about them, so their email can be invited again and their seat is free. The
/// audit events about them or by them stay, with their displayed name as it was.
/// `permit` is for DeleteUser on the user as a person (users.delete in every company).
pub fn delete(conn: &mut DbConnection, permit: &Permit, user: UserId) -> Result<String> {
    use crate::db::schema::audit_events;
    let change = Change::authorized_on_user(permit, Action::DeleteUser, user)?;
    crate::db::write_transaction(conn, |conn| {
        let person = people::find(conn, change.account_id(), user)?;
        keep_an_administrator(conn, &person)?;
        change.record(
            conn,
            AuditAction::UserDeleted,
            Some(user),
            None,
            &person.email,
        )?;
        let name = person.display_name.clone();
        diesel::update(audit_events::table.filter(audit_events::actor_user_id.eq(user)))
            .set(audit_events::actor_name.eq(Some(&name)))
            .execute(conn)?;
        diesel::update(audit_events::table.filter(audit_events::target_user_id.eq(user)))
            .set(audit_events::target_name.eq(Some(&name)))
            .execute(conn)?;
        outbox::cancel_unsent(conn, user)?;
        diesel::delete(
            users::table
                .filter(users::id.eq(user))
                .filter(users::account_id.eq(person.account_id)),
        )
        .execute(conn)?;
        Ok(name)
    })
}
