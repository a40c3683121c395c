//! The configuration lists of locations, fields and product groups (search, pages, bad
//! input), and companies in single- and multi-company accounts.

use crate::helpers::{Backend, TestApp, first_company};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{audit_events, companies};
use roster::domain::catalog::{self, ItemInput, ItemKind};

on_both_backends!(
    the_lists_search_paginate_and_survive_bad_input,
    a_second_company_makes_the_account_multi_company_and_the_last_active_one_stays,
);

const ADMIN: &str = "ada@acme.test";

async fn the_lists_search_paginate_and_survive_bad_input(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let permit = crate::helpers::config_permit(&mut conn, company);
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
            &permit,
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
        &permit,
    )
    .unwrap();

    let base = format!("/config/companies/{company}/locations");
    let rows = |page: &crate::helpers::Page| page.texts("table.items tbody tr").len();
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

async fn a_second_company_makes_the_account_multi_company_and_the_last_active_one_stays(
    backend: Backend,
) {
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
