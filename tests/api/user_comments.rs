//! Comments on a user: administrators add notes kept with who wrote them and when, bad
//! input is refused with the text kept, and only who may edit the user reads them.

use crate::helpers::{
    Backend, TestApp, add_company, arrange_member, arrange_membership, arrange_user,
    assert_is_redirect_to, first_company,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::audit_events;
use roster::domain::users::UserStatus;

on_both_backends!(
    an_administrator_adds_a_comment_kept_with_their_name_and_the_time,
    an_empty_or_too_long_comment_is_refused_with_the_text_kept,
    comments_are_read_and_written_only_by_who_may_edit_the_user,
);

const ADMIN: &str = "ada@acme.test";

async fn an_administrator_adds_a_comment_kept_with_their_name_and_the_time(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    let path = format!("/users/{}/comments", ann.0);
    let page = admin.get(&path).await;
    assert!(page.text().contains("No comments yet."));
    let added = admin
        .submit(
            &page,
            "#add-comment",
            &[("body", "Starts on Monday.\nDesk 4.")],
        )
        .await;
    assert_is_redirect_to(&added, &path);
    let second = admin.get(&path).await;
    admin
        .submit(&second, "#add-comment", &[("body", "Moved to desk 7.")])
        .await;

    let page = admin.get(&path).await;
    assert_eq!(
        page.texts("#comments .body"),
        vec![
            "Moved to desk 7.".to_owned(),
            "Starts on Monday. Desk 4.".to_owned()
        ]
    );
    // The line break is kept as written (the page shows it with white-space: pre-wrap).
    let stored: Vec<String> = roster::db::schema::user_comments::table
        .order(roster::db::schema::user_comments::id)
        .select(roster::db::schema::user_comments::body)
        .load(&mut app.conn())
        .unwrap();
    assert!(stored[0].contains('\n'), "{stored:?}");
    assert!(page.texts("#comments .meta")[0].starts_with("Ada Admin · "));
    let events: i64 = audit_events::table
        .filter(audit_events::action.eq("user.comment_added"))
        .filter(audit_events::target_user_id.eq(ann))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(events, 2);
}

async fn an_empty_or_too_long_comment_is_refused_with_the_text_kept(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    let page = admin.get(&format!("/users/{}/comments", ann.0)).await;
    let empty = admin
        .submit(&page, "#add-comment", &[("body", "   ")])
        .await;
    assert_eq!(empty.status, 422);
    assert_eq!(
        empty.texts("#body-error"),
        vec!["Write the comment first.".to_owned()]
    );
    let long = "x".repeat(2001);
    let refused = admin
        .submit(&page, "#add-comment", &[("body", &long)])
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.texts("#body").first().map(String::len), Some(2001));
    assert!(refused.text().contains("No comments yet."));
}

async fn comments_are_read_and_written_only_by_who_may_edit_the_user(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "SOUTH");
    let (ann, _) = arrange_member(&mut conn, "ann@acme.test", &["Viewer"]);
    let sam = arrange_user(&mut conn, "sam@acme.test", UserStatus::Active, None);
    arrange_membership(&mut conn, sam, south, &["Viewer"]);

    let editor = app.signed_in_as_role("Editor", north).await;
    let page = editor.get(&format!("/users/{}", ann.0)).await;
    assert!(!page.texts("nav.tabs a").contains(&"Comments".to_owned()));
    assert_eq!(
        editor
            .get(&format!("/users/{}/comments", ann.0))
            .await
            .status,
        403
    );

    let manager = app.signed_in_as_role("Manager", north).await;
    let page = manager.get(&format!("/users/{}/comments", ann.0)).await;
    assert_eq!(page.status, 200);
    let added = manager
        .submit(&page, "#add-comment", &[("body", "Checked.")])
        .await;
    assert_eq!(added.status, 303);
    assert_eq!(
        manager
            .get(&format!("/users/{}/comments", sam.0))
            .await
            .status,
        403,
        "a user only in South"
    );
}
