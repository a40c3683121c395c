//! A user's access after they exist: per company their roles, locations, custom-field
//! options and product groups (what the wizard gave them, changed on their page), joining
//! more companies, and leaving one. Changing access in a company needs EditUserAccess on
//! the user there (never one's own: the policy refuses it); adding a company needs that on
//! the user and InviteUsers in the company added. Each save is one transaction that checks
//! the user's version, the roles (at least one per company, each grantable by the actor),
//! the items (still offered) and the full seats, and records what changed per company.

use crate::auth::policy::{Action, Actor, Permit};
use crate::db::DbConnection;
use crate::db::schema::{
    catalog_items, companies, membership_fields_all, membership_items, membership_roles,
    memberships, roles, users,
};
use crate::domain::audit::{AuditAction, Change};
use crate::domain::catalog::ItemKind;
use crate::domain::grants::{self, Grant};
use crate::domain::invitations::CompanyGrant;
use crate::domain::seats::SeatGuard;
use crate::domain::users::{self as people, UserRow};
use crate::domain::{CompanyId, Error, ItemId, MembershipId, Result, RoleId, UserId};
use diesel::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What the user holds in each of their companies that is not archived, by company.
pub fn held(conn: &mut DbConnection, user: UserId) -> Result<BTreeMap<CompanyId, Grant>> {
    let rows: Vec<(MembershipId, CompanyId, bool, bool)> = memberships::table
        .inner_join(companies::table)
        .filter(memberships::user_id.eq(user))
        .filter(companies::archived_at.is_null())
        .select((
            memberships::id,
            memberships::company_id,
            memberships::all_locations,
            memberships::all_product_groups,
        ))
        .load(conn)?;
    let ids: Vec<MembershipId> = rows.iter().map(|r| r.0).collect();
    let mut by_membership: BTreeMap<MembershipId, Grant> = rows
        .iter()
        .map(|(id, _, all_locations, all_product_groups)| {
            let grant = Grant {
                all_locations: *all_locations,
                all_product_groups: *all_product_groups,
                ..Grant::default()
            };
            (*id, grant)
        })
        .collect();
    let held_roles: Vec<(MembershipId, RoleId)> = membership_roles::table
        .filter(membership_roles::membership_id.eq_any(&ids))
        .select((membership_roles::membership_id, membership_roles::role_id))
        .load(conn)?;
    for (m, role) in held_roles {
        if let Some(g) = by_membership.get_mut(&m) {
            g.roles.insert(role);
        }
    }
    let items: Vec<(MembershipId, ItemId, String)> = membership_items::table
        .inner_join(catalog_items::table)
        .filter(membership_items::membership_id.eq_any(&ids))
        .select((
            membership_items::membership_id,
            membership_items::item_id,
            catalog_items::kind,
        ))
        .load(conn)?;
    for (m, item, kind) in items {
        let Some(g) = by_membership.get_mut(&m) else {
            continue;
        };
        match kind.as_str() {
            k if k == ItemKind::Location.as_str() => g.locations.insert(item),
            k if k == ItemKind::FieldOption.as_str() => g.options.insert(item),
            k if k == ItemKind::ProductGroup.as_str() => g.product_groups.insert(item),
            _ => false,
        };
    }
    let fields: Vec<(MembershipId, ItemId)> = membership_fields_all::table
        .filter(membership_fields_all::membership_id.eq_any(&ids))
        .select((
            membership_fields_all::membership_id,
            membership_fields_all::field_id,
        ))
        .load(conn)?;
    for (m, field) in fields {
        if let Some(g) = by_membership.get_mut(&m) {
            g.fields_all.insert(field);
        }
    }
    Ok(rows
        .iter()
        .filter_map(|(id, company, _, _)| Some((*company, by_membership.remove(id)?)))
        .collect())
}

/// What a save did: the companies whose access changed, and those the user joined.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Saved {
    pub changed: Vec<CompanyId>,
    pub added: Vec<CompanyId>,
}

/// The permit for changing the user's access in `company`: EditUserAccess there for a
/// company they belong to; for one they join, InviteUsers there beside EditUserAccess on
/// them somewhere (which no one holds on themself).
fn change_for(
    permits: &[Permit],
    user: UserId,
    company: CompanyId,
    member: bool,
) -> Result<Change> {
    let edit = permits.iter().find(|p| {
        p.require_on_user(Action::EditUserAccess, user).is_ok()
            && (!member || p.require_in(Action::EditUserAccess, company).is_ok())
    });
    if member {
        let Some(permit) = edit else {
            return Err(Error::Internal(format!(
                "no permit to change access in company {}",
                company.0
            )));
        };
        return Change::authorized_in(permit, Action::EditUserAccess, company);
    }
    let invite = permits
        .iter()
        .find(|p| p.require_in(Action::InviteUsers, company).is_ok());
    match (edit, invite) {
        (Some(_), Some(permit)) => Change::authorized_in(permit, Action::InviteUsers, company),
        _ => Err(Error::Internal(format!(
            "no permit to add the user to company {}",
            company.0
        ))),
    }
}

/// Saves the user's access in the companies of `wanted`: replaces what they hold in those
/// they belong to, and adds them to the others. Companies not in `wanted` stay as they are.
/// Refused with `Error::Changed` when the user was saved by someone else since `version`.
pub fn save(
    conn: &mut DbConnection,
    permits: &[Permit],
    granter: &Actor,
    user: UserId,
    version: i32,
    wanted: &[CompanyGrant],
) -> Result<Saved> {
    if wanted.is_empty() {
        return Err(Error::field("companies", "Choose at least one company."));
    }
    crate::db::write_transaction(conn, |conn| {
        let before = people::find(conn, granter.account_id, user)?;
        if before.version != version {
            return Err(Error::Changed);
        }
        let seats = SeatGuard::open(conn, before.account_id)?;
        let now_held = held(conn, user)?;
        // A new company's access would be active while the person is deactivated
        // everywhere else: Reactivate comes first.
        if before.status() == crate::domain::users::UserStatus::Deactivated
            && wanted.iter().any(|w| !now_held.contains_key(&w.company))
        {
            return Err(Error::field(
                "companies",
                format!(
                    "{} is deactivated in every company: reactivate them first, then add \
                     companies.",
                    before.display_name
                ),
            ));
        }
        let companies: Vec<CompanyId> = wanted.iter().map(|w| w.company).collect();
        let changes: Vec<Change> = wanted
            .iter()
            .map(|w| change_for(permits, user, w.company, now_held.contains_key(&w.company)))
            .collect::<Result<_>>()?;
        let all_roles: BTreeSet<RoleId> = wanted
            .iter()
            .flat_map(|w| w.grant.roles.iter().copied())
            .collect();
        grants::check_reach(conn, before.account_id, &companies, &all_roles)?;
        grants::check_roles_chosen(conn, wanted.iter().map(|w| (w.company, &w.grant.roles)))?;
        // Only roles newly given need the right to grant them: a role the user holds already
        // stays even when the actor could not have granted it.
        let given: Vec<(CompanyId, BTreeSet<RoleId>)> = wanted
            .iter()
            .map(|w| {
                let had = now_held.get(&w.company).map(|g| &g.roles);
                let new = w
                    .grant
                    .roles
                    .iter()
                    .filter(|r| had.is_none_or(|h| !h.contains(r)))
                    .copied()
                    .collect();
                (w.company, new)
            })
            .collect();
        grants::check_grantable(conn, granter, given.iter().map(|(c, r)| (*c, r)))?;
        let catalogs = grants::catalogs(conn, &companies)?;
        let role_names = role_names(conn, before.account_id)?;
        let mut saved = Saved::default();
        for (w, change) in wanted.iter().zip(&changes) {
            let catalog = catalogs.get(&w.company).ok_or(Error::NotFound)?;
            match now_held.get(&w.company) {
                Some(had) => {
                    let mut had = had.clone();
                    // Compared as stored: Access to All sets the one-by-one choices aside.
                    let mut wanted_stored = w.grant.clone();
                    normalize(&mut wanted_stored, catalog);
                    normalize(&mut had, catalog);
                    if had == wanted_stored {
                        continue;
                    }
                    let membership = membership_of(conn, user, w.company)?;
                    clear(conn, membership)?;
                    let roles: Vec<RoleId> = w.grant.roles.iter().copied().collect();
                    add_roles(conn, membership, &roles)?;
                    grants::store(conn, membership, &w.grant, catalog)?;
                    let detail = describe(&had, &wanted_stored, &role_names);
                    change.record(
                        conn,
                        AuditAction::AccessChanged,
                        Some(user),
                        Some(w.company),
                        &detail,
                    )?;
                    saved.changed.push(w.company);
                }
                None => {
                    let roles: Vec<RoleId> = w.grant.roles.iter().copied().collect();
                    let membership =
                        crate::domain::memberships::add(conn, user, w.company, &roles, change.now)?;
                    grants::store(conn, membership, &w.grant, catalog)?;
                    let detail = format!("roles {}", names(&w.grant.roles, &role_names));
                    change.record(
                        conn,
                        AuditAction::CompanyAdded,
                        Some(user),
                        Some(w.company),
                        &detail,
                    )?;
                    saved.added.push(w.company);
                }
            }
        }
        seats.check(conn)?;
        if !saved.changed.is_empty() || !saved.added.is_empty() {
            bump(conn, &before, changes[0].now)?;
        }
        Ok(saved)
    })
}

/// Takes the user out of one company: their roles and access there go. Never their last
/// company (that is deactivation). `permit` is for EditUserAccess on the user in `company`.
/// Asked after a confirmation page, it needs no version: it bumps the user's, so a form of
/// theirs drawn before is refused as changed.
pub fn remove_company(
    conn: &mut DbConnection,
    permit: &Permit,
    user: UserId,
    company: CompanyId,
) -> Result<()> {
    let change = Change::authorized_in(permit, Action::EditUserAccess, company)?;
    permit.require_on_user(Action::EditUserAccess, user)?;
    crate::db::write_transaction(conn, |conn| {
        let before = people::find(conn, change.account_id(), user)?;
        let in_companies: i64 = memberships::table
            .filter(memberships::user_id.eq(user))
            .count()
            .get_result(conn)?;
        if in_companies <= 1 {
            return Err(Error::Conflict(
                "This is the user's only company: a user belongs to at least one. To take \
                 their access away entirely, deactivate them instead."
                    .into(),
            ));
        }
        let membership = membership_of(conn, user, company)?;
        clear(conn, membership)?;
        diesel::delete(memberships::table.find(membership)).execute(conn)?;
        let name = crate::domain::companies::name_of(conn, company)?;
        change.record(
            conn,
            AuditAction::CompanyRemoved,
            Some(user),
            Some(company),
            &name,
        )?;
        bump(conn, &before, change.now)
    })
}

fn membership_of(
    conn: &mut DbConnection,
    user: UserId,
    company: CompanyId,
) -> Result<MembershipId> {
    memberships::table
        .filter(memberships::user_id.eq(user))
        .filter(memberships::company_id.eq(company))
        .select(memberships::id)
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Takes off a membership's roles and access, to be written anew.
fn clear(conn: &mut DbConnection, membership: MembershipId) -> Result<()> {
    diesel::delete(membership_roles::table.filter(membership_roles::membership_id.eq(membership)))
        .execute(conn)?;
    diesel::delete(membership_items::table.filter(membership_items::membership_id.eq(membership)))
        .execute(conn)?;
    diesel::delete(
        membership_fields_all::table.filter(membership_fields_all::membership_id.eq(membership)),
    )
    .execute(conn)?;
    Ok(())
}

fn add_roles(conn: &mut DbConnection, membership: MembershipId, roles: &[RoleId]) -> Result<()> {
    // One statement per row: MultiBackend has no multi-row INSERT.
    for role in roles {
        diesel::insert_into(membership_roles::table)
            .values((
                membership_roles::membership_id.eq(membership),
                membership_roles::role_id.eq(*role),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A new version for the user: a form drawn before this save is refused as changed.
fn bump(conn: &mut DbConnection, before: &UserRow, now: chrono::NaiveDateTime) -> Result<()> {
    let changed = diesel::update(people::as_read(before))
        .set((
            users::updated_at.eq(now),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(Error::Changed);
    }
    Ok(())
}

/// The grant as `grants::store` would keep it: what Access to All covers is not stored one
/// by one, nor are options of a field with Select All.
fn normalize(grant: &mut Grant, catalog: &grants::Catalog) {
    if grant.all_fields {
        grant.fields_all = catalog.fields.iter().map(|f| f.field.id).collect();
        grant.all_fields = false;
    }
    if grant.all_locations {
        grant.locations.clear();
    }
    if grant.all_product_groups {
        grant.product_groups.clear();
    }
    let fields_all = grant.fields_all.clone();
    grant.options.retain(|o| {
        catalog
            .field_of(*o)
            .is_none_or(|f| !fields_all.contains(&f.field.id))
    });
}

fn role_names(
    conn: &mut DbConnection,
    account: crate::domain::AccountId,
) -> Result<BTreeMap<RoleId, String>> {
    Ok(roles::table
        .filter(roles::account_id.eq(account))
        .select((roles::id, roles::name))
        .load::<(RoleId, String)>(conn)?
        .into_iter()
        .collect())
}

fn names(roles: &BTreeSet<RoleId>, known: &BTreeMap<RoleId, String>) -> String {
    let mut named: Vec<&str> = roles
        .iter()
        .filter_map(|r| known.get(r).map(String::as_str))
        .collect();
    named.sort_unstable();
    if named.is_empty() {
        "none".into()
    } else {
        named.join(", ")
    }
}

/// What changed, for the audit log: the roles from -> to, and how many of each kind of
/// item before and after.
fn describe(had: &Grant, now: &Grant, known: &BTreeMap<RoleId, String>) -> String {
    let mut parts = Vec::new();
    if had.roles != now.roles {
        parts.push(format!(
            "roles {} -> {}",
            names(&had.roles, known),
            names(&now.roles, known)
        ));
    }
    let count = |all: bool, set: &BTreeSet<ItemId>| {
        if all {
            "all".to_owned()
        } else {
            set.len().to_string()
        }
    };
    for (what, a, b) in [
        (
            "locations",
            count(had.all_locations, &had.locations),
            count(now.all_locations, &now.locations),
        ),
        (
            "fields with Select All",
            had.fields_all.len().to_string(),
            now.fields_all.len().to_string(),
        ),
        (
            "options",
            had.options.len().to_string(),
            now.options.len().to_string(),
        ),
        (
            "product groups",
            count(had.all_product_groups, &had.product_groups),
            count(now.all_product_groups, &now.product_groups),
        ),
    ] {
        if a != b {
            parts.push(format!("{what} {a} -> {b}"));
        }
    }
    if parts.is_empty() {
        parts.push("access changed".into());
    }
    parts.join("; ")
}

/// A user's access in one company, in words: what My Profile shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessInWords {
    pub company: CompanyId,
    /// "All locations", or the names; empty: none.
    pub locations: Vec<String>,
    /// Per custom field: its name, and "all options" or the options' names.
    pub fields: Vec<(String, String)>,
    pub product_groups: Vec<String>,
}

/// What the user holds in each of their companies, named, by the catalog as it is now.
pub fn in_words(conn: &mut DbConnection, user: UserId) -> Result<Vec<AccessInWords>> {
    let held = held(conn, user)?;
    let companies: Vec<CompanyId> = held.keys().copied().collect();
    let catalogs = grants::catalogs(conn, &companies)?;
    let named = |all: bool,
                 what: &str,
                 items: &[crate::domain::catalog::ItemRow],
                 chosen: &BTreeSet<ItemId>| {
        if all {
            vec![format!("All {what}, including ones added later")]
        } else {
            items
                .iter()
                .filter(|i| chosen.contains(&i.id))
                .map(|i| i.name.clone())
                .collect()
        }
    };
    Ok(held
        .iter()
        .filter_map(|(company, grant)| {
            let catalog = catalogs.get(company)?;
            let fields = catalog
                .fields
                .iter()
                .filter_map(|f| {
                    if grant.fields_all.contains(&f.field.id) {
                        return Some((f.field.name.clone(), "all options".to_owned()));
                    }
                    let options: Vec<&str> = f
                        .options
                        .iter()
                        .filter(|o| grant.options.contains(&o.id))
                        .map(|o| o.name.as_str())
                        .collect();
                    (!options.is_empty()).then(|| (f.field.name.clone(), options.join(", ")))
                })
                .collect();
            Some(AccessInWords {
                company: *company,
                locations: named(
                    grant.all_locations,
                    "locations",
                    &catalog.locations,
                    &grant.locations,
                ),
                fields,
                product_groups: named(
                    grant.all_product_groups,
                    "product groups",
                    &catalog.product_groups,
                    &grant.product_groups,
                ),
            })
        })
        .collect())
}
