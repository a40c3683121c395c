//! Creating, editing and deleting roles, with the delete refused while anyone holds the role
//! and no right given that the editor does not hold everywhere.

use crate::auth::policy::{self, Action, Actor, Permit};
use crate::auth::rights::{Right, RightSet};
use crate::db::schema::{role_rights, roles};
use crate::db::{DbConnection, last_insert_id};
use crate::domain::audit::Change;
use crate::domain::roles::{NewRole, RoleRow, RoleSummary, SeatKind, find, rights_of};
use crate::domain::{AccountId, Result, RoleId, limits};
use diesel::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct RoleInput {
    pub name: String,
    pub description: String,
    pub seat_kind: String,
    pub rights: Vec<String>,
}

impl RoleInput {
    pub fn validate(&self) -> crate::domain::FieldErrors {
        let mut errors = crate::domain::FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "Enter a name.");
        } else {
            limits::check(&mut errors, "name", "A role name", name, limits::ROLE_NAME);
        }
        limits::check(
            &mut errors,
            "description",
            "A description",
            self.description.trim(),
            limits::ROLE_DESCRIPTION,
        );
        if SeatKind::parse(&self.seat_kind).is_none() {
            errors.add("seat_kind", "Choose Full or Light.");
        }
        if self
            .rights
            .iter()
            .any(|code| Right::from_code(code).is_none())
        {
            errors.add("rights", "Choose rights from the list.");
        }
        errors
    }

    /// The seat chosen; anything but Light is Full (validation refuses other texts).
    fn seat(&self) -> SeatKind {
        SeatKind::parse(&self.seat_kind).unwrap_or(SeatKind::Full)
    }

    fn right_set(&self) -> RightSet {
        self.rights
            .iter()
            .filter_map(|c| Right::from_code(c))
            .collect()
    }
}

fn name_taken(
    conn: &mut DbConnection,
    account_id: AccountId,
    name: &str,
    except: Option<RoleId>,
) -> Result<bool> {
    let mut query = roles::table
        .filter(roles::account_id.eq(account_id))
        .filter(roles::name_lower.eq(name.trim().to_lowercase()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(roles::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

fn set_rights(conn: &mut DbConnection, role_id: RoleId, rights: RightSet) -> Result<()> {
    diesel::delete(role_rights::table.filter(role_rights::role_id.eq(role_id))).execute(conn)?;
    for right in rights.iter() {
        diesel::insert_into(role_rights::table)
            .values((
                role_rights::role_id.eq(role_id),
                role_rights::right_code.eq(right.code()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The rights a role ends with when `actor` saves the form over a role that had `before`.
/// Rights the actor may not give are drawn disabled, and a browser does not post a disabled
/// box: so their absence means "left alone", and those the role had stay. Any such right
/// posted that the role did not have is refused, naming it.
fn rights_after(actor: &Actor, before: RightSet, input: &RoleInput) -> Result<RightSet> {
    let posted = input.right_set();
    if let Err(refused) = policy::may_give_rights(actor, posted.without(before)) {
        return Err(crate::domain::Error::field(
            "rights",
            refused.reason_to_give(),
        ));
    }
    Ok(posted.union(before.intersection(out_of_reach(actor))))
}

/// The rights the actor may neither give to a role nor take from it (drawn disabled).
pub fn out_of_reach(actor: &Actor) -> RightSet {
    policy::may_give_rights(actor, RightSet::all())
        .err()
        .map(|refused| refused.missing)
        .unwrap_or_default()
}

fn record(
    conn: &mut DbConnection,
    change: &crate::domain::audit::Change,
    action: crate::domain::audit::AuditAction,
    detail: &str,
) -> Result<()> {
    change.record(conn, action, None, None, detail)
}

fn rights_detail(name: &str, rights: RightSet) -> String {
    let codes: Vec<&str> = rights.iter().map(Right::code).collect();
    format!(
        "{name}: {}",
        if codes.is_empty() {
            "no rights".into()
        } else {
            codes.join(", ")
        }
    )
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &RoleInput,
    permit: &Permit,
) -> Result<RoleId> {
    let change = &Change::authorized(permit, Action::ManageRoles)?;
    input.validate().into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let rights = rights_after(actor, RightSet::default(), input)?;
        if name_taken(conn, change.account_id(), &input.name, None)? {
            return Err(crate::domain::Error::field(
                "name",
                "Another role already has this name.",
            ));
        }
        diesel::insert_into(roles::table)
            .values(NewRole {
                account_id: change.account_id(),
                name: input.name.trim(),
                name_lower: input.name.trim().to_lowercase(),
                description: input.description.trim(),
                seat_kind: input.seat().as_str(),
                builtin: false,
                created_at: change.now,
            })
            .execute(conn)?;
        let id = RoleId(last_insert_id(conn)?);
        set_rights(conn, id, rights)?;
        record(
            conn,
            change,
            crate::domain::audit::AuditAction::RoleCreated,
            &rights_detail(input.name.trim(), rights),
        )?;
        Ok(id)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    role: &RoleRow,
    input: &RoleInput,
    permit: &Permit,
) -> Result<()> {
    let change = &Change::authorized(permit, Action::ManageRoles)?;
    input.validate().into_result()?;
    crate::db::write_transaction(conn, |conn| {
        if name_taken(conn, change.account_id(), &input.name, Some(role.id))? {
            return Err(crate::domain::Error::field(
                "name",
                "Another role already has this name.",
            ));
        }
        diesel::update(roles::table.find(role.id))
            .set((
                roles::name.eq(input.name.trim()),
                roles::name_lower.eq(input.name.trim().to_lowercase()),
                roles::description.eq(input.description.trim()),
                roles::seat_kind.eq(input.seat().as_str()),
            ))
            .execute(conn)?;
        // Read after the row's update, which on PostgreSQL locks it: a concurrent save of
        // the same role waits, so the rights compared are the ones being replaced.
        let before = rights_of(conn, &[role.id])?
            .into_iter()
            .next()
            .map(|(_, rights)| rights)
            .unwrap_or_default();
        let rights = rights_after(actor, before, input)?;
        set_rights(conn, role.id, rights)?;
        record(
            conn,
            change,
            crate::domain::audit::AuditAction::RoleUpdated,
            &rights_detail(input.name.trim(), rights),
        )
    })
}

/// Deletes a role no one holds; refused, saying how many hold it, otherwise.
pub fn delete(conn: &mut DbConnection, role: &RoleSummary, permit: &Permit) -> Result<()> {
    let change = &Change::authorized(permit, Action::ManageRoles)?;
    crate::db::write_transaction(conn, |conn| {
        let current = find(conn, change.account_id(), role.role.id)?;
        if current.holders > 0 {
            let who = if current.holders == 1 {
                "1 user holds".to_owned()
            } else {
                format!("{} users hold", current.holders)
            };
            return Err(crate::domain::Error::Conflict(format!(
                "{who} the role {}. Take it away from them first, then delete it.",
                current.role.name
            )));
        }
        diesel::delete(roles::table.find(role.role.id)).execute(conn)?;
        record(
            conn,
            change,
            crate::domain::audit::AuditAction::RoleDeleted,
            &current.role.name,
        )
    })
}
