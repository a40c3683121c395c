//! Bounded input: a value longer than its limit gets a message beside its field (or, in an
//! address, an error page) and nothing is stored; nothing unbounded lands in the session.

use crate::helpers::wizard::{FORM, to_access};
use crate::helpers::{Backend, TestApp, first_company};
use crate::helpers::{Client, Page};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{catalog_items, companies, roles, saved_filters, users};

on_both_backends!(
    a_filter_named_with_5000_characters_is_refused_beside_the_field_and_the_cookie_stays_small,
    a_filter_renamed_to_5000_characters_keeps_its_name_and_shows_what_was_typed,
    a_catalog_item_with_a_too_long_name_and_code_is_refused_and_not_stored,
    a_role_with_a_too_long_name_and_description_is_refused_and_not_stored,
    a_company_with_a_too_long_name_and_code_is_refused_and_not_stored,
    the_invite_info_step_refuses_too_long_names_and_phone,
    the_invite_wizard_refuses_a_too_long_list_of_addresses,
    the_invite_wizard_refuses_a_too_long_search,
    a_very_long_search_on_the_user_list_is_answered_with_its_limit,
    a_very_long_search_on_a_catalog_list_is_answered_with_its_limit,
    a_too_long_sign_in_name_is_refused_beside_the_field,
    a_too_long_email_for_a_new_administrator_is_refused_beside_the_field,
    messages_waiting_for_a_page_do_not_grow_the_session,
);

const ADMIN: &str = "ada@acme.test";

/// Browsers drop a cookie larger than this.
const COOKIE_LIMIT: usize = 4096;

fn long(n: usize) -> String {
    "x".repeat(n)
}

fn count(backend: &Backend, table: &str) -> i64 {
    let mut conn = backend.conn();
    match table {
        "saved_filters" => saved_filters::table.count().get_result(&mut conn),
        "catalog_items" => catalog_items::table.count().get_result(&mut conn),
        "roles" => roles::table.count().get_result(&mut conn),
        "companies" => companies::table.count().get_result(&mut conn),
        "users" => users::table.count().get_result(&mut conn),
        other => panic!("no count for {other}"),
    }
    .unwrap()
}

/// The message shown at `selector` contains `said`.
fn assert_said(page: &Page, selector: &str, said: &str) {
    let shown = page.texts(selector).concat();
    assert!(shown.contains(said), "{selector}: {shown:?}, not {said:?}");
}

fn largest_cookie(page: &Page) -> usize {
    page.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.len())
        .max()
        .unwrap_or(0)
}

async fn admin_of(backend: &Backend) -> (TestApp, Client) {
    let app = TestApp::spawn(backend).await;
    let admin = app.first_admin(ADMIN).await;
    (app, admin)
}

async fn a_filter_named_with_5000_characters_is_refused_beside_the_field_and_the_cookie_stays_small(
    backend: Backend,
) {
    let (_app, admin) = admin_of(&backend).await;
    let list = admin.get("/users?status=active").await;
    let name = long(5000);
    let refused = admin
        .submit(&list, "form#save-filter", &[("name", &name)])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_said(
        &refused,
        "#filter-name-error",
        "A filter name can be at most 60 characters; this one has 5000.",
    );
    assert_eq!(
        refused.attr("#filter-name", "value").as_deref(),
        Some(name.as_str())
    );
    assert!(
        refused
            .header("content-security-policy")
            .is_some_and(|csp| csp.contains("default-src 'self'"))
    );
    assert!(largest_cookie(&refused) < COOKIE_LIMIT);
    assert_eq!(count(&backend, "saved_filters"), 0);
    // The draft was drawn once, not kept for the next page.
    let later = admin.get("/users?status=active").await;
    assert_eq!(later.attr("#filter-name", "value").as_deref(), Some(""));
}

async fn a_filter_renamed_to_5000_characters_keeps_its_name_and_shows_what_was_typed(
    backend: Backend,
) {
    let (_app, admin) = admin_of(&backend).await;
    let list = admin.get("/users?status=active").await;
    let saved = admin
        .submit(&list, "form#save-filter", &[("name", "Active")])
        .await;
    assert_eq!(saved.status, 303);
    let id: roster::domain::SavedFilterId = saved_filters::table
        .select(saved_filters::id)
        .first(&mut backend.conn())
        .unwrap();
    let tab = admin.get("/users/filters").await;
    let name = long(5000);
    let refused = admin
        .submit(
            &tab,
            &format!("form[action='/users/filters/{id}/rename']"),
            &[("name", &name)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_said(
        &refused,
        &format!("#name-{id}-error"),
        "at most 60 characters",
    );
    assert_eq!(
        refused.attr(&format!("#name-{id}"), "value").as_deref(),
        Some(name.as_str())
    );
    let stored: String = saved_filters::table
        .find(id)
        .select(saved_filters::name)
        .first(&mut backend.conn())
        .unwrap();
    assert_eq!(stored, "Active");
}

async fn a_catalog_item_with_a_too_long_name_and_code_is_refused_and_not_stored(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let company = first_company(&mut backend.conn());
    let base = format!("/config/companies/{company}/locations");
    let list = admin.get(&base).await;
    let refused = admin
        .submit(
            &list,
            &format!("form[method=post][action='{base}']"),
            &[("name", &long(101)), ("code", &long(33))],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_said(
        &refused,
        "#new-name-error",
        "A name can be at most 100 characters; this one has 101.",
    );
    assert_said(
        &refused,
        "#new-code-error",
        "A code can be at most 32 characters; this one has 33.",
    );
    assert_eq!(count(&backend, "catalog_items"), 0);
}

async fn a_role_with_a_too_long_name_and_description_is_refused_and_not_stored(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let before = count(&backend, "roles");
    let new = admin.get("/config/roles/new").await;
    let refused = admin
        .submit(
            &new,
            "form[action='/config/roles']",
            &[("name", &long(61)), ("description", &long(501))],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_said(
        &refused,
        "#name-error",
        "A role name can be at most 60 characters",
    );
    assert_said(
        &refused,
        "#description-error",
        "A description can be at most 500 characters",
    );
    assert_eq!(count(&backend, "roles"), before);
}

async fn a_company_with_a_too_long_name_and_code_is_refused_and_not_stored(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let before = count(&backend, "companies");
    let list = admin.get("/config/companies").await;
    let refused = admin
        .submit(
            &list,
            "form[action='/config/companies']",
            &[("name", &long(101)), ("code", &long(33))],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_said(
        &refused,
        "#name-error",
        "A name can be at most 100 characters; this one has 101.",
    );
    assert_said(
        &refused,
        "#code-error",
        "A code can be at most 32 characters; this one has 33.",
    );
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some(long(101).as_str())
    );
    assert_eq!(count(&backend, "companies"), before);
}

async fn the_invite_info_step_refuses_too_long_names_and_phone(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let before = count(&backend, "users");
    let start = admin.get("/users/invite").await;
    let info = admin
        .submit(
            &start,
            FORM,
            &[("emails", "grace@example.test"), ("go", "next")],
        )
        .await;
    let refused = admin
        .submit(
            &info,
            FORM,
            &[
                ("first_name", &long(101)),
                ("display_name", &long(101)),
                ("phone", &long(41)),
                ("go", "next"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    for (field, said) in [
        (
            "first_name",
            "First name can be at most 100 characters; this one has 101.",
        ),
        (
            "display_name",
            "Displayed name can be at most 100 characters; this one has 101.",
        ),
        (
            "phone",
            "A phone number can be at most 40 characters; this one has 41.",
        ),
    ] {
        assert_said(&refused, &format!("#{field}-error"), said);
    }
    // Sent straight to Invite past the step, the invitation itself refuses them too.
    let invite = admin
        .submit(&refused, FORM, &[("step", "access"), ("go", "invite")])
        .await;
    assert_eq!(invite.status, 422);
    assert_said(
        &invite,
        "#first_name-error",
        "First name can be at most 100 characters",
    );
    assert_eq!(count(&backend, "users"), before);
}

async fn the_invite_wizard_refuses_a_too_long_list_of_addresses(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let start = admin.get("/users/invite").await;
    // 100,001 characters: well under the body limit, over the list's.
    let list = format!("a@example.test {}", long(100_001 - 15));
    let refused = admin
        .submit(&start, FORM, &[("emails", &list), ("go", "next")])
        .await;
    assert_eq!(refused.status, 422);
    assert_said(
        &refused,
        "#wizard-error",
        "A list of addresses can be at most 100000 characters",
    );
}

async fn the_invite_wizard_refuses_a_too_long_search(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let access = to_access(&admin, "grace@example.test").await;
    let search = long(5000);
    let refused = admin
        .submit(&access, FORM, &[("search", &search), ("go", "view")])
        .await;
    assert_eq!(refused.status, 422);
    assert_said(
        &refused,
        "#search-error",
        "A search can be at most 254 characters",
    );
    assert_eq!(
        refused.attr("#search", "value").as_deref(),
        Some(search.as_str())
    );
}

async fn a_very_long_search_on_the_user_list_is_answered_with_its_limit(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let refused = admin.get(&format!("/users?q={}", long(5000))).await;
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .text()
            .contains("A search can be at most 254 characters; this one has 5000."),
        "{}",
        refused.text()
    );
    assert!(refused.header("content-security-policy").is_some());
    // At the limit it is a search like any other.
    assert_eq!(
        admin.get(&format!("/users?q={}", long(254))).await.status,
        200
    );
}

async fn a_very_long_search_on_a_catalog_list_is_answered_with_its_limit(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let company = first_company(&mut backend.conn());
    let page = admin
        .get(&format!(
            "/config/companies/{company}/locations?q={}",
            long(5000)
        ))
        .await;
    assert_eq!(page.status, 400);
    assert!(
        page.text()
            .contains("A search can be at most 254 characters")
    );
}

async fn a_too_long_sign_in_name_is_refused_beside_the_field(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let client = app.client();
    let form = client.get("/login").await;
    let login = long(300);
    let refused = client
        .submit(
            &form,
            "form[action='/login']",
            &[("login", &login), ("password", &long(129))],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_said(
        &refused,
        "#login-error",
        "An email or user name can be at most 254 characters",
    );
    assert_said(&refused, "#password-error", "at most 128 characters");
    assert_eq!(
        refused.attr("#login", "value").as_deref(),
        Some(login.as_str())
    );
}

async fn a_too_long_email_for_a_new_administrator_is_refused_beside_the_field(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let page = admin.get("/config/admins").await;
    let refused = admin
        .submit(
            &page,
            "form[action='/config/admins']",
            &[("email", &format!("{}@acme.test", long(300)))],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_said(
        &refused,
        "#email-error",
        "An email address can be at most 254 characters",
    );
}

async fn messages_waiting_for_a_page_do_not_grow_the_session(backend: Backend) {
    let (_app, admin) = admin_of(&backend).await;
    let list = admin.get("/users?status=active").await;
    let name = long(60);
    admin
        .submit(&list, "form#save-filter", &[("name", &name)])
        .await;
    let id: roster::domain::SavedFilterId = saved_filters::table
        .select(saved_filters::id)
        .first(&mut backend.conn())
        .unwrap();
    let tab = admin.get("/users/filters").await;
    // Each post leaves a message quoting the name for a page that is never opened.
    for _ in 0..40 {
        let done = admin
            .submit(
                &tab,
                &format!("form[action='/users/filters/{id}/default']"),
                &[],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(largest_cookie(&done) < COOKIE_LIMIT);
    }
}
