//! Building the filtered query: scope, search, status, access, dates; and resolving the
//! catalog items a filter names.

use super::{AccessCriterion, LastAccess, Scope, ShownStatus, UserFilter};

use crate::db::like_pattern;
use crate::db::list_sql::{Backend, INDEXED_SEARCH_MIN_CHARS, search_indexed};
use crate::db::schema::{companies, invitations, membership_roles, memberships, users};
use crate::db::{DbConnection, lower};
use crate::domain::invitations::status::InvitationStatus;
use crate::domain::two_factor::TwoFactorState;
use crate::domain::users::UserStatus;
use crate::domain::{AccountId, CompanyId, ItemId, Result};
use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;

type Boxed<'a> = users::BoxedQuery<'a, crate::db::MultiBackend>;

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
    let active = users::status.eq(UserStatus::Active.as_str());
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
            ShownStatus::Invited => Box::new(users::status.eq(UserStatus::Invited.as_str())),
            ShownStatus::Deactivated => {
                Box::new(users::status.eq(UserStatus::Deactivated.as_str()))
            }
            ShownStatus::Blocked => Box::new(users::status.eq(UserStatus::Blocked.as_str())),
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
    backend: Backend,
    account: AccountId,
    scope: &Scope,
    filter: &UserFilter,
    now: NaiveDateTime,
) -> Boxed<'static> {
    let mut query = users::table
        .filter(users::account_id.eq(account))
        .into_boxed();
    // Membership conditions are correlated EXISTS rather than IN lists, so that a sorted
    // page can walk an index in order and stop after a page of matches.
    if let Scope::Companies(ids) = scope {
        query = query.filter(exists(
            memberships::table
                .filter(memberships::user_id.eq(users::id))
                .filter(memberships::company_id.eq_any(ids.clone())),
        ));
    }
    let term: String = filter
        .search
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if term.chars().count() >= INDEXED_SEARCH_MIN_CHARS {
        query = query.filter(search_indexed(backend, &term));
    } else if !term.is_empty() {
        let pattern = like_pattern(&term);
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
        query = query.filter(exists(
            memberships::table
                .filter(memberships::user_id.eq(users::id))
                .filter(memberships::company_id.eq_any(filter.companies.clone())),
        ));
    }
    if !filter.roles.is_empty() {
        query = query.filter(exists(
            memberships::table
                .inner_join(membership_roles::table)
                .filter(memberships::user_id.eq(users::id))
                .filter(membership_roles::role_id.eq_any(filter.roles.clone())),
        ));
    }
    query = access_condition(query, &filter.access);
    query = match (filter.two_factor, filter.account_requires_2fa) {
        (None, _) => query,
        (Some(TwoFactorState::On), _) => query.filter(users::totp_secret.is_not_null()),
        (Some(TwoFactorState::Required), true) => query.filter(users::totp_secret.is_null()),
        (Some(TwoFactorState::Required), false) => query
            .filter(users::totp_secret.is_null())
            .filter(users::enforce_2fa.eq(true)),
        // Required of everyone: nobody is merely Off.
        (Some(TwoFactorState::Off), true) => query.filter(users::id.ne(users::id)),
        (Some(TwoFactorState::Off), false) => query
            .filter(users::totp_secret.is_null())
            .filter(users::enforce_2fa.eq(false)),
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
        // As the list shows them (`InvitationStatus::shown`, here in SQL): a pending or sent
        // invitation past its validity is Expired, and no longer what it was stored as.
        let runs_out = InvitationStatus::texts(InvitationStatus::RUNS_OUT);
        let chosen: Vec<&str> = filter.invitation.iter().map(|s| s.as_str()).collect();
        let as_stored = invitations::status.eq_any(chosen).and(
            invitations::status
                .ne_all(runs_out)
                .or(invitations::expires_at.gt(now)),
        );
        let run_out = invitations::status
            .eq_any(runs_out)
            .and(invitations::expires_at.le(now));
        let mine = invitations::table.filter(invitations::user_id.eq(users::id));
        query = if filter.invitation.contains(&InvitationStatus::Expired) {
            query.filter(exists(mine.filter(as_stored.or(run_out))))
        } else {
            query.filter(exists(mine.filter(as_stored)))
        };
    }
    query
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
