//! Counts and page contents remembered between page views. An entry holds while nothing it
//! depends on changed: the database's data version (moved by triggers on every write to
//! users, memberships, access, invitations, catalog items, roles and companies); for the
//! statuses that time alone changes (Active, Locked, Expired, an invitation's Expired), the
//! next moment one of them changes; and, for what depends on last access (its filter and its
//! sort), the latest last-access time, which every touch moves forward. So a remembered
//! value is always the value a fresh query would give.

use crate::db::DbConnection;
use crate::db::schema::users;
use crate::domain::invitations::status::InvitationStatus;
use crate::domain::{AccountId, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::Mutex;

/// Remembered counts, shared by the server's workers.
pub struct ListCache {
    entries: Mutex<LruCache<String, Entry>>,
}

#[derive(Clone)]
struct Entry {
    version: i64,
    /// The latest last access when the entry was made, for entries that depend on it.
    access_mark: Option<Option<NaiveDateTime>>,
    /// The first moment a status that depends on time can change; None: no such moment.
    until: Option<NaiveDateTime>,
    values: Vec<i64>,
}

impl ListCache {
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    /// A reader for one page view: the data version and the latest last access are read
    /// once for all the values the view takes from the cache.
    pub fn reader(&self) -> CacheReader<'_> {
        CacheReader {
            cache: self,
            version: None,
            access: None,
        }
    }

    fn lookup(&self, key: &str) -> Option<Entry> {
        // A poisoned lock only means another worker panicked mid-update of a cache: counting
        // afresh is always correct.
        self.entries.lock().ok()?.get(key).cloned()
    }
}

/// The next moment, after `now`, when a lock runs out, an account expires or a waiting
/// invitation expires.
fn next_time_change(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Option<NaiveDateTime>> {
    let unlock: Option<NaiveDateTime> = users::table
        .filter(users::locked_until.gt(now))
        .select(diesel::dsl::min(users::locked_until))
        .first(conn)?;
    let expiry: Option<NaiveDateTime> = users::table
        .filter(users::expires_at.gt(now))
        .select(diesel::dsl::min(users::expires_at))
        .first(conn)?;
    // A waiting invitation turns Expired at its own time.
    let invitation: Option<NaiveDateTime> = crate::db::schema::invitations::table
        .filter(crate::db::schema::invitations::expires_at.gt(now))
        .filter(
            crate::db::schema::invitations::status
                .eq_any(InvitationStatus::texts(InvitationStatus::RUNS_OUT)),
        )
        .select(diesel::dsl::min(crate::db::schema::invitations::expires_at))
        .first(conn)?;
    Ok([unlock, expiry, invitation].into_iter().flatten().min())
}

/// The latest last access in the account: touching a user's last access sets it to now, so
/// any touch moves this forward.
fn latest_access(conn: &mut DbConnection, account: AccountId) -> Result<Option<NaiveDateTime>> {
    Ok(users::table
        .filter(users::account_id.eq(account))
        .select(diesel::dsl::max(users::last_access_at))
        .first(conn)?)
}

/// The cache as one page view sees it. The version is read before anything is computed: a
/// write that lands meanwhile moves the version, so its entries are recomputed on the next
/// view, never served stale.
pub struct CacheReader<'a> {
    cache: &'a ListCache,
    version: Option<i64>,
    access: Option<(AccountId, Option<NaiveDateTime>)>,
}

impl CacheReader<'_> {
    fn version(&mut self, conn: &mut DbConnection) -> Result<i64> {
        if let Some(version) = self.version {
            return Ok(version);
        }
        let version = crate::db::list_sql::data_version(conn)?;
        self.version = Some(version);
        Ok(version)
    }

    fn latest_access(
        &mut self,
        conn: &mut DbConnection,
        account: AccountId,
    ) -> Result<Option<NaiveDateTime>> {
        match self.access {
            Some((of, mark)) if of == account => Ok(mark),
            _ => {
                let mark = latest_access(conn, account)?;
                self.access = Some((account, mark));
                Ok(mark)
            }
        }
    }

    /// The values stored under `key` if they still hold; otherwise computes, stores and
    /// returns them.
    pub fn get_or_compute(
        &mut self,
        conn: &mut DbConnection,
        key: String,
        now: NaiveDateTime,
        // The account whose users' last access the value depends on, if it does.
        last_access_of: Option<AccountId>,
        compute: impl FnOnce(&mut DbConnection) -> Result<Vec<i64>>,
    ) -> Result<Vec<i64>> {
        let version = self.version(conn)?;
        let access_mark = match last_access_of {
            Some(account) => Some(self.latest_access(conn, account)?),
            None => None,
        };
        if let Some(entry) = self.cache.lookup(&key) {
            let in_time = entry.until.is_none_or(|until| now < until);
            if entry.version == version && entry.access_mark == access_mark && in_time {
                return Ok(entry.values);
            }
        }
        let until = next_time_change(conn, now)?;
        let values = compute(conn)?;
        let entry = Entry {
            version,
            access_mark,
            until,
            values: values.clone(),
        };
        if let Ok(mut entries) = self.cache.entries.lock() {
            entries.put(key, entry);
        }
        Ok(values)
    }
}
