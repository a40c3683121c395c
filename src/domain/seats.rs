//! Full seats: the account's licence. A person takes a full seat while they are neither
//! deactivated nor blocked and hold a full-seat role in a company where they are active; the account's `full_seat_limit`
//! (empty: none) caps how many do. Every write that may take a seat (inviting, Create user,
//! adding a company, changing roles, reactivating) opens a `SeatGuard` before it writes and
//! asks it to `check` after, in the same transaction.

use crate::db::DbConnection;
use crate::db::schema::{accounts, membership_roles, memberships, roles, users};
use crate::domain::roles::SeatKind;
use crate::domain::users::UserStatus;
use crate::domain::{AccountId, Error, Result};
use diesel::prelude::*;

/// How many full seats are in use in the account now, as this transaction sees it.
pub fn full_in_use(conn: &mut DbConnection, account: AccountId) -> Result<i64> {
    let full_holders = memberships::table
        .inner_join(membership_roles::table.inner_join(roles::table))
        .filter(roles::seat_kind.eq(SeatKind::Full.as_str()))
        .filter(memberships::active.eq(true))
        .select(memberships::user_id);
    let off = [
        UserStatus::Deactivated.as_str(),
        UserStatus::Blocked.as_str(),
    ];
    Ok(users::table
        .filter(users::account_id.eq(account))
        .filter(users::status.ne_all(off))
        .filter(users::id.eq_any(full_holders))
        .count()
        .get_result(conn)?)
}

/// The seat count before a write, held so that no other transaction takes a seat until this
/// one ends.
#[derive(Debug)]
pub struct SeatGuard {
    account: AccountId,
    limit: Option<i64>,
    before: i64,
}

impl SeatGuard {
    /// Call first in the writing transaction. On PostgreSQL it locks the account's row, so
    /// two transactions taking seats run one after the other and the second counts the
    /// first's seat; on SQLite the write transaction holds the database's write lock from
    /// its BEGIN already (`db::write_transaction`).
    pub fn open(conn: &mut DbConnection, account: AccountId) -> Result<SeatGuard> {
        let limit: Option<i32> = match conn {
            DbConnection::Postgres(pg) => accounts::table
                .find(account)
                .select(accounts::full_seat_limit)
                .for_update()
                .first(pg)?,
            DbConnection::Sqlite(_) => accounts::table
                .find(account)
                .select(accounts::full_seat_limit)
                .first(conn)?,
        };
        let before = full_in_use(conn, account)?;
        Ok(SeatGuard {
            account,
            limit: limit.map(i64::from),
            before,
        })
    }

    /// After the writes: refuses (and so rolls the transaction back) when they took full
    /// seats past the limit. A write that takes no new seat passes even when the account is
    /// over its limit already (the limit lowered since), so nobody is stuck.
    pub fn check(&self, conn: &mut DbConnection) -> Result<()> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let after = full_in_use(conn, self.account)?;
        if after > self.before && after > limit {
            return Err(Error::field("roles", refusal(limit, self.before, after)));
        }
        Ok(())
    }
}

/// The refusal: the limit, the seats in use, and what would be needed.
fn refusal(limit: i64, before: i64, after: i64) -> String {
    let wanted = after - before;
    let seats = |n: i64| {
        if n == 1 {
            "1 full seat".to_owned()
        } else {
            format!("{n} full seats")
        }
    };
    let free = (limit - before).max(0);
    let left = match free {
        0 => "none is free".to_owned(),
        1 => "1 is free".to_owned(),
        n => format!("{n} are free"),
    };
    format!(
        "Not enough full seats: this needs {}, and the account's limit is {limit} with {before} \
         in use ({left}). Choose a light-seat role, free a seat, or raise the limit in \
         Settings.",
        seats(wanted)
    )
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn the_refusal_names_the_limit_and_the_seats_in_use() {
        assert_eq!(
            refusal(5, 5, 6),
            "Not enough full seats: this needs 1 full seat, and the account's limit is 5 with 5 \
             in use (none is free). Choose a light-seat role, free a seat, or raise the limit \
             in Settings."
        );
        assert!(refusal(5, 4, 7).contains("needs 3 full seats"));
        assert!(refusal(5, 4, 7).contains("(1 is free)"));
    }
}
