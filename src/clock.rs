//! Time, injectable: tests move a shared offset forward instead of sleeping.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The application's clock: the system time plus an offset that only tests change.
/// Clones share the offset, so a test keeps one clone and moves the server's time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// The current UTC time as stored in the database.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    pub fn advance(&self, by: TimeDelta) {
        self.offset_seconds
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
