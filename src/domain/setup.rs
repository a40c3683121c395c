//! The first administrator: a one-time setup link printed at start on an empty database, and
//! `roster create-admin` for scripts.

use crate::auth::token;
use crate::db::DbConnection;
use crate::db::schema::setup_tokens;
use crate::domain::accounts::{self, AccountRow};
use crate::domain::audit::{self, AuditAction, Origin};
use crate::domain::users::{self, NewUser, UserRow, UserStatus};
use crate::domain::{AccountId, Error, Result, SetupTokenId, companies, memberships, roles};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

pub const SETUP_LINK_VALID_HOURS: i64 = 24;

/// A setup link to print: the account it is for and the token (only ever in memory).
pub struct SetupLink {
    pub account: AccountRow,
    pub token: String,
}

/// On an empty database creates the default account; then, for every account that has no
/// administrator yet, issues a fresh setup link (voiding older ones, whose plain text is
/// gone with the process that printed them).
pub fn bootstrap(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<SetupLink>> {
    crate::db::write_transaction(conn, |conn| {
        if accounts::all(conn)?.is_empty() {
            accounts::create(
                conn,
                accounts::DEFAULT_ACCOUNT_NAME,
                accounts::DEFAULT_COMPANY_NAME,
                now,
            )?;
        }
        let mut links = Vec::new();
        for account in accounts::all(conn)? {
            if users::admin_count(conn, account.id)? == 0 {
                let token = issue_token(conn, account.id, now)?;
                links.push(SetupLink { account, token });
            }
        }
        Ok(links)
    })
}

fn issue_token(
    conn: &mut DbConnection,
    account_id: AccountId,
    now: NaiveDateTime,
) -> Result<String> {
    void_tokens(conn, account_id, now)?;
    let token = token::random_token();
    diesel::insert_into(setup_tokens::table)
        .values((
            setup_tokens::account_id.eq(account_id),
            setup_tokens::token_hash.eq(token::hash_token(&token)),
            setup_tokens::expires_at.eq(now + TimeDelta::hours(SETUP_LINK_VALID_HOURS)),
            setup_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

fn void_tokens(conn: &mut DbConnection, account_id: AccountId, now: NaiveDateTime) -> Result<()> {
    diesel::update(
        setup_tokens::table
            .filter(setup_tokens::account_id.eq(account_id))
            .filter(setup_tokens::used_at.is_null())
            .filter(setup_tokens::voided_at.is_null()),
    )
    .set(setup_tokens::voided_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Why a setup link cannot be used; each gets its own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    Used,
    Replaced,
    Expired,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = setup_tokens)]
struct SetupTokenRow {
    id: SetupTokenId,
    account_id: AccountId,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    voided_at: Option<NaiveDateTime>,
}

fn find_usable(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Result<SetupTokenRow, LinkProblem>> {
    let row = setup_tokens::table
        .filter(setup_tokens::token_hash.eq(token::hash_token(token)))
        .select(SetupTokenRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Err(LinkProblem::Unknown),
        Some(row) if row.used_at.is_some() => Err(LinkProblem::Used),
        Some(row) if row.voided_at.is_some() => Err(LinkProblem::Replaced),
        Some(row) if row.expires_at <= now => Err(LinkProblem::Expired),
        Some(row) => Ok(row),
    })
}

/// The account a usable link is for, or why it cannot be used.
pub fn check_link(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Result<AccountRow, LinkProblem>> {
    match find_usable(conn, token, now)? {
        Ok(row) => Ok(Ok(accounts::find(conn, row.account_id)?)),
        Err(problem) => Ok(Err(problem)),
    }
}

/// What the first administrator enters on the setup page, already validated, with the
/// password already hashed (hashing is slow and stays outside the transaction).
pub struct FirstAdmin<'a> {
    pub account_name: &'a str,
    pub company_name: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: String,
}

/// Uses the link once: names the account and its first company, creates the administrator
/// with the Admin role there. All or nothing; a link used concurrently works only once.
pub fn complete(
    conn: &mut DbConnection,
    token: &str,
    admin: FirstAdmin<'_>,
    origin: &Origin,
    now: NaiveDateTime,
) -> Result<Result<UserRow, LinkProblem>> {
    crate::db::write_transaction(conn, |conn| {
        let row = match find_usable(conn, token, now)? {
            Ok(row) => row,
            Err(problem) => return Ok(Err(problem)),
        };
        let claimed = diesel::update(
            setup_tokens::table
                .filter(setup_tokens::id.eq(row.id))
                .filter(setup_tokens::used_at.is_null()),
        )
        .set(setup_tokens::used_at.eq(now))
        .execute(conn)?;
        if claimed != 1 {
            return Ok(Err(LinkProblem::Used));
        }
        accounts::rename(conn, row.account_id, admin.account_name)?;
        let company = companies::active_for_account(conn, row.account_id)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::Internal("account has no company".into()))?;
        companies::rename(conn, company.id, admin.company_name)?;
        let user = insert_admin(conn, row.account_id, company.id, &admin, now)?;
        let origin = Origin {
            actor: Some(user.id),
            ip: origin.ip.clone(),
        };
        audit::record(
            conn,
            &origin,
            audit::Event {
                account_id: row.account_id,
                action: AuditAction::SetupCompleted,
                target_user: Some(user.id),
                company: Some(company.id),
                detail: "first administrator created with the setup link",
            },
            now,
        )?;
        Ok(Ok(user))
    })
}

fn insert_admin(
    conn: &mut DbConnection,
    account_id: AccountId,
    company_id: crate::domain::CompanyId,
    admin: &FirstAdmin<'_>,
    now: NaiveDateTime,
) -> Result<UserRow> {
    let user = users::insert(
        conn,
        NewUser {
            account_id,
            email: admin.email,
            email_lower: admin.email.to_lowercase(),
            username: None,
            username_lower: None,
            first_name: admin.first_name,
            last_name: admin.last_name,
            display_name: users::default_display_name(
                admin.first_name,
                admin.last_name,
                admin.email,
            ),
            phone: "",
            password_hash: Some(admin.password_hash.clone()),
            status: UserStatus::Active.as_str(),
            is_account_admin: true,
            must_change_password: false,
            security_stamp: users::new_security_stamp(),
            created_at: now,
            updated_at: now,
        },
    )?;
    let admin_role = roles::find_by_name(conn, account_id, roles::ADMIN_ROLE)?;
    memberships::add(conn, user.id, company_id, &[admin_role.id], now)?;
    Ok(user)
}

/// Which account `create-admin` works on.
pub enum AccountChoice<'a> {
    /// The only account, created with default names if there is none.
    Default,
    /// The account of that name, created if missing.
    Named(&'a str),
}

/// Finds or creates the account and company `create-admin` names, without writing anything
/// else, so the password can be checked against the account name before the transaction.
pub fn resolve_account(
    conn: &mut DbConnection,
    choice: &AccountChoice<'_>,
) -> Result<Option<AccountRow>> {
    match choice {
        AccountChoice::Named(name) => accounts::find_by_name(conn, name),
        AccountChoice::Default => {
            let all = accounts::all(conn)?;
            match all.len() {
                0 | 1 => Ok(all.into_iter().next()),
                n => Err(Error::Conflict(format!(
                    "{n} accounts exist; name one with --account"
                ))),
            }
        }
    }
}

/// Creates an account administrator from the command line. The account and company are
/// created when missing; pending setup links of the account are voided.
pub fn create_admin(
    conn: &mut DbConnection,
    choice: &AccountChoice<'_>,
    company_name: Option<&str>,
    email: &str,
    password_hash: String,
    now: NaiveDateTime,
) -> Result<(AccountRow, UserRow)> {
    crate::db::write_transaction(conn, |conn| {
        let account = match resolve_account(conn, choice)? {
            Some(account) => account,
            None => {
                let name = match choice {
                    AccountChoice::Named(name) => *name,
                    AccountChoice::Default => accounts::DEFAULT_ACCOUNT_NAME,
                };
                accounts::create(
                    conn,
                    name,
                    company_name.unwrap_or(accounts::DEFAULT_COMPANY_NAME),
                    now,
                )?
            }
        };
        let company = match company_name {
            Some(name) => match companies::find_by_name(conn, account.id, name)? {
                Some(company) => company,
                None => companies::create(
                    conn,
                    account.id,
                    name,
                    &companies::code_from_name(name),
                    now,
                )?,
            },
            None => companies::active_for_account(conn, account.id)?
                .into_iter()
                .next()
                .ok_or_else(|| Error::Internal("account has no company".into()))?,
        };
        let admin = FirstAdmin {
            account_name: &account.name,
            company_name: &company.name,
            email,
            first_name: "",
            last_name: "",
            password_hash,
        };
        let user = insert_admin(conn, account.id, company.id, &admin, now)?;
        void_tokens(conn, account.id, now)?;
        audit::record(
            conn,
            &Origin::default(),
            audit::Event {
                account_id: account.id,
                action: AuditAction::AdminCreated,
                target_user: Some(user.id),
                company: Some(company.id),
                detail: "account administrator created from the command line",
            },
            now,
        )?;
        Ok((account, user))
    })
}
