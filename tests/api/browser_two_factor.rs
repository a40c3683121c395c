//! In a real browser: a user sets up two-factor authentication by reading the key off the
//! page (as they would type it into an app), signs out, and signs in again with a code
//! computed from that key; the pages are looked at on a laptop and on a phone.

use crate::helpers::browser::{
    browser, click, look_at, start_driver, text, type_into, wait_for_url,
};
use crate::helpers::totp::{code_now, next_step};
use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, arrange_member};
use crate::on_both_backends;

on_both_backends!(a_user_sets_up_two_factor_and_signs_in_with_a_code_in_a_real_browser);

const ADMIN: &str = "ada@example.test";
const ANN: &str = "ann@example.test";

async fn sign_in_with_password(c: &fantoccini::Client, app: &TestApp) {
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(c, "#login", ANN).await;
    type_into(c, "#password", STRONG_PASSWORD).await;
    click(c, "form[action='/login'] button[type=submit]").await;
}

async fn a_user_sets_up_two_factor_and_signs_in_with_a_code_in_a_real_browser(backend: Backend) {
    let Some(driver) = start_driver() else { return };
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut backend.conn(), ANN, &["Viewer"]);

    let c = browser(&driver).await;
    sign_in_with_password(&c, &app).await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;
    click(&c, "#two-factor-link").await;
    wait_for_url(&c, "the two-factor page", |u| {
        u.path() == "/profile/two-factor"
    })
    .await;
    look_at(&c, "two-factor-setup").await;
    // Shown in groups of four, as people type it into an app.
    let secret = text(&c, "#totp-secret").await.replace(' ', "");
    assert_eq!(secret.len(), 32, "{secret:?}");
    type_into(&c, "#code", &code_now(&app, &secret)).await;
    type_into(&c, "#current_password", STRONG_PASSWORD).await;
    click(&c, "#enrol button[type=submit]").await;
    wait_for_url(&c, "the recovery codes", |u| {
        u.path() == "/profile/two-factor/enrol"
    })
    .await;
    assert_eq!(
        text(&c, "#two-factor-on").await,
        "Two-factor authentication is on."
    );
    look_at(&c, "two-factor-recovery-codes").await;
    click(&c, "#codes-done").await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;
    click(&c, "form[action='/logout'] button[type=submit]").await;
    wait_for_url(&c, "the sign-in page", |u| u.path() == "/login").await;

    next_step(&app);
    sign_in_with_password(&c, &app).await;
    wait_for_url(&c, "the code step", |u| u.path() == "/login/code").await;
    look_at(&c, "two-factor-code-step").await;
    type_into(&c, "#code", &code_now(&app, &secret)).await;
    click(&c, "#code-step button[type=submit]").await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;
    assert_eq!(text(&c, "#my-two-factor strong").await, "On");
}
