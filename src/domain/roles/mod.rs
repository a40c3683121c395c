//! Roles: the built-in ones every account starts with, their rights, and lists with the
//! number of holders.

use crate::auth::rights::{Right, RightSet};
use crate::db::schema::{role_rights, roles};
use crate::db::{DbConnection, last_insert_id};
use crate::domain::{AccountId, Result, RoleId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatKind {
    Full,
    Light,
}

impl SeatKind {
    pub const ALL: [SeatKind; 2] = [SeatKind::Full, SeatKind::Light];

    /// The database text, also the form's value.
    pub fn as_str(self) -> &'static str {
        match self {
            SeatKind::Full => "full",
            SeatKind::Light => "light",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            SeatKind::Full => "Full",
            SeatKind::Light => "Light",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = roles)]
pub struct RoleRow {
    pub id: RoleId,
    pub account_id: AccountId,
    pub name: String,
    pub description: String,
    pub seat_kind: String,
    pub builtin: bool,
    pub created_at: NaiveDateTime,
}

impl RoleRow {
    pub fn seat(&self) -> SeatKind {
        // The CHECK constraint in the schema admits only the two values.
        SeatKind::parse(&self.seat_kind).unwrap_or(SeatKind::Full)
    }
}

#[derive(Insertable)]
#[diesel(table_name = roles, treat_none_as_null = true)]
struct NewRole<'a> {
    account_id: AccountId,
    name: &'a str,
    name_lower: String,
    description: &'a str,
    seat_kind: &'a str,
    builtin: bool,
    created_at: NaiveDateTime,
}

pub struct BuiltinRole {
    pub name: &'static str,
    pub description: &'static str,
    pub seat: SeatKind,
    pub rights: &'static [Right],
}

pub const ADMIN_ROLE: &str = "Admin";

/// Every new account gets these; administrators may change them later.
pub const BUILTIN_ROLES: [BuiltinRole; 4] = [
    BuiltinRole {
        name: ADMIN_ROLE,
        description: "Everything in the company, including roles and configuration.",
        seat: SeatKind::Full,
        rights: &Right::ALL,
    },
    BuiltinRole {
        name: "Manager",
        description: "Invites and manages the company's users; no roles or configuration.",
        seat: SeatKind::Full,
        rights: &[
            Right::UsersView,
            Right::UsersInvite,
            Right::UsersEdit,
            Right::UsersDeactivate,
            Right::AuditView,
        ],
    },
    BuiltinRole {
        name: "Editor",
        description: "Works in the company and sees who else does.",
        seat: SeatKind::Full,
        rights: &[Right::UsersView],
    },
    BuiltinRole {
        name: "Viewer",
        description: "Views and comments; no administration.",
        seat: SeatKind::Light,
        rights: &[],
    },
];

/// A role as a user holds it, with its rights for the hover text.
#[derive(Debug, Clone)]
pub struct HeldRole {
    pub role: RoleRow,
    pub rights: RightSet,
}

impl HeldRole {
    pub fn rights_text(&self) -> String {
        if self.rights.is_empty() {
            return "No rights: a role for the business only".into();
        }
        let labels: Vec<&str> = self.rights.iter().map(Right::label).collect();
        labels.join(", ")
    }

    /// The rights as a line under the role's name: "Allows: View users, Invite users".
    pub fn allows_text(&self) -> String {
        if self.rights.is_empty() {
            self.rights_text()
        } else {
            format!("Allows: {}", self.rights_text())
        }
    }
}

pub fn create_builtin(
    conn: &mut DbConnection,
    account_id: AccountId,
    now: NaiveDateTime,
) -> Result<()> {
    for role in &BUILTIN_ROLES {
        diesel::insert_into(roles::table)
            .values(NewRole {
                account_id,
                name: role.name,
                name_lower: role.name.to_lowercase(),
                description: role.description,
                seat_kind: role.seat.as_str(),
                builtin: true,
                created_at: now,
            })
            .execute(conn)?;
        let role_id = RoleId(last_insert_id(conn)?);
        // One statement per row: MultiBackend has no multi-row INSERT.
        for right in role.rights {
            diesel::insert_into(role_rights::table)
                .values((
                    role_rights::role_id.eq(role_id),
                    role_rights::right_code.eq(right.code()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn find_by_name(conn: &mut DbConnection, account_id: AccountId, name: &str) -> Result<RoleRow> {
    Ok(roles::table
        .filter(roles::account_id.eq(account_id))
        .filter(roles::name.eq(name))
        .select(RoleRow::as_select())
        .first(conn)?)
}

/// The rights of each given role, in one query.
pub fn rights_of(conn: &mut DbConnection, role_ids: &[RoleId]) -> Result<Vec<(RoleId, RightSet)>> {
    let pairs: Vec<(RoleId, String)> = role_rights::table
        .filter(role_rights::role_id.eq_any(role_ids))
        .select((role_rights::role_id, role_rights::right_code))
        .load(conn)?;
    Ok(role_ids
        .iter()
        .map(|id| {
            let set = pairs
                .iter()
                .filter(|(role, _)| role == id)
                .filter_map(|(_, code)| Right::from_code(code))
                .collect();
            (*id, set)
        })
        .collect())
}

/// A role with its rights and how many users hold it, for lists and the permission table.
#[derive(Debug, Clone)]
pub struct RoleSummary {
    pub role: RoleRow,
    pub rights: RightSet,
    pub holders: i64,
}

impl RoleSummary {
    /// For the hover text wherever the role is shown.
    pub fn rights_text(&self) -> String {
        HeldRole {
            role: self.role.clone(),
            rights: self.rights,
        }
        .rights_text()
    }

    pub fn seat_label(&self) -> &'static str {
        self.role.seat().label()
    }
}

/// The account's roles with their rights, by name: what pages that show roles (with their
/// rights on hover) need, without counting holders.
pub fn with_rights(conn: &mut DbConnection, account_id: AccountId) -> Result<Vec<HeldRole>> {
    let all: Vec<RoleRow> = roles::table
        .filter(roles::account_id.eq(account_id))
        .order((roles::name_lower, roles::id))
        .select(RoleRow::as_select())
        .load(conn)?;
    let ids: Vec<RoleId> = all.iter().map(|r| r.id).collect();
    let rights = rights_of(conn, &ids)?;
    Ok(all
        .into_iter()
        .zip(rights)
        .map(|(role, (_, rights))| HeldRole { role, rights })
        .collect())
}

/// The roles with how many users hold each, for the Roles pages.
pub fn list(conn: &mut DbConnection, account_id: AccountId) -> Result<Vec<RoleSummary>> {
    use crate::db::schema::{membership_roles, memberships};
    let all = with_rights(conn, account_id)?;
    let ids: Vec<RoleId> = all.iter().map(|r| r.role.id).collect();
    let held: Vec<(RoleId, i64)> = membership_roles::table
        .inner_join(memberships::table)
        .filter(membership_roles::role_id.eq_any(&ids))
        .select((membership_roles::role_id, memberships::user_id))
        .distinct()
        .load(conn)?;
    Ok(all
        .into_iter()
        .map(|HeldRole { role, rights }| {
            let holders = held.iter().filter(|(r, _)| *r == role.id).count() as i64;
            RoleSummary {
                role,
                rights,
                holders,
            }
        })
        .collect())
}

pub fn find(conn: &mut DbConnection, account_id: AccountId, id: RoleId) -> Result<RoleSummary> {
    list(conn, account_id)?
        .into_iter()
        .find(|r| r.role.id == id)
        .ok_or(crate::domain::Error::NotFound)
}

mod manage;

pub use manage::{RoleInput, create, delete, out_of_reach, update};

#[cfg(test)]
mod seat_tests {
    use super::SeatKind;

    #[test]
    fn every_seat_kind_round_trips_through_its_database_text() {
        for kind in SeatKind::ALL {
            assert_eq!(SeatKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SeatKind::parse("Full"), None);
    }
}
