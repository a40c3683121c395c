//! The User Management list: which users an actor sees, filtered, sorted and paged, and the
//! counts of the infocards. Every query is scoped to the account and, for actors who are not
//! account administrators, to the companies where they hold users.view.

use crate::db::schema::{companies, invitations, membership_roles, memberships, roles, users};
use crate::db::{DbConnection, lower};
use crate::domain::paging::{Page, PageRequest, like_pattern};
use crate::domain::users::UserRow;
use crate::domain::{AccountId, CompanyId, ItemId, Result, RoleId, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The status a person shows in the list: Locked and Expired are refinements of Active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownStatus {
    Active,
    Invited,
    Deactivated,
    Blocked,
    Locked,
    Expired,
}

impl ShownStatus {
    pub const ALL: [ShownStatus; 6] = [
        ShownStatus::Active,
        ShownStatus::Invited,
        ShownStatus::Deactivated,
        ShownStatus::Blocked,
        ShownStatus::Locked,
        ShownStatus::Expired,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ShownStatus::Active => "active",
            ShownStatus::Invited => "invited",
            ShownStatus::Deactivated => "deactivated",
            ShownStatus::Blocked => "blocked",
            ShownStatus::Locked => "locked",
            ShownStatus::Expired => "expired",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ShownStatus::Active => "Active",
            ShownStatus::Invited => "Invited",
            ShownStatus::Deactivated => "Deactivated",
            ShownStatus::Blocked => "Blocked",
            ShownStatus::Locked => "Locked",
            ShownStatus::Expired => "Expired",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }

    pub fn of(user: &UserRow, now: NaiveDateTime) -> Self {
        use crate::domain::users::UserStatus;
        match user.status() {
            UserStatus::Invited => ShownStatus::Invited,
            UserStatus::Deactivated => ShownStatus::Deactivated,
            UserStatus::Blocked => ShownStatus::Blocked,
            UserStatus::Active if user.is_locked(now) => ShownStatus::Locked,
            UserStatus::Active if user.is_expired(now) => ShownStatus::Expired,
            UserStatus::Active => ShownStatus::Active,
        }
    }
}

pub const INVITATION_STATUSES: [(&str, &str); 6] = [
    ("pending", "Pending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("accepted", "Accepted"),
    ("expired", "Expired"),
    ("revoked", "Revoked"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Email,
    LastAccess,
    Created,
}

impl SortKey {
    pub fn parse(slug: &str) -> Option<Self> {
        match slug {
            "name" => Some(SortKey::Name),
            "email" => Some(SortKey::Email),
            "last_access" => Some(SortKey::LastAccess),
            "created" => Some(SortKey::Created),
            _ => None,
        }
    }
}

/// Everything a list can be narrowed by. Empty sets mean "any".
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub search: String,
    pub statuses: Vec<ShownStatus>,
    pub roles: Vec<RoleId>,
    pub companies: Vec<CompanyId>,
    pub invitation: Vec<String>,
    /// Only users without any option of a required custom field in a company they belong to.
    pub missing_required: bool,
    /// Access to any of these catalog items (Access to All and Select All count).
    pub access: Vec<AccessCriterion>,
    pub two_factor: Option<bool>,
    pub integrated: Option<bool>,
    pub last_access: LastAccess,
    pub created_from: Option<NaiveDateTime>,
    pub created_until: Option<NaiveDateTime>,
    pub expires_before: Option<NaiveDateTime>,
}

/// Access to one catalog item, with what "all" covers it: a location or product group is
/// covered by Access to All in its company, an option by Select All on its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessCriterion {
    Location { item: ItemId, company: CompanyId },
    ProductGroup { item: ItemId, company: CompanyId },
    FieldOption { item: ItemId, field: ItemId },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LastAccess {
    #[default]
    Any,
    Never,
    Before(NaiveDateTime),
    After(NaiveDateTime),
    Between(NaiveDateTime, NaiveDateTime),
}

/// Users reaching `criterion`: chosen explicitly, or covered by an "all" flag.
fn access_condition(query: Boxed<'static>, criteria: &[AccessCriterion]) -> Boxed<'static> {
    use crate::db::schema::{membership_fields_all, membership_items};
    type Cond = Box<
        dyn BoxableExpression<
                users::table,
                crate::db::MultiBackend,
                SqlType = diesel::sql_types::Bool,
            >,
    >;
    let mut any: Option<Cond> = None;
    for criterion in criteria {
        let chosen_item = match criterion {
            AccessCriterion::Location { item, .. }
            | AccessCriterion::ProductGroup { item, .. }
            | AccessCriterion::FieldOption { item, .. } => *item,
        };
        let chosen = memberships::table
            .inner_join(membership_items::table)
            .filter(membership_items::item_id.eq(chosen_item))
            .select(memberships::user_id);
        let covered: Cond = match *criterion {
            AccessCriterion::Location { company, .. } => Box::new(
                users::id.eq_any(
                    memberships::table
                        .filter(memberships::company_id.eq(company))
                        .filter(memberships::all_locations.eq(true))
                        .select(memberships::user_id),
                ),
            ),
            AccessCriterion::ProductGroup { company, .. } => Box::new(
                users::id.eq_any(
                    memberships::table
                        .filter(memberships::company_id.eq(company))
                        .filter(memberships::all_product_groups.eq(true))
                        .select(memberships::user_id),
                ),
            ),
            AccessCriterion::FieldOption { field, .. } => Box::new(
                users::id.eq_any(
                    memberships::table
                        .inner_join(membership_fields_all::table)
                        .filter(membership_fields_all::field_id.eq(field))
                        .select(memberships::user_id),
                ),
            ),
        };
        let one: Cond = Box::new(users::id.eq_any(chosen).or(covered));
        any = Some(match any {
            None => one,
            Some(previous) => Box::new(previous.or(one)),
        });
    }
    match any {
        Some(condition) => query.filter(condition),
        None => query,
    }
}

/// Users with an active membership in a company that has a required custom field, holding
/// neither Select All on it nor any of its current options. Plain SQL, the same on both
/// backends.
const MISSING_REQUIRED: &str = "users.id IN (SELECT m.user_id FROM memberships m \
    JOIN catalog_items f ON f.company_id = m.company_id AND f.kind = 'field' AND f.required \
    AND f.archived_at IS NULL \
    WHERE m.active \
    AND NOT EXISTS (SELECT 1 FROM membership_fields_all a WHERE a.membership_id = m.id AND a.field_id = f.id) \
    AND NOT EXISTS (SELECT 1 FROM membership_items i JOIN catalog_items o ON o.id = i.item_id \
                    WHERE i.membership_id = m.id AND o.parent_id = f.id AND o.archived_at IS NULL))";

/// Whose users an actor may list.
#[derive(Debug, Clone)]
pub enum Scope {
    Account,
    Companies(Vec<CompanyId>),
}

type Boxed<'a> = users::BoxedQuery<'a, crate::db::MultiBackend>;

fn status_condition(
    query: Boxed<'static>,
    statuses: &[ShownStatus],
    now: NaiveDateTime,
) -> Boxed<'static> {
    use diesel::dsl::not;
    let locked = users::locked_at.is_not_null().and(
        users::locked_until
            .is_null()
            .or(users::locked_until.assume_not_null().gt(now)),
    );
    let expired = users::expires_at
        .is_not_null()
        .and(users::expires_at.assume_not_null().le(now));
    let active = users::status.eq("active");
    let mut any: Option<
        Box<
            dyn BoxableExpression<
                    users::table,
                    crate::db::MultiBackend,
                    SqlType = diesel::sql_types::Bool,
                >,
        >,
    > = None;
    for status in statuses {
        let one: Box<
            dyn BoxableExpression<
                    users::table,
                    crate::db::MultiBackend,
                    SqlType = diesel::sql_types::Bool,
                >,
        > = match status {
            ShownStatus::Invited => Box::new(users::status.eq("invited")),
            ShownStatus::Deactivated => Box::new(users::status.eq("deactivated")),
            ShownStatus::Blocked => Box::new(users::status.eq("blocked")),
            ShownStatus::Locked => Box::new(active.and(locked)),
            ShownStatus::Expired => Box::new(active.and(not(locked)).and(expired)),
            ShownStatus::Active => Box::new(
                active
                    .and(not(users::locked_at.is_not_null().and(
                        users::locked_until
                            .is_null()
                            .or(users::locked_until.assume_not_null().gt(now)),
                    )))
                    .and(not(users::expires_at
                        .is_not_null()
                        .and(users::expires_at.assume_not_null().le(now)))),
            ),
        };
        any = Some(match any {
            None => one,
            Some(previous) => Box::new(previous.or(one)),
        });
    }
    match any {
        Some(condition) => query.filter(condition),
        None => query,
    }
}

/// The account's users narrowed by scope and filter; the same query serves the list, its
/// count and the CSV export.
pub fn filtered(
    account: AccountId,
    scope: &Scope,
    filter: &UserFilter,
    now: NaiveDateTime,
) -> Boxed<'static> {
    let mut query = users::table
        .filter(users::account_id.eq(account))
        .into_boxed();
    if let Scope::Companies(ids) = scope {
        let visible = memberships::table
            .filter(memberships::company_id.eq_any(ids.clone()))
            .select(memberships::user_id);
        query = query.filter(users::id.eq_any(visible));
    }
    if !filter.search.trim().is_empty() {
        let pattern = like_pattern(&filter.search);
        query = query.filter(
            lower(users::display_name)
                .like(pattern.clone())
                .escape('\\')
                .or(users::email_lower.like(pattern.clone()).escape('\\'))
                .or(users::username_lower.like(pattern.clone()).escape('\\'))
                .or(lower(users::first_name).like(pattern.clone()).escape('\\'))
                .or(lower(users::last_name).like(pattern).escape('\\')),
        );
    }
    query = status_condition(query, &filter.statuses, now);
    if !filter.companies.is_empty() {
        let in_company = memberships::table
            .filter(memberships::company_id.eq_any(filter.companies.clone()))
            .select(memberships::user_id);
        query = query.filter(users::id.eq_any(in_company));
    }
    if !filter.roles.is_empty() {
        let holders = memberships::table
            .inner_join(membership_roles::table)
            .filter(membership_roles::role_id.eq_any(filter.roles.clone()))
            .select(memberships::user_id);
        query = query.filter(users::id.eq_any(holders));
    }
    query = access_condition(query, &filter.access);
    query = match filter.two_factor {
        Some(true) => query.filter(users::totp_secret.is_not_null()),
        Some(false) => query.filter(users::totp_secret.is_null()),
        None => query,
    };
    query = match filter.integrated {
        Some(true) => query.filter(users::integration.is_not_null()),
        Some(false) => query.filter(users::integration.is_null()),
        None => query,
    };
    query = match filter.last_access {
        LastAccess::Any => query,
        LastAccess::Never => query.filter(users::last_access_at.is_null()),
        LastAccess::Before(at) => query.filter(users::last_access_at.lt(at)),
        LastAccess::After(at) => query.filter(users::last_access_at.ge(at)),
        LastAccess::Between(from, until) => query
            .filter(users::last_access_at.ge(from))
            .filter(users::last_access_at.lt(until)),
    };
    if let Some(from) = filter.created_from {
        query = query.filter(users::created_at.ge(from));
    }
    if let Some(until) = filter.created_until {
        query = query.filter(users::created_at.lt(until));
    }
    if let Some(before) = filter.expires_before {
        query = query.filter(users::expires_at.lt(before));
    }
    if filter.missing_required {
        query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            MISSING_REQUIRED,
        ));
    }
    if !filter.invitation.is_empty() {
        let invited = invitations::table
            .filter(invitations::account_id.eq(account))
            .filter(invitations::status.eq_any(filter.invitation.clone()))
            .select(invitations::user_id);
        query = query.filter(users::id.eq_any(invited));
    }
    query
}

/// A row of the list, with what the table shows about access.
#[derive(Debug, Clone)]
pub struct ListedUser {
    pub user: UserRow,
    pub status: ShownStatus,
    /// (role name, role id) per role held anywhere in the visible companies.
    pub roles: Vec<(String, RoleId)>,
    pub companies: Vec<String>,
    pub invitation: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    account: AccountId,
    scope: &Scope,
    filter: &UserFilter,
    sort: (SortKey, bool),
    page: PageRequest,
    now: NaiveDateTime,
) -> Result<Page<ListedUser>> {
    let total: i64 = filtered(account, scope, filter, now)
        .count()
        .get_result(conn)?;
    let last_page = ((total + page.per_page - 1) / page.per_page).max(1);
    let page = PageRequest {
        page: page.page.min(last_page),
        ..page
    };
    let query = filtered(account, scope, filter, now);
    let (key, descending) = sort;
    let query = match (key, descending) {
        (SortKey::Name, false) => query.order((lower(users::display_name).asc(), users::id.asc())),
        (SortKey::Name, true) => query.order((lower(users::display_name).desc(), users::id.desc())),
        (SortKey::Email, false) => query.order((users::email_lower.asc(), users::id.asc())),
        (SortKey::Email, true) => query.order((users::email_lower.desc(), users::id.desc())),
        // "Never" sorts last when the newest come first, and first otherwise.
        (SortKey::LastAccess, false) => query.order((
            users::last_access_at.is_not_null().asc(),
            users::last_access_at.asc(),
            users::id.asc(),
        )),
        (SortKey::LastAccess, true) => query.order((
            users::last_access_at.is_not_null().desc(),
            users::last_access_at.desc(),
            users::id.desc(),
        )),
        (SortKey::Created, false) => query.order((users::created_at.asc(), users::id.asc())),
        (SortKey::Created, true) => query.order((users::created_at.desc(), users::id.desc())),
    };
    let rows: Vec<UserRow> = query
        .limit(page.per_page)
        .offset(page.offset())
        .select(UserRow::as_select())
        .load(conn)?;
    let items = decorate(conn, scope, rows, now)?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// Roles, companies and the latest invitation of a page of users, in three queries.
pub fn decorate(
    conn: &mut DbConnection,
    scope: &Scope,
    rows: Vec<UserRow>,
    now: NaiveDateTime,
) -> Result<Vec<ListedUser>> {
    let ids: Vec<UserId> = rows.iter().map(|u| u.id).collect();
    let mut held = memberships::table
        .inner_join(companies::table)
        .filter(memberships::user_id.eq_any(&ids))
        .filter(companies::archived_at.is_null())
        .into_boxed();
    if let Scope::Companies(visible) = scope {
        held = held.filter(memberships::company_id.eq_any(visible.clone()));
    }
    let places: Vec<(UserId, i64, String)> = held
        .order(companies::name)
        .select((memberships::user_id, memberships::id, companies::name))
        .load(conn)?;
    let membership_ids: Vec<i64> = places.iter().map(|(_, m, _)| *m).collect();
    let role_rows: Vec<(i64, RoleId, String)> = membership_roles::table
        .inner_join(roles::table)
        .filter(membership_roles::membership_id.eq_any(&membership_ids))
        .order(roles::name)
        .select((membership_roles::membership_id, roles::id, roles::name))
        .load(conn)?;
    let invites: Vec<(UserId, String)> = invitations::table
        .filter(invitations::user_id.eq_any(&ids))
        .order(invitations::id.desc())
        .select((invitations::user_id, invitations::status))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|user| {
            let mine: Vec<&(UserId, i64, String)> =
                places.iter().filter(|(u, _, _)| *u == user.id).collect();
            let mut held_roles: Vec<(String, RoleId)> = Vec::new();
            for (_, membership, _) in &mine {
                for (_, role, name) in role_rows.iter().filter(|(m, _, _)| m == membership) {
                    if !held_roles.iter().any(|(_, r)| r == role) {
                        held_roles.push((name.clone(), *role));
                    }
                }
            }
            let invitation = invites
                .iter()
                .find(|(u, _)| *u == user.id)
                .map(|(_, s)| s.clone());
            ListedUser {
                status: ShownStatus::of(&user, now),
                companies: mine.iter().map(|(_, _, name)| name.clone()).collect(),
                roles: held_roles,
                invitation,
                user,
            }
        })
        .collect())
}

/// The numbers at the top of the page; each links to the filter that shows those users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Infocards {
    pub total: i64,
    pub full_seats: i64,
    pub light_seats: i64,
    pub active: i64,
    pub pending_invitations: i64,
    pub undelivered: i64,
    pub locked: i64,
    pub missing_required: i64,
}

pub fn infocards(
    conn: &mut DbConnection,
    account: AccountId,
    scope: &Scope,
    now: NaiveDateTime,
) -> Result<Infocards> {
    let count = |conn: &mut DbConnection, filter: UserFilter| -> Result<i64> {
        Ok(filtered(account, scope, &filter, now)
            .count()
            .get_result(conn)?)
    };
    let with_status = |s: ShownStatus| UserFilter {
        statuses: vec![s],
        ..UserFilter::default()
    };
    let with_invitation = |s: &[&str]| UserFilter {
        invitation: s.iter().map(|x| x.to_string()).collect(),
        ..UserFilter::default()
    };
    let total = count(conn, UserFilter::default())?;
    // A person takes a full seat if any role they hold is a full-seat role.
    let full_holders = memberships::table
        .inner_join(membership_roles::table.inner_join(roles::table))
        .filter(roles::seat_kind.eq("full"))
        .select(memberships::user_id);
    let full_seats: i64 = filtered(account, scope, &UserFilter::default(), now)
        .filter(users::status.ne("deactivated"))
        .filter(users::id.eq_any(full_holders))
        .count()
        .get_result(conn)?;
    let counted: i64 = filtered(account, scope, &UserFilter::default(), now)
        .filter(users::status.ne("deactivated"))
        .count()
        .get_result(conn)?;
    Ok(Infocards {
        total,
        full_seats,
        light_seats: counted - full_seats,
        active: count(conn, with_status(ShownStatus::Active))?,
        pending_invitations: count(conn, with_invitation(&["pending", "sent"]))?,
        undelivered: count(conn, with_invitation(&["failed"]))?,
        locked: count(conn, with_status(ShownStatus::Locked))?,
        missing_required: count(
            conn,
            UserFilter {
                missing_required: true,
                ..UserFilter::default()
            },
        )?,
    })
}

/// The next `limit` matching users after `after` (by id), for streaming an export without
/// holding every row.
pub fn batch_after(
    conn: &mut DbConnection,
    account: AccountId,
    scope: &Scope,
    filter: &UserFilter,
    after: UserId,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<ListedUser>> {
    let rows: Vec<UserRow> = filtered(account, scope, filter, now)
        .filter(users::id.gt(after))
        .order(users::id.asc())
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?;
    decorate(conn, scope, rows, now)
}

/// A CSV cell that a spreadsheet will not run as a formula: text starting with = + - @ (or a
/// tab or carriage return) gets a leading apostrophe.
pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

pub const CSV_HEADER: [&str; 10] = [
    "Name",
    "Email",
    "User name",
    "Status",
    "Roles",
    "Companies",
    "Last access (UTC)",
    "Invitation",
    "Integration",
    "2FA",
];

/// One user as CSV cells, neutralized.
pub fn csv_cells(row: &ListedUser) -> [String; 10] {
    let roles: Vec<&str> = row.roles.iter().map(|(name, _)| name.as_str()).collect();
    [
        row.user.display_name.clone(),
        row.user.email.clone(),
        row.user.username.clone().unwrap_or_default(),
        row.status.label().to_owned(),
        roles.join(", "),
        row.companies.join(", "),
        row.user
            .last_access_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        row.invitation.clone().unwrap_or_default(),
        row.user.integration.clone().unwrap_or_default(),
        if row.user.totp_secret.is_some() {
            "On"
        } else {
            "Off"
        }
        .to_owned(),
    ]
    .map(|cell| neutralize(&cell))
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formulas_are_neutralized() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1"), "'+1");
        assert_eq!(neutralize("-2"), "'-2");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(neutralize(""), "");
    }
}

/// Resolves chosen catalog item ids into access criteria, only within the account's
/// companies; an id that is not the account's, or not of the kind asked, is reported.
pub fn resolve_access(
    conn: &mut DbConnection,
    account: AccountId,
    wanted: &[(crate::domain::catalog::ItemKind, ItemId)],
) -> Result<std::result::Result<Vec<AccessCriterion>, String>> {
    use crate::db::schema::catalog_items;
    use crate::domain::catalog::ItemKind;
    if wanted.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let ids: Vec<ItemId> = wanted.iter().map(|(_, id)| *id).collect();
    let found: Vec<(ItemId, CompanyId, String, Option<ItemId>)> = catalog_items::table
        .inner_join(companies::table)
        .filter(companies::account_id.eq(account))
        .filter(catalog_items::id.eq_any(&ids))
        .select((
            catalog_items::id,
            catalog_items::company_id,
            catalog_items::kind,
            catalog_items::parent_id,
        ))
        .load(conn)?;
    let mut criteria = Vec::new();
    for (kind, id) in wanted {
        let item = found
            .iter()
            .find(|(i, _, k, _)| i == id && k == kind.as_str());
        let criterion = match (kind, item) {
            (ItemKind::Location, Some((item, company, _, _))) => AccessCriterion::Location {
                item: *item,
                company: *company,
            },
            (ItemKind::ProductGroup, Some((item, company, _, _))) => {
                AccessCriterion::ProductGroup {
                    item: *item,
                    company: *company,
                }
            }
            (ItemKind::FieldOption, Some((item, _, _, Some(field)))) => {
                AccessCriterion::FieldOption {
                    item: *item,
                    field: *field,
                }
            }
            _ => {
                return Ok(Err(format!(
                    "There is no {} with the id {id}.",
                    kind.singular().to_lowercase()
                )));
            }
        };
        criteria.push(criterion);
    }
    Ok(Ok(criteria))
}
