//! What a person is given in one company before they exist as a member (the Invite User
//! wizard): roles, locations, custom-field options and product groups, each with "Access to
//! All"; the company's catalog those are chosen from; the checks a grant passes before it is
//! stored (the account's own companies and roles, roles the granter may grant); storing a
//! grant on a new membership; and "Apply to All Companies", which carries a grant to another
//! company by code.

use crate::auth::policy::{self, Actor};
use crate::auth::rights::RightSet;
use crate::db::DbConnection;
use crate::db::schema::{
    catalog_items, companies, membership_fields_all, membership_items, memberships, roles,
};
use crate::domain::catalog::{ItemKind, ItemRow};
use crate::domain::{AccountId, CompanyId, Error, ItemId, MembershipId, Result, RoleId};
use diesel::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Access chosen for one company.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    pub roles: BTreeSet<RoleId>,
    pub all_locations: bool,
    pub locations: BTreeSet<ItemId>,
    /// Access to All custom fields: Select All on every field of the company.
    pub all_fields: bool,
    /// Fields with Select All: every option, including ones added later.
    pub fields_all: BTreeSet<ItemId>,
    pub options: BTreeSet<ItemId>,
    pub all_product_groups: bool,
    pub product_groups: BTreeSet<ItemId>,
}

impl Grant {
    /// What a new person is proposed before anyone chooses: every custom field with Select
    /// All, as the company's current users got each field when it was created (automated
    /// DCF access), so nobody starts without access to a required field. Everything else
    /// is chosen.
    pub fn propose(&mut self) {
        self.all_fields = true;
    }
}

/// A custom field and its options.
#[derive(Debug, Clone)]
pub struct FieldOptions {
    pub field: ItemRow,
    pub options: Vec<ItemRow>,
}

/// What can be chosen in one company: its items that are not archived, by name.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub company: CompanyId,
    pub locations: Vec<ItemRow>,
    pub fields: Vec<FieldOptions>,
    pub product_groups: Vec<ItemRow>,
    /// Every item by id: its kind and, for an option, its field's place in `fields`. Every
    /// post of the wizard checks each chosen id against the catalog: thousands of ids
    /// against thousands of items must not be a scan each.
    index: HashMap<ItemId, (ItemKind, Option<usize>)>,
}

impl Catalog {
    pub fn options(&self) -> impl Iterator<Item = &ItemRow> {
        self.fields.iter().flat_map(|f| f.options.iter())
    }

    fn offers(&self, id: &ItemId, kind: ItemKind) -> bool {
        self.index.get(id).is_some_and(|(k, _)| *k == kind)
    }

    /// The field an offered option belongs to.
    pub fn field_of(&self, option: ItemId) -> Option<&FieldOptions> {
        let (_, field) = self.index.get(&option)?;
        self.fields.get((*field)?)
    }

    fn build_index(&mut self) {
        let mut index = HashMap::new();
        for item in self.locations.iter().chain(self.product_groups.iter()) {
            index.insert(item.id, (item.kind(), None));
        }
        for (i, field) in self.fields.iter().enumerate() {
            index.insert(field.field.id, (ItemKind::Field, None));
            for option in &field.options {
                index.insert(option.id, (ItemKind::FieldOption, Some(i)));
            }
        }
        self.index = index;
    }
}

/// The catalogs of several companies, in one query.
pub fn catalogs(
    conn: &mut DbConnection,
    companies: &[CompanyId],
) -> Result<BTreeMap<CompanyId, Catalog>> {
    let items: Vec<ItemRow> = catalog_items::table
        .filter(catalog_items::company_id.eq_any(companies))
        .filter(catalog_items::archived_at.is_null())
        .order((catalog_items::name_lower, catalog_items::id))
        .select(ItemRow::as_select())
        .load(conn)?;
    let mut out: BTreeMap<CompanyId, Catalog> = companies
        .iter()
        .map(|c| {
            let catalog = Catalog {
                company: *c,
                locations: Vec::new(),
                fields: Vec::new(),
                product_groups: Vec::new(),
                index: HashMap::new(),
            };
            (*c, catalog)
        })
        .collect();
    let mut options: Vec<ItemRow> = Vec::new();
    for item in items {
        let Some(catalog) = out.get_mut(&item.company_id) else {
            continue;
        };
        match item.kind() {
            ItemKind::Location => catalog.locations.push(item),
            ItemKind::ProductGroup => catalog.product_groups.push(item),
            ItemKind::Field => catalog.fields.push(FieldOptions {
                field: item,
                options: Vec::new(),
            }),
            ItemKind::FieldOption => options.push(item),
        }
    }
    for option in options {
        let field = out.get_mut(&option.company_id).and_then(|c| {
            c.fields
                .iter_mut()
                .find(|f| Some(f.field.id) == option.parent_id)
        });
        // An option of an archived field is not offered.
        if let Some(field) = field {
            field.options.push(option);
        }
    }
    for catalog in out.values_mut() {
        catalog.build_index();
    }
    Ok(out)
}

impl Grant {
    /// Drops the items the catalog no longer offers. Returns whether one of them counted:
    /// a choice set aside under Access to All going is nothing to report.
    pub fn keep_offered(&mut self, catalog: &Catalog) -> bool {
        fn keep(set: &mut BTreeSet<ItemId>, offered: impl Fn(&ItemId) -> bool) -> bool {
            let before = set.len();
            set.retain(|i| offered(i));
            set.len() < before
        }
        let locations = keep(&mut self.locations, |i| {
            catalog.offers(i, ItemKind::Location)
        });
        let groups = keep(&mut self.product_groups, |i| {
            catalog.offers(i, ItemKind::ProductGroup)
        });
        let fields = keep(&mut self.fields_all, |i| catalog.offers(i, ItemKind::Field));
        let options = keep(&mut self.options, |i| {
            catalog.offers(i, ItemKind::FieldOption)
        });
        (locations && !self.all_locations)
            || (groups && !self.all_product_groups)
            || ((fields || options) && !self.all_fields)
    }

    /// Whether every item named is offered by the catalog.
    fn all_offered(&self, catalog: &Catalog) -> bool {
        self.locations
            .iter()
            .all(|i| catalog.offers(i, ItemKind::Location))
            && self
                .product_groups
                .iter()
                .all(|i| catalog.offers(i, ItemKind::ProductGroup))
            && self
                .fields_all
                .iter()
                .all(|i| catalog.offers(i, ItemKind::Field))
            && self
                .options
                .iter()
                .all(|i| catalog.offers(i, ItemKind::FieldOption))
    }
}

/// Refuses companies that are not the account's own active ones (NotFound, as for any
/// object of another account) and roles of another account (a forged post).
pub fn check_reach(
    conn: &mut DbConnection,
    account: AccountId,
    companies: &[CompanyId],
    roles: &BTreeSet<RoleId>,
) -> Result<()> {
    let wanted: BTreeSet<CompanyId> = companies.iter().copied().collect();
    let found: i64 = companies::table
        .filter(companies::account_id.eq(account))
        .filter(companies::archived_at.is_null())
        .filter(companies::id.eq_any(&wanted))
        .count()
        .get_result(conn)?;
    if usize::try_from(found).ok() != Some(wanted.len()) {
        return Err(Error::NotFound);
    }
    let known: i64 = roles::table
        .filter(roles::account_id.eq(account))
        .filter(roles::id.eq_any(roles))
        .count()
        .get_result(conn)?;
    if usize::try_from(known).ok() != Some(roles.len()) {
        return Err(Error::field(
            "roles",
            "A chosen role does not exist (any more) in this account. Check the roles and try again.",
        ));
    }
    Ok(())
}

/// Refuses access without a role: everyone holds at least one role in every company they
/// belong to (a role is what says what they do there, and which seat they take). Names the
/// first company without one.
pub fn check_roles_chosen<'a>(
    conn: &mut DbConnection,
    chosen: impl IntoIterator<Item = (CompanyId, &'a BTreeSet<RoleId>)>,
) -> Result<()> {
    let Some(company) = chosen
        .into_iter()
        .find(|(_, roles)| roles.is_empty())
        .map(|(company, _)| company)
    else {
        return Ok(());
    };
    let name = crate::domain::companies::name_of(conn, company)?;
    Err(Error::field(
        "roles",
        format!(
            "Choose at least one role in {name}: everyone needs a role in each of their companies."
        ),
    ))
}

/// Refuses a role the granter may not grant in the company it is chosen for (see
/// `policy::may_grant`), naming the role and the rights it carries that they lack. The
/// roles' rights are read as they are now, in the caller's transaction: a role given more
/// rights while the form was open is judged by those.
pub fn check_grantable<'a>(
    conn: &mut DbConnection,
    granter: &Actor,
    chosen: impl IntoIterator<Item = (CompanyId, &'a BTreeSet<RoleId>)>,
) -> Result<()> {
    let chosen: Vec<(CompanyId, &BTreeSet<RoleId>)> = chosen.into_iter().collect();
    let ids: BTreeSet<RoleId> = chosen.iter().flat_map(|(_, r)| r.iter().copied()).collect();
    let ids: Vec<RoleId> = ids.into_iter().collect();
    let rights: HashMap<RoleId, RightSet> = crate::domain::roles::rights_of(conn, &ids)?
        .into_iter()
        .collect();
    for (company, chosen_roles) in chosen {
        for role in chosen_roles {
            let carried = rights.get(role).copied().unwrap_or_default();
            if let Err(refused) = policy::may_grant(granter, company, carried) {
                let role_name: String = roles::table.find(role).select(roles::name).first(conn)?;
                let company_name = crate::domain::companies::name_of(conn, company)?;
                return Err(Error::field(
                    "roles",
                    refused.reason(Some(&role_name), &company_name),
                ));
            }
        }
    }
    Ok(())
}

/// The roles the user holds, per company: what a new address for their invitation would
/// hand to whoever owns it.
pub fn roles_held(
    conn: &mut DbConnection,
    user: crate::domain::UserId,
) -> Result<Vec<(CompanyId, BTreeSet<RoleId>)>> {
    use crate::db::schema::{membership_roles, memberships};
    let rows: Vec<(CompanyId, RoleId)> = memberships::table
        .inner_join(membership_roles::table)
        .filter(memberships::user_id.eq(user))
        .select((memberships::company_id, membership_roles::role_id))
        .load(conn)?;
    let mut held: std::collections::BTreeMap<CompanyId, BTreeSet<RoleId>> = Default::default();
    for (company, role) in rows {
        held.entry(company).or_default().insert(role);
    }
    Ok(held.into_iter().collect())
}

/// Refuses a grant naming an item that is not an offered item of the right kind in the
/// company: archived or deleted while the form was open, or a forged post.
fn check(grant: &Grant, catalog: &Catalog) -> Result<()> {
    if !grant.all_offered(catalog) {
        return Err(Error::field(
            "access",
            "Some of the chosen locations, options or product groups are no longer available \
             (archived or deleted meanwhile). Check the access and try again.",
        ));
    }
    Ok(())
}

/// Stores the grant's items and Access to All on a new membership (its roles are stored
/// with it). Call inside the transaction that made the membership.
pub fn store(
    conn: &mut DbConnection,
    membership: MembershipId,
    grant: &Grant,
    catalog: &Catalog,
) -> Result<()> {
    check(grant, catalog)?;
    diesel::update(memberships::table.find(membership))
        .set((
            memberships::all_locations.eq(grant.all_locations),
            memberships::all_product_groups.eq(grant.all_product_groups),
        ))
        .execute(conn)?;
    let fields_all: BTreeSet<ItemId> = if grant.all_fields {
        catalog.fields.iter().map(|f| f.field.id).collect()
    } else {
        grant.fields_all.clone()
    };
    // Options of a field with Select All are covered by it; storing them too would keep them
    // if Select All were turned off later, which is not what was chosen.
    let options = grant.options.iter().filter(|o| {
        catalog
            .field_of(**o)
            .is_none_or(|f| !fields_all.contains(&f.field.id))
    });
    // One statement per row: MultiBackend has no multi-row INSERT.
    // Under Access to All the one-by-one choices set aside in the form are not stored either.
    let locations = grant.locations.iter().filter(|_| !grant.all_locations);
    let groups = grant
        .product_groups
        .iter()
        .filter(|_| !grant.all_product_groups);
    for item in locations.chain(groups).chain(options) {
        diesel::insert_into(membership_items::table)
            .values((
                membership_items::membership_id.eq(membership),
                membership_items::item_id.eq(*item),
            ))
            .execute(conn)?;
    }
    for field in fields_all {
        diesel::insert_into(membership_fields_all::table)
            .values((
                membership_fields_all::membership_id.eq(membership),
                membership_fields_all::field_id.eq(field),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// How an item is named when it had no match: "Location Berlin (BER)".
fn described(kind: ItemKind, item: &ItemRow) -> String {
    format!("{} {} ({})", kind.singular(), item.name, item.code)
}

/// Items by code, ignoring case: codes are unique per company that way (`code_lower`).
fn by_code(items: &[ItemRow]) -> HashMap<String, ItemId> {
    items
        .iter()
        .map(|i| (i.code.to_lowercase(), i.id))
        .collect()
}

/// "Apply to All Companies" for one target: the grant as `from` has it, carried to `to`.
/// Roles belong to the account and carry as they are; locations, fields, options (within
/// their field) and product groups are matched by code. Returns what had no match.
pub fn carry(grant: &Grant, from: &Catalog, to: &Catalog) -> (Grant, Vec<String>) {
    let mut missing = Vec::new();
    let mut out = Grant {
        roles: grant.roles.clone(),
        all_locations: grant.all_locations,
        all_fields: grant.all_fields,
        all_product_groups: grant.all_product_groups,
        ..Grant::default()
    };
    let mut carry_items = |chosen: &BTreeSet<ItemId>,
                           source: &[ItemRow],
                           target: &[ItemRow],
                           kind: ItemKind,
                           into: &mut BTreeSet<ItemId>| {
        let target = by_code(target);
        for item in source.iter().filter(|i| chosen.contains(&i.id)) {
            match target.get(&item.code.to_lowercase()) {
                Some(found) => {
                    into.insert(*found);
                }
                None => missing.push(described(kind, item)),
            }
        }
    };
    // Under Access to All the one-by-one choices are set aside: they neither carry nor count
    // as unmatched.
    let none = BTreeSet::new();
    fn pick<'a>(
        all: bool,
        chosen: &'a BTreeSet<ItemId>,
        none: &'a BTreeSet<ItemId>,
    ) -> &'a BTreeSet<ItemId> {
        if all { none } else { chosen }
    }
    carry_items(
        pick(grant.all_locations, &grant.locations, &none),
        &from.locations,
        &to.locations,
        ItemKind::Location,
        &mut out.locations,
    );
    carry_items(
        pick(grant.all_product_groups, &grant.product_groups, &none),
        &from.product_groups,
        &to.product_groups,
        ItemKind::ProductGroup,
        &mut out.product_groups,
    );
    for source in from.fields.iter().filter(|_| !grant.all_fields) {
        let chose_field = grant.fields_all.contains(&source.field.id);
        // A field chosen whole carries as a whole: its options need no match one by one.
        let chosen_options: Vec<&ItemRow> = source
            .options
            .iter()
            .filter(|o| !chose_field && grant.options.contains(&o.id))
            .collect();
        if !chose_field && chosen_options.is_empty() {
            continue;
        }
        let code = source.field.code.to_lowercase();
        let Some(target) = to
            .fields
            .iter()
            .find(|f| f.field.code.to_lowercase() == code)
        else {
            missing.push(described(ItemKind::Field, &source.field));
            continue;
        };
        if chose_field {
            out.fields_all.insert(target.field.id);
        }
        let target_options = by_code(&target.options);
        for option in chosen_options {
            match target_options.get(&option.code.to_lowercase()) {
                Some(found) => {
                    out.options.insert(*found);
                }
                None => missing.push(format!(
                    "{} of {}",
                    described(ItemKind::FieldOption, option),
                    source.field.name
                )),
            }
        }
    }
    (out, missing)
}
