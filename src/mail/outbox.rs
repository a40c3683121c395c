//! The outbox table: enqueue inside the caller's transaction; claim due rows (a claim has a
//! lease, so a crashed worker's rows are taken up again); record each outcome, and carry it
//! to the invitation the email belongs to.

use crate::db::DbConnection;
use crate::db::schema::{invitations, outbox};
use crate::domain::{AccountId, Error, FieldErrors, InvitationId, Result};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// Attempts before a temporary failure counts as final.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a claimed row is left to its worker before another may take it. Longer than a
/// batch can take: each sending thread sends up to 8 emails (worker::BATCH / SENDERS), each
/// exchange bounded by 15 s timeouts on a handful of SMTP commands; a lease running out
/// mid-send would let another instance send the same email again.
pub const LEASE: TimeDelta = TimeDelta::minutes(10);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub account_id: AccountId,
    pub invitation_id: Option<InvitationId>,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

pub struct NewEmail<'a> {
    pub account_id: AccountId,
    pub invitation_id: Option<InvitationId>,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Queues an email. Call inside the transaction of the change that causes it. Header values
/// with a line break are refused (header injection).
pub fn enqueue(conn: &mut DbConnection, email: NewEmail<'_>, now: NaiveDateTime) -> Result<()> {
    for (field, value) in [("to", email.to), ("subject", email.subject)] {
        if value.contains(['\r', '\n']) {
            let mut errors = FieldErrors::default();
            errors.add(field, "An email header cannot contain a line break.");
            return Err(Error::Invalid(errors));
        }
    }
    diesel::insert_into(outbox::table)
        .values((
            outbox::account_id.eq(email.account_id),
            outbox::invitation_id.eq(email.invitation_id),
            outbox::to_address.eq(email.to),
            outbox::subject.eq(email.subject),
            outbox::text_body.eq(email.text),
            outbox::html_body.eq(email.html),
            outbox::status.eq("queued"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes up to `limit` due emails for this worker: queued ones whose time has come, and
/// claimed ones whose lease ran out (their worker died). Several instances can claim at
/// once: PostgreSQL skips rows another transaction holds, SQLite has one writer.
pub fn claim(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> Result<Vec<OutboxRow>> {
    crate::db::write_transaction(conn, |conn| {
        let ids = crate::db::outbox_sql::due_ids(conn, now, limit)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq("sending"),
                outbox::claimed_until.eq(Some(now + LEASE)),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        Ok(outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::id)
            .select(OutboxRow::as_select())
            .load(conn)?)
    })
}

/// Delivered: the body (which holds the link) is cleared, the invitation is Sent.
pub fn mark_sent(conn: &mut DbConnection, email: &OutboxRow, now: NaiveDateTime) -> Result<()> {
    crate::db::write_transaction(conn, |conn| {
        diesel::update(outbox::table.find(email.id))
            .set((
                outbox::status.eq("sent"),
                outbox::sent_at.eq(Some(now)),
                outbox::claimed_until.eq(None::<NaiveDateTime>),
                outbox::text_body.eq(""),
                outbox::html_body.eq(""),
                outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        if let Some(invitation) = email.invitation_id {
            diesel::update(
                invitations::table
                    .find(invitation)
                    .filter(invitations::status.eq_any(["pending", "failed"])),
            )
            .set((
                invitations::status.eq("sent"),
                invitations::sent_at.eq(Some(now)),
                invitations::send_count.eq(invitations::send_count + 1),
                invitations::failure_reason.eq(None::<String>),
            ))
            .execute(conn)?;
        }
        Ok(())
    })
}

/// Not delivered. A permanent rejection, or the last attempt, fails the email and its
/// invitation with the reason; otherwise it waits, longer after each attempt.
pub fn mark_failed(
    conn: &mut DbConnection,
    email: &OutboxRow,
    failure: &super::Failure,
    now: NaiveDateTime,
) -> Result<()> {
    let last = failure.permanent || email.attempts >= MAX_ATTEMPTS;
    crate::db::write_transaction(conn, |conn| {
        if last {
            diesel::update(outbox::table.find(email.id))
                .set((
                    outbox::status.eq("failed"),
                    outbox::claimed_until.eq(None::<NaiveDateTime>),
                    outbox::last_error.eq(Some(&failure.reason)),
                ))
                .execute(conn)?;
            if let Some(invitation) = email.invitation_id {
                diesel::update(
                    invitations::table
                        .find(invitation)
                        .filter(invitations::status.eq_any(["pending", "sent"])),
                )
                .set((
                    invitations::status.eq("failed"),
                    invitations::failure_reason.eq(Some(&failure.reason)),
                ))
                .execute(conn)?;
            }
        } else {
            let wait = TimeDelta::seconds(30 * (1_i64 << email.attempts.clamp(0, 10)));
            diesel::update(outbox::table.find(email.id))
                .set((
                    outbox::status.eq("queued"),
                    outbox::claimed_until.eq(None::<NaiveDateTime>),
                    outbox::next_attempt_at.eq(now + wait),
                    outbox::last_error.eq(Some(&failure.reason)),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}
