//! An invitation's status: the one place that maps it to and from its database text, and
//! the one rule for what the pages show (a waiting invitation past its validity is Expired).

use chrono::NaiveDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Sent,
    Failed,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub const ALL: [InvitationStatus; 6] = [
        InvitationStatus::Pending,
        InvitationStatus::Sent,
        InvitationStatus::Failed,
        InvitationStatus::Accepted,
        InvitationStatus::Expired,
        InvitationStatus::Revoked,
    ];

    /// Stored statuses that turn Expired once the link's validity has passed. A failed one
    /// stays Failed: what matters is that its email never arrived.
    pub const RUNS_OUT: [InvitationStatus; 2] = [InvitationStatus::Pending, InvitationStatus::Sent];

    /// Statuses of an invitation that still waits to be accepted (resend or revoke it).
    pub const WAITING: [InvitationStatus; 3] = [
        InvitationStatus::Pending,
        InvitationStatus::Sent,
        InvitationStatus::Failed,
    ];

    /// The database text, also the slug in filter links.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Sent => "sent",
            InvitationStatus::Failed => "failed",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Expired => "expired",
            InvitationStatus::Revoked => "revoked",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "Pending",
            InvitationStatus::Sent => "Sent",
            InvitationStatus::Failed => "Failed",
            InvitationStatus::Accepted => "Accepted",
            InvitationStatus::Expired => "Expired",
            InvitationStatus::Revoked => "Revoked",
        }
    }

    /// The database texts of several statuses, for `eq_any`.
    pub fn texts<const N: usize>(statuses: [InvitationStatus; N]) -> [&'static str; N] {
        statuses.map(InvitationStatus::as_str)
    }

    /// The status to show, the one rule the list, the invitation page and the filters use:
    /// a pending or sent invitation past its validity is Expired; others show as stored.
    /// (The filters' SQL applies the same rule through `RUNS_OUT`.)
    pub fn shown(self, expires_at: NaiveDateTime, now: NaiveDateTime) -> Self {
        if Self::RUNS_OUT.contains(&self) && expires_at <= now {
            InvitationStatus::Expired
        } else {
            self
        }
    }

    /// The status as the pages show it, from the stored text (an unknown text, which the
    /// schema's CHECK constraint refuses, shows as Revoked: nothing more can be done to it).
    pub fn shown_from(stored: &str, expires_at: NaiveDateTime, now: NaiveDateTime) -> Self {
        Self::parse(stored)
            .unwrap_or(InvitationStatus::Revoked)
            .shown(expires_at, now)
    }

    /// Whether the invitation (as shown) can still be revoked.
    pub fn is_over(self) -> bool {
        matches!(self, InvitationStatus::Revoked | InvitationStatus::Expired)
    }
}

#[cfg(test)]
mod tests {
    use super::InvitationStatus;
    use chrono::{NaiveDate, TimeDelta};

    #[test]
    fn every_status_round_trips_through_its_database_text() {
        for status in InvitationStatus::ALL {
            assert_eq!(InvitationStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(InvitationStatus::parse("Pending"), None);
    }

    #[test]
    fn pending_or_sent_past_expiry_shows_as_expired() {
        let now = NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap();
        let past = now - TimeDelta::hours(1);
        let later = now + TimeDelta::hours(1);
        for status in InvitationStatus::ALL {
            assert_eq!(status.shown(later, now), status);
            let expected = match status {
                InvitationStatus::Pending | InvitationStatus::Sent => InvitationStatus::Expired,
                other => other,
            };
            assert_eq!(status.shown(past, now), expected);
            assert_eq!(status.shown(now, now), expected);
        }
    }
}
