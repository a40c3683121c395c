//! The Document Custom Fields tab of the Invite User wizard: Access to All proposed, a
//! field's Select All and its options, search by option code, and what is stored.

use crate::helpers::wizard::{FORM, checked, go, invite_from, listed, search, to_access};
use crate::helpers::{Backend, TestApp, add_item, first_company, held};
use crate::on_both_backends;
use roster::domain::catalog::ItemKind;

on_both_backends!(custom_fields_offer_select_all_and_access_to_all);

async fn custom_fields_offer_select_all_and_access_to_all(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let c = first_company(&mut conn);
    let dept = add_item(
        &mut conn,
        c,
        ItemKind::Field,
        None,
        ("Department", "DEP"),
        true,
    );
    let sales = add_item(
        &mut conn,
        c,
        ItemKind::FieldOption,
        Some(dept),
        ("Sales", "SAL"),
        false,
    );
    let ops = add_item(
        &mut conn,
        c,
        ItemKind::FieldOption,
        Some(dept),
        ("Operations", "OPS"),
        false,
    );
    let project = add_item(
        &mut conn,
        c,
        ItemKind::Field,
        None,
        ("Project", "PRJ"),
        false,
    );
    let alpha = add_item(
        &mut conn,
        c,
        ItemKind::FieldOption,
        Some(project),
        ("Alpha", "ALP"),
        false,
    );

    // Proposed: Access to All custom fields, so nobody starts without a required field.
    let access = to_access(&admin, "kim@example.test").await;
    let fields = go(&admin, &access, "tab:fields").await;
    assert!(checked(&fields, &format!("all_fields_{c}")));
    assert_eq!(
        fields.texts("fieldset.field-options > legend"),
        vec!["Department (DEP) Required", "Project (PRJ)"]
    );
    assert!(checked(&fields, &format!("opt-{c}-{sales}")));
    assert!(
        fields
            .attr(&format!("#opt-{c}-{sales}"), "disabled")
            .is_some()
    );

    // Access to All off: nothing chosen; Select All of Department checks its options.
    let revoked = admin
        .submit(
            &fields,
            FORM,
            &[(&format!("all_fields_{c}"), ""), ("go", "view")],
        )
        .await;
    assert!(!checked(&revoked, &format!("all_fields_{c}")));
    assert!(!checked(&revoked, &format!("opt-{c}-{sales}")));
    let dept_all = (format!("fieldall_{c}"), dept.to_string());
    let whole = admin
        .submit_changes(
            &revoked,
            FORM,
            &[(&dept_all.0, &dept_all.1)],
            &[],
            &[("go", "view")],
        )
        .await;
    assert!(checked(&whole, &format!("opt-{c}-{sales}")));
    assert!(checked(&whole, &format!("opt-{c}-{ops}")));
    // Unticking one option under Select All turns Select All off; the other stays.
    let ops_box = (format!("opt_{c}"), ops.to_string());
    let partial = admin
        .submit_changes(
            &whole,
            FORM,
            &[],
            &[(&ops_box.0, &ops_box.1)],
            &[("go", "view")],
        )
        .await;
    assert!(!checked(&partial, &format!("fieldall-{c}-{dept}")));
    assert!(checked(&partial, &format!("opt-{c}-{sales}")));
    assert!(!checked(&partial, &format!("opt-{c}-{ops}")));
    // Back and Next keep it so.
    let info = go(&admin, &partial, "back").await;
    let partial = go(&admin, &info, "next").await;
    assert_eq!(
        partial.texts("nav.tabs button[aria-current]"),
        vec!["Document Custom Fields"]
    );
    assert!(!checked(&partial, &format!("fieldall-{c}-{dept}")));
    assert!(checked(&partial, &format!("opt-{c}-{sales}")));
    assert!(!checked(&partial, &format!("opt-{c}-{ops}")));
    // Select All ticked and then unticked: its options go with it.
    let whole = admin
        .submit_changes(
            &partial,
            FORM,
            &[(&dept_all.0, &dept_all.1)],
            &[],
            &[("go", "view")],
        )
        .await;
    assert!(checked(&whole, &format!("opt-{c}-{ops}")));
    let none = admin
        .submit_changes(
            &whole,
            FORM,
            &[],
            &[(&dept_all.0, &dept_all.1)],
            &[("go", "view")],
        )
        .await;
    assert!(!checked(&none, &format!("opt-{c}-{sales}")));
    assert!(!checked(&none, &format!("opt-{c}-{ops}")));
    // An option added while the form is open does not turn a field's Select All off.
    let whole = admin
        .submit_changes(
            &none,
            FORM,
            &[(&dept_all.0, &dept_all.1)],
            &[],
            &[("go", "view")],
        )
        .await;
    let hr = add_item(
        &mut conn,
        c,
        ItemKind::FieldOption,
        Some(dept),
        ("People", "HR"),
        false,
    );
    let still = go(&admin, &whole, "view").await;
    assert!(checked(&still, &format!("fieldall-{c}-{dept}")));
    assert!(checked(&still, &format!("opt-{c}-{hr}")));
    let hr_box = (format!("opt_{c}"), hr.to_string());
    let partial = admin
        .submit_changes(
            &still,
            FORM,
            &[],
            &[(&ops_box.0, &ops_box.1), (&hr_box.0, &hr_box.1)],
            &[("go", "view")],
        )
        .await;
    assert!(!checked(&partial, &format!("fieldall-{c}-{dept}")));
    assert!(checked(&partial, &format!("opt-{c}-{sales}")));
    assert!(!checked(&partial, &format!("opt-{c}-{hr}")));
    // Search by option code finds the option within its field.
    let found = search(&admin, &partial, "alp", "all").await;
    assert_eq!(
        found.texts("fieldset.field-options > legend"),
        vec!["Project (PRJ)"]
    );
    assert_eq!(listed(&found), vec!["Alpha (ALP)"]);
    let with_project = admin
        .submit_changes(
            &found,
            FORM,
            &[(&format!("fieldall_{c}"), &project.to_string())],
            &[],
            &[("go", "view")],
        )
        .await;
    assert!(checked(&with_project, &format!("opt-{c}-{alpha}")));

    invite_from(&admin, &with_project, "kim@example.test").await;
    let (items, fields_all) = held(&mut conn, "kim@example.test");
    assert_eq!(items, vec![(c.0, "SAL".to_owned())]);
    assert_eq!(fields_all, vec!["PRJ"]);

    // With what the wizard proposes, the person has every field, required ones included,
    // and does not count under No User Access To Required DCF.
    let defaults = app.invite(&admin, "lee@example.test").await;
    assert_eq!(defaults.texts("#invited li"), vec!["lee@example.test"]);
    let (items, fields_all) = held(&mut conn, "lee@example.test");
    assert!(items.is_empty());
    assert_eq!(fields_all, vec!["DEP", "PRJ"]);
    let found = admin.get("/users?q=lee%40example.test").await;
    assert_eq!(
        found.texts("table.users tbody tr").len(),
        1,
        "{}",
        found.body
    );
    let missing = admin
        .get("/users?missing_required=1&q=lee%40example.test")
        .await;
    assert_eq!(missing.status, 200);
    assert!(
        missing.texts("table.users tbody tr").is_empty(),
        "{}",
        missing.body
    );
}
