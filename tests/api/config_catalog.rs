//! Configuration of what access is made of: companies, locations, custom fields with their
//! options, product groups.

use crate::helpers::{Backend, TestApp, arrange_member, first_company};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{audit_events, catalog_items, companies, membership_fields_all};
use roster::domain::access;
use roster::domain::audit::Change;
use roster::domain::audit::Origin;
use roster::domain::catalog::{self, ItemInput, ItemKind};

on_both_backends!(
    items_of_each_kind_are_added_edited_archived_and_deleted,
    field_options_and_automated_access,
    lists_search_paginate_and_survive_bad_input,
    single_and_multi_company_accounts,
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
            assert!(
                admin
                    .get(deleted.location())
                    .await
                    .text()
                    .contains("archived instead of deleted")
            );
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

async fn field_options_and_automated_access(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let (_, keeps_all) = arrange_member(&mut conn, "ann@acme.test", &["Editor"]);
    let (_, chooses) = arrange_member(&mut conn, "bob@acme.test", &["Viewer"]);

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

    // Bob's Select All is turned off: he keeps only Sales.
    let sales_id: roster::domain::ItemId = catalog_items::table
        .filter(catalog_items::code.eq("S"))
        .select(catalog_items::id)
        .first(&mut conn)
        .unwrap();
    access::choose_field_options(&mut conn, chooses, field_id, &[sales_id]).unwrap();

    let page = admin.get(&field_page).await;
    assert_eq!(
        admin
            .submit(
                &page,
                &options_form,
                &[("name", "Operations"), ("code", "OPS")]
            )
            .await
            .status,
        303
    );
    let ops_id: roster::domain::ItemId = catalog_items::table
        .filter(catalog_items::code.eq("OPS"))
        .select(catalog_items::id)
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        access::field_options(&mut conn, keeps_all, field_id).unwrap(),
        vec![sales_id, ops_id],
        "a later option reaches Select All"
    );
    assert_eq!(
        access::field_options(&mut conn, chooses, field_id).unwrap(),
        vec![sales_id],
        "but not a chosen set"
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
    assert!(
        admin
            .get(done.location())
            .await
            .text()
            .contains("archived instead of deleted")
    );
    let archived: Option<chrono::NaiveDateTime> = catalog_items::table
        .find(field_id)
        .select(catalog_items::archived_at)
        .first(&mut conn)
        .unwrap();
    assert!(archived.is_some());
}

async fn lists_search_paginate_and_survive_bad_input(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let account = companies::table
        .find(company)
        .select(companies::account_id)
        .first(&mut conn)
        .unwrap();
    let change = Change {
        account_id: account,
        origin: Origin::default(),
        now: chrono::Utc::now().naive_utc(),
    };
    for i in 1..=30 {
        let input = ItemInput {
            name: format!("Loc {i:02}"),
            code: format!("L{i:02}"),
            required: false,
        };
        catalog::create(
            &mut conn,
            company,
            ItemKind::Location,
            None,
            &input,
            &change,
        )
        .unwrap();
    }
    let input = ItemInput {
        name: "Warehouse".into(),
        code: "WH-9".into(),
        required: false,
    };
    catalog::create(
        &mut conn,
        company,
        ItemKind::Location,
        None,
        &input,
        &change,
    )
    .unwrap();

    let base = format!("/config/companies/{company}/locations");
    let rows = |page: &crate::client::Page| page.texts("table.items tbody tr").len();
    let first = admin.get(&base).await;
    assert_eq!(rows(&first), 25);
    assert!(first.text().contains("1–25 of 31"));
    assert!(first.attr("a[rel=next]", "href").is_some());
    let second = admin.get(&format!("{base}?page=2")).await;
    assert_eq!(rows(&second), 6);
    assert!(second.text().contains("26–31 of 31"));
    let far = admin.get(&format!("{base}?page=1000000000")).await;
    assert_eq!(
        (far.status, rows(&far)),
        (200, 6),
        "a page past the end shows the last one"
    );
    let negative = admin.get(&format!("{base}?page=-3")).await;
    assert_eq!(rows(&negative), 25);
    let junk = admin.get(&format!("{base}?page=abc")).await;
    assert_eq!(junk.status, 400);
    assert!(junk.text().contains("not valid"));

    let by_name = admin.get(&format!("{base}?q=WARE")).await;
    assert_eq!(
        by_name.texts("table.items tbody td:first-child"),
        vec!["Warehouse"]
    );
    let by_code = admin.get(&format!("{base}?q=wh-9")).await;
    assert_eq!(
        by_code.texts("table.items tbody td:first-child"),
        vec!["Warehouse"]
    );
    let partial = admin.get(&format!("{base}?q=l0")).await;
    assert_eq!(rows(&partial), 9, "L01..L09 by code");
    let wildcard = admin.get(&format!("{base}?q=%25")).await;
    assert_eq!(rows(&wildcard), 0, "% is a character, not a wildcard");
    assert!(wildcard.text().contains("No Locations match"));
    let nul = admin.get(&format!("{base}?q=%00")).await;
    assert!(nul.status < 500, "NUL in a search: {}", nul.status);
}

async fn single_and_multi_company_accounts(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let first = first_company(&mut conn);
    let list = admin
        .get(&format!("/config/companies/{first}/locations"))
        .await;
    assert_eq!(list.title(), "Locations", "a single company is never named");

    let companies_page = admin.get("/config/companies").await;
    assert!(companies_page.text().contains("Single Company Account"));
    let added = admin
        .submit(
            &companies_page,
            "form[action='/config/companies']",
            &[("name", "Acme South"), ("code", "SOUTH")],
        )
        .await;
    assert_eq!(added.status, 303);
    let page = admin.get("/config/companies").await;
    let dup = admin
        .submit(
            &page,
            "form[action='/config/companies']",
            &[("name", "Other"), ("code", "south")],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.text().contains("already has this code"));
    assert_eq!(dup.attr("#name", "value").as_deref(), Some("Other"));

    let south: roster::domain::CompanyId = companies::table
        .filter(companies::code.eq("SOUTH"))
        .select(companies::id)
        .first(&mut conn)
        .unwrap();
    let chooser = admin.get("/config/locations").await;
    assert_eq!(chooser.status, 200, "two companies: choose one");
    assert!(chooser.text().contains("Acme South"));
    let south_list = admin
        .get(&format!("/config/companies/{south}/locations"))
        .await;
    assert_eq!(south_list.title(), "Locations in Acme South");

    let edit = admin.get(&format!("/config/companies/{south}/edit")).await;
    let renamed = admin
        .submit(
            &edit,
            &format!("form[action='/config/companies/{south}/edit']"),
            &[("name", "Acme Süd")],
        )
        .await;
    assert_eq!(renamed.status, 303);
    let page = admin.get("/config/companies").await;
    assert!(page.text().contains("Acme Süd"));

    // Archive one; the last active company stays.
    assert_eq!(
        admin
            .submit(
                &page,
                &format!("form[action='/config/companies/{south}/archive']"),
                &[]
            )
            .await
            .status,
        303
    );
    let page = admin.get("/config/companies").await;
    let refused = admin
        .submit(
            &page,
            &format!("form[action='/config/companies/{first}/archive']"),
            &[],
        )
        .await;
    assert_eq!(refused.status, 303);
    assert!(
        admin
            .get("/config/companies")
            .await
            .text()
            .contains("at least one active company")
    );
    let active: i64 = companies::table
        .filter(companies::archived_at.is_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(active, 1);
    let events: i64 = audit_events::table
        .filter(audit_events::action.like("company.%"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(events, 3, "created, updated, archived");
}
