//! An item's life after it is made: archive, restore, and delete (archiving instead when
//! someone has access to it).

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::catalog_items;
use crate::domain::Result;
use crate::domain::audit::{AuditAction, Change};
use crate::domain::catalog::{ItemRow, record, usage};
use chrono::NaiveDateTime;
use diesel::prelude::*;

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
    permit: &Permit,
) -> Result<StateOutcome> {
    let change = &Change::authorized_in(permit, Action::ManageConfig, item.company_id)?;
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
