//! Navigation asks the policy: a link shown always opens.

use crate::helpers::{Backend, TestApp, add_company, first_company};
use crate::on_both_backends;

on_both_backends!(
    the_hub_shows_roles_only_to_who_may_manage_them_in_every_company,
    every_link_of_the_top_bar_and_the_hub_opens,
);

async fn the_hub_shows_roles_only_to_who_may_manage_them_in_every_company(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let acme = first_company(&mut conn);
    add_company(&mut conn, "Branch", "BR");
    // Admin (with roles.manage) in ACME only.
    let kim = app
        .signed_in_with_roles("kim@acme.test", &[(acme, &["Admin"])])
        .await;
    let hub = kim.get("/config").await;
    assert_eq!(hub.status, 200);
    let links = hub.texts("main a");
    assert!(!links.iter().any(|l| l == "Roles"), "{links:?}");
    assert!(links.iter().any(|l| l == "Locations"), "{links:?}");
    assert_eq!(kim.get("/config/roles").await.status, 403);
}

async fn every_link_of_the_top_bar_and_the_hub_opens(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let acme = first_company(&mut conn);
    add_company(&mut conn, "Branch", "BR");
    for (email, roles) in [
        ("viewer@acme.test", vec![(acme, &["Viewer"][..])]),
        ("kim@acme.test", vec![(acme, &["Admin"][..])]),
        ("nobody@acme.test", vec![]),
    ] {
        let client = app.signed_in_with_roles(email, &roles).await;
        let profile = client.get("/profile").await;
        let mut hrefs: Vec<String> = profile
            .html()
            .select(&scraper::Selector::parse("nav a").unwrap())
            .filter_map(|a| a.value().attr("href").map(str::to_owned))
            .collect();
        let hub = client.get("/config").await;
        if hub.status == 200 {
            hrefs.extend(
                hub.html()
                    .select(&scraper::Selector::parse("main a").unwrap())
                    .filter_map(|a| a.value().attr("href").map(str::to_owned)),
            );
        }
        for href in hrefs.iter().filter(|h| h.starts_with('/')) {
            let page = client.visit(href).await;
            assert_eq!(page.status, 200, "{email}: {href}");
        }
    }
}
