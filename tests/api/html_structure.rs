//! Markup the Nu HTML checker refused on pages a crawl reaches.

use crate::helpers::{Backend, TestApp, add_item, first_company};
use crate::on_both_backends;
use roster::domain::catalog::ItemKind;

on_both_backends!(
    a_catalog_edit_page_puts_no_form_inside_a_paragraph,
    a_fast_filter_with_several_values_is_a_list_box_showing_each,
);

async fn a_catalog_edit_page_puts_no_form_inside_a_paragraph(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let item = add_item(
        &mut conn,
        company,
        ItemKind::Location,
        None,
        ("North", "N1"),
        false,
    );
    let page = admin
        .get(&format!("/config/companies/{company}/locations/{item}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(!page.texts("form").is_empty());
    assert!(page.texts("p form").is_empty(), "a form inside a <p>");
}

async fn a_fast_filter_with_several_values_is_a_list_box_showing_each(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let one = admin.get("/users?status=active").await;
    assert_eq!(one.attr("select#status", "multiple"), None);
    let several = admin.get("/users?status=active&status=blocked").await;
    assert_eq!(several.status, 200);
    assert!(several.attr("select#status", "multiple").is_some());
    assert_eq!(
        several.texts("select#status option[selected]"),
        vec!["Active", "Blocked"]
    );
}
