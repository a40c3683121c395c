//! Saved filters: a user's named filters per page, with at most one default (kept by a
//! partial unique index as well as by these functions).

use crate::auth::policy::{Action, Permit};
use crate::db::schema::saved_filters;
use crate::db::{DbConnection, write_transaction};
use crate::domain::{Error, FieldErrors, Result, SavedFilterId, UserId, limits};
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub const USERS_PAGE: &str = "users";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_filters)]
pub struct SavedFilterRow {
    pub id: SavedFilterId,
    pub user_id: UserId,
    pub page: String,
    pub name: String,
    pub query: String,
    pub is_default: bool,
    pub created_at: NaiveDateTime,
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    let mut errors = FieldErrors::default();
    if name.is_empty() {
        errors.add("name", "Enter a name for the filter.");
    } else {
        limits::check(
            &mut errors,
            "name",
            "A filter name",
            name,
            limits::FILTER_NAME,
        );
    }
    errors.into_result()?;
    Ok(name.to_owned())
}

fn name_taken(
    conn: &mut DbConnection,
    user: UserId,
    page: &str,
    name: &str,
    except: Option<SavedFilterId>,
) -> Result<bool> {
    let mut query = saved_filters::table
        .filter(saved_filters::user_id.eq(user))
        .filter(saved_filters::page.eq(page))
        .filter(saved_filters::name_lower.eq(name.to_lowercase()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(saved_filters::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

fn clear_default(conn: &mut DbConnection, user: UserId, page: &str) -> Result<()> {
    diesel::update(
        saved_filters::table
            .filter(saved_filters::user_id.eq(user))
            .filter(saved_filters::page.eq(page)),
    )
    .set(saved_filters::is_default.eq(false))
    .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConnection, user: UserId, page: &str) -> Result<Vec<SavedFilterRow>> {
    Ok(saved_filters::table
        .filter(saved_filters::user_id.eq(user))
        .filter(saved_filters::page.eq(page))
        .order((saved_filters::name_lower, saved_filters::id))
        .select(SavedFilterRow::as_select())
        .load(conn)?)
}

pub fn default_for(
    conn: &mut DbConnection,
    user: UserId,
    page: &str,
) -> Result<Option<SavedFilterRow>> {
    Ok(saved_filters::table
        .filter(saved_filters::user_id.eq(user))
        .filter(saved_filters::page.eq(page))
        .filter(saved_filters::is_default.eq(true))
        .select(SavedFilterRow::as_select())
        .first(conn)
        .optional()?)
}

/// One of the user's own filters; anyone else's is NotFound.
pub fn find(conn: &mut DbConnection, user: UserId, id: SavedFilterId) -> Result<SavedFilterRow> {
    saved_filters::table
        .filter(saved_filters::id.eq(id))
        .filter(saved_filters::user_id.eq(user))
        .select(SavedFilterRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Saves the current filter under a name; as the default, it replaces the previous one.
pub fn save(
    conn: &mut DbConnection,
    permit: &Permit,
    page: &str,
    name: &str,
    query: &str,
    as_default: bool,
) -> Result<()> {
    let user = permit.actor();
    permit.require_on_user(Action::OwnAccount, user)?;
    let now = permit.at();
    let name = check_name(name)?;
    if query.len() > limits::FILTER_QUERY {
        return Err(Error::field("name", "This filter is too long to save."));
    }
    write_transaction(conn, |conn| {
        if name_taken(conn, user, page, &name, None)? {
            return Err(Error::field(
                "name",
                "You already have a filter with this name.",
            ));
        }
        if as_default {
            clear_default(conn, user, page)?;
        }
        diesel::insert_into(saved_filters::table)
            .values((
                saved_filters::user_id.eq(user),
                saved_filters::page.eq(page),
                saved_filters::name.eq(&name),
                saved_filters::name_lower.eq(name.to_lowercase()),
                saved_filters::query.eq(query),
                saved_filters::is_default.eq(as_default),
                saved_filters::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn rename(
    conn: &mut DbConnection,
    permit: &Permit,
    filter: &SavedFilterRow,
    name: &str,
) -> Result<()> {
    permit.require_on_user(Action::OwnAccount, filter.user_id)?;
    let name = check_name(name)?;
    write_transaction(conn, |conn| {
        if name_taken(conn, filter.user_id, &filter.page, &name, Some(filter.id))? {
            return Err(Error::field(
                "name",
                "You already have a filter with this name.",
            ));
        }
        diesel::update(saved_filters::table.find(filter.id))
            .set((
                saved_filters::name.eq(&name),
                saved_filters::name_lower.eq(name.to_lowercase()),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Makes this filter the default (or, with `on` false, leaves the page without one).
pub fn set_default(
    conn: &mut DbConnection,
    permit: &Permit,
    filter: &SavedFilterRow,
    on: bool,
) -> Result<()> {
    permit.require_on_user(Action::OwnAccount, filter.user_id)?;
    write_transaction(conn, |conn| {
        clear_default(conn, filter.user_id, &filter.page)?;
        if on {
            diesel::update(saved_filters::table.find(filter.id))
                .set(saved_filters::is_default.eq(true))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn delete(conn: &mut DbConnection, permit: &Permit, filter: &SavedFilterRow) -> Result<()> {
    permit.require_on_user(Action::OwnAccount, filter.user_id)?;
    diesel::delete(saved_filters::table.find(filter.id)).execute(conn)?;
    Ok(())
}
