//! A user's Security tab: an administrator unlocks a locked account, sets when an account
//! expires (which sign-in and the list then follow), stores the two flags for features to
//! come with the page saying so, and nobody changes their own.

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, arrange_member, assert_is_redirect_to};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{audit_events, users};

on_both_backends!(
    an_administrator_unlocks_an_account_locked_by_failed_sign_ins,
    an_account_set_to_expire_today_can_no_longer_sign_in_and_shows_as_expired,
    an_expiry_that_is_neither_days_nor_a_date_is_refused_with_the_input_kept,
    enforce_two_factor_is_stored_and_active_directory_says_it_is_not_built,
    nobody_changes_their_own_security,
    a_manager_of_one_of_the_users_companies_sees_their_security_but_cannot_change_it,
);

const ADMIN: &str = "ada@acme.test";

async fn an_administrator_unlocks_an_account_locked_by_failed_sign_ins(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    for _ in 0..5 {
        app.client()
            .sign_in("ann@acme.test", "not her password at all")
            .await;
    }
    assert_ne!(
        app.client()
            .sign_in("ann@acme.test", STRONG_PASSWORD)
            .await
            .status,
        303,
        "locked"
    );
    let path = format!("/users/{}/security", ann.0);
    let page = admin.get(&path).await;
    assert_eq!(page.attr("#locked", "checked").as_deref(), Some(""));
    assert!(page.texts("#locked-hint")[0].contains("Locked since"));
    assert_eq!(page.texts("#failed-attempts"), vec!["5".to_owned()]);

    let saved = admin
        .submit_changes(&page, "#security", &[], &[("locked", "on")], &[])
        .await;
    assert_is_redirect_to(&saved, &path);
    let page = admin.get(&path).await;
    assert_eq!(
        page.flash(),
        vec!["Security of ann@acme.test saved.".to_owned()]
    );
    assert!(page.texts("#lock-state")[0].contains("not locked"));
    assert_eq!(
        app.client()
            .sign_in("ann@acme.test", STRONG_PASSWORD)
            .await
            .status,
        303
    );
    let unlocked: i64 = audit_events::table
        .filter(audit_events::action.eq("user.unlocked"))
        .filter(audit_events::target_user_id.eq(ann))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(unlocked, 1);
}

async fn an_account_set_to_expire_today_can_no_longer_sign_in_and_shows_as_expired(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    let path = format!("/users/{}/security", ann.0);

    let page = admin.get(&path).await;
    let saved = admin.submit(&page, "#security", &[("expires", "0")]).await;
    assert_is_redirect_to(&saved, &path);
    assert_ne!(
        app.client()
            .sign_in("ann@acme.test", STRONG_PASSWORD)
            .await
            .status,
        303
    );
    let list = admin.get("/users?q=ann").await;
    assert_eq!(list.texts("td.status"), vec!["Expired".to_owned()]);

    // A date in the future, and then never again.
    let page = admin.get(&path).await;
    admin
        .submit(&page, "#security", &[("expires", "2099-12-31")])
        .await;
    let page = admin.get(&path).await;
    assert_eq!(
        page.attr("#expires", "value").as_deref(),
        Some("2099-12-31")
    );
    admin.submit(&page, "#security", &[("expires", "")]).await;
    let expires: Option<chrono::NaiveDateTime> = users::table
        .find(ann)
        .select(users::expires_at)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(expires, None);
}

async fn an_expiry_that_is_neither_days_nor_a_date_is_refused_with_the_input_kept(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    let page = admin.get(&format!("/users/{}/security", ann.0)).await;
    let refused = admin
        .submit(&page, "#security", &[("expires", "next week")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.texts("#expires-error")[0].contains("a date like"));
    assert_eq!(
        refused.attr("#expires", "value").as_deref(),
        Some("next week")
    );
}

async fn enforce_two_factor_is_stored_and_active_directory_says_it_is_not_built(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    let path = format!("/users/{}/security", ann.0);
    let page = admin.get(&path).await;
    assert!(page.texts("#enforce_2fa-hint")[0].contains(
        "must set up two-factor authentication (an authenticator app) the next time they sign in"
    ));
    assert!(page.texts("#directory_auth-hint")[0].contains("not used yet"));
    let saved = admin
        .submit_changes(&page, "#security", &[("enforce_2fa", "on")], &[], &[])
        .await;
    assert_is_redirect_to(&saved, &path);
    let stored: bool = users::table
        .find(ann)
        .select(users::enforce_2fa)
        .first(&mut app.conn())
        .unwrap();
    assert!(stored);
    assert_eq!(
        admin
            .get(&path)
            .await
            .attr("#enforce_2fa", "checked")
            .as_deref(),
        Some("")
    );
}

async fn nobody_changes_their_own_security(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let me = crate::helpers::user_id(&mut app.conn(), ADMIN);
    let path = format!("/users/{}/security", me.0);
    let page = admin.get(&path).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.texts("#read-only"),
        vec!["You cannot change your own account's security settings.".to_owned()]
    );
    let token = page.attr("input[name=csrf_token]", "value").unwrap();
    let refused = admin
        .post(&path, &[("csrf_token", &token), ("expires", "0")])
        .await;
    assert_eq!(refused.status, 403);
}

async fn a_manager_of_one_of_the_users_companies_sees_their_security_but_cannot_change_it(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let _admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = crate::helpers::first_company(&mut conn);
    let south = crate::helpers::add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, "ann@acme.test", &["Editor"]);
    crate::helpers::arrange_membership(&mut conn, ann, south, &["Editor"]);
    let manager = app.signed_in_as_role("Manager", north).await;
    let path = format!("/users/{}/security", ann.0);

    let page = manager.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.texts("#read-only")[0].contains("right in every company the user belongs to"),
        "{}",
        page.text()
    );
    let token = page.attr("input[name=csrf_token]", "value").unwrap();
    let refused = manager
        .post(&path, &[("csrf_token", &token), ("expires", "0")])
        .await;
    assert_eq!(refused.status, 403);
    let expires: Option<chrono::NaiveDateTime> = users::table
        .find(ann)
        .select(users::expires_at)
        .first(&mut conn)
        .unwrap();
    assert_eq!(expires, None);
}
