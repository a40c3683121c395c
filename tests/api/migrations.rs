//! Data migrations, run on a database that holds what the older schema left.

use crate::helpers::{Backend, arrange_user, other_account};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::users;
use roster::domain::users::UserStatus;

on_both_backends!(displayed_names_left_as_the_emails_local_part_become_first_and_last_name);

async fn displayed_names_left_as_the_emails_local_part_become_first_and_last_name(
    backend: Backend,
) {
    let mut conn = backend.conn();
    roster::db::migrate_before(&mut conn, "2026-12-01-000012").unwrap();
    other_account(&mut conn);
    let named = |conn: &mut _, email: &str, first: &str, last: &str, shown: &str| {
        let id = arrange_user(conn, email, UserStatus::Active, None);
        diesel::update(users::table.find(id))
            .set((
                users::first_name.eq(first),
                users::last_name.eq(last),
                users::display_name.eq(shown),
            ))
            .execute(conn)
            .unwrap();
        id
    };
    let kai = named(&mut conn, "kai@acme.test", "Kai", "Berg", "kai");
    let typed = named(&mut conn, "cap@acme.test", "Ann", "Lee", "Captain");
    let nameless = named(&mut conn, "ops@acme.test", "", "", "ops");

    roster::db::migrate(&mut conn).unwrap();

    let shown = |conn: &mut _, id| -> String {
        users::table
            .find(id)
            .select(users::display_name)
            .first(conn)
            .unwrap()
    };
    assert_eq!(shown(&mut conn, kai), "Kai Berg");
    assert_eq!(
        shown(&mut conn, typed),
        "Captain",
        "a typed name is left alone"
    );
    assert_eq!(
        shown(&mut conn, nameless),
        "ops",
        "no name known: the local part stays"
    );
}
