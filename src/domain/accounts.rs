use crate::db::schema::accounts;
use crate::db::{DbConnection, last_insert_id};
use crate::domain::{AccountId, Result, companies, roles};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The account's settings that sign-in and sessions need; the settings page (a later issue)
/// edits them.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: AccountId,
    pub name: String,
    pub invitation_valid_hours: i32,
    pub lockout_threshold: i32,
    pub lockout_minutes: i32,
    pub session_idle_minutes: i32,
    pub session_absolute_minutes: i32,
    pub require_2fa: bool,
    pub created_at: NaiveDateTime,
    pub view_only_self_created: bool,
    pub full_seat_limit: Option<i32>,
    pub weekly_letter: bool,
}

#[derive(Insertable)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
struct NewAccount<'a> {
    name: &'a str,
    name_lower: String,
    created_at: NaiveDateTime,
}

pub const DEFAULT_ACCOUNT_NAME: &str = "Roster";
pub const DEFAULT_COMPANY_NAME: &str = "Main company";

/// Creates an account with its first company and the built-in roles. Call inside a
/// transaction.
pub fn create(
    conn: &mut DbConnection,
    name: &str,
    company_name: &str,
    now: NaiveDateTime,
) -> Result<AccountRow> {
    diesel::insert_into(accounts::table)
        .values(NewAccount {
            name,
            name_lower: name.to_lowercase(),
            created_at: now,
        })
        .execute(conn)?;
    let id = AccountId(last_insert_id(conn)?);
    companies::create(
        conn,
        id,
        company_name,
        &companies::code_from_name(company_name),
        now,
    )?;
    roles::create_builtin(conn, id, now)?;
    find(conn, id)
}

/// The account with what every signed-in page shows about it: how many active companies
/// it has and how many administrators (for the fewer-than-two warning). One query, since
/// every request asks.
pub fn find_with_counts(conn: &mut DbConnection, id: AccountId) -> Result<(AccountRow, i64, i64)> {
    use crate::db::schema::{companies, users};
    let active_companies = companies::table
        .filter(companies::account_id.eq(id))
        .filter(companies::archived_at.is_null())
        .count()
        .single_value();
    let admins = users::table
        .filter(users::account_id.eq(id))
        .filter(users::is_account_admin)
        .count()
        .single_value();
    let (account, companies, admins): (AccountRow, Option<i64>, Option<i64>) = accounts::table
        .find(id)
        .select((AccountRow::as_select(), active_companies, admins))
        .first(conn)?;
    Ok((account, companies.unwrap_or(0), admins.unwrap_or(0)))
}

pub fn find(conn: &mut DbConnection, id: AccountId) -> Result<AccountRow> {
    Ok(accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)?)
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<AccountRow>> {
    Ok(accounts::table
        .filter(accounts::name_lower.eq(name.trim().to_lowercase()))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn all(conn: &mut DbConnection) -> Result<Vec<AccountRow>> {
    Ok(accounts::table
        .order(accounts::id)
        .select(AccountRow::as_select())
        .load(conn)?)
}

pub fn rename(conn: &mut DbConnection, id: AccountId, name: &str) -> Result<()> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::name.eq(name),
            accounts::name_lower.eq(name.to_lowercase()),
        ))
        .execute(conn)?;
    Ok(())
}

/// For each user (any account), their id and their account's name, in the order given.
pub fn names_of_users(
    conn: &mut DbConnection,
    users: &[crate::domain::UserId],
) -> Result<Vec<(crate::domain::UserId, String)>> {
    use crate::db::schema::users as u;
    let found: Vec<(crate::domain::UserId, String)> = u::table
        .inner_join(accounts::table)
        .filter(u::id.eq_any(users))
        .select((u::id, accounts::name))
        .load(conn)?;
    Ok(users
        .iter()
        .filter_map(|id| found.iter().find(|(f, _)| f == id).cloned())
        .collect())
}
