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
use crate::domain::invitations::status::InvitationStatus;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::roles::SeatKind;
use crate::domain::users::{UserRow, UserStatus};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Email,
    LastAccess,
    Created,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [
        SortKey::Name,
        SortKey::Email,
        SortKey::LastAccess,
        SortKey::Created,
    ];

    /// The key's text in links (`sort=`).
    pub fn slug(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Email => "email",
            SortKey::LastAccess => "last_access",
            SortKey::Created => "created",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

/// Everything a list can be narrowed by. Empty sets mean "any".
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub search: String,
    pub statuses: Vec<ShownStatus>,
    pub roles: Vec<RoleId>,
    pub companies: Vec<CompanyId>,
    pub invitation: Vec<InvitationStatus>,
    /// Only users without any option of a required custom field in a company they belong to.
    pub missing_required: bool,
    /// Access to any of these catalog items (Access to All and Select All count).
    pub access: Vec<AccessCriterion>,
    pub two_factor: Option<crate::domain::two_factor::TwoFactorState>,
    /// The account's "Require two-factor authentication for everyone", which makes every
    /// user without it Required rather than Off. Part of the filter, so remembered counts
    /// follow the setting.
    pub account_requires_2fa: bool,
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
    /// Which role applies where: per visible company (by name), its roles.
    pub roles_by_company: Vec<(String, Vec<(String, RoleId)>)>,
    pub companies: Vec<String>,
    /// Every company the user belongs to, seen or not: what the policy judges actions on
    /// the person against (as `users::target` loads it).
    pub member_of: Vec<CompanyId>,
    /// The latest invitation's status, as shown.
    pub invitation: Option<InvitationStatus>,
    /// The displayed names of the Substitute Users where the user is deactivated.
    pub substitutes: Vec<String>,
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

/// Roles, companies and the latest invitation of a page of users, in four queries.
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
    let member_of: Vec<(UserId, CompanyId)> = memberships::table
        .filter(memberships::user_id.eq_any(&ids))
        .select((memberships::user_id, memberships::company_id))
        .load(conn)?;
    let standing_in: Vec<(UserId, Option<String>)> = memberships::table
        .left_join(users::table.on(memberships::substitute_id.eq(users::id.nullable())))
        .filter(memberships::user_id.eq_any(&ids))
        .filter(memberships::substitute_id.is_not_null())
        .select((memberships::user_id, users::display_name.nullable()))
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
            let mut roles_by_company = Vec::new();
            for (_, membership, company) in &mine {
                let here: Vec<(String, RoleId)> = role_rows
                    .iter()
                    .filter(|(m, _, _)| m == membership)
                    .map(|(_, role, name)| (name.clone(), *role))
                    .collect();
                for (name, role) in &here {
                    if !held_roles.iter().any(|(_, r)| r == role) {
                        held_roles.push((name.clone(), *role));
                    }
                }
                roles_by_company.push((company.clone(), here));
            }
            let invitation = invites
                .iter()
                .find(|(u, _, _)| *u == user.id)
                .map(|(_, status, expires)| InvitationStatus::shown_from(status, *expires, now));
            ListedUser {
                status: ShownStatus::of(&user, now),
                companies: mine.iter().map(|(_, _, name)| name.clone()).collect(),
                roles: held_roles,
                roles_by_company,
                member_of: member_of
                    .iter()
                    .filter(|(u, _)| *u == user.id)
                    .map(|(_, c)| *c)
                    .collect(),
                invitation,
                substitutes: standing_in
                    .iter()
                    .filter(|(u, _)| *u == user.id)
                    .filter_map(|(_, name)| name.clone())
                    .collect(),
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
    let with_invitation = |s: &[InvitationStatus]| UserFilter {
        invitation: s.to_vec(),
        ..UserFilter::default()
    };
    let total = count(conn, UserFilter::default())?;
    // Seats as crate::domain::seats counts them: people neither deactivated nor blocked,
    // with a full-seat role in a company where they are active.
    let full_holders = memberships::table
        .inner_join(membership_roles::table.inner_join(roles::table))
        .filter(roles::seat_kind.eq(SeatKind::Full.as_str()))
        .filter(memberships::active.eq(true))
        .select(memberships::user_id);
    let off = [
        UserStatus::Deactivated.as_str(),
        UserStatus::Blocked.as_str(),
    ];
    let full_seats: i64 = filtered(backend, account, scope, &UserFilter::default(), now)
        .filter(users::status.ne_all(off))
        .filter(users::id.eq_any(full_holders))
        .count()
        .get_result(conn)?;
    let counted: i64 = filtered(backend, account, scope, &UserFilter::default(), now)
        .filter(users::status.ne_all(off))
        .count()
        .get_result(conn)?;
    Ok(Infocards {
        total,
        full_seats,
        light_seats: counted - full_seats,
        active: count(conn, with_status(ShownStatus::Active))?,
        pending_invitations: count(conn, with_invitation(&InvitationStatus::RUNS_OUT))?,
        undelivered: count(conn, with_invitation(&[InvitationStatus::Failed]))?,
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

#[cfg(test)]
mod key_tests {
    use super::{ShownStatus, SortKey};

    #[test]
    fn every_sort_key_and_shown_status_round_trips_through_its_slug() {
        for key in SortKey::ALL {
            assert_eq!(SortKey::parse(key.slug()), Some(key));
        }
        for status in ShownStatus::ALL {
            assert_eq!(ShownStatus::parse(status.slug()), Some(status));
        }
        assert_eq!(SortKey::parse("Name"), None);
    }
}
