//! Demo data: a realistic, deterministic account with companies, access catalogs and users of
//! every status, for the demo, the benchmarks and the tests of later issues. One transaction;
//! users and their access are written in batches.

use crate::db::schema::{
    catalog_items, invitations, membership_fields_all, membership_items, membership_roles,
    memberships, users,
};
use crate::db::{DbConnection, last_insert_id};
use crate::domain::catalog::ItemKind;
use crate::domain::companies::CompanyRow;
use crate::domain::{AccountId, CompanyId, ItemId, MembershipId, Result, RoleId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;

pub struct SeedOptions {
    pub users: usize,
    pub companies: usize,
    pub seed: u64,
    pub account_name: String,
    /// (email, password hash) of an account administrator to add.
    pub admin: Option<(String, String)>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub account_id: Option<AccountId>,
    pub companies: usize,
    pub users: usize,
    pub active: usize,
    pub invited: usize,
    pub deactivated: usize,
    pub blocked: usize,
    pub locked: usize,
    pub expired: usize,
    pub integrated: usize,
    pub failed_invitations: usize,
    pub memberships: usize,
    pub missing_required_field: usize,
}

const FIRST: [&str; 40] = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Donald",
    "Sophie",
    "Niklaus",
    "Anita",
    "Guido",
    "Joan",
    "Bjarne",
    "Mary",
    "James",
    "Lynn",
    "Larry",
    "Adele",
    "Vint",
    "Shafi",
    "Robert",
    "Karen",
    "Leslie",
    "Jean",
    "Brian",
    "Evelyn",
    "Alonzo",
    "Ida",
    "Claude",
    "Rosa",
    "Yukihiro",
];
const LAST: [&str; 40] = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Backus",
    "Johnson",
    "Knuth",
    "Wilson",
    "Wirth",
    "Borg",
    "van Rossum",
    "Clarke",
    "Stroustrup",
    "Keller",
    "Gosling",
    "Conway",
    "Page",
    "Goldberg",
    "Cerf",
    "Goldwasser",
    "Kahn",
    "Spärck Jones",
    "Lamport",
    "Sammet",
    "Kernighan",
    "Boyd",
    "Church",
    "Rhodes",
    "Shannon",
    "Peter",
    "Matsumoto",
];
const CITIES: [&str; 12] = [
    "Berlin", "Lisbon", "Kraków", "Austin", "Osaka", "Nairobi", "Lyon", "Dublin", "Toronto",
    "Bergen", "Porto", "Gdańsk",
];
const INTEGRATIONS: [&str; 3] = ["SAP Ariba", "NetSuite", "QuickBooks"];

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_null = true)]
struct SeedUser {
    id: UserId,
    account_id: AccountId,
    email: String,
    email_lower: String,
    first_name: String,
    last_name: String,
    display_name: String,
    phone: String,
    password_hash: Option<String>,
    status: &'static str,
    is_account_admin: bool,
    locked_at: Option<NaiveDateTime>,
    expires_at: Option<NaiveDateTime>,
    security_stamp: String,
    last_access_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    integration: Option<&'static str>,
    enforce_2fa: bool,
    totp_secret: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = memberships)]
struct SeedMembership {
    id: MembershipId,
    user_id: UserId,
    company_id: CompanyId,
    active: bool,
    created_at: NaiveDateTime,
    all_locations: bool,
    all_product_groups: bool,
}

#[derive(Insertable)]
#[diesel(table_name = membership_roles)]
struct SeedRole {
    membership_id: MembershipId,
    role_id: RoleId,
}

#[derive(Insertable)]
#[diesel(table_name = membership_items)]
struct SeedItem {
    membership_id: MembershipId,
    item_id: ItemId,
}

#[derive(Insertable)]
#[diesel(table_name = membership_fields_all)]
struct SeedFieldAll {
    membership_id: MembershipId,
    field_id: ItemId,
}

#[derive(Insertable)]
#[diesel(table_name = invitations, treat_none_as_null = true)]
struct SeedInvitation {
    account_id: AccountId,
    user_id: UserId,
    token_hash: String,
    status: &'static str,
    send_count: i32,
    failure_reason: Option<&'static str>,
    expires_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
    accepted_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// A company's catalog as the seed made it.
struct Catalog {
    company: CompanyId,
    locations: Vec<ItemId>,
    /// (field, required, options)
    fields: Vec<(ItemId, bool, Vec<ItemId>)>,
    product_groups: Vec<ItemId>,
}

/// One catalog item to add.
struct ItemSpec<'a> {
    kind: ItemKind,
    parent: Option<ItemId>,
    name: &'a str,
    code: &'a str,
    required: bool,
}

fn add_item(
    conn: &mut DbConnection,
    company: CompanyId,
    now: NaiveDateTime,
    spec: ItemSpec<'_>,
) -> Result<ItemId> {
    diesel::insert_into(catalog_items::table)
        .values((
            catalog_items::company_id.eq(company),
            catalog_items::kind.eq(spec.kind.as_str()),
            catalog_items::parent_id.eq(spec.parent),
            catalog_items::name.eq(spec.name),
            catalog_items::name_lower.eq(spec.name.to_lowercase()),
            catalog_items::code.eq(spec.code),
            catalog_items::code_lower.eq(spec.code.to_lowercase()),
            catalog_items::required.eq(spec.required),
            catalog_items::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(ItemId(last_insert_id(conn)?))
}

fn make_catalog(
    conn: &mut DbConnection,
    company: &CompanyRow,
    now: NaiveDateTime,
) -> Result<Catalog> {
    let mut catalog = Catalog {
        company: company.id,
        locations: Vec::new(),
        fields: Vec::new(),
        product_groups: Vec::new(),
    };
    for (i, city) in CITIES.iter().enumerate() {
        let id = add_item(
            conn,
            company.id,
            now,
            ItemSpec {
                kind: ItemKind::Location,
                parent: None,
                name: &format!("{city} office"),
                code: &format!("LOC-{i:02}"),
                required: false,
            },
        )?;
        catalog.locations.push(id);
    }
    let fields: [(&str, &str, bool, &[&str]); 3] = [
        (
            "Department",
            "DEP",
            true,
            &[
                "Sales",
                "Finance",
                "Operations",
                "Engineering",
                "Legal",
                "Marketing",
                "Support",
                "HR",
            ],
        ),
        (
            "Project",
            "PRJ",
            true,
            &["Apollo", "Borealis", "Cascade", "Delta", "Everest", "Fjord"],
        ),
        (
            "Cost Center",
            "CC",
            false,
            &["CC-100", "CC-200", "CC-300", "CC-400"],
        ),
    ];
    for (name, code, required, options) in fields {
        let field = add_item(
            conn,
            company.id,
            now,
            ItemSpec {
                kind: ItemKind::Field,
                parent: None,
                name,
                code,
                required,
            },
        )?;
        let mut ids = Vec::new();
        for (i, option) in options.iter().enumerate() {
            ids.push(add_item(
                conn,
                company.id,
                now,
                ItemSpec {
                    kind: ItemKind::FieldOption,
                    parent: Some(field),
                    name: option,
                    code: &format!("{code}-{i}"),
                    required: false,
                },
            )?);
        }
        catalog.fields.push((field, required, ids));
    }
    for (i, group) in [
        "Hardware",
        "Software",
        "Office supplies",
        "Travel",
        "Services",
        "Furniture",
        "Marketing",
        "Training",
    ]
    .iter()
    .enumerate()
    {
        catalog.product_groups.push(add_item(
            conn,
            company.id,
            now,
            ItemSpec {
                kind: ItemKind::ProductGroup,
                parent: None,
                name: group,
                code: &format!("PG-{i}"),
                required: false,
            },
        )?);
    }
    Ok(catalog)
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T], n: usize) -> Vec<T> {
    let mut chosen: Vec<T> = Vec::new();
    let mut indexes: Vec<usize> = Vec::new();
    while chosen.len() < n.min(items.len()) {
        let i = rng.random_range(0..items.len());
        if !indexes.contains(&i) {
            indexes.push(i);
            chosen.push(items[i]);
        }
    }
    chosen
}

fn base32(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    (0..32)
        .map(|_| ALPHABET[rng.random_range(0..32)] as char)
        .collect()
}

/// Fills a new account. Deterministic for the same options (and build).
mod fill;

pub use fill::seed;
