//! The User Management list: which users an actor sees, filtered, sorted and paged, and the
//! counts of the infocards. Every query is scoped to the account and, for actors who are not
//! account administrators, to the companies where they hold users.view.

mod cache;
mod csv;
mod query;

pub use cache::{CacheReader, ListCache};

pub use csv::{CSV_HEADER, csv_cells, neutralize};
pub use query::{filtered, resolve_access};

use crate::db::schema::{companies, invitations, membership_roles, memberships, roles, users};
use crate::db::{DbConnection, list_sql, lower};
use crate::domain::paging::{Page, PageRequest};
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

/// Whose users an actor may list.
#[derive(Debug, Clone)]
pub enum Scope {
    Account,
    Companies(Vec<CompanyId>),
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

#[allow(clippy::too_many_arguments)]
pub fn list(
    conn: &mut DbConnection,
    cache: &mut CacheReader<'_>,
    account: AccountId,
    scope: &Scope,
    filter: &UserFilter,
    sort: (SortKey, bool),
    page: PageRequest,
    now: NaiveDateTime,
) -> Result<Page<ListedUser>> {
    let backend = list_sql::backend(conn);
    let total = count(conn, cache, account, scope, filter, now)?;
    // A page past the end shows the last page rather than nothing.
    let page = page.within(total);
    let query = filtered(backend, account, scope, filter, now);
    let (key, descending) = sort;
    let query = match (key, descending) {
        (SortKey::Name, false) => query.order((lower(users::display_name).asc(), users::id.asc())),
        (SortKey::Name, true) => query.order((lower(users::display_name).desc(), users::id.desc())),
        (SortKey::Email, false) => query.order((users::email_lower.asc(), users::id.asc())),
        (SortKey::Email, true) => query.order((users::email_lower.desc(), users::id.desc())),
        (SortKey::LastAccess, descending) => query.order(list_sql::last_access_order(descending)),
        (SortKey::Created, false) => query.order((users::created_at.asc(), users::id.asc())),
        (SortKey::Created, true) => query.order((users::created_at.desc(), users::id.desc())),
    };
    // The page's ids first, then their rows: a deep page skips index entries, not rows. The
    // ids are remembered like the counts; the rows and their access are always read afresh.
    let uses_last_access = key == SortKey::LastAccess || filter.last_access != LastAccess::Any;
    let cache_key = format!(
        "page {account:?} {scope:?} {filter:?} {sort:?} {} {}",
        page.per_page,
        page.offset()
    );
    let ids = cache.get_or_compute(
        conn,
        cache_key,
        now,
        uses_last_access.then_some(account),
        |conn| {
            Ok(query
                .limit(page.per_page)
                .offset(page.offset())
                .select(users::id)
                .load::<UserId>(conn)?
                .into_iter()
                .map(|id| id.0)
                .collect())
        },
    )?;
    let ids: Vec<UserId> = ids.into_iter().map(UserId).collect();
    let mut rows: Vec<UserRow> = users::table
        .filter(users::id.eq_any(&ids))
        .select(UserRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    let items = decorate(conn, scope, rows, now)?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// How many users match, from the cache when nothing it depends on changed.
pub fn count(
    conn: &mut DbConnection,
    cache: &mut CacheReader<'_>,
    account: AccountId,
    scope: &Scope,
    filter: &UserFilter,
    now: NaiveDateTime,
) -> Result<i64> {
    let backend = list_sql::backend(conn);
    let fresh = |conn: &mut DbConnection| -> Result<i64> {
        Ok(filtered(backend, account, scope, filter, now)
            .count()
            .get_result(conn)?)
    };
    let key = format!("count {account:?} {scope:?} {filter:?}");
    let uses_last_access = filter.last_access != LastAccess::Any;
    let values = cache.get_or_compute(
        conn,
        key,
        now,
        uses_last_access.then_some(account),
        |conn| Ok(vec![fresh(conn)?]),
    )?;
    Ok(values.first().copied().unwrap_or_default())
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
    let invites: Vec<(UserId, String, NaiveDateTime)> = invitations::table
        .filter(invitations::user_id.eq_any(&ids))
        .order(invitations::id.desc())
        .select((
            invitations::user_id,
            invitations::status,
            invitations::expires_at,
        ))
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
            // A pending or sent invitation past its validity shows as Expired (a failed one
            // stays Failed: its email never arrived).
            let invitation =
                invites
                    .iter()
                    .find(|(u, _, _)| *u == user.id)
                    .map(|(_, status, expires)| match status.as_str() {
                        "pending" | "sent" if *expires <= now => "expired".to_owned(),
                        _ => status.clone(),
                    });
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
    cache: &mut CacheReader<'_>,
    account: AccountId,
    scope: &Scope,
    now: NaiveDateTime,
) -> Result<Infocards> {
    let key = format!("infocards {account:?} {scope:?}");
    let values = cache.get_or_compute(conn, key, now, None, |conn| {
        let cards = count_infocards(conn, account, scope, now)?;
        Ok(vec![
            cards.total,
            cards.full_seats,
            cards.light_seats,
            cards.active,
            cards.pending_invitations,
            cards.undelivered,
            cards.locked,
            cards.missing_required,
        ])
    })?;
    let value = |i: usize| values.get(i).copied().unwrap_or_default();
    Ok(Infocards {
        total: value(0),
        full_seats: value(1),
        light_seats: value(2),
        active: value(3),
        pending_invitations: value(4),
        undelivered: value(5),
        locked: value(6),
        missing_required: value(7),
    })
}

fn count_infocards(
    conn: &mut DbConnection,
    account: AccountId,
    scope: &Scope,
    now: NaiveDateTime,
) -> Result<Infocards> {
    let backend = list_sql::backend(conn);
    let count = |conn: &mut DbConnection, filter: UserFilter| -> Result<i64> {
        Ok(filtered(backend, account, scope, &filter, now)
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
    let full_seats: i64 = filtered(backend, account, scope, &UserFilter::default(), now)
        .filter(users::status.ne("deactivated"))
        .filter(users::id.eq_any(full_holders))
        .count()
        .get_result(conn)?;
    let counted: i64 = filtered(backend, account, scope, &UserFilter::default(), now)
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
    let backend = list_sql::backend(conn);
    let rows: Vec<UserRow> = filtered(backend, account, scope, filter, now)
        .filter(users::id.gt(after))
        .order(users::id.asc())
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?;
    decorate(conn, scope, rows, now)
}
