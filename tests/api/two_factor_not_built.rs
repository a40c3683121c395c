//! Two-factor authentication is not built yet: the pages that mention it say so, and its
//! account setting cannot be changed as if it worked.

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::DbConnection;
use roster::db::schema::accounts;

on_both_backends!(
    saving_the_settings_leaves_the_two_factor_requirement_as_it_was,
    the_settings_page_says_the_two_factor_requirement_has_no_effect,
    the_user_list_says_two_factor_authentication_is_not_built_by_its_filter,
);

const ADMIN: &str = "ada@acme.test";

fn required(conn: &mut DbConnection) -> bool {
    accounts::table
        .select(accounts::require_2fa)
        .first(conn)
        .unwrap()
}

async fn saving_the_settings_leaves_the_two_factor_requirement_as_it_was(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let form = "form[action='/config/settings']";

    let page = admin.get("/config/settings").await;
    let saved = admin.submit(&page, form, &[("require_2fa", "on")]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(!required(&mut conn), "a ticked box does not turn it on");

    // Behind the server's back: no page can turn the requirement on yet.
    diesel::update(accounts::table)
        .set(accounts::require_2fa.eq(true))
        .execute(&mut conn)
        .unwrap();
    let page = admin.get("/config/settings").await;
    let saved = admin.submit(&page, form, &[]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(required(&mut conn), "an unticked box does not turn it off");
}

async fn the_settings_page_says_the_two_factor_requirement_has_no_effect(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;

    let page = admin.get("/config/settings").await;

    assert!(page.attr("#require_2fa", "disabled").is_some());
    assert_eq!(
        page.attr("#require_2fa", "aria-describedby").as_deref(),
        Some("require_2fa-hint")
    );
    assert_eq!(
        page.texts("#require_2fa-hint"),
        vec!["Two-factor authentication is not built yet; this setting has no effect."]
    );
}

async fn the_user_list_says_two_factor_authentication_is_not_built_by_its_filter(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;

    let filters = admin.get("/users/advanced").await;

    assert_eq!(
        filters.attr("#two_factor", "aria-describedby").as_deref(),
        Some("two_factor-hint")
    );
    let note = filters.texts("#two_factor-hint").join(" ");
    assert!(
        note.starts_with("Two-factor authentication is not built yet;"),
        "{note}"
    );
}
