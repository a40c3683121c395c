//! Sessions as rows: the cookie holds a random key, the row (found by the key's SHA-256)
//! holds who is signed in, since when, from where, and the session's values. Deleting the
//! row ends the session wherever its cookie is.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::{sessions, users};
use crate::domain::audit::{AuditAction, Change};
use crate::domain::settings::MAX_IDLE_MINUTES;
use crate::domain::users::UserRow;
use crate::domain::{Result, SessionId, UserId};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// How often the last-seen time of a session in use is written: reading pages must not
/// become a write per request (SQLite has one writer).
pub const SEEN_GRANULARITY: TimeDelta = TimeDelta::minutes(1);

/// A session unused for this long is gone whatever its account's settings: no account can
/// allow a longer idle time.
const STALE_AFTER: TimeDelta = TimeDelta::minutes(MAX_IDLE_MINUTES as i64 + 5);

/// A visitor's session (a sign-in form's CSRF token, a message, an account choice that
/// waits two minutes) is kept this long unused: enough for a form left open, short enough
/// that rows made by anonymous requests do not pile up.
const VISITOR_STALE_AFTER: TimeDelta = TimeDelta::hours(2);

/// The longest user agent kept (web::session::Client cuts it when a session starts):
/// enough to tell the browser, bounded whatever a client sends.
pub const AGENT_MAX: usize = 512;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: SessionId,
    pub key_hash: String,
    pub user_id: Option<UserId>,
    pub state: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What a session's values say about it, written alongside them.
#[derive(Debug, Clone, Default)]
pub struct Holder {
    pub user_id: Option<UserId>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub fn find_by_key(conn: &mut DbConnection, key_hash: &str) -> Result<Option<SessionRow>> {
    Ok(sessions::table
        .filter(sessions::key_hash.eq(key_hash))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(
    conn: &mut DbConnection,
    key_hash: &str,
    holder: &Holder,
    state: &str,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::key_hash.eq(key_hash),
            sessions::user_id.eq(holder.user_id),
            sessions::state.eq(state),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::ip.eq(&holder.ip),
            sessions::user_agent.eq(&holder.user_agent),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces the values of a session that still exists; false when it was ended meanwhile.
pub fn update_state(
    conn: &mut DbConnection,
    key_hash: &str,
    holder: &Holder,
    state: &str,
    now: NaiveDateTime,
) -> Result<bool> {
    let row = sessions::table.filter(sessions::key_hash.eq(key_hash));
    let values = (
        sessions::user_id.eq(holder.user_id),
        sessions::state.eq(state),
        sessions::ip.eq(&holder.ip),
        sessions::user_agent.eq(&holder.user_agent),
    );
    // A signed-in session's last-seen time is the idle limit's clock: only a request that
    // passed the limit moves it (`mark_seen`), never a page that merely wrote a message.
    // A visitor's is how long its row is kept.
    let changed = if holder.user_id.is_some() {
        diesel::update(row).set(values).execute(conn)?
    } else {
        diesel::update(row)
            .set((values, sessions::last_seen_at.eq(now)))
            .execute(conn)?
    };
    Ok(changed > 0)
}

pub fn delete_by_key(conn: &mut DbConnection, key_hash: &str) -> Result<()> {
    diesel::delete(sessions::table.filter(sessions::key_hash.eq(key_hash))).execute(conn)?;
    Ok(())
}

/// Records that the session is in use.
pub fn mark_seen(conn: &mut DbConnection, id: SessionId, now: NaiveDateTime) -> Result<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// The user's sessions that can still be used under the account's idle and absolute limits
/// (minutes), the most recently used first.
pub fn of_user(
    conn: &mut DbConnection,
    user: UserId,
    idle_minutes: i32,
    absolute_minutes: i32,
    now: NaiveDateTime,
) -> Result<Vec<SessionRow>> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user))
        .filter(sessions::last_seen_at.ge(now - TimeDelta::minutes(idle_minutes.into())))
        .filter(sessions::created_at.ge(now - TimeDelta::minutes(absolute_minutes.into())))
        .order((sessions::last_seen_at.desc(), sessions::id.desc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// Ends every session of the user; returns how many there were.
pub fn end_all(conn: &mut DbConnection, user: UserId) -> Result<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user))).execute(conn)?)
}

/// Ends one of the user's sessions; false when it is not theirs or already gone.
pub fn end_one(conn: &mut DbConnection, user: UserId, id: SessionId) -> Result<bool> {
    let deleted = diesel::delete(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// Ends every session of the user but `keep`; returns how many ended.
pub fn end_others(conn: &mut DbConnection, user: UserId, keep: SessionId) -> Result<usize> {
    Ok(diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user))
            .filter(sessions::id.ne(keep)),
    )
    .execute(conn)?)
}

/// The user signs out their other sessions (My Profile); returns how many ended.
pub fn sign_out_others(conn: &mut DbConnection, permit: &Permit, keep: SessionId) -> Result<usize> {
    let user = permit.actor();
    let change = &Change::authorized_on_user(permit, Action::OwnAccount, user)?;
    crate::db::write_transaction(conn, |conn| {
        let ended = end_others(conn, user, keep)?;
        change.record(
            conn,
            AuditAction::SessionsEnded,
            Some(user),
            None,
            "other sessions, by the user",
        )?;
        Ok(ended)
    })
}

/// The user signs out one of their sessions; NotFound when it is not theirs or gone.
pub fn sign_out_one(conn: &mut DbConnection, permit: &Permit, id: SessionId) -> Result<()> {
    let user = permit.actor();
    let change = &Change::authorized_on_user(permit, Action::OwnAccount, user)?;
    crate::db::write_transaction(conn, |conn| {
        if !end_one(conn, user, id)? {
            return Err(crate::domain::Error::NotFound);
        }
        change.record(
            conn,
            AuditAction::SessionsEnded,
            Some(user),
            None,
            "one session, by the user",
        )
    })
}

/// Ends every session of the user: their rows are deleted, and the new stamp refuses any
/// sign-in state made before it (an account choice waiting at /login/account).
pub fn end_everywhere(conn: &mut DbConnection, user: &UserRow, now: NaiveDateTime) -> Result<()> {
    diesel::update(
        users::table
            .filter(users::id.eq(user.id))
            .filter(users::account_id.eq(user.account_id)),
    )
    .set((
        users::security_stamp.eq(crate::domain::users::new_security_stamp()),
        users::updated_at.eq(now),
        users::version.eq(users::version + 1),
    ))
    .execute(conn)?;
    end_all(conn, user.id)?;
    Ok(())
}

/// Records that the user signed out; ending the session itself is the session store's.
pub fn record_sign_out(conn: &mut DbConnection, permit: &Permit) -> Result<()> {
    let change = Change::authorized_on_user(permit, Action::OwnAccount, permit.actor())?;
    change.record(conn, AuditAction::SignOut, Some(permit.actor()), None, "")
}

/// The user signs out everywhere, this session included (My Profile): every row goes and
/// the security stamp changes, so no sign-in state made before survives.
pub fn sign_out_everywhere(conn: &mut DbConnection, permit: &Permit) -> Result<()> {
    let change = &Change::authorized_on_user(permit, Action::OwnAccount, permit.actor())?;
    crate::db::write_transaction(conn, |conn| {
        let user = crate::domain::users::find(conn, change.account_id(), permit.actor())?;
        end_everywhere(conn, &user, change.now)?;
        change.record(
            conn,
            AuditAction::SessionsEnded,
            Some(user.id),
            None,
            "by the user",
        )
    })
}

/// Removes sessions nobody can use any more: signed-in ones idle past the longest limit an
/// account can set, visitors' ones after two hours; returns how many.
pub fn remove_stale(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    let visitors = sessions::user_id
        .is_null()
        .and(sessions::last_seen_at.lt(now - VISITOR_STALE_AFTER));
    let anyone = sessions::last_seen_at.lt(now - STALE_AFTER);
    Ok(diesel::delete(sessions::table.filter(visitors.or(anyone))).execute(conn)?)
}
