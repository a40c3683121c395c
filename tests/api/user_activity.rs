//! A user's Activity tab: what was done to them and what they did, newest first, with
//! names as they are now, a page at a time, and only for who may view the audit log.

use crate::helpers::{Backend, TestApp, arrange_member, first_company};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::users;
use roster::domain::audit::{self, AuditAction, Event, Origin};
use roster::domain::{AccountId, UserId};

on_both_backends!(
    a_users_activity_lists_what_was_done_to_them_and_by_them_newest_first,
    past_activity_shows_the_names_people_have_now,
    activity_comes_fifty_events_a_page,
    the_activity_tab_is_only_for_who_may_view_the_audit_log,
);

const ADMIN: &str = "ada@acme.test";

fn admin_id(conn: &mut roster::db::DbConnection) -> (UserId, AccountId) {
    users::table
        .filter(users::email_lower.eq(ADMIN))
        .select((users::id, users::account_id))
        .first(conn)
        .unwrap()
}

async fn rename(admin: &crate::helpers::Client, user: UserId, first: &str) {
    let page = admin.get(&format!("/users/{}", user.0)).await;
    let saved = admin
        .submit(
            &page,
            "#user-info",
            &[("first_name", first), ("display_name", "")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
}

async fn a_users_activity_lists_what_was_done_to_them_and_by_them_newest_first(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    rename(&admin, ann, "Ann").await;
    app.signed_in("ann@acme.test").await;

    let page = admin.get(&format!("/users/{}/activity", ann.0)).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.texts("#activity td.what"),
        vec!["Signed in".to_owned(), "User changed".to_owned()]
    );
    assert_eq!(
        page.texts("#activity td.by"),
        vec!["Ann Person".to_owned(), "Ada Admin".to_owned()]
    );
    assert!(page.texts("#activity td.detail")[1].contains("First name: Test → Ann"));
}

async fn past_activity_shows_the_names_people_have_now(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let (ann, _) = arrange_member(&mut conn, "ann@acme.test", &["Editor"]);
    rename(&admin, ann, "Ann").await;
    // Another administrator renames Ada afterwards.
    let other = app
        .signed_in_as_role("Admin", first_company(&mut conn))
        .await;
    let (ada, _) = admin_id(&mut conn);
    rename(&other, ada, "Augusta").await;

    let page = admin.get(&format!("/users/{}/activity", ann.0)).await;
    assert_eq!(
        page.texts("#activity td.by"),
        vec!["Augusta Admin".to_owned()]
    );
}

async fn activity_comes_fifty_events_a_page(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let (ann, _) = arrange_member(&mut conn, "ann@acme.test", &["Editor"]);
    let (ada, account) = admin_id(&mut conn);
    // Sixty events written straight to the log: what matters here is the paging.
    let start = chrono::Utc::now().naive_utc() - chrono::Duration::hours(2);
    for n in 0..60 {
        let event = Event {
            account_id: account,
            action: AuditAction::UserEdited,
            target_user: Some(ann),
            company: None,
            detail: &format!("change {n}"),
        };
        let origin = Origin {
            actor: Some(ada),
            ip: None,
        };
        audit::record(
            &mut conn,
            &origin,
            event,
            start + chrono::Duration::minutes(n),
        )
        .unwrap();
    }
    let path = format!("/users/{}/activity", ann.0);
    let first = admin.get(&path).await;
    assert_eq!(first.texts("#activity tbody tr").len(), 50);
    assert_eq!(first.texts("#activity td.detail")[0], "change 59");
    let next = first.attr("a[rel=next]", "href").unwrap();
    let second = admin.get(&next).await;
    assert_eq!(second.texts("#activity tbody tr").len(), 10);
    assert_eq!(second.texts("#activity td.detail")[9], "change 0");
    assert!(second.text().contains("51–60 of 60"));
    assert_eq!(admin.get(&format!("{path}?page=abc")).await.status, 400);
}

async fn the_activity_tab_is_only_for_who_may_view_the_audit_log(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let (ann, _) = arrange_member(&mut conn, "ann@acme.test", &["Viewer"]);
    let path = format!("/users/{}/activity", ann.0);

    let editor = app.signed_in_as_role("Editor", north).await;
    let page = editor.get(&format!("/users/{}", ann.0)).await;
    assert_eq!(page.status, 200);
    assert!(!page.texts("nav.tabs a").contains(&"Activity".to_owned()));
    assert_eq!(editor.get(&path).await.status, 403);

    let manager = app.signed_in_as_role("Manager", north).await;
    let page = manager.get(&format!("/users/{}", ann.0)).await;
    assert!(page.texts("nav.tabs a").contains(&"Activity".to_owned()));
    assert_eq!(manager.get(&path).await.status, 200);
}
