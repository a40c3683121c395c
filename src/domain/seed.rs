//! Demo data: a realistic, deterministic account with companies, access catalogs and users of
//! every status, for the demo, the benchmarks and the tests of later issues. One transaction;
//! users and their access are written in batches.

use crate::bulk_insert;
use crate::db::schema::{
    catalog_items, invitations, membership_fields_all, membership_items, membership_roles,
    memberships, users,
};
use crate::db::{DbConnection, last_insert_id, max_id, sync_id_sequences};
use crate::domain::catalog::ItemKind;
use crate::domain::companies::{self, CompanyRow};
use crate::domain::users::UserStatus;
use crate::domain::{
    AccountId, CompanyId, ItemId, MembershipId, Result, RoleId, UserId, accounts, roles,
};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

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
pub fn seed(
    conn: &mut DbConnection,
    options: &SeedOptions,
    now: NaiveDateTime,
) -> Result<SeedReport> {
    crate::db::write_transaction(conn, |conn| {
        let mut rng = StdRng::seed_from_u64(options.seed);
        let account = accounts::create(conn, &options.account_name, "Headquarters", now)?;
        let mut company_rows = companies::active_for_account(conn, account.id)?;
        for i in 1..options.companies.max(1) {
            let name = format!("{} {}", options.account_name, CITIES[i % CITIES.len()]);
            company_rows.push(companies::create(
                conn,
                account.id,
                &name,
                &format!("CO-{i}"),
                now,
            )?);
        }
        let catalogs = company_rows
            .iter()
            .map(|c| make_catalog(conn, c, now))
            .collect::<Result<Vec<_>>>()?;
        let role_ids: Vec<RoleId> = ["Viewer", "Editor", "Manager", "Admin"]
            .iter()
            .map(|name| roles::find_by_name(conn, account.id, name).map(|r| r.id))
            .collect::<Result<_>>()?;

        let mut report = SeedReport {
            account_id: Some(account.id),
            companies: company_rows.len(),
            ..SeedReport::default()
        };
        let first_user = max_id(conn, "users")? + 1;
        let first_membership = max_id(conn, "memberships")? + 1;
        let total = options.users + usize::from(options.admin.is_some());
        let mut people = Vec::with_capacity(total);
        let (mut members, mut held, mut items, mut all_fields, mut invites) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let domain = format!(
            "{}.example",
            options
                .account_name
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "")
        );
        for i in 0..total {
            let id = UserId(first_user + i as i64);
            let is_admin = options.admin.is_some() && i == 0;
            let (first, last) = (
                FIRST[rng.random_range(0..FIRST.len())],
                LAST[rng.random_range(0..LAST.len())],
            );
            let email = match (&options.admin, is_admin) {
                (Some((email, _)), true) => email.clone(),
                _ => format!(
                    "{}.{}.{i}@{domain}",
                    first.to_lowercase(),
                    last.to_lowercase().replace([' ', 'ä'], "")
                ),
            };
            let roll = rng.random_range(0..100);
            let status = match roll {
                _ if is_admin => UserStatus::Active,
                0..80 => UserStatus::Active,
                80..88 => UserStatus::Invited,
                88..94 => UserStatus::Deactivated,
                _ => UserStatus::Blocked,
            };
            let active = status == UserStatus::Active && !is_admin;
            let locked = active && rng.random_range(0..100) < 2;
            let expired = active && !locked && rng.random_range(0..100) < 2;
            let created = now - TimeDelta::days(rng.random_range(30..800));
            let last_access = match status {
                UserStatus::Invited => None,
                _ if rng.random_range(0..100) < 5 => None,
                _ => Some(now - TimeDelta::seconds(rng.random_range(0..365 * 24 * 3600))),
            };
            let integration = (rng.random_range(0..100) < 3)
                .then(|| INTEGRATIONS[rng.random_range(0..INTEGRATIONS.len())]);
            let totp = (status != UserStatus::Invited && rng.random_range(0..100) < 15)
                .then(|| base32(&mut rng));
            match status {
                UserStatus::Active => report.active += 1,
                UserStatus::Invited => report.invited += 1,
                UserStatus::Deactivated => report.deactivated += 1,
                UserStatus::Blocked => report.blocked += 1,
            }
            report.locked += usize::from(locked);
            report.expired += usize::from(expired);
            report.integrated += usize::from(integration.is_some());
            people.push(SeedUser {
                id,
                account_id: account.id,
                email_lower: email.to_lowercase(),
                email,
                first_name: first.into(),
                last_name: last.into(),
                display_name: format!("{first} {last}"),
                phone: format!("+1 555 {:04}", rng.random_range(0..10_000)),
                password_hash: if is_admin {
                    options.admin.as_ref().map(|(_, hash)| hash.clone())
                } else {
                    None
                },
                status: status.as_str(),
                is_account_admin: is_admin,
                locked_at: locked.then(|| now - TimeDelta::hours(rng.random_range(1..72))),
                expires_at: if expired {
                    Some(now - TimeDelta::days(rng.random_range(1..90)))
                } else if rng.random_range(0..100) < 5 {
                    Some(now + TimeDelta::days(rng.random_range(1..180)))
                } else {
                    None
                },
                security_stamp: format!("seed-{}-{i}", options.seed),
                last_access_at: last_access,
                created_at: created,
                updated_at: created,
                integration,
                enforce_2fa: rng.random_range(0..100) < 10,
                totp_secret: totp,
            });
            let invitation = |status: &'static str, failure: Option<&'static str>| SeedInvitation {
                account_id: account.id,
                user_id: id,
                token_hash: format!("seed-{}-{}", options.seed, id.0),
                status,
                send_count: i32::from(status != "pending"),
                failure_reason: failure,
                expires_at: created + TimeDelta::hours(24),
                sent_at: (status != "pending").then_some(created),
                accepted_at: (status == "accepted").then(|| created + TimeDelta::hours(2)),
                created_at: created,
            };
            if status == UserStatus::Invited {
                let invite = match rng.random_range(0..100) {
                    0..40 => invitation("sent", None),
                    40..70 => invitation("pending", None),
                    70..85 => invitation("expired", None),
                    _ => invitation("failed", Some("550 5.1.1 mailbox unavailable")),
                };
                report.failed_invitations += usize::from(invite.status == "failed");
                invites.push(invite);
            } else if !is_admin {
                invites.push(invitation("accepted", None));
            }

            let company_count = match rng.random_range(0..100) {
                0..75 => 1,
                75..95 => 2,
                _ => 3,
            };
            let catalogs_of_user: Vec<&Catalog> = if is_admin {
                catalogs.iter().take(1).collect()
            } else {
                pick(
                    &mut rng,
                    &(0..catalogs.len()).collect::<Vec<_>>(),
                    company_count,
                )
                .into_iter()
                .map(|c| &catalogs[c])
                .collect()
            };
            let mut missing_required = false;
            for catalog in catalogs_of_user {
                let membership = MembershipId(first_membership + members.len() as i64);
                let all_locations = is_admin || rng.random_range(0..100) < 30;
                let all_product_groups = is_admin || rng.random_range(0..100) < 20;
                members.push(SeedMembership {
                    id: membership,
                    user_id: id,
                    company_id: catalog.company,
                    active: status != UserStatus::Deactivated,
                    created_at: created,
                    all_locations,
                    all_product_groups,
                });
                let role = if is_admin {
                    role_ids[3]
                } else {
                    match rng.random_range(0..100) {
                        0..40 => role_ids[0],
                        40..75 => role_ids[1],
                        75..95 => role_ids[2],
                        _ => role_ids[3],
                    }
                };
                held.push(SeedRole {
                    membership_id: membership,
                    role_id: role,
                });
                if !is_admin && rng.random_range(0..100) < 10 && role != role_ids[0] {
                    held.push(SeedRole {
                        membership_id: membership,
                        role_id: role_ids[0],
                    });
                }
                if !all_locations {
                    let n = rng.random_range(1..4);
                    items.extend(pick(&mut rng, &catalog.locations, n).into_iter().map(
                        |item_id| SeedItem {
                            membership_id: membership,
                            item_id,
                        },
                    ));
                }
                if !all_product_groups {
                    let n = rng.random_range(0..3);
                    items.extend(pick(&mut rng, &catalog.product_groups, n).into_iter().map(
                        |item_id| SeedItem {
                            membership_id: membership,
                            item_id,
                        },
                    ));
                }
                for (field, required, options) in &catalog.fields {
                    match rng.random_range(0..100) {
                        _ if is_admin => all_fields.push(SeedFieldAll {
                            membership_id: membership,
                            field_id: *field,
                        }),
                        0..75 => all_fields.push(SeedFieldAll {
                            membership_id: membership,
                            field_id: *field,
                        }),
                        75..97 => {
                            let n = rng.random_range(1..3);
                            items.extend(pick(&mut rng, options, n).into_iter().map(|item_id| {
                                SeedItem {
                                    membership_id: membership,
                                    item_id,
                                }
                            }));
                        }
                        _ => missing_required |= *required,
                    }
                }
            }
            report.missing_required_field += usize::from(missing_required);
        }
        report.users = bulk_insert!(conn, users::table, &people);
        report.memberships = bulk_insert!(conn, memberships::table, &members);
        bulk_insert!(conn, membership_roles::table, &held);
        bulk_insert!(conn, membership_items::table, &items);
        bulk_insert!(conn, membership_fields_all::table, &all_fields);
        bulk_insert!(conn, invitations::table, &invites);
        sync_id_sequences(conn, &["users", "memberships"])?;
        Ok(report)
    })
}
