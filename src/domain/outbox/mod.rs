//! The outbox table: enqueue inside the caller's transaction; claim due rows for a worker
//! (a claim lasts while that worker's heartbeat does, see [`workers`]); record each
//! outcome as soon as it is known, and carry it to the invitation the email belongs to;
//! cancel the emails of an invitation that was replaced or revoked.

pub mod workers;

use crate::db::DbConnection;
use crate::db::schema::{invitations, outbox};
use crate::domain::invitations::status::InvitationStatus;
use crate::domain::{AccountId, Error, FieldErrors, InvitationId, Result, UserId};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use workers::{STALE, WorkerId};

/// An email's place in the outbox: the one place that maps it to its database text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Queued,
    Sending,
    Sent,
    Failed,
    Cancelled,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 5] = [
        OutboxStatus::Queued,
        OutboxStatus::Sending,
        OutboxStatus::Sent,
        OutboxStatus::Failed,
        OutboxStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Queued => "queued",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            OutboxStatus::Queued => "Queued",
            OutboxStatus::Sending => "Sending",
            OutboxStatus::Sent => "Sent",
            OutboxStatus::Failed => "Failed",
            OutboxStatus::Cancelled => "Cancelled",
        }
    }
}

/// Why a delivery did not happen; a permanent one is not tried again.
#[derive(Debug, Clone)]
pub struct Failure {
    pub permanent: bool,
    pub reason: String,
}

/// An email's subject and two bodies, as the domain queues it.
#[derive(Debug, Clone)]
pub struct Letter {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What an invitation email says.
pub struct InvitationLetter<'a> {
    pub account: &'a str,
    pub inviter: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}

/// What the two emails of an email change say: the link to the new address, the notice to
/// the old one (which has no link).
pub struct EmailChangeLetter<'a> {
    pub account: &'a str,
    /// The person whose address changes, as the email greets them.
    pub name: &'a str,
    /// Who asked for the change.
    pub requester: &'a str,
    pub old_email: &'a str,
    pub new_email: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}

/// What the Substitute User of a deactivated user is told.
pub struct SubstituteLetter<'a> {
    pub account: &'a str,
    /// The substitute, as the email greets them.
    pub name: &'a str,
    pub deactivated: &'a str,
    pub company: &'a str,
    pub link: &'a str,
}

/// A link to choose a new password, and why it was sent.
pub struct PasswordResetLetter<'a> {
    pub account: &'a str,
    pub name: &'a str,
    /// "An administrator asked for a password reset." or "You asked …".
    pub why: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}

/// That a password was changed (a security notice: always sent).
pub struct PasswordChangedLetter<'a> {
    pub account: &'a str,
    pub name: &'a str,
}

/// A change to the user's two-factor authentication, or a recovery code used (a security
/// notice: always sent).
pub struct TwoFactorLetter<'a> {
    pub account: &'a str,
    pub name: &'a str,
    /// What happened, for the subject: "turned on", "turned off", …
    pub what: &'a str,
    /// The same in a sentence, for the body.
    pub sentence: &'a str,
    /// What to do if it was not them.
    pub closing: &'a str,
}

/// That an account was made for someone with a password chosen for them (Create user):
/// where to sign in, never the password.
pub struct AccountCreatedLetter<'a> {
    pub account: &'a str,
    pub inviter: &'a str,
    pub email: &'a str,
    pub link: &'a str,
}

/// What the Monday letter says.
pub struct WeeklyLetter<'a> {
    pub account: &'a str,
    pub total: i64,
    pub people: &'a [crate::domain::users::UserRow],
    pub link: &'a str,
}

/// The words of the emails the domain queues. src/mail writes them (templates); the rules
/// that decide who gets which email, and when, stay here and do not depend on its looks.
pub trait Letters: Sync + std::fmt::Debug {
    fn invitation(&self, letter: &InvitationLetter<'_>) -> Result<Letter>;
    fn weekly(&self, letter: &WeeklyLetter<'_>) -> Result<Letter>;
    /// To the new address: the link that confirms it.
    fn email_change(&self, letter: &EmailChangeLetter<'_>) -> Result<Letter>;
    /// To the old address: a change was asked for, and nothing changes until confirmed.
    fn email_change_notice(&self, letter: &EmailChangeLetter<'_>) -> Result<Letter>;
    /// To a Substitute User: whom they stand in for, and where.
    fn substitute(&self, letter: &SubstituteLetter<'_>) -> Result<Letter>;
    fn password_reset(&self, letter: &PasswordResetLetter<'_>) -> Result<Letter>;
    fn password_changed(&self, letter: &PasswordChangedLetter<'_>) -> Result<Letter>;
    fn account_created(&self, letter: &AccountCreatedLetter<'_>) -> Result<Letter>;
    fn two_factor(&self, letter: &TwoFactorLetter<'_>) -> Result<Letter>;
}

/// A subject made of names people typed: a line break in a name becomes a space (headers
/// refuse line breaks, and a name is no reason to refuse an email).
pub fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Attempts before a temporary failure counts as final.
pub const MAX_ATTEMPTS: i32 = 5;

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
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    /// The random left part of the Message-ID (see `crate::mail::Mailer::send`).
    pub message_id: String,
    pub claimed_by: Option<String>,
}

pub struct NewEmail<'a> {
    pub account_id: AccountId,
    pub invitation_id: Option<InvitationId>,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Queues a written letter to one address, about no invitation: what every notice and
/// link email but the invitation itself is. Call inside the transaction of the change
/// that causes it.
pub fn enqueue_letter(
    conn: &mut DbConnection,
    account_id: AccountId,
    to: &str,
    letter: &Letter,
    now: NaiveDateTime,
) -> Result<()> {
    enqueue(
        conn,
        NewEmail {
            account_id,
            invitation_id: None,
            to,
            subject: &letter.subject,
            text: &letter.text,
            html: &letter.html,
        },
        now,
    )
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
            outbox::status.eq(OutboxStatus::Queued.as_str()),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
            outbox::message_id.eq(crate::auth::token::random_token()),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a worker claimed; `rescued` of them were held by a worker that stopped.
pub struct Claim {
    pub emails: Vec<OutboxRow>,
    pub rescued: usize,
}

/// Takes up to `limit` due emails for `worker`: queued ones whose time has come, and
/// claimed ones whose worker stopped (its heartbeat is older than [`STALE`], or its row is
/// gone). The worker's own claimed rows are taken again too: it calls this only when it
/// holds nothing in flight, so any left are ones whose outcome could not be recorded.
/// Several instances can claim at once: PostgreSQL skips rows another transaction holds,
/// SQLite has one writer.
pub fn claim(
    conn: &mut DbConnection,
    worker: &WorkerId,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Claim> {
    crate::db::write_transaction(conn, |conn| {
        let statuses = crate::db::outbox_sql::DueStatuses {
            queued: OutboxStatus::Queued.as_str(),
            sending: OutboxStatus::Sending.as_str(),
        };
        let due =
            crate::db::outbox_sql::due(conn, statuses, worker.as_str(), now, now - STALE, limit)?;
        if due.is_empty() {
            return Ok(Claim {
                emails: Vec::new(),
                rescued: 0,
            });
        }
        let rescued = due
            .iter()
            .filter(|d| {
                OutboxStatus::parse(&d.status) == Some(OutboxStatus::Sending)
                    && d.claimed_by.as_deref() != Some(worker.as_str())
            })
            .count();
        let ids: Vec<i64> = due.iter().map(|d| d.id).collect();
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq(OutboxStatus::Sending.as_str()),
                outbox::claimed_by.eq(Some(worker.as_str())),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        let emails = outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::id)
            .select(OutboxRow::as_select())
            .load(conn)?;
        Ok(Claim { emails, rescued })
    })
}

/// Whether the email is still the worker's to send: a Resend or Revoke may have cancelled
/// it, or another instance taken it over, since the claim.
pub fn still_wanted(conn: &mut DbConnection, email: &OutboxRow, worker: &WorkerId) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        outbox::table
            .find(email.id)
            .filter(outbox::status.eq(OutboxStatus::Sending.as_str()))
            .filter(outbox::claimed_by.eq(worker.as_str())),
    ))
    .get_result(conn)?)
}

/// Cancels every email of the user's invitations that is not sent yet, inside the
/// transaction that replaces or revokes them: a worker that claimed one checks before it
/// sends (only one already on the wire still goes). Their bodies, which hold the old
/// link, are cleared.
pub fn cancel_unsent(conn: &mut DbConnection, user: UserId) -> Result<usize> {
    let of_user = invitations::table
        .filter(invitations::user_id.eq(user))
        .select(invitations::id.nullable());
    Ok(diesel::update(
        outbox::table
            .filter(outbox::invitation_id.eq_any(of_user))
            .filter(outbox::status.eq_any([
                OutboxStatus::Queued.as_str(),
                OutboxStatus::Sending.as_str(),
            ])),
    )
    .set((
        outbox::status.eq(OutboxStatus::Cancelled.as_str()),
        outbox::claimed_by.eq(None::<String>),
        outbox::text_body.eq(""),
        outbox::html_body.eq(""),
    ))
    .execute(conn)?)
}

/// Delivered: the body (which holds the link) is cleared, the invitation is Sent. Recorded
/// whoever holds the row now: the server accepted it, so it is not to be sent again (an
/// instance that took it over checks before it sends).
pub fn mark_sent(conn: &mut DbConnection, email: &OutboxRow, now: NaiveDateTime) -> Result<()> {
    crate::db::write_transaction(conn, |conn| {
        let recorded = diesel::update(
            outbox::table
                .find(email.id)
                .filter(outbox::status.ne(OutboxStatus::Sent.as_str())),
        )
        .set((
            outbox::status.eq(OutboxStatus::Sent.as_str()),
            outbox::sent_at.eq(Some(now)),
            outbox::claimed_by.eq(None::<String>),
            outbox::text_body.eq(""),
            outbox::html_body.eq(""),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
        if let (1, Some(invitation)) = (recorded, email.invitation_id) {
            diesel::update(
                invitations::table
                    .find(invitation)
                    .filter(invitations::status.eq_any(InvitationStatus::texts([
                        InvitationStatus::Pending,
                        InvitationStatus::Failed,
                    ]))),
            )
            .set((
                invitations::status.eq(InvitationStatus::Sent.as_str()),
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
/// invitation with the reason; otherwise it waits, longer after each attempt. Only while
/// the row is still the worker's: a cancelled one stays cancelled, and one another
/// instance took over is that instance's to record.
pub fn mark_failed(
    conn: &mut DbConnection,
    email: &OutboxRow,
    worker: &WorkerId,
    failure: &Failure,
    now: NaiveDateTime,
) -> Result<()> {
    let last = failure.permanent || email.attempts >= MAX_ATTEMPTS;
    crate::db::write_transaction(conn, |conn| {
        let held = outbox::table
            .find(email.id)
            .filter(outbox::status.eq(OutboxStatus::Sending.as_str()))
            .filter(outbox::claimed_by.eq(worker.as_str()));
        if last {
            let recorded = diesel::update(held)
                .set((
                    outbox::status.eq(OutboxStatus::Failed.as_str()),
                    outbox::claimed_by.eq(None::<String>),
                    outbox::last_error.eq(Some(&failure.reason)),
                ))
                .execute(conn)?;
            if let (1, Some(invitation)) = (recorded, email.invitation_id) {
                diesel::update(invitations::table.find(invitation).filter(
                    invitations::status.eq_any(InvitationStatus::texts([
                        InvitationStatus::Pending,
                        InvitationStatus::Sent,
                    ])),
                ))
                .set((
                    invitations::status.eq(InvitationStatus::Failed.as_str()),
                    invitations::failure_reason.eq(Some(&failure.reason)),
                ))
                .execute(conn)?;
            }
        } else {
            let wait = TimeDelta::seconds(30 * (1_i64 << email.attempts.clamp(0, 10)));
            diesel::update(held)
                .set((
                    outbox::status.eq(OutboxStatus::Queued.as_str()),
                    outbox::claimed_by.eq(None::<String>),
                    outbox::next_attempt_at.eq(now + wait),
                    outbox::last_error.eq(Some(&failure.reason)),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod status_tests {
    use super::OutboxStatus;

    #[test]
    fn every_status_round_trips_through_its_database_text() {
        for status in OutboxStatus::ALL {
            assert_eq!(OutboxStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OutboxStatus::parse("Queued"), None);
    }
}
