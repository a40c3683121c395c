//! Locations, Document Custom Fields (with their Options) and Product Groups: what access in
//! a company is made of. They share one shape, one table and these rules.

use crate::auth::policy::{Action, Permit};
use crate::db::schema::{catalog_items, membership_fields_all, membership_items, memberships};
use crate::db::{DbConnection, last_insert_id};
use crate::domain::audit::AuditAction;
use crate::domain::audit::Change;
use crate::domain::{CompanyId, Error, FieldErrors, ItemId, Result, limits};
use chrono::NaiveDateTime;
use diesel::IntoSql;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Location,
    Field,
    FieldOption,
    ProductGroup,
}

impl ItemKind {
    pub const LISTED: [ItemKind; 3] = [ItemKind::Location, ItemKind::Field, ItemKind::ProductGroup];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Location => "location",
            ItemKind::Field => "field",
            ItemKind::FieldOption => "option",
            ItemKind::ProductGroup => "product_group",
        }
    }

    /// The URL segment of the kind's pages.
    pub fn slug(self) -> &'static str {
        match self {
            ItemKind::Location => "locations",
            ItemKind::Field => "fields",
            ItemKind::FieldOption => "options",
            ItemKind::ProductGroup => "product-groups",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        [
            ItemKind::Location,
            ItemKind::Field,
            ItemKind::FieldOption,
            ItemKind::ProductGroup,
        ]
        .into_iter()
        .find(|k| k.slug() == slug)
    }

    pub fn singular(self) -> &'static str {
        match self {
            ItemKind::Location => "Location",
            ItemKind::Field => "Document Custom Field",
            ItemKind::FieldOption => "Option",
            ItemKind::ProductGroup => "Product Group",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            ItemKind::Location => "Locations",
            ItemKind::Field => "Document Custom Fields",
            ItemKind::FieldOption => "Options",
            ItemKind::ProductGroup => "Product Groups",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = catalog_items)]
pub struct ItemRow {
    pub id: ItemId,
    pub company_id: CompanyId,
    pub kind: String,
    pub parent_id: Option<ItemId>,
    pub name: String,
    pub code: String,
    pub required: bool,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl ItemRow {
    pub fn kind(&self) -> ItemKind {
        ItemKind::from_slug(match self.kind.as_str() {
            "location" => "locations",
            "field" => "fields",
            "option" => "options",
            _ => "product-groups",
        })
        .unwrap_or(ItemKind::Location)
    }

    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

#[derive(Insertable)]
#[diesel(table_name = catalog_items, treat_none_as_null = true)]
struct NewItem<'a> {
    company_id: CompanyId,
    kind: &'static str,
    parent_id: Option<ItemId>,
    name: &'a str,
    name_lower: String,
    code: &'a str,
    code_lower: String,
    required: bool,
    created_at: NaiveDateTime,
}

/// What a form sends for an item. `required` only means something for fields.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub name: String,
    pub code: String,
    pub required: bool,
}

impl ItemInput {
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        let code = self.code.trim();
        if name.is_empty() {
            errors.add("name", "Enter a name.");
        } else {
            limits::check(&mut errors, "name", "A name", name, limits::NAME);
        }
        if code.is_empty() {
            errors.add("code", "Enter a code.");
        } else if limits::check(&mut errors, "code", "A code", code, limits::CODE)
            && !code
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            errors.add(
                "code",
                "Use letters, digits, '-', '_' and '.' in a code, no spaces.",
            );
        }
        errors
    }
}

fn code_taken(
    conn: &mut DbConnection,
    company: CompanyId,
    kind: ItemKind,
    parent: Option<ItemId>,
    code: &str,
    except: Option<ItemId>,
) -> Result<bool> {
    let mut query = catalog_items::table
        .filter(catalog_items::company_id.eq(company))
        .filter(catalog_items::kind.eq(kind.as_str()))
        .filter(catalog_items::code_lower.eq(code.trim().to_lowercase()))
        .into_boxed();
    query = match parent {
        Some(parent) => query.filter(catalog_items::parent_id.eq(parent)),
        None => query.filter(catalog_items::parent_id.is_null()),
    };
    if let Some(id) = except {
        query = query.filter(catalog_items::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

fn duplicate_code(kind: ItemKind, code: &str) -> Error {
    Error::field(
        "code",
        format!(
            "Another {} in this company already has the code {}.",
            kind.singular().to_lowercase(),
            code.trim()
        ),
    )
}

fn record(
    conn: &mut DbConnection,
    change: &Change,
    company: CompanyId,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    change.record(conn, action, None, Some(company), detail)
}

/// Adds an item. A new custom field is given to every user of the company with Select All on
/// (automated DCF access), so options added later reach them too.
pub fn create(
    conn: &mut DbConnection,
    company: CompanyId,
    kind: ItemKind,
    parent: Option<ItemId>,
    input: &ItemInput,
    permit: &Permit,
) -> Result<ItemRow> {
    let change = &Change::authorized_in(permit, Action::ManageConfig, company)?;
    input.validate().into_result()?;
    crate::db::write_transaction(conn, |conn| {
        if code_taken(conn, company, kind, parent, &input.code, None)? {
            return Err(duplicate_code(kind, &input.code));
        }
        let (name, code) = (input.name.trim(), input.code.trim());
        diesel::insert_into(catalog_items::table)
            .values(NewItem {
                company_id: company,
                kind: kind.as_str(),
                parent_id: parent,
                name,
                name_lower: name.to_lowercase(),
                code,
                code_lower: code.to_lowercase(),
                required: kind == ItemKind::Field && input.required,
                created_at: change.now,
            })
            .execute(conn)?;
        let id = ItemId(last_insert_id(conn)?);
        if kind == ItemKind::Field {
            grant_field_to_everyone(conn, company, id)?;
        }
        let detail = format!("{} {} ({})", kind.singular(), name, code);
        record(
            conn,
            change,
            company,
            AuditAction::CatalogItemCreated,
            &detail,
        )?;
        find(conn, company, id)
    })
}

/// Select All on the new field for every membership of the company. One statement, so a
/// company with many users costs one round trip.
fn grant_field_to_everyone(
    conn: &mut DbConnection,
    company: CompanyId,
    field: ItemId,
) -> Result<()> {
    let members = memberships::table
        .filter(memberships::company_id.eq(company))
        .select((
            memberships::id,
            field.0.into_sql::<diesel::sql_types::BigInt>(),
        ));
    diesel::insert_into(membership_fields_all::table)
        .values(members)
        .into_columns((
            membership_fields_all::membership_id,
            membership_fields_all::field_id,
        ))
        .execute(conn)?;
    Ok(())
}

/// The items of these companies that are not archived, by name.
pub fn active_in(conn: &mut DbConnection, companies: &[CompanyId]) -> Result<Vec<ItemRow>> {
    Ok(catalog_items::table
        .filter(catalog_items::company_id.eq_any(companies))
        .filter(catalog_items::archived_at.is_null())
        .order((catalog_items::name_lower, catalog_items::id))
        .select(ItemRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, company: CompanyId, id: ItemId) -> Result<ItemRow> {
    catalog_items::table
        .filter(catalog_items::id.eq(id))
        .filter(catalog_items::company_id.eq(company))
        .select(ItemRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

pub fn update(
    conn: &mut DbConnection,
    item: &ItemRow,
    input: &ItemInput,
    permit: &Permit,
) -> Result<()> {
    let change = &Change::authorized_in(permit, Action::ManageConfig, item.company_id)?;
    input.validate().into_result()?;
    let kind = item.kind();
    crate::db::write_transaction(conn, |conn| {
        if code_taken(
            conn,
            item.company_id,
            kind,
            item.parent_id,
            &input.code,
            Some(item.id),
        )? {
            return Err(duplicate_code(kind, &input.code));
        }
        let (name, code) = (input.name.trim(), input.code.trim());
        diesel::update(catalog_items::table.find(item.id))
            .set((
                catalog_items::name.eq(name),
                catalog_items::name_lower.eq(name.to_lowercase()),
                catalog_items::code.eq(code),
                catalog_items::code_lower.eq(code.to_lowercase()),
                catalog_items::required.eq(kind == ItemKind::Field && input.required),
            ))
            .execute(conn)?;
        let detail = format!("{} {} ({})", kind.singular(), name, code);
        record(
            conn,
            change,
            item.company_id,
            AuditAction::CatalogItemUpdated,
            &detail,
        )
    })
}

/// How many users hold the item (or, for a field, any of its options or Select All).
pub fn usage(conn: &mut DbConnection, item: &ItemRow) -> Result<i64> {
    if item.kind() == ItemKind::Field {
        let all: i64 = membership_fields_all::table
            .filter(membership_fields_all::field_id.eq(item.id))
            .count()
            .get_result(conn)?;
        let options: Vec<ItemId> = catalog_items::table
            .filter(catalog_items::parent_id.eq(item.id))
            .select(catalog_items::id)
            .load(conn)?;
        let chosen: Vec<i64> = membership_items::table
            .filter(membership_items::item_id.eq_any(options))
            .select(membership_items::membership_id)
            .distinct()
            .load(conn)?;
        return Ok(all + chosen.len() as i64);
    }
    Ok(membership_items::table
        .filter(membership_items::item_id.eq(item.id))
        .count()
        .get_result(conn)?)
}

mod lifecycle;
mod listing;

pub use lifecycle::{StateChange, StateOutcome, change_state};
pub use listing::{ListQuery, list};
