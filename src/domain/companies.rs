use crate::db::schema::companies;
use crate::db::{DbConnection, last_insert_id};
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
        .take(32)
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
