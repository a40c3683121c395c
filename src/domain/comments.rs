//! Administrators' comments on a user (the Comments tab): free text, each kept with who
//! wrote it and when, newest first. Reading and writing them needs users.edit in one of the
//! user's companies (`Action::CommentOnUser`); the author's name is looked up when shown.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::{user_comments, users};
use crate::domain::audit::{AuditAction, Change};
use crate::domain::paging::{Page, PageRequest};
use crate::domain::users::UserRow;
use crate::domain::{Error, Result, UserId, limits};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone)]
pub struct Comment {
    pub body: String,
    /// The author's displayed name now; None when they were deleted since.
    pub author: Option<String>,
    pub at: NaiveDateTime,
}

/// Adds a comment on `user`.
pub fn add(conn: &mut DbConnection, permit: &Permit, user: UserId, body: &str) -> Result<()> {
    let change = Change::authorized_on_user(permit, Action::CommentOnUser, user)?;
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::field("body", "Write the comment first."));
    }
    if !limits::fits(body, limits::COMMENT) {
        return Err(Error::field(
            "body",
            limits::too_long("A comment", limits::COMMENT, body),
        ));
    }
    crate::db::write_transaction(conn, |conn| {
        // The user must still be the account's (they may be deleted meanwhile).
        crate::domain::users::find(conn, change.account_id(), user)?;
        diesel::insert_into(user_comments::table)
            .values((
                user_comments::account_id.eq(change.account_id()),
                user_comments::user_id.eq(user),
                user_comments::author_id.eq(change.actor()),
                user_comments::body.eq(body),
                user_comments::created_at.eq(change.now),
            ))
            .execute(conn)?;
        change.record(conn, AuditAction::CommentAdded, Some(user), None, "")
    })
}

/// The comments on `user`, newest first, a page at a time.
pub fn of_user(
    conn: &mut DbConnection,
    user: &UserRow,
    page: PageRequest,
) -> Result<Page<Comment>> {
    let about = || {
        user_comments::table
            .filter(user_comments::account_id.eq(user.account_id))
            .filter(user_comments::user_id.eq(user.id))
    };
    let total: i64 = about().count().get_result(conn)?;
    let page = page.within(total);
    let rows: Vec<(String, Option<UserId>, NaiveDateTime)> = about()
        .order((user_comments::created_at.desc(), user_comments::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select((
            user_comments::body,
            user_comments::author_id,
            user_comments::created_at,
        ))
        .load(conn)?;
    let authors: Vec<UserId> = rows.iter().filter_map(|(_, a, _)| *a).collect();
    let names: std::collections::BTreeMap<UserId, String> = users::table
        .filter(users::id.eq_any(&authors))
        .select((users::id, users::display_name))
        .load::<(UserId, String)>(conn)?
        .into_iter()
        .collect();
    let items = rows
        .into_iter()
        .map(|(body, author, at)| Comment {
            body,
            author: author.and_then(|a| names.get(&a).cloned()),
            at,
        })
        .collect();
    Ok(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}
