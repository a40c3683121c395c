//! In a real browser (headless Chromium over WebDriver): sign in, search, apply a fast
//! filter, save it as the default, reload (the default applies), Reset All Filters.

use crate::helpers::browser::{
    browser, click, look_at, start_driver, text, texts, type_into, wait_for_url,
};
use crate::helpers::{Backend, STRONG_PASSWORD, TestApp};
use crate::on_both_backends;
use fantoccini::Locator;

on_both_backends!(a_fast_filter_saved_as_the_default_applies_on_reload_in_a_real_browser);

const BOSS: &str = "boss@demo.test";

fn query_has(u: &url::Url, part: &str) -> bool {
    u.query().unwrap_or("").contains(part)
}

async fn a_fast_filter_saved_as_the_default_applies_on_reload_in_a_real_browser(backend: Backend) {
    let Some(driver) = start_driver() else { return };
    let mut conn = backend.conn();
    roster::db::migrate(&mut conn).unwrap();
    let hash = roster::auth::password::hash(STRONG_PASSWORD).unwrap();
    let options = roster::domain::seed::SeedOptions {
        users: 80,
        companies: 1,
        seed: 5,
        account_name: "Demo".into(),
        admin: Some((BOSS.into(), hash)),
    };
    let report =
        roster::domain::seed::seed(&mut conn, &options, chrono::Utc::now().naive_utc()).unwrap();
    let app = TestApp::spawn(&backend).await;
    let c = browser(&driver).await;
    let (all, blocked) = (report.users.to_string(), report.blocked.to_string());

    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(&c, "#login", BOSS).await;
    type_into(&c, "#password", STRONG_PASSWORD).await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;

    // Search.
    c.goto(&format!("{}/users", app.base)).await.unwrap();
    assert_eq!(text(&c, "#match-count").await, all);
    look_at(&c, "user-list").await;
    type_into(&c, "#q", BOSS).await;
    click(&c, "form[action='/users'] button[type=submit]").await;
    wait_for_url(&c, "the search", |u| query_has(u, "q=boss")).await;
    assert_eq!(text(&c, "#match-count").await, "1");
    assert!(texts(&c, "table.users td").await.contains(&BOSS.to_owned()));

    // An advanced criterion is listed above the table, and Remove takes it away.
    c.goto(&format!("{}/users?two_factor=on", app.base))
        .await
        .unwrap();
    assert_eq!(text(&c, "#advanced-criteria li span").await, "2FA: On");
    look_at(&c, "user-list-advanced-criteria").await;
    click(&c, "#advanced-criteria li a").await;
    wait_for_url(&c, "the list without it", |u| !query_has(u, "two_factor")).await;
    assert_eq!(text(&c, "#match-count").await, all);

    // A fast filter: Status = Blocked.
    c.goto(&format!("{}/users", app.base)).await.unwrap();
    click(&c, "#status option[value=blocked]").await;
    click(&c, "form[action='/users'] button[type=submit]").await;
    wait_for_url(&c, "the fast filter", |u| query_has(u, "status=blocked")).await;
    assert_eq!(text(&c, "#match-count").await, blocked);
    assert!(texts(&c, "td.status").await.iter().all(|s| s == "Blocked"));

    // Save it as the default; opening the page plainly, and reloading, apply it.
    type_into(&c, "#filter-name", "Blocked people").await;
    click(&c, "#use_as_default").await;
    click(&c, "form#save-filter button[type=submit]").await;
    // The address already held the filter before saving: wait for the saved page's message.
    let mut said = false;
    for _ in 0..100 {
        said = texts(&c, "[role=status]")
            .await
            .iter()
            .any(|m| m.contains("opens by default"));
        if said {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(said, "the saved filter's message");
    wait_for_url(&c, "the saved filter", |u| query_has(u, "status=blocked")).await;
    c.goto(&format!("{}/users", app.base)).await.unwrap();
    wait_for_url(&c, "the default filter", |u| query_has(u, "status=blocked")).await;
    c.refresh().await.unwrap();
    wait_for_url(&c, "the default filter again", |u| {
        query_has(u, "status=blocked")
    })
    .await;
    assert_eq!(text(&c, "#match-count").await, blocked);

    // Reset All Filters clears it, and it stays cleared on reload.
    c.find(Locator::LinkText("Reset All Filters"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "the reset list", |u| {
        u.path() == "/users" && u.query().is_none()
    })
    .await;
    assert_eq!(text(&c, "#match-count").await, all);
    c.refresh().await.unwrap();
    wait_for_url(&c, "the reset list again", |u| {
        u.path() == "/users" && u.query().is_none()
    })
    .await;
    assert_eq!(text(&c, "#match-count").await, all);
    c.close().await.unwrap();
}
