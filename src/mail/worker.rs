//! The delivery worker: wakes when an email is queued (or every [`POLL`]), claims due
//! emails, sends each and records the outcome. Runs on the server's runtime, so it stops
//! with the server; the blocking parts (database, SMTP) run off the async workers.

use super::{Mailer, outbox};
use crate::clock::Clock;
use crate::db::Pool;
use lettre::message::Mailbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How often due emails (retries, claims whose worker died) are looked for unprompted.
pub const POLL: Duration = Duration::from_secs(1);
const BATCH: i64 = 64;
/// How often the Monday letter is looked for.
const LETTERS_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
/// Emails of a batch sent at the same time (each over its own pooled SMTP connection).
const SENDERS: usize = 8;

pub struct Worker {
    pub pool: Pool,
    pub clock: Clock,
    pub mailer: Arc<Mailer>,
    pub from: Mailbox,
    pub wake: Arc<Notify>,
    /// For links in scheduled letters.
    pub base_url: String,
}

impl Worker {
    pub fn spawn(self) {
        actix_web::rt::spawn(async move {
            let worker = Arc::new(self);
            let mut letters_checked: Option<chrono::NaiveDateTime> = None;
            loop {
                tokio::select! {
                    _ = worker.wake.notified() => {}
                    _ = actix_web::rt::time::sleep(POLL) => {}
                }
                // The Monday letter is looked for once a minute, not on every round: on a
                // Monday each look is a short write per account.
                let now = worker.clock.now_naive();
                if letters_checked.is_none_or(|t| now - t >= LETTERS_EVERY || now < t) {
                    letters_checked = Some(now);
                    let letters = worker.clone();
                    let queued = actix_web::web::block(move || letters.queue_letters()).await;
                    match queued {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => tracing::warn!(error = %e, "the Monday letter failed"),
                        Err(e) => tracing::warn!(error = %e, "the Monday letter did not run"),
                    }
                }
                loop {
                    let batch = worker.clone();
                    match actix_web::web::block(move || batch.deliver_due()).await {
                        Ok(Ok(0)) => break,
                        Ok(Ok(_)) => continue,
                        Ok(Err(e)) => {
                            tracing::warn!(error = %e, "email delivery round failed");
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "email delivery round did not run");
                            break;
                        }
                    }
                }
            }
        });
    }

    /// Queues the Monday letters that are due; they are delivered with the rest.
    fn queue_letters(&self) -> Result<usize, crate::domain::Error> {
        let mut conn = self.pool.get()?;
        super::weekly::send_due(&mut conn, self.clock.now_naive(), &self.base_url)
    }

    /// Claims and sends one batch; returns how many were claimed.
    pub fn deliver_due(&self) -> Result<usize, crate::domain::Error> {
        // No connection held while SMTP is talked to: the pool is shared with the pages.
        let claimed = outbox::claim(&mut *self.pool.get()?, self.clock.now_naive(), BATCH)?;
        // Several sends at once: an SMTP exchange is mostly waiting (lettre writes the end
        // of DATA as a separate small packet, which meets the server's delayed ACK).
        let chunk = claimed.len().div_ceil(SENDERS).max(1);
        let outcomes: Vec<Result<(), super::Failure>> = std::thread::scope(|scope| {
            let running: Vec<_> = claimed
                .chunks(chunk)
                .map(|emails| {
                    let handle = scope.spawn(move || {
                        emails
                            .iter()
                            .map(|email| self.mailer.send(&self.from, email))
                            .collect::<Vec<_>>()
                    });
                    (emails.len(), handle)
                })
                .collect();
            running
                .into_iter()
                .flat_map(|(count, handle)| {
                    // One outcome per email even if a sender panicked, so they stay paired.
                    handle.join().unwrap_or_else(|_| {
                        let lost = super::Failure {
                            permanent: false,
                            reason: "the sending thread stopped".into(),
                        };
                        vec![Err(lost); count]
                    })
                })
                .collect()
        });
        let mut conn = self.pool.get()?;
        for (email, outcome) in claimed.iter().zip(outcomes) {
            let now = self.clock.now_naive();
            match outcome {
                Ok(()) => outbox::mark_sent(&mut conn, email, now)?,
                Err(failure) => {
                    tracing::info!(email = email.id, permanent = failure.permanent, reason = %failure.reason, "email not delivered");
                    outbox::mark_failed(&mut conn, email, &failure, now)?
                }
            }
        }
        Ok(claimed.len())
    }
}
