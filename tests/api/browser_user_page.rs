//! In a real browser: an administrator changes a user's locations on their page with
//! search and Checked Only, then their roles; both are saved; the page is looked at on a
//! laptop and on a phone.

use crate::helpers::browser::{
    browser, click, look_at, start_driver, texts, type_into, wait_for_url,
};
use crate::helpers::{
    Backend, STRONG_PASSWORD, TestApp, add_item, arrange_member, first_company, held, role_id,
    roles_of,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::membership_items;
use roster::domain::catalog::ItemKind;

on_both_backends!(
    an_administrator_edits_a_users_locations_and_roles_in_a_real_browser,
    an_administrator_deactivates_a_user_with_a_substitute_and_reactivates_them_in_a_real_browser,
);

const ADMIN: &str = "ada@example.test";
const ANN: &str = "ann@example.test";

async fn wait_for(c: &fantoccini::Client, css: &str, ok: impl Fn(&[String]) -> bool) {
    for _ in 0..100 {
        if ok(&texts(c, css).await) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{css} never became as expected: {:?}", texts(c, css).await);
}

async fn an_administrator_edits_a_users_locations_and_roles_in_a_real_browser(backend: Backend) {
    let Some(driver) = start_driver() else { return };
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let location = |conn: &mut _, name, code| {
        add_item(conn, company, ItemKind::Location, None, (name, code), false)
    };
    let north = location(&mut conn, "North", "N1");
    let northgate = location(&mut conn, "Northgate", "NG");
    location(&mut conn, "South", "S1");
    let (ann, membership) = arrange_member(&mut conn, ANN, &["Viewer"]);
    diesel::insert_into(membership_items::table)
        .values((
            membership_items::membership_id.eq(membership),
            membership_items::item_id.eq(north),
        ))
        .execute(&mut conn)
        .unwrap();

    let c = browser(&driver).await;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(&c, "#login", ADMIN).await;
    type_into(&c, "#password", STRONG_PASSWORD).await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;

    // The Locations tab, from the user's page.
    c.goto(&format!("{}/users/{}", app.base, ann.0))
        .await
        .unwrap();
    look_at(&c, "user-page-info").await;
    click(&c, &format!("a[href='/users/{}/access/locations']", ann.0)).await;
    let listed = "ul.options label";
    wait_for(&c, listed, |t| t.len() == 3).await;
    // Checked Only shows what she holds; a search by code narrows the rest.
    click(&c, "#show option[value=checked]").await;
    click(&c, ".option-tools button[value=view]").await;
    wait_for(&c, listed, |t| t == ["North (N1)"]).await;
    click(&c, "#show option[value=all]").await;
    type_into(&c, "#search", "NG\u{E007}").await;
    wait_for(&c, listed, |t| t == ["Northgate (NG)"]).await;
    click(&c, &format!("#loc-{company}-{northgate}")).await;
    look_at(&c, "user-page-locations").await;
    click(&c, "button[value=save]").await;
    wait_for(&c, "main > p.flash[role=status]", |t| {
        t == ["Access saved in Main company."]
    })
    .await;
    let (items, _) = held(&mut conn, ANN);
    assert_eq!(
        items,
        vec![(company.0, "N1".to_owned()), (company.0, "NG".to_owned())]
    );

    // The Roles tab: Editor beside Viewer.
    click(&c, &format!("a[href='/users/{}/access/roles']", ann.0)).await;
    let editor = role_id(&mut conn, "Editor");
    wait_for(&c, &format!("label[for=role-{company}-{editor}]"), |t| {
        t == ["Editor"]
    })
    .await;
    look_at(&c, "user-page-roles").await;
    click(&c, &format!("#role-{company}-{editor}")).await;
    click(&c, "button[value=save]").await;
    wait_for(&c, "main > p.flash[role=status]", |t| {
        t == ["Access saved in Main company."]
    })
    .await;
    wait_for_url(&c, "the Roles tab", |u| u.path().ends_with("/access/roles")).await;
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![
            (company, "Editor".to_owned()),
            (company, "Viewer".to_owned())
        ]
    );
}

async fn an_administrator_deactivates_a_user_with_a_substitute_and_reactivates_them_in_a_real_browser(
    backend: Backend,
) {
    let Some(driver) = start_driver() else { return };
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let (ann, _) = arrange_member(&mut conn, ANN, &["Editor"]);
    let (bob, _) = arrange_member(&mut conn, "bob@example.test", &["Viewer"]);

    let c = browser(&driver).await;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(&c, "#login", ADMIN).await;
    type_into(&c, "#password", STRONG_PASSWORD).await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;

    c.goto(&format!("{}/users/{}", app.base, ann.0))
        .await
        .unwrap();
    click(&c, &format!("a[href='/users/{}/deactivate']", ann.0)).await;
    wait_for_url(&c, "the Deactivate page", |u| {
        u.path().ends_with("/deactivate")
    })
    .await;
    look_at(&c, "user-deactivate").await;
    click(
        &c,
        &format!("#substitute_{company} option[value='{}']", bob.0),
    )
    .await;
    click(&c, "#deactivate button[type=submit]").await;
    wait_for(&c, "main > p.flash[role=status]", |t| {
        t == ["ann@example.test was deactivated as chosen."]
    })
    .await;
    wait_for(&c, "#companies tbody td", |t| {
        t.iter()
            .any(|s| s == "Deactivated · substitute bob@example.test")
    })
    .await;

    // From the Deactivated tab of the list.
    c.goto(&format!("{}/users?status=deactivated", app.base))
        .await
        .unwrap();
    wait_for(&c, "td.actions a", |t| t.iter().any(|s| s == "Reactivate")).await;
    c.find(fantoccini::Locator::LinkText("Reactivate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "the Reactivate page", |u| {
        u.path().ends_with("/reactivate")
    })
    .await;
    click(&c, "#reactivate button[type=submit]").await;
    wait_for(&c, "main > p.flash[role=status]", |t| {
        t == ["ann@example.test was reactivated as chosen."]
    })
    .await;
    let status: String = roster::db::schema::users::table
        .find(ann)
        .select(roster::db::schema::users::status)
        .first(&mut conn)
        .unwrap();
    assert_eq!(status, "active");
}
