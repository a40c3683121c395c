use crate::auth::policy::{Action, Permit};
use crate::db::schema::companies;
use crate::db::{DbConnection, last_insert_id};
use crate::domain::audit::Change;
use crate::domain::{AccountId, CompanyId, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = companies)]
pub struct CompanyRow {
    pub id: CompanyId,
    pub account_id: AccountId,
    pub name: String,
    pub code: String,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = companies, treat_none_as_null = true)]
struct NewCompany<'a> {
    account_id: AccountId,
    name: &'a str,
    code: &'a str,
    code_lower: String,
    created_at: NaiveDateTime,
}

pub fn create(
    conn: &mut DbConnection,
    account_id: AccountId,
    name: &str,
    code: &str,
    now: NaiveDateTime,
) -> Result<CompanyRow> {
    diesel::insert_into(companies::table)
        .values(NewCompany {
            account_id,
            name,
            code,
            code_lower: code.to_lowercase(),
            created_at: now,
        })
        .execute(conn)?;
    let id = CompanyId(last_insert_id(conn)?);
    Ok(companies::table
        .find(id)
        .select(CompanyRow::as_select())
        .first(conn)?)
}

/// A short upper-case code derived from a name ("Main company" -> "MAIN-COMPANY").
pub fn code_from_name(name: &str) -> String {
    let mut code = String::new();
    for ch in name.trim().chars() {
        if ch.is_alphanumeric() {
            code.extend(ch.to_uppercase());
        } else if !code.ends_with('-') && !code.is_empty() {
            code.push('-');
        }
    }
    let code = code
        .trim_end_matches('-')
        .chars()
        .take(crate::domain::limits::CODE)
        .collect::<String>();
    if code.is_empty() {
        "COMPANY".into()
    } else {
        code
    }
}

/// The account's companies that are not archived, by name.
pub fn active_for_account(
    conn: &mut DbConnection,
    account_id: AccountId,
) -> Result<Vec<CompanyRow>> {
    Ok(companies::table
        .filter(companies::account_id.eq(account_id))
        .filter(companies::archived_at.is_null())
        .order((companies::name, companies::id))
        .select(CompanyRow::as_select())
        .load(conn)?)
}

/// The account's archived companies.
/// A company's name, for messages and the audit log (the id was checked already).
pub fn name_of(conn: &mut DbConnection, id: CompanyId) -> Result<String> {
    Ok(companies::table
        .find(id)
        .select(companies::name)
        .first(conn)?)
}

pub fn archived_ids(conn: &mut DbConnection, account_id: AccountId) -> Result<Vec<CompanyId>> {
    Ok(companies::table
        .filter(companies::account_id.eq(account_id))
        .filter(companies::archived_at.is_not_null())
        .select(companies::id)
        .load(conn)?)
}

pub fn find_by_name(
    conn: &mut DbConnection,
    account_id: AccountId,
    name: &str,
) -> Result<Option<CompanyRow>> {
    Ok(companies::table
        .filter(companies::account_id.eq(account_id))
        .filter(crate::db::lower(companies::name).eq(name.trim().to_lowercase()))
        .select(CompanyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn rename(conn: &mut DbConnection, id: CompanyId, name: &str) -> Result<()> {
    diesel::update(companies::table.find(id))
        .set((
            companies::name.eq(name),
            companies::code.eq(code_from_name(name)),
            companies::code_lower.eq(code_from_name(name).to_lowercase()),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::code_from_name;

    #[test]
    fn codes_from_names() {
        assert_eq!(code_from_name("Main company"), "MAIN-COMPANY");
        assert_eq!(code_from_name("  Acme & Sons, Ltd. "), "ACME-SONS-LTD");
        assert_eq!(code_from_name("!!!"), "COMPANY");
    }
}

/// What the company form sends.
#[derive(Debug, Clone, Default)]
pub struct CompanyInput {
    pub name: String,
    pub code: String,
}

impl CompanyInput {
    pub fn validate(&self) -> crate::domain::FieldErrors {
        let item = crate::domain::catalog::ItemInput {
            name: self.name.clone(),
            code: self.code.clone(),
            required: false,
        };
        item.validate()
    }
}

pub fn all_for_account(conn: &mut DbConnection, account_id: AccountId) -> Result<Vec<CompanyRow>> {
    Ok(companies::table
        .filter(companies::account_id.eq(account_id))
        .order((
            companies::archived_at.is_not_null(),
            companies::name,
            companies::id,
        ))
        .select(CompanyRow::as_select())
        .load(conn)?)
}

/// A company of the account; another account's is NotFound.
pub fn find(conn: &mut DbConnection, account_id: AccountId, id: CompanyId) -> Result<CompanyRow> {
    companies::table
        .filter(companies::id.eq(id))
        .filter(companies::account_id.eq(account_id))
        .select(CompanyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(crate::domain::Error::NotFound)
}

fn company_code_taken(
    conn: &mut DbConnection,
    account_id: AccountId,
    code: &str,
    except: Option<CompanyId>,
) -> Result<bool> {
    let mut query = companies::table
        .filter(companies::account_id.eq(account_id))
        .filter(companies::code_lower.eq(code.trim().to_lowercase()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(companies::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

fn record_company(
    conn: &mut DbConnection,
    change: &crate::domain::audit::Change,
    company: CompanyId,
    action: crate::domain::audit::AuditAction,
    detail: &str,
) -> Result<()> {
    change.record(conn, action, None, Some(company), detail)
}

pub fn add(conn: &mut DbConnection, input: &CompanyInput, permit: &Permit) -> Result<CompanyRow> {
    let change = &Change::authorized(permit, Action::ManageCompanies)?;
    input.validate().into_result()?;
    crate::db::write_transaction(conn, |conn| {
        if company_code_taken(conn, change.account_id(), &input.code, None)? {
            return Err(crate::domain::Error::field(
                "code",
                "Another company of the account already has this code.",
            ));
        }
        let company = create(
            conn,
            change.account_id(),
            input.name.trim(),
            input.code.trim(),
            change.now,
        )?;
        let detail = format!("{} ({})", company.name, company.code);
        record_company(
            conn,
            change,
            company.id,
            crate::domain::audit::AuditAction::CompanyCreated,
            &detail,
        )?;
        Ok(company)
    })
}

pub fn update(
    conn: &mut DbConnection,
    company: &CompanyRow,
    input: &CompanyInput,
    permit: &Permit,
) -> Result<()> {
    let change = &Change::authorized(permit, Action::ManageCompanies)?;
    input.validate().into_result()?;
    crate::db::write_transaction(conn, |conn| {
        if company_code_taken(conn, change.account_id(), &input.code, Some(company.id))? {
            return Err(crate::domain::Error::field(
                "code",
                "Another company of the account already has this code.",
            ));
        }
        diesel::update(companies::table.find(company.id))
            .set((
                companies::name.eq(input.name.trim()),
                companies::code.eq(input.code.trim()),
                companies::code_lower.eq(input.code.trim().to_lowercase()),
            ))
            .execute(conn)?;
        let detail = format!(
            "{} ({}) was {} ({})",
            input.name.trim(),
            input.code.trim(),
            company.name,
            company.code
        );
        record_company(
            conn,
            change,
            company.id,
            crate::domain::audit::AuditAction::CompanyUpdated,
            &detail,
        )
    })
}

/// Archives or restores a company. The account always keeps one active company.
pub fn set_archived(
    conn: &mut DbConnection,
    company: &CompanyRow,
    archived: bool,
    permit: &Permit,
) -> Result<()> {
    let change = &Change::authorized(permit, Action::ManageCompanies)?;
    crate::db::write_transaction(conn, |conn| {
        if archived
            && company.archived_at.is_none()
            && active_for_account(conn, change.account_id())?.len() <= 1
        {
            return Err(crate::domain::Error::Conflict(
                "The account must keep at least one active company.".into(),
            ));
        }
        let at = archived.then_some(change.now);
        diesel::update(companies::table.find(company.id))
            .set(companies::archived_at.eq(at))
            .execute(conn)?;
        let action = if archived {
            crate::domain::audit::AuditAction::CompanyArchived
        } else {
            crate::domain::audit::AuditAction::CompanyRestored
        };
        record_company(conn, change, company.id, action, &company.name)
    })
}
