//! Saved filters on the User Management page: the default opens the page, one default per
//! user and page (also in the database), Reset All Filters, rename, delete, ownership.

use crate::helpers::{
    Backend, TestApp, arrange_user, assert_is_redirect_to, first_company, match_count,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::saved_filters;
use roster::domain::users::UserStatus;

on_both_backends!(a_filter_is_saved_and_only_one_opens_by_default);

const ADMIN: &str = "ada@acme.test";

async fn a_filter_is_saved_and_only_one_opens_by_default(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    arrange_user(&mut conn, "blocked@acme.test", UserStatus::Blocked, None);
    arrange_user(&mut conn, "invited1@acme.test", UserStatus::Invited, None);
    arrange_user(&mut conn, "invited2@acme.test", UserStatus::Invited, None);

    assert_eq!(admin.get("/users").await.status, 200, "no default yet");
    let blocked = admin.get("/users?status=blocked").await;
    let saved = admin
        .submit(
            &blocked,
            "form#save-filter",
            &[("name", "Blocked people"), ("use_as_default", "on")],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert!(saved.location().contains("status=blocked"));

    // The default opens the page.
    let opened = admin.get("/users").await;
    assert_eq!(opened.status, 303);
    assert!(
        opened.location().contains("status=blocked"),
        "{}",
        opened.location()
    );
    assert_eq!(match_count(&admin.visit("/users").await), 1);

    // A second default replaces the first: one default per user and page.
    let invited = admin.get("/users?status=invited").await;
    admin
        .submit(
            &invited,
            "form#save-filter",
            &[("name", "Invited"), ("use_as_default", "on")],
        )
        .await;
    let defaults: Vec<String> = saved_filters::table
        .filter(saved_filters::is_default.eq(true))
        .select(saved_filters::name)
        .load(&mut conn)
        .unwrap();
    assert_eq!(defaults, vec!["Invited"]);
    assert_eq!(match_count(&admin.visit("/users").await), 2);
    // The database refuses a second default on its own.
    let sneaky =
        diesel::update(saved_filters::table.filter(saved_filters::name.eq("Blocked people")))
            .set(saved_filters::is_default.eq(true))
            .execute(&mut conn);
    assert!(
        sneaky.is_err(),
        "partial unique index: one default per user and page"
    );

    // A name is unique per user; an empty one is refused.
    let again = admin.get("/users?status=invited").await;
    let dup = admin
        .submit(
            &again,
            "form#save-filter",
            &[("name", "invited"), ("use_as_default", "on")],
        )
        .await;
    // Drawn again at once, with what was typed and the reason beside the field.
    assert_eq!(dup.status, 422);
    let refused = dup;
    assert!(
        refused
            .text()
            .contains("already have a filter with this name")
    );
    assert_eq!(
        refused.attr("#filter-name", "value").as_deref(),
        Some("invited")
    );
    assert!(refused.attr("#use_as_default", "checked").is_some());
    assert_eq!(
        refused.texts("#filter-name-error").len(),
        1,
        "the reason is shown beside the field"
    );
    let later = admin.get("/users?status=invited").await;
    assert_eq!(later.attr("#filter-name", "value").as_deref(), Some(""));
    assert!(later.texts("#filter-name-error").is_empty());

    // Reset All Filters: everyone, and the default stays off.
    let reset = admin.get("/users?reset=1").await;
    assert_is_redirect_to(&reset, "/users");
    let all = admin.get("/users").await;
    assert_eq!(all.status, 200);
    assert_eq!(match_count(&all), 4);

    // The Saved Filters tab: make another the default, rename, delete.
    let tab = admin.get("/users/filters").await;
    assert_eq!(tab.texts("td.default"), vec!["—", "Default"]);
    let blocked_id: roster::domain::SavedFilterId = saved_filters::table
        .filter(saved_filters::name.eq("Blocked people"))
        .select(saved_filters::id)
        .first(&mut conn)
        .unwrap();
    let id = blocked_id.0;
    admin
        .submit(
            &tab,
            &format!("form[action='/users/filters/{id}/default']"),
            &[],
        )
        .await;
    assert!(
        admin
            .get("/users")
            .await
            .location()
            .contains("status=blocked"),
        "a default set again applies again"
    );
    let tab = admin.get("/users/filters").await;
    let empty = admin
        .submit(
            &tab,
            &format!("form[action='/users/filters/{id}/rename']"),
            &[("name", " ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text().contains("Enter a name"));
    let renamed = admin
        .submit(
            &tab,
            &format!("form[action='/users/filters/{id}/rename']"),
            &[("name", "Blocked")],
        )
        .await;
    assert_eq!(renamed.status, 303);
    let name: String = saved_filters::table
        .find(blocked_id)
        .select(saved_filters::name)
        .first(&mut conn)
        .unwrap();
    assert_eq!(name, "Blocked");

    // Someone else's filter does not exist for you.
    let mia = app
        .signed_in_as_role("Manager", first_company(&mut conn))
        .await;
    assert_eq!(
        mia.get(&format!("/users/filters/{id}/delete")).await.status,
        404
    );
    assert!(
        mia.get("/users/filters")
            .await
            .text()
            .contains("No saved filters yet")
    );

    let confirm = admin.get(&format!("/users/filters/{id}/delete")).await;
    assert_eq!(
        admin
            .submit(&confirm, "form[action$='/delete']", &[])
            .await
            .status,
        303
    );
    let left: i64 = saved_filters::table.count().get_result(&mut conn).unwrap();
    assert_eq!(left, 1);
    assert_eq!(
        admin.get("/users").await.status,
        200,
        "the default was deleted: the page opens plain"
    );
}
