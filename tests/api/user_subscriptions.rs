//! Email Subscriptions: an administrator turns a user's optional emails off on the user's
//! page, every user (a Viewer included) turns their own off on My Profile, and the emails
//! that cannot be turned off say so.

use crate::helpers::{Backend, TestApp, arrange_member, assert_is_redirect_to, first_company};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::users;

on_both_backends!(
    an_administrator_turns_off_a_users_optional_emails,
    a_viewer_turns_their_own_emails_off_and_on_again_on_my_profile,
    invitations_and_security_notices_cannot_be_turned_off,
    an_administrator_sets_their_own_on_their_user_page_too,
);

const ADMIN: &str = "ada@acme.test";

fn subscribed(app: &TestApp, email: &str) -> bool {
    users::table
        .filter(users::email_lower.eq(email))
        .select(users::email_subscriptions)
        .first(&mut app.conn())
        .unwrap()
}

async fn an_administrator_turns_off_a_users_optional_emails(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Admin"]);
    let path = format!("/users/{}/subscriptions", ann.0);
    let page = admin.get(&path).await;
    assert_eq!(page.attr("#kind-weekly", "checked").as_deref(), Some(""));
    let saved = admin
        .submit_changes(&page, "#subscriptions", &[("disable_all", "on")], &[], &[])
        .await;
    assert_is_redirect_to(&saved, &path);
    assert!(!subscribed(&app, "ann@acme.test"));
    let page = admin.get(&path).await;
    assert_eq!(
        page.flash(),
        vec!["Email subscriptions of ann@acme.test saved.".to_owned()]
    );
    assert_eq!(page.attr("#disable_all", "checked").as_deref(), Some(""));
    assert_eq!(page.attr("#kind-weekly", "checked"), None);
}

async fn a_viewer_turns_their_own_emails_off_and_on_again_on_my_profile(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let north = first_company(&mut app.conn());
    let viewer = app.signed_in_as_role("Viewer", north).await;
    let email: String = users::table
        .filter(users::email_lower.like("viewer-%"))
        .select(users::email_lower)
        .first(&mut app.conn())
        .unwrap();
    let profile = viewer.get("/profile").await;
    let saved = viewer
        .submit_changes(&profile, "#subscriptions", &[], &[("weekly", "on")], &[])
        .await;
    assert_is_redirect_to(&saved, "/profile#email-subscriptions");
    assert!(!subscribed(&app, &email));
    let profile = viewer.get("/profile").await;
    assert_eq!(
        profile.flash(),
        vec!["Your email subscriptions are saved.".to_owned()]
    );
    let again = viewer
        .submit_changes(
            &profile,
            "#subscriptions",
            &[("weekly", "on")],
            &[("disable_all", "on")],
            &[],
        )
        .await;
    assert_is_redirect_to(&again, "/profile#email-subscriptions");
    assert!(subscribed(&app, &email));
}

async fn invitations_and_security_notices_cannot_be_turned_off(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let profile = admin.get("/profile").await;
    for kind in ["invitations", "security"] {
        let selector = format!("#kind-{kind}");
        assert_eq!(profile.attr(&selector, "disabled").as_deref(), Some(""));
        assert_eq!(profile.attr(&selector, "checked").as_deref(), Some(""));
        assert_eq!(
            profile.attr(&selector, "name"),
            None,
            "nothing is sent for it"
        );
    }
}

async fn an_administrator_sets_their_own_on_their_user_page_too(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let me = crate::helpers::user_id(&mut app.conn(), ADMIN);
    let path = format!("/users/{}/subscriptions", me.0);
    let page = admin.get(&path).await;
    let saved = admin
        .submit_changes(&page, "#subscriptions", &[("disable_all", "on")], &[], &[])
        .await;
    assert_is_redirect_to(&saved, &path);
    assert!(!subscribed(&app, ADMIN));
}
