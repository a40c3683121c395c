//! Archive, restore and delete (archiving instead when someone has access), and the paged, searchable lists.

use super::*;

use crate::db::DbConnection;
use crate::db::like_pattern;
use crate::db::schema::catalog_items;
use crate::domain::audit::AuditAction;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::{CompanyId, ItemId, Result};
use chrono::NaiveDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    Archive,
    Restore,
    Delete,
}

impl StateChange {
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "archive" => Some(StateChange::Archive),
            "restore" => Some(StateChange::Restore),
            "delete" => Some(StateChange::Delete),
            _ => None,
        }
    }
}

/// What happened, for the message shown after the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateOutcome {
    Archived,
    Restored,
    Deleted,
    /// Delete was asked for something in use: it was archived instead.
    ArchivedInUse(i64),
}

/// Archives, restores or deletes. Something users hold is archived rather than deleted, so
/// no one's access silently disappears.
pub fn change_state(
    conn: &mut DbConnection,
    item: &ItemRow,
    what: StateChange,
    change: &Change,
) -> Result<StateOutcome> {
    crate::db::write_transaction(conn, |conn| {
        let target = catalog_items::table.find(item.id);
        let detail = format!("{} {} ({})", item.kind().singular(), item.name, item.code);
        let outcome = match what {
            StateChange::Archive => {
                diesel::update(target)
                    .set(catalog_items::archived_at.eq(change.now))
                    .execute(conn)?;
                StateOutcome::Archived
            }
            StateChange::Restore => {
                diesel::update(target)
                    .set(catalog_items::archived_at.eq(None::<NaiveDateTime>))
                    .execute(conn)?;
                StateOutcome::Restored
            }
            StateChange::Delete => match usage(conn, item)? {
                0 => {
                    diesel::delete(target).execute(conn)?;
                    StateOutcome::Deleted
                }
                users => {
                    diesel::update(target)
                        .set(catalog_items::archived_at.eq(change.now))
                        .execute(conn)?;
                    StateOutcome::ArchivedInUse(users)
                }
            },
        };
        let action = match outcome {
            StateOutcome::Archived | StateOutcome::ArchivedInUse(_) => {
                AuditAction::CatalogItemArchived
            }
            StateOutcome::Restored => AuditAction::CatalogItemRestored,
            StateOutcome::Deleted => AuditAction::CatalogItemDeleted,
        };
        record(conn, change, item.company_id, action, &detail)?;
        Ok(outcome)
    })
}

/// What a list shows: a search by Name or Code, archived or current items, a page.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub search: String,
    pub archived: bool,
}

pub fn list(
    conn: &mut DbConnection,
    company: CompanyId,
    kind: ItemKind,
    parent: Option<ItemId>,
    query: &ListQuery,
    page: PageRequest,
) -> Result<Page<ItemRow>> {
    let filtered = || {
        let mut q = catalog_items::table
            .filter(catalog_items::company_id.eq(company))
            .filter(catalog_items::kind.eq(kind.as_str()))
            .into_boxed();
        q = match parent {
            Some(parent) => q.filter(catalog_items::parent_id.eq(parent)),
            None => q.filter(catalog_items::parent_id.is_null()),
        };
        q = if query.archived {
            q.filter(catalog_items::archived_at.is_not_null())
        } else {
            q.filter(catalog_items::archived_at.is_null())
        };
        if !query.search.trim().is_empty() {
            let pattern = like_pattern(&query.search);
            q = q.filter(
                catalog_items::name_lower
                    .like(pattern.clone())
                    .escape('\\')
                    .or(catalog_items::code_lower.like(pattern).escape('\\')),
            );
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    // A page past the end shows the last page rather than nothing.
    let page = page.within(total);
    let items = filtered()
        .order((catalog_items::name_lower, catalog_items::id))
        .limit(page.per_page)
        .offset(page.offset())
        .select(ItemRow::as_select())
        .load(conn)?;
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}
