//! In a real browser: the Invite User wizard from the User Management page to the result,
//! then the invited person's accept page, which signs them in on My Profile.

use crate::browser::{browser, click, start_driver, text, texts, type_into, wait_for_url};
use crate::helpers::{Backend, STRONG_PASSWORD, TestApp};
use crate::on_both_backends;
use crate::smtp_sink::SmtpSink;
use fantoccini::Locator;

on_both_backends!(invite_and_accept_in_a_real_browser);

async fn invite_and_accept_in_a_real_browser(backend: Backend) {
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

    let c = browser(&driver).await;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(&c, "#login", "ada@example.test").await;
    type_into(&c, "#password", STRONG_PASSWORD).await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;

    c.goto(&format!("{}/users", app.base)).await.unwrap();
    click(&c, "#invite-user").await;
    wait_for_url(&c, "the wizard", |u| u.path() == "/users/invite").await;
    type_into(&c, "#emails", "lin@example.test").await;
    click(&c, "button[value=next]").await;
    wait_for_url(&c, "the info step", |_| true).await;
    for _ in 0..100 {
        if c.find(Locator::Css("#first_name")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    type_into(&c, "#first_name", "Lin").await;
    type_into(&c, "#last_name", "Zhou").await;
    click(&c, "button[value=next]").await;
    for _ in 0..100 {
        if c.find(Locator::Css("fieldset.company-access"))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
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
