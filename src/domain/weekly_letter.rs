//! The Monday letter (seed 000): every Monday, each account's Configurators (users with
//! config.manage, account administrators included) get one letter listing the users without
//! access to a required custom field, only when there are some, and at most once per account
//! and ISO week: the week is claimed by a row with a unique key, in the same transaction as
//! the emails. Users who turned email subscriptions off do not get it.

use crate::auth::policy::{self, Action};
use crate::db::DbConnection;
use crate::db::schema::{membership_roles, memberships, role_rights, users, weekly_letters};
use crate::domain::outbox::{self, Letters, WeeklyLetter};
use crate::domain::user_list::{self, Scope, UserFilter};
use crate::domain::users::{UserRow, UserStatus};
use crate::domain::{AccountId, Result, accounts};
use chrono::{Datelike, NaiveDateTime, Weekday};
use diesel::prelude::*;

/// At most this many names in the letter; the link shows them all.
const LISTED: i64 = 50;

/// Sends the week's letters that are due; returns how many emails were queued.
pub fn send_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    base_url: &str,
    letters: &dyn Letters,
) -> Result<usize> {
    if now.weekday() != Weekday::Mon {
        return Ok(0);
    }
    let week = now.iso_week();
    let week = format!("{}-W{:02}", week.year(), week.week());
    // Looked at once a minute all Monday: the accounts already done this week are skipped
    // with one read, not a write transaction each.
    let done: Vec<AccountId> = weekly_letters::table
        .filter(weekly_letters::iso_week.eq(&week))
        .select(weekly_letters::account_id)
        .load(conn)?;
    let mut queued = 0;
    for account in accounts::all(conn)? {
        // Basic Settings can turn the letter off for an account.
        if !account.weekly_letter || done.contains(&account.id) {
            continue;
        }
        // One account's failure (say, a second instance winning the week's key) must not
        // keep the others from their letter.
        match letter_for(
            conn,
            account.id,
            &account.name,
            &week,
            now,
            base_url,
            letters,
        ) {
            Ok(n) => queued += n,
            Err(e) => tracing::warn!(account = account.id.0, error = %e, "weekly letter failed"),
        }
    }
    Ok(queued)
}

fn letter_for(
    conn: &mut DbConnection,
    account: AccountId,
    account_name: &str,
    week: &str,
    now: NaiveDateTime,
    base_url: &str,
    letters: &dyn Letters,
) -> Result<usize> {
    crate::db::write_transaction(conn, |conn| {
        let done: i64 = weekly_letters::table
            .filter(weekly_letters::account_id.eq(account))
            .filter(weekly_letters::iso_week.eq(week))
            .count()
            .get_result(conn)?;
        if done > 0 {
            return Ok(0);
        }
        let missing = UserFilter {
            missing_required: true,
            ..UserFilter::default()
        };
        let backend = crate::db::list_sql::backend(conn);
        let total: i64 = user_list::filtered(backend, account, &Scope::Account, &missing, now)
            .count()
            .get_result(conn)?;
        let recipients = if total == 0 {
            Vec::new()
        } else {
            configurators(conn, account, now)?
        };
        // The week is claimed even when there is nothing to say, so it is decided once. A
        // second instance racing here fails on the primary key and sends nothing.
        diesel::insert_into(weekly_letters::table)
            .values((
                weekly_letters::account_id.eq(account),
                weekly_letters::iso_week.eq(week),
                weekly_letters::recipients.eq(i32::try_from(recipients.len()).unwrap_or(i32::MAX)),
                weekly_letters::created_at.eq(now),
            ))
            .execute(conn)?;
        if recipients.is_empty() {
            return Ok(0);
        }
        let people: Vec<UserRow> =
            user_list::filtered(backend, account, &Scope::Account, &missing, now)
                .order((users::display_name, users::id))
                .limit(LISTED)
                .select(UserRow::as_select())
                .load(conn)?;
        let link = format!("{base_url}/users?missing_required=1");
        let letter = letters.weekly(&WeeklyLetter {
            account: account_name,
            total,
            people: &people,
            link: &link,
        })?;
        for to in &recipients {
            outbox::enqueue_letter(conn, account, &to.email, &letter, now)?;
        }
        Ok(recipients.len())
    })
}

/// Active users of the account whom the policy lets configure somewhere (config.manage in
/// a company, or account administrators), who have not turned email subscriptions off.
/// The query only narrows the candidates; the policy decides, as it does for the pages.
fn configurators(
    conn: &mut DbConnection,
    account: AccountId,
    now: NaiveDateTime,
) -> Result<Vec<UserRow>> {
    let candidates = candidates(conn, account)?;
    if candidates.is_empty() {
        return Ok(candidates);
    }
    let companies = crate::domain::companies::active_for_account(conn, account)?.len();
    let mut configurators = Vec::with_capacity(candidates.len());
    for user in candidates {
        let access = crate::domain::memberships::access_of(conn, user.id)?;
        let actor = crate::domain::memberships::actor_of(&user, &access, companies, None, now);
        if policy::allowed_somewhere(&actor, Action::ManageConfig) {
            configurators.push(user);
        }
    }
    Ok(configurators)
}

fn candidates(conn: &mut DbConnection, account: AccountId) -> Result<Vec<UserRow>> {
    let with_right = memberships::table
        .inner_join(membership_roles::table)
        .inner_join(role_rights::table.on(role_rights::role_id.eq(membership_roles::role_id)))
        .filter(role_rights::right_code.eq(crate::auth::rights::Right::ConfigManage.code()))
        .filter(memberships::active.eq(true))
        .select(memberships::user_id);
    Ok(users::table
        .filter(users::account_id.eq(account))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .filter(users::email_subscriptions.eq(true))
        .filter(
            users::is_account_admin
                .eq(true)
                .or(users::id.eq_any(with_right)),
        )
        .order(users::id)
        .select(UserRow::as_select())
        .load(conn)?)
}
