//! In a real browser: the Invite User wizard from the User Management page to the result,
//! then the invited person's accept page, which signs them in on My Profile.

use crate::helpers::SmtpSink;
use crate::helpers::browser::{
    browser, click, look_at, start_driver, text, texts, type_into, wait_for_url,
};
use crate::helpers::{
    Backend, STRONG_PASSWORD, TestApp, add_company, add_item, first_company, role_id,
};
use crate::on_both_backends;
use diesel::prelude::*;
use fantoccini::Locator;
use roster::db::schema::{membership_items, memberships, users};
use roster::domain::catalog::ItemKind;

/// Waits until the texts of `css` satisfy `ok` (a click that posts returns before the next
/// page is drawn).
async fn wait_for(c: &fantoccini::Client, css: &str, ok: impl Fn(&[String]) -> bool) {
    for _ in 0..100 {
        if ok(&texts(c, css).await) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{css} never became as expected: {:?}", texts(c, css).await);
}

/// A browser signed in as the first administrator, ada@example.test.
async fn signed_in(driver: &crate::helpers::browser::Driver, app: &TestApp) -> fantoccini::Client {
    let c = browser(driver).await;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(&c, "#login", "ada@example.test").await;
    type_into(&c, "#password", STRONG_PASSWORD).await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;
    c
}

on_both_backends!(
    a_person_is_invited_and_accepts_in_a_real_browser,
    a_multi_company_invitation_is_made_in_a_real_browser,
);

async fn a_multi_company_invitation_is_made_in_a_real_browser(backend: Backend) {
    let Some(driver) = start_driver() else { return };
    let app = TestApp::spawn(&backend).await;
    app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let main = first_company(&mut conn);
    let branch = add_company(&mut conn, "Branch", "BR");
    let location = |conn: &mut _, company, name, code| {
        add_item(conn, company, ItemKind::Location, None, (name, code), false)
    };
    let north = location(&mut conn, main, "North", "N1");
    let south = location(&mut conn, main, "South", "S1");
    let nord = location(&mut conn, branch, "Nord", "n1");

    let c = signed_in(&driver, &app).await;
    c.goto(&format!("{}/users/invite", app.base)).await.unwrap();
    type_into(&c, "#emails", "kai@example.test").await;
    click(&c, "button.primary[value=next]").await;
    wait_for(&c, "label[for=select_all]", |t| t == ["Select All"]).await;
    click(&c, "#select_all").await;
    click(&c, "button.primary[value=next]").await;
    wait_for(&c, "#first_name", |t| t.len() == 1).await;
    click(&c, "button.primary[value=next]").await;
    wait_for(&c, ".available-companies button", |t| t.len() == 2).await;
    click(&c, "button[value='tab:locations']").await;
    wait_for(&c, "nav.tabs button[aria-current]", |t| t == ["Locations"]).await;
    click(&c, &format!("button[value='company:{main}']")).await;
    wait_for(&c, "fieldset.company-access > legend", |t| {
        t.len() == 1 && t[0] != "Branch"
    })
    .await;
    click(&c, &format!("#loc-{main}-{north}")).await;
    click(&c, &format!("#loc-{main}-{south}")).await;
    // Everyone needs a role in each company: Viewer in Main, carried to Branch below.
    let viewer = role_id(&mut conn, "Viewer");
    click(&c, "button[value='tab:roles']").await;
    wait_for(&c, &format!("label[for=role-{main}-{viewer}]"), |t| {
        t == ["Viewer"]
    })
    .await;
    click(&c, &format!("#role-{main}-{viewer}")).await;
    click(&c, "button[value=apply_all]").await;
    wait_for(&c, "#wizard-notice", |t| {
        t.len() == 1 && t[0].contains("No match by code") && t[0].contains("South (S1)")
    })
    .await;
    click(&c, "button[value='tab:locations']").await;
    wait_for(&c, "button.tab[aria-current=page]", |t| t == ["Locations"]).await;
    click(&c, &format!("button[value='company:{branch}']")).await;
    wait_for(&c, "fieldset.company-access > legend", |t| t == ["Branch"]).await;
    assert!(
        c.find(Locator::Css(&format!("#loc-{branch}-{nord}")))
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap(),
        "Nord (n1) got North's (N1) place"
    );
    click(&c, "#send_email").await;
    click(&c, "button[value=invite]").await;
    wait_for(&c, "#invited li", |t| t == ["kai@example.test"]).await;
    let mut held: Vec<(i64, String)> = membership_items::table
        .inner_join(memberships::table.inner_join(users::table))
        .inner_join(roster::db::schema::catalog_items::table)
        .filter(users::email.eq("kai@example.test"))
        .select((
            memberships::company_id,
            roster::db::schema::catalog_items::code,
        ))
        .load(&mut conn)
        .unwrap();
    held.sort();
    let mut expected = vec![
        (main.0, "N1".to_owned()),
        (main.0, "S1".to_owned()),
        (branch.0, "n1".to_owned()),
    ];
    expected.sort();
    assert_eq!(held, expected);
    c.close().await.unwrap();
}

async fn a_person_is_invited_and_accepts_in_a_real_browser(backend: Backend) {
    let Some(driver) = start_driver() else { return };
    let sink = SmtpSink::start(&[]);
    let port = sink.port;
    let app = TestApp::spawn_with(&backend, move |c| {
        c.mail = roster::config::MailUrl::Smtp {
            host: "127.0.0.1".into(),
            port,
        }
    })
    .await;
    app.first_admin("ada@example.test").await;

    let c = signed_in(&driver, &app).await;

    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    for (name, code) in [("North", "N1"), ("Northgate", "NG"), ("South", "S1")] {
        add_item(
            &mut conn,
            company,
            ItemKind::Location,
            None,
            (name, code),
            false,
        );
    }

    c.goto(&format!("{}/users", app.base)).await.unwrap();
    click(&c, "#invite-user").await;
    wait_for_url(&c, "the wizard", |u| u.path() == "/users/invite").await;
    type_into(&c, "#emails", "lin@example.test").await;
    click(&c, "button.primary[value=next]").await;
    wait_for(&c, "#first_name", |t| t.len() == 1).await;
    type_into(&c, "#first_name", "Lin").await;
    type_into(&c, "#last_name", "Zhou").await;
    // Enter in a text field goes to the next step (not Back, the first button drawn).
    type_into(&c, "#last_name", "\u{E007}").await;
    // The access step opens on Roles, the choice that matters most.
    wait_for(&c, "nav.tabs button[aria-current]", |t| t == ["Roles"]).await;
    look_at(&c, "invite-wizard-roles").await;
    click(&c, "button[value='tab:locations']").await;
    let listed = "ul.options label";
    wait_for(&c, listed, |t| t.len() == 3).await;
    assert_eq!(
        texts(&c, "nav.tabs button[aria-current]").await,
        vec!["Locations"]
    );
    // Search by Name or Code with Enter in the search field, then Select All of what it found.
    type_into(&c, "#search", "north\u{E007}").await;
    wait_for(&c, listed, |t| t == ["North (N1)", "Northgate (NG)"]).await;
    click(&c, "button[value=select_all]").await;
    wait_for(&c, "#wizard-notice", |t| {
        t == ["Checked the 2 options shown."]
    })
    .await;
    // Checked Only, with the search cleared.
    c.find(Locator::Css("#search"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    click(&c, "#show option[value=checked]").await;
    click(&c, ".option-tools button[value=view]").await;
    wait_for(&c, listed, |t| t == ["North (N1)", "Northgate (NG)"]).await;
    assert!(texts(&c, "#wizard-notice").await.is_empty());
    // The filter stays as set across tabs: back to Show All Options with the Roles tab.
    click(&c, "#show option[value=all]").await;
    click(&c, "button[value='tab:roles']").await;
    wait_for(&c, "nav.tabs button[aria-current]", |t| t == ["Roles"]).await;
    let roles = c
        .find_all(Locator::Css("fieldset.company-access input[name^=role_]"))
        .await
        .unwrap();
    roles.last().unwrap().click().await.unwrap();
    assert!(
        c.find(Locator::Css("#send_email"))
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap(),
        "Send invitation email is on by default"
    );
    click(&c, "button[value=invite]").await;
    for _ in 0..100 {
        if c.find(Locator::Css("#invited")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(texts(&c, "#invited li").await, vec!["lin@example.test"]);
    let chosen: i64 = membership_items::table
        .inner_join(memberships::table.inner_join(users::table))
        .filter(users::email.eq("lin@example.test"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(chosen, 2, "North and Northgate");
    c.close().await.unwrap();

    // Lin opens the emailed link in her own browser.
    let mail = sink.wait_for(1).await.remove(0);
    let lin = browser(&driver).await;
    lin.goto(&mail.link()).await.unwrap();
    wait_for_url(&lin, "the accept page", |u| {
        u.path().starts_with("/invitation/")
    })
    .await;
    assert_eq!(
        lin.find(Locator::Css("#first_name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Lin")
    );
    type_into(&lin, "#password", STRONG_PASSWORD).await;
    type_into(&lin, "#password_confirm", STRONG_PASSWORD).await;
    click(&lin, "form button[type=submit]").await;
    wait_for_url(&lin, "My Profile", |u| u.path() == "/profile").await;
    assert!(text(&lin, "main").await.contains("Lin"));
    lin.close().await.unwrap();
}
