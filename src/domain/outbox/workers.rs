//! Which delivery workers are alive. Each running worker has a random id, drawn when its
//! process starts, and beats its row in `mail_workers` every [`BEAT`]. An email a worker
//! claimed stays its own while that heartbeat is younger than [`STALE`]; after that, or when
//! the row is gone, any worker may take it up, a restarted one included.

use crate::db::DbConnection;
use crate::db::schema::mail_workers;
use crate::domain::Result;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::RngCore;
use std::time::Duration;

/// How often a running worker records that it is alive.
pub const BEAT: Duration = Duration::from_secs(5);
/// A heartbeat older than this belongs to a worker that stopped. Six beats, so a slow
/// database or a busy machine can delay a few without another instance taking over emails
/// that are still being sent. Instances compare their own clocks with each other's beats:
/// their clocks must agree to a few seconds (NTP does).
pub const STALE: TimeDelta = TimeDelta::seconds(30);
/// The rows of workers silent this long are removed; their claims were free long before.
pub const FORGET: TimeDelta = TimeDelta::hours(1);

/// A delivery worker's id: random, new at each start, so a restarted process never mistakes
/// its predecessor's claims for its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerId(pub String);

impl WorkerId {
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Records that the worker is alive. Its row is made again if it was removed (the worker
/// was silent for [`FORGET`]: a suspended machine, say).
pub fn beat(conn: &mut DbConnection, worker: &WorkerId, now: NaiveDateTime) -> Result<()> {
    let beaten = diesel::update(mail_workers::table.find(worker.as_str()))
        .set(mail_workers::heartbeat_at.eq(now))
        .execute(conn)?;
    if beaten == 0 {
        diesel::insert_into(mail_workers::table)
            .values((
                mail_workers::id.eq(worker.as_str()),
                mail_workers::heartbeat_at.eq(now),
                mail_workers::started_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes the rows of workers that have been silent for [`FORGET`]; returns how many.
pub fn forget_dead(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize> {
    Ok(
        diesel::delete(mail_workers::table.filter(mail_workers::heartbeat_at.lt(now - FORGET)))
            .execute(conn)?,
    )
}
