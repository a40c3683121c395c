//! A slow-query log: every statement's time at debug level (target `roster::sql`), and a
//! warning for one slower than [`SLOW`]. Only the SQL text is logged, never the bound
//! values (they can hold password and token hashes).

use diesel::connection::{Instrumentation, InstrumentationEvent};
use std::time::{Duration, Instant};

const SLOW: Duration = Duration::from_millis(200);

#[derive(Default)]
pub struct QueryTimer {
    started: Option<Instant>,
}

impl Instrumentation for QueryTimer {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => self.started = Some(Instant::now()),
            InstrumentationEvent::FinishQuery { query, .. } => {
                let Some(started) = self.started.take() else {
                    return;
                };
                let took = started.elapsed();
                if took < SLOW && !tracing::enabled!(target: "roster::sql", tracing::Level::DEBUG) {
                    return;
                }
                let text = query.to_string();
                let sql = text.split(" -- binds:").next().unwrap_or_default();
                let ms = took.as_secs_f64() * 1000.0;
                if took >= SLOW {
                    tracing::warn!(target: "roster::sql", ms, sql, "slow query");
                } else {
                    tracing::debug!(target: "roster::sql", ms, sql, "query");
                }
            }
            _ => {}
        }
    }
}
