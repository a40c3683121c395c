//! A user's Activity: the audit events about them and the events they made, newest first,
//! a page at a time. Names are looked up when shown, so a renamed user's new name shows on
//! all past activity.

use crate::db::DbConnection;
use crate::db::schema::{audit_events, companies, users};
use crate::domain::audit::AuditAction;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::users::UserRow;
use crate::domain::{CompanyId, Result, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// One event as the tab shows it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: NaiveDateTime,
    /// What happened, in words ("User changed"); an unknown code as it is stored.
    pub action: String,
    /// Who did it: their displayed name now, "the system" when nobody signed in did.
    pub actor: String,
    pub actor_id: Option<UserId>,
    /// Whom it was about, when someone.
    pub target: Option<String>,
    pub target_id: Option<UserId>,
    pub company: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
}

#[derive(Queryable)]
struct EventRow {
    created_at: NaiveDateTime,
    action: String,
    actor_user_id: Option<UserId>,
    target_user_id: Option<UserId>,
    company_id: Option<CompanyId>,
    detail: String,
    ip: Option<String>,
    actor_name: Option<String>,
    target_name: Option<String>,
}

/// The page of the user's activity asked for (the last page when past the end).
pub fn of_user(conn: &mut DbConnection, user: &UserRow, page: PageRequest) -> Result<Page<Entry>> {
    // The OR is served by the indexes on (target, time) and (actor, time): SQLite and
    // PostgreSQL each combine the two rather than scan the account's events.
    let about = || {
        audit_events::table
            .filter(audit_events::account_id.eq(user.account_id))
            .filter(
                audit_events::target_user_id
                    .eq(user.id)
                    .or(audit_events::actor_user_id.eq(user.id)),
            )
    };
    let total: i64 = about().count().get_result(conn)?;
    let page = page.within(total);
    let rows: Vec<EventRow> = about()
        .order((audit_events::created_at.desc(), audit_events::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select((
            audit_events::created_at,
            audit_events::action,
            audit_events::actor_user_id,
            audit_events::target_user_id,
            audit_events::company_id,
            audit_events::detail,
            audit_events::ip,
            audit_events::actor_name,
            audit_events::target_name,
        ))
        .load(conn)?;
    let people: Vec<UserId> = rows
        .iter()
        .flat_map(|r| [r.actor_user_id, r.target_user_id])
        .flatten()
        .collect();
    let names: BTreeMap<UserId, String> = users::table
        .filter(users::account_id.eq(user.account_id))
        .filter(users::id.eq_any(&people))
        .select((users::id, users::display_name))
        .load::<(UserId, String)>(conn)?
        .into_iter()
        .collect();
    let company_ids: Vec<CompanyId> = rows.iter().filter_map(|r| r.company_id).collect();
    let company_names: BTreeMap<CompanyId, String> = companies::table
        .filter(companies::account_id.eq(user.account_id))
        .filter(companies::id.eq_any(&company_ids))
        .select((companies::id, companies::name))
        .load::<(CompanyId, String)>(conn)?
        .into_iter()
        .collect();
    // A living user's name as it is now; a deleted one's as it was when they were deleted.
    let name_of = |id: Option<UserId>, kept: Option<String>| match (id, kept) {
        (Some(id), _) => Some(
            names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| "a deleted user".to_owned()),
        ),
        (None, Some(kept)) => Some(format!("{kept} (deleted)")),
        (None, None) => None,
    };
    let items = rows
        .into_iter()
        .map(|r| Entry {
            at: r.created_at,
            action: AuditAction::parse(&r.action).map_or(r.action, |a| a.label().to_owned()),
            actor: name_of(r.actor_user_id, r.actor_name)
                .unwrap_or_else(|| "the system".to_owned()),
            actor_id: r.actor_user_id,
            target: name_of(r.target_user_id, r.target_name),
            target_id: r.target_user_id,
            company: r.company_id.and_then(|c| company_names.get(&c).cloned()),
            detail: r.detail,
            ip: r.ip,
        })
        .collect();
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}
