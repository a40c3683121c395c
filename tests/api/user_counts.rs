//! Counts and infocards are remembered between views: they must still follow every change
//! to the data (made here straight in the database, past the server) and the clock (a lock
//! that runs out changes Locked and Active with no write at all). Partial search goes
//! through the trigram index, which must follow inserts, renames and deletes.

use crate::helpers::{Backend, TestApp, arrange_user, match_count};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::users;
use roster::domain::users::UserStatus;

on_both_backends!(
    counts_follow_writes_and_the_clock,
    search_index_follows_the_users,
);

fn card(page: &crate::helpers::Page, label: &str) -> i64 {
    let cards = page.texts(".infocards a");
    let text = cards
        .iter()
        .find(|c| c.contains(label))
        .unwrap_or_else(|| panic!("no {label} card in {cards:?}"));
    text.split_whitespace().next().unwrap().parse().unwrap()
}

async fn counts_follow_writes_and_the_clock(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let bob = arrange_user(&mut conn, "bob@example.test", UserStatus::Active, None);
    arrange_user(&mut conn, "cy@example.test", UserStatus::Invited, None);

    let page = admin.get("/users").await;
    assert_eq!(card(&page, "Total users"), 3);
    assert_eq!(card(&page, "Active"), 2);
    assert_eq!(card(&page, "Locked"), 0);
    assert_eq!(match_count(&admin.get("/users?status=locked").await), 0);

    // A lock written past the server, for ten minutes.
    let now = app.clock.now_naive();
    diesel::update(users::table.find(bob))
        .set((
            users::locked_at.eq(Some(now)),
            users::locked_until.eq(Some(now + chrono::Duration::minutes(10))),
        ))
        .execute(&mut conn)
        .unwrap();
    let page = admin.get("/users").await;
    assert_eq!(card(&page, "Locked"), 1);
    assert_eq!(card(&page, "Active"), 1);
    let locked = admin.get("/users?status=locked").await;
    assert_eq!(match_count(&locked), 1);
    assert_eq!(locked.texts("td.email"), vec!["bob@example.test"]);

    // Eleven minutes on, nothing written: the lock has run out.
    app.clock.advance(chrono::Duration::minutes(11));
    let page = admin.get("/users").await;
    assert_eq!(card(&page, "Active"), 2);
    assert_eq!(match_count(&admin.get("/users?status=locked").await), 0);
    assert_eq!(match_count(&admin.get("/users?status=active").await), 2);

    // The last-access order follows a touch at once (last access moves no data version).
    let newest = |page: &crate::helpers::Page| page.texts("td.email")[0].clone();
    let by_access = "/users?sort=last_access&dir=desc";
    assert_eq!(newest(&admin.get(by_access).await), "ada@example.test");
    assert_eq!(match_count(&admin.get("/users?last_access=never").await), 2);
    let later = app.clock.now_naive() + chrono::Duration::minutes(1);
    // Written past the server, as a sign-in through another instance would.
    diesel::update(users::table.find(bob))
        .set(users::last_access_at.eq(Some(later)))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(newest(&admin.get(by_access).await), "bob@example.test");
    assert_eq!(match_count(&admin.get("/users?last_access=never").await), 1);

    // A new user and a deleted one show at once.
    arrange_user(&mut conn, "dee@example.test", UserStatus::Active, None);
    let page = admin.get("/users").await;
    assert_eq!(card(&page, "Total users"), 4);
    assert_eq!(match_count(&admin.get("/users?status=active").await), 3);
    // Past the server: no page deletes a user yet.
    diesel::delete(users::table.find(bob))
        .execute(&mut conn)
        .unwrap();
    let page = admin.get("/users").await;
    assert_eq!(card(&page, "Total users"), 3);
    assert_eq!(match_count(&admin.get("/users?status=active").await), 2);
}

async fn search_index_follows_the_users(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let zed = arrange_user(
        &mut conn,
        "zed@example.test",
        UserStatus::Active,
        Some("zebedee"),
    );
    arrange_user(
        &mut conn,
        "Quentin.Ödegaard@example.test",
        UserStatus::Active,
        None,
    );

    let emails = |page: &crate::helpers::Page| page.texts("td.email");
    // Partial, case-insensitive, in the user name, the email, the displayed name.
    assert_eq!(
        emails(&admin.get("/users?q=BEDE").await),
        vec!["zed@example.test"]
    );
    assert_eq!(
        emails(&admin.get("/users?q=%C3%B6degaard").await),
        vec!["Quentin.Ödegaard@example.test"]
    );
    // Two characters are below the trigram index: a plain scan answers them the same way.
    assert_eq!(
        emails(&admin.get("/users?q=ze").await),
        vec!["zed@example.test"]
    );

    // A rename is found under the new name only (written past the server: no page renames
    // a user yet).
    diesel::update(users::table.find(zed))
        .set(users::display_name.eq("Zephyrine Moss"))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        emails(&admin.get("/users?q=phyri").await),
        vec!["zed@example.test"]
    );
    diesel::update(users::table.find(zed))
        .set(users::username.eq(None::<String>))
        .execute(&mut conn)
        .unwrap();
    assert!(emails(&admin.get("/users?q=bedee").await).is_empty());

    // Characters that mean something to the index or to LIKE are only characters.
    for q in [
        "%22zed%22",
        "z%25d",
        "ze_",
        "%22",
        "a%22b%22c",
        "*zed",
        "zed%20OR%20ada",
        "NEAR(zed)",
    ] {
        let page = admin.get(&format!("/users?q={q}")).await;
        assert_eq!(page.status, 200, "{q}");
        assert_eq!(match_count(&page), 0, "{q}");
    }

    // A deleted user is no longer found (past the server: no page deletes a user yet).
    diesel::delete(users::table.find(zed))
        .execute(&mut conn)
        .unwrap();
    assert!(emails(&admin.get("/users?q=phyri").await).is_empty());
    assert_eq!(match_count(&admin.get("/users?q=example").await), 2);
}
