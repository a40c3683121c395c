//! Mail as the tests see it: waiting for the outbox worker, and emails queued and claimed
//! behind the server's back (as another instance would).

use super::invitation_status;
use diesel::prelude::*;
use roster::db::DbConnection;
use roster::db::schema::accounts;
use roster::domain::outbox::workers::WorkerId;
use roster::domain::outbox::{Claim, NewEmail, claim, enqueue};
use std::time::{Duration, Instant};

/// Waits for the worker to bring the newest invitation of `email` to `status`.
pub async fn wait_status(conn: &mut DbConnection, email: &str, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while invitation_status(conn, email) != status {
        assert!(Instant::now() < deadline, "{email} never became {status}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Queues an email to `to` and claims it as `worker`, in one transaction, so no running
/// server sees it queued.
pub fn claim_one(
    conn: &mut DbConnection,
    worker: &WorkerId,
    subject: &str,
    now: chrono::NaiveDateTime,
) -> Claim {
    roster::db::write_transaction(conn, |conn| {
        queue(conn, &["a@example.test"], subject, now)?;
        claim(conn, worker, now, 10)
    })
    .unwrap()
}

/// Queues one email to each address, in one transaction (so one claim can take them all).
pub fn queue(
    conn: &mut DbConnection,
    to: &[&str],
    subject: &str,
    now: chrono::NaiveDateTime,
) -> roster::domain::Result<()> {
    roster::db::write_transaction(conn, |conn| {
        let account_id = accounts::table
            .select(accounts::id)
            .order(accounts::id)
            .first(conn)?;
        for to in to {
            let email = NewEmail {
                account_id,
                invitation_id: None,
                to,
                subject,
                text: "text",
                html: "<p>html</p>",
            };
            enqueue(conn, email, now)?;
        }
        Ok(())
    })
}
