//! Configuration of what access is made of: companies, locations, custom fields with their
//! options, product groups.

use crate::helpers::{Backend, TestApp, arrange_member, first_company};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{audit_events, catalog_items, membership_fields_all};

on_both_backends!(
    items_of_each_kind_are_added_edited_archived_and_deleted,
    a_new_field_is_given_to_everyone_and_its_option_codes_are_unique_within_it,
);

const ADMIN: &str = "ada@acme.test";

fn count_items(backend: &Backend, kind: &str) -> i64 {
    catalog_items::table
        .filter(catalog_items::kind.eq(kind))
        .count()
        .get_result(&mut backend.conn())
        .unwrap()
}

async fn items_of_each_kind_are_added_edited_archived_and_deleted(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let company = first_company(&mut backend.conn());
    for (slug, stored, plural) in [
        ("locations", "location", "Locations"),
        ("product-groups", "product_group", "Product Groups"),
        ("fields", "field", "Document Custom Fields"),
    ] {
        let base = format!("/config/companies/{company}/{slug}");
        // A single-company account goes straight to its company's list.
        let entry = admin.get(&format!("/config/{slug}")).await;
        assert_eq!(
            (entry.status, entry.location()),
            (303, base.as_str()),
            "{slug}"
        );
        let list = admin.get(&base).await;
        assert_eq!(list.title(), plural);
        assert!(
            list.text().contains(&format!("No {plural} yet")),
            "empty state for {slug}"
        );

        let form = format!("form[method=post][action='{base}']");
        let added = admin
            .submit(&list, &form, &[("name", "Berlin"), ("code", "BER")])
            .await;
        assert_eq!(added.status, 303, "{slug}: {}", added.text());
        assert_eq!(count_items(&backend, stored), 1);

        // A duplicate code, whatever its case: the form again, with the message and input.
        let list = admin.get(&base).await;
        let dup = admin
            .submit(&list, &form, &[("name", "Berlin 2"), ("code", "ber")])
            .await;
        assert_eq!(dup.status, 422, "{slug}");
        assert!(
            dup.texts("#new-code-error")[0].contains("already has the code ber"),
            "{slug}"
        );
        assert_eq!(dup.attr("#new-name", "value").as_deref(), Some("Berlin 2"));
        assert_eq!(dup.attr("#new-code", "value").as_deref(), Some("ber"));
        assert_eq!(count_items(&backend, stored), 1);

        let id: i64 = catalog_items::table
            .filter(catalog_items::kind.eq(stored))
            .select(catalog_items::id)
            .first::<roster::domain::ItemId>(&mut backend.conn())
            .unwrap()
            .0;
        let item = format!("{base}/{id}");
        let edit = admin.get(&item).await;
        assert_eq!(edit.attr("#code", "value").as_deref(), Some("BER"));
        let saved = admin
            .submit(
                &edit,
                &format!("form[action='{item}']"),
                &[("name", "Berlin Mitte")],
            )
            .await;
        assert_eq!(saved.status, 303);
        let name: String = catalog_items::table
            .find(roster::domain::ItemId(id))
            .select(catalog_items::name)
            .first(&mut backend.conn())
            .unwrap();
        assert_eq!(name, "Berlin Mitte");

        let list = admin.get(&base).await;
        let archived = admin
            .submit(&list, &format!("form[action='{item}/archive']"), &[])
            .await;
        assert_eq!(archived.status, 303);
        assert!(
            !admin
                .get(&base)
                .await
                .texts("table.items td")
                .contains(&"Berlin Mitte".to_owned()),
            "{slug}: archived leaves the list"
        );
        let archive = admin.get(&format!("{base}?archived=1")).await;
        assert!(archive.text().contains("Berlin Mitte"));
        let restored = admin
            .submit(&archive, &format!("form[action='{item}/restore']"), &[])
            .await;
        assert_eq!(restored.status, 303);
        assert!(
            admin
                .get(&base)
                .await
                .texts("table.items td")
                .contains(&"Berlin Mitte".to_owned())
        );

        // Delete asks first; nobody holds it, so it is gone.
        let confirm = admin.get(&format!("{item}/delete")).await;
        assert_eq!(confirm.status, 200);
        assert!(confirm.text().contains("Delete"));
        let deleted = admin
            .submit(&confirm, &format!("form[action='{item}/delete']"), &[])
            .await;
        assert_eq!(deleted.status, 303);
        if slug == "fields" {
            // The administrator got Select All on the new field automatically: in use, so
            // it is archived rather than deleted.
            let flash = admin.get(deleted.location()).await.flash().join(" ");
            assert!(flash.contains("archived instead of deleted"), "{flash}");
            assert_eq!(count_items(&backend, stored), 1);
        } else {
            assert_eq!(count_items(&backend, stored), 0, "{slug}");
        }
    }
    let events: Vec<String> = audit_events::table
        .filter(audit_events::action.like("catalog.%"))
        .select(audit_events::action)
        .load(&mut backend.conn())
        .unwrap();
    assert_eq!(
        events.len(),
        3 * 5,
        "add, edit, archive, restore, delete per kind: {events:?}"
    );
}

async fn a_new_field_is_given_to_everyone_and_its_option_codes_are_unique_within_it(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    arrange_member(&mut conn, "ann@acme.test", &["Editor"]);
    arrange_member(&mut conn, "bob@acme.test", &["Viewer"]);

    let base = format!("/config/companies/{company}/fields");
    let list = admin.get(&base).await;
    let created = admin
        .submit(
            &list,
            &format!("form[method=post][action='{base}']"),
            &[("name", "Department"), ("code", "DEP"), ("required", "on")],
        )
        .await;
    assert_eq!(created.status, 303);
    let field_page = created.location().to_owned();
    let field = admin.get(&field_page).await;
    assert!(
        field
            .text()
            .contains("Everyone in the company has Select All on it")
    );
    assert!(field.text().contains("No Options yet"));

    // Automated DCF access: every member of the company got Select All on the new field.
    let field_id = roster::domain::ItemId(field_page.rsplit('/').next().unwrap().parse().unwrap());
    let holders: i64 = membership_fields_all::table
        .filter(membership_fields_all::field_id.eq(field_id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(holders, 3, "the administrator, Ann and Bob");

    let options_form = format!("form[action='{base}/{}/options']", field_id.0);
    let sales = admin
        .submit(&field, &options_form, &[("name", "Sales"), ("code", "S")])
        .await;
    assert_eq!(sales.status, 303);
    let page = admin.get(&field_page).await;
    assert!(page.texts("table.items td").contains(&"Sales".to_owned()));
    let dup = admin
        .submit(
            &page,
            &options_form,
            &[("name", "Sales again"), ("code", "s")],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.texts("#option-code-error")[0].contains("already has the code"));
    assert_eq!(
        dup.attr("#option-name", "value").as_deref(),
        Some("Sales again")
    );

    // The same option code is fine in another field.
    let list = admin.get(&base).await;
    let project = admin
        .submit(
            &list,
            &format!("form[method=post][action='{base}']"),
            &[("name", "Project"), ("code", "PRJ")],
        )
        .await;
    let project_page = admin.get(project.location()).await;
    let project_id = project.location().rsplit('/').next().unwrap().to_owned();
    let same_code = admin
        .submit(
            &project_page,
            &format!("form[action='{base}/{project_id}/options']"),
            &[("name", "Sun"), ("code", "S")],
        )
        .await;
    assert_eq!(same_code.status, 303);

    // A field people hold is archived, not deleted.
    let confirm = admin.get(&format!("{field_page}/delete")).await;
    let done = admin
        .submit(
            &confirm,
            &format!("form[action='{field_page}/delete']"),
            &[],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        admin.get(done.location()).await.flash(),
        vec![
            "Document Custom Field Department is in use by 3 users, so it was archived \
             instead of deleted."
        ]
    );
    let archived: Option<chrono::NaiveDateTime> = catalog_items::table
        .find(field_id)
        .select(catalog_items::archived_at)
        .first(&mut conn)
        .unwrap();
    assert!(archived.is_some());
}
