use crate::auth::rights::{Right, RightSet};
use crate::db::schema::{companies, membership_roles, memberships, role_rights, roles};
use crate::db::{DbConnection, last_insert_id};
use crate::domain::companies::CompanyRow;
use crate::domain::roles::{HeldRole, RoleRow};
use crate::domain::{CompanyId, MembershipId, Result, RoleId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::BTreeMap;

#[derive(Insertable)]
#[diesel(table_name = memberships, treat_none_as_null = true)]
struct NewMembership {
    user_id: UserId,
    company_id: CompanyId,
    active: bool,
    created_at: NaiveDateTime,
}

/// Gives a user access to a company with the given roles. Call inside a transaction.
pub fn add(
    conn: &mut DbConnection,
    user_id: UserId,
    company_id: CompanyId,
    role_ids: &[RoleId],
    now: NaiveDateTime,
) -> Result<MembershipId> {
    diesel::insert_into(memberships::table)
        .values(NewMembership {
            user_id,
            company_id,
            active: true,
            created_at: now,
        })
        .execute(conn)?;
    let id = MembershipId(last_insert_id(conn)?);
    // One statement per row: MultiBackend has no multi-row INSERT.
    for role_id in role_ids {
        diesel::insert_into(membership_roles::table)
            .values((
                membership_roles::membership_id.eq(id),
                membership_roles::role_id.eq(*role_id),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// One company a user can work in, and the roles they hold there.
#[derive(Debug, Clone)]
pub struct CompanyAccess {
    pub company: CompanyRow,
    pub active: bool,
    pub roles: Vec<HeldRole>,
}

/// The user's companies (not archived) with their roles, for profiles and the Actor.
pub fn access_of(conn: &mut DbConnection, user_id: UserId) -> Result<Vec<CompanyAccess>> {
    let rows: Vec<(MembershipId, bool, CompanyRow)> = memberships::table
        .inner_join(companies::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(companies::archived_at.is_null())
        .order((companies::name, companies::id))
        .select((
            memberships::id,
            memberships::active,
            CompanyRow::as_select(),
        ))
        .load(conn)?;
    let membership_ids: Vec<MembershipId> = rows.iter().map(|(id, _, _)| *id).collect();
    let held: Vec<(MembershipId, RoleRow)> = membership_roles::table
        .inner_join(roles::table)
        .filter(membership_roles::membership_id.eq_any(&membership_ids))
        .order(roles::name)
        .select((membership_roles::membership_id, RoleRow::as_select()))
        .load(conn)?;
    let role_ids: Vec<RoleId> = held.iter().map(|(_, r)| r.id).collect();
    let rights: Vec<(RoleId, String)> = role_rights::table
        .filter(role_rights::role_id.eq_any(&role_ids))
        .select((role_rights::role_id, role_rights::right_code))
        .load(conn)?;
    let mut rights_by_role: BTreeMap<RoleId, RightSet> = BTreeMap::new();
    for (role, code) in rights {
        if let Some(right) = Right::from_code(&code) {
            rights_by_role.entry(role).or_default().insert(right);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(membership, active, company)| CompanyAccess {
            company,
            active,
            roles: held
                .iter()
                .filter(|(m, _)| *m == membership)
                .map(|(_, role)| HeldRole {
                    rights: rights_by_role.get(&role.id).copied().unwrap_or_default(),
                    role: role.clone(),
                })
                .collect(),
        })
        .collect())
}

/// The rights a user holds in each company where their access is active.
pub fn rights_by_company(access: &[CompanyAccess]) -> BTreeMap<CompanyId, RightSet> {
    access
        .iter()
        .filter(|a| a.active)
        .map(|a| {
            let rights = a
                .roles
                .iter()
                .fold(RightSet::default(), |acc, r| acc.union(r.rights));
            (a.company.id, rights)
        })
        .collect()
}

/// The user as the policy sees them: their rights per company where their access is active
/// (archived companies are not in `access`). `account_companies` is how many active
/// companies the account has; `ip` and `now` are the request's, for the permits made.
pub fn actor_of(
    user: &crate::domain::users::UserRow,
    access: &[CompanyAccess],
    account_companies: usize,
    ip: Option<String>,
    now: NaiveDateTime,
) -> crate::auth::policy::Actor {
    crate::auth::policy::Actor {
        user_id: user.id,
        account_id: user.account_id,
        is_account_admin: user.is_account_admin,
        rights: rights_by_company(access),
        account_companies,
        ip,
        now,
    }
}
