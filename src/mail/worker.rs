//! The delivery worker: wakes when an email is queued (or every [`POLL`]), claims due
//! emails, and sends each, recording its outcome as soon as it is known, so a crash repeats
//! at most the emails on the wire at that moment (one per sender). Its heartbeat
//! (`domain::outbox::workers`) tells other instances, and its own successor after a restart,
//! whether its claims are still its own. Runs on the server's runtime, so it stops with the
//! server; the blocking parts (database, SMTP) run off the async workers.

use super::Mailer;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::outbox;
use crate::domain::outbox::workers::{self as heartbeat, WorkerId};
use lettre::message::Mailbox;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// How often due emails (retries, claims whose worker died) are looked for unprompted.
pub const POLL: Duration = Duration::from_secs(1);
const BATCH: i64 = 64;
/// How often the Monday letter is looked for.
const LETTERS_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
/// How often recording a known outcome is tried (waiting 0.1, 0.2, 0.4, 0.8 s between).
const RECORD_TRIES: u32 = 5;
/// Emails of a batch sent at the same time (each over its own pooled SMTP connection).
pub const SENDERS: usize = 8;

pub struct Worker {
    /// Drawn at each start ([`WorkerId::random`]); no two running workers share one.
    pub id: WorkerId,
    pub pool: Pool,
    pub clock: Clock,
    pub mailer: Arc<Mailer>,
    pub from: Mailbox,
    pub wake: Arc<Notify>,
    /// For links in scheduled letters.
    pub base_url: String,
}

impl Worker {
    /// Starts the heartbeat and the delivery loop. The first beat is written before either
    /// starts, so no claim of this worker ever looks like a dead one's.
    pub fn spawn(self) -> Result<(), crate::domain::Error> {
        heartbeat::beat(&mut *self.pool.get()?, &self.id, self.clock.now_naive())?;
        tracing::info!(worker = self.id.as_str(), "email delivery worker started");
        let worker = Arc::new(self);
        let beating = worker.clone();
        actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(heartbeat::BEAT).await;
                let worker = beating.clone();
                match actix_web::web::block(move || worker.beat()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "the mail worker's heartbeat failed"),
                    Err(e) => tracing::warn!(error = %e, "the mail worker's heartbeat did not run"),
                }
            }
        });
        actix_web::rt::spawn(async move {
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
        Ok(())
    }

    /// Says this worker is alive, and removes the rows of workers long dead.
    fn beat(&self) -> Result<(), crate::domain::Error> {
        let mut conn = self.pool.get()?;
        let now = self.clock.now_naive();
        heartbeat::beat(&mut conn, &self.id, now)?;
        let forgotten = heartbeat::forget_dead(&mut conn, now)?;
        if forgotten > 0 {
            tracing::info!(
                count = forgotten,
                "removed the rows of stopped mail workers"
            );
        }
        Ok(())
    }

    /// Queues the Monday letters that are due; they are delivered with the rest.
    fn queue_letters(&self) -> Result<usize, crate::domain::Error> {
        let mut conn = self.pool.get()?;
        crate::domain::weekly_letter::send_due(
            &mut conn,
            self.clock.now_naive(),
            &self.base_url,
            &super::templates::TEMPLATES,
        )
    }

    /// Claims and sends one batch; returns how many were claimed. Must not run twice at
    /// once for one worker: a claim takes this worker's own leftovers too.
    pub fn deliver_due(&self) -> Result<usize, crate::domain::Error> {
        // No connection held while SMTP is talked to: the pool is shared with the pages.
        let claim = outbox::claim(
            &mut *self.pool.get()?,
            &self.id,
            self.clock.now_naive(),
            BATCH,
        )?;
        if claim.rescued > 0 {
            tracing::info!(
                count = claim.rescued,
                "took up emails claimed by a mail worker that stopped"
            );
        }
        // Several sends at once: an SMTP exchange is mostly waiting (lettre writes the end
        // of DATA as a separate small packet, which meets the server's delayed ACK). Each
        // sender takes the next email when it is done with one.
        let (next, unrecorded) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for _ in 0..SENDERS.min(claim.emails.len()) {
                scope.spawn(|| {
                    while let Some(email) = claim.emails.get(next.fetch_add(1, Ordering::Relaxed))
                    {
                        // Left claimed by this worker: a later round takes it again and, if
                        // the server had accepted it, sends it a second time.
                        if let Err(e) = self.deliver(email) {
                            unrecorded.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(email = email.id, error = %e, "email delivery not recorded");
                        }
                    }
                });
            }
        });
        match unrecorded.into_inner() {
            0 => Ok(claim.emails.len()),
            // The loop then waits for the next poll instead of taking them again at once.
            n => Err(crate::domain::Error::Internal(format!(
                "{n} of {} email outcomes were not recorded",
                claim.emails.len()
            ))),
        }
    }

    /// Sends one claimed email, if it is still wanted, and records the outcome at once.
    fn deliver(&self, email: &outbox::OutboxRow) -> Result<(), crate::domain::Error> {
        if !outbox::still_wanted(&mut *self.pool.get()?, email, &self.id)? {
            tracing::info!(email = email.id, "email cancelled or taken over, not sent");
            return Ok(());
        }
        let outcome = self.mailer.send(&self.from, email);
        if let Err(failure) = &outcome {
            tracing::info!(email = email.id, permanent = failure.permanent, reason = %failure.reason, "email not delivered");
        }
        // The outcome is known now. A database that fails to take it (a busy pool, a lost
        // connection) is asked again for about a second and a half, since an unrecorded
        // "sent" is sent a second time by a later round.
        let mut wait = Duration::from_millis(100);
        let mut tries = 0;
        loop {
            let recorded = self.record(email, &outcome);
            tries += 1;
            match recorded {
                Ok(()) => return Ok(()),
                Err(e) if tries >= RECORD_TRIES => return Err(e),
                Err(e) => {
                    tracing::warn!(email = email.id, error = %e, "recording an email's outcome failed; trying again");
                    std::thread::sleep(wait);
                    wait *= 2;
                }
            }
        }
    }

    fn record(
        &self,
        email: &outbox::OutboxRow,
        outcome: &Result<(), super::Failure>,
    ) -> Result<(), crate::domain::Error> {
        let mut conn = self.pool.get()?;
        let now = self.clock.now_naive();
        match outcome {
            Ok(()) => outbox::mark_sent(&mut conn, email, now),
            Err(failure) => outbox::mark_failed(&mut conn, email, &self.id, failure, now),
        }
    }
}
