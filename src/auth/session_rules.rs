//! When a session ends on its own: idle and absolute timeouts, from the account's settings.

use chrono::{DateTime, TimeDelta, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    Idle,
    Absolute,
}

impl SessionEnd {
    pub fn message(self) -> &'static str {
        match self {
            SessionEnd::Idle => {
                "You were signed out after a period of inactivity. Please sign in again."
            }
            SessionEnd::Absolute => {
                "Your session reached its maximum length. Please sign in again."
            }
        }
    }
}

pub fn check(
    now: DateTime<Utc>,
    signed_in_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    idle_minutes: i32,
    absolute_minutes: i32,
) -> Result<(), SessionEnd> {
    if now - signed_in_at > TimeDelta::minutes(absolute_minutes.into()) {
        return Err(SessionEnd::Absolute);
    }
    if now - last_seen_at > TimeDelta::minutes(idle_minutes.into()) {
        return Err(SessionEnd::Idle);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_and_absolute() {
        let t0 = Utc::now();
        let m = TimeDelta::minutes;
        assert_eq!(check(t0 + m(29), t0, t0, 30, 720), Ok(()));
        assert_eq!(check(t0 + m(31), t0, t0, 30, 720), Err(SessionEnd::Idle));
        assert_eq!(
            check(t0 + m(721), t0, t0 + m(715), 30, 720),
            Err(SessionEnd::Absolute)
        );
    }
}
