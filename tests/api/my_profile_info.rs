//! My Profile for every user, a Viewer included: they change their displayed name and phone
//! (not their names, user name or email), and the name in the top bar leads back here.

use crate::helpers::{Backend, TestApp, assert_is_redirect_to, first_company};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::users;

on_both_backends!(
    a_viewer_changes_their_displayed_name_and_phone,
    a_displayed_name_too_long_is_refused_with_the_input_kept,
    my_profile_counts_this_visit_as_the_last_access,
    a_save_over_a_change_made_meanwhile_keeps_what_was_typed,
);

async fn a_viewer_changes_their_displayed_name_and_phone(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin("ada@acme.test").await;
    let viewer = app
        .signed_in_as_role("Viewer", first_company(&mut app.conn()))
        .await;
    let profile = viewer.get("/profile").await;
    assert_eq!(
        profile.attr("a.who-name", "href").as_deref(),
        Some("/profile")
    );
    let saved = viewer
        .submit(
            &profile,
            "#my-info",
            &[("display_name", "Vic"), ("phone", "+48 600")],
        )
        .await;
    assert_is_redirect_to(&saved, "/profile");
    let profile = viewer.get("/profile").await;
    assert_eq!(profile.flash(), vec!["Your info is saved.".to_owned()]);
    assert_eq!(profile.texts("a.who-name"), vec!["Vic".to_owned()]);
    let (phone, first): (String, String) = users::table
        .filter(users::display_name.eq("Vic"))
        .select((users::phone, users::first_name))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((phone.as_str(), first.as_str()), ("+48 600", "Test"));
}

async fn a_displayed_name_too_long_is_refused_with_the_input_kept(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let profile = admin.get("/profile").await;
    let long = "n".repeat(101);
    let refused = admin
        .submit(
            &profile,
            "#my-info",
            &[("display_name", &long), ("phone", "1")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(!refused.texts("#display_name-error").is_empty());
    assert_eq!(refused.attr("#display_name", "value"), Some(long));
    assert_eq!(refused.attr("#phone", "value").as_deref(), Some("1"));
}

async fn my_profile_counts_this_visit_as_the_last_access(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    // Signed in by the setup link itself, not through the sign-in page.
    let admin = app.first_admin("ada@acme.test").await;
    let profile = admin.get("/profile").await;
    let shown = profile.texts("#last-access");
    assert_eq!(shown.len(), 1);
    assert_ne!(shown[0], "Never", "this very visit is an access");
    assert!(shown[0].ends_with("UTC"), "{shown:?}");
}

async fn a_save_over_a_change_made_meanwhile_keeps_what_was_typed(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let first_tab = admin.get("/profile").await;
    let second_tab = admin.get("/profile").await;
    let saved = admin
        .submit(
            &first_tab,
            "#my-info",
            &[("display_name", "Ada L."), ("phone", "1")],
        )
        .await;
    assert_is_redirect_to(&saved, "/profile");

    let refused = admin
        .submit(
            &second_tab,
            "#my-info",
            &[("display_name", "Countess"), ("phone", "2")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.text().contains("changed meanwhile"));
    assert_eq!(
        refused.attr("#display_name", "value").as_deref(),
        Some("Countess")
    );
    assert_eq!(refused.attr("#phone", "value").as_deref(), Some("2"));
    assert_eq!(
        refused.texts("a.who-name"),
        vec!["Ada L.".to_owned()],
        "what is stored"
    );
    let again = admin.submit(&refused, "#my-info", &[]).await;
    assert_is_redirect_to(&again, "/profile");
    assert_eq!(
        admin.get("/profile").await.texts("a.who-name"),
        vec!["Countess".to_owned()]
    );
}
