//! The paged lists of a company's catalog, searchable by Name or Code.

use crate::db::DbConnection;
use crate::db::like_pattern;
use crate::db::schema::catalog_items;
use crate::domain::catalog::{ItemKind, ItemRow};
use crate::domain::paging::{Page, PageRequest};
use crate::domain::{CompanyId, ItemId, Result};
use diesel::prelude::*;

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
