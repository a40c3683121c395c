//! Reset Password by an administrator, and Forgot password on the sign-in page: a link by
//! email, valid one hour and once, voided by a newer link and by a password change; the
//! same answer whether or not the address is known; the new password signs the person in
//! with every other session ended, and they are told by email.

use crate::helpers::{
    Backend, STRONG_PASSWORD, SmtpSink, TestApp, arrange_member, assert_is_redirect_to,
    events_about,
};
use crate::on_both_backends;

on_both_backends!(
    an_administrator_sends_a_reset_link_and_the_new_password_signs_the_user_in,
    forgot_password_answers_the_same_for_a_known_and_an_unknown_address,
    a_reset_link_works_once_and_for_one_hour,
    a_newer_link_or_a_password_change_voids_the_older_link,
    a_weak_new_password_is_refused_on_the_link_page,
    a_blocked_user_gets_no_link,
    a_user_who_must_change_a_given_password_can_reset_it_too,
    forgot_password_is_limited_per_address,
);

const ADMIN: &str = "ada@acme.test";
const ANN: &str = "ann@acme.test";
const NEW_PASSWORD: &str = "seven purple kites over the harbour";

async fn forgot(app: &TestApp, email: &str) -> crate::helpers::Page {
    let client = app.client();
    let page = client.get("/password/forgot").await;
    client.submit(&page, "#forgot", &[("email", email)]).await
}

/// A new browser opens the reset link and sets `password`; returns the browser and the
/// answer to the form.
async fn choose_password(
    app: &TestApp,
    link: &str,
    password: &str,
) -> (crate::helpers::Client, crate::helpers::Page) {
    let visitor = app.client();
    let page = visitor.get(link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let fields = [("password", password), ("password_confirm", password)];
    let answer = visitor.submit(&page, "#reset", &fields).await;
    (visitor, answer)
}

async fn an_administrator_sends_a_reset_link_and_the_new_password_signs_the_user_in(
    backend: Backend,
) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let other_browser = app.signed_in(ANN).await;

    let confirm = admin.get(&format!("/users/{}/password-reset", ann.0)).await;
    assert!(confirm.text().contains("works for one hour and once"));
    let sent = admin.submit(&confirm, "main form", &[]).await;
    assert_is_redirect_to(&sent, &format!("/users/{}", ann.0));
    let mail = sink.wait_for(1).await;
    assert_eq!(mail[0].to, vec![ANN]);
    assert!(!mail[0].text().contains(STRONG_PASSWORD));
    // The old password works until a new one is chosen.
    assert_eq!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);

    let link = mail[0].path_under("/password/reset/");
    let (visitor, done) = choose_password(&app, &link, NEW_PASSWORD).await;

    assert_is_redirect_to(&done, "/profile");
    assert!(visitor.is_signed_in().await);
    assert!(
        !other_browser.is_signed_in().await,
        "every other session ended"
    );
    assert_ne!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
    assert_eq!(app.client().sign_in(ANN, NEW_PASSWORD).await.status, 303);
    let told = sink.wait_for(2).await;
    assert!(
        told.iter()
            .any(|m| m.to == [ANN] && m.text().contains("was changed"))
    );
    assert_eq!(
        events_about(&mut app.conn(), "user.password_reset_sent", ANN),
        1
    );
}

async fn forgot_password_answers_the_same_for_a_known_and_an_unknown_address(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let login = app.client().get("/login").await;
    assert_eq!(
        login
            .attr_where_text("a", "Forgot password?", "href")
            .as_deref(),
        Some("/password/forgot")
    );

    let known = forgot(&app, ANN).await;
    let unknown = forgot(&app, "nobody@acme.test").await;

    assert_eq!(known.status, 200);
    assert_eq!(unknown.status, 200);
    let said = |p: &crate::helpers::Page| p.texts("#forgot-sent")[0].replace(ANN, "X");
    assert_eq!(
        said(&known),
        said(&unknown).replace("nobody@acme.test", "X")
    );
    let mail = sink.wait_for(1).await;
    assert_eq!(mail.len(), 1, "only the known address gets a link");
    assert_eq!(mail[0].to, vec![ANN]);
}

async fn a_reset_link_works_once_and_for_one_hour(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    forgot(&app, ANN).await;
    forgot(&app, ADMIN).await;
    let mail = sink.wait_for(2).await;
    let to = |who: &str| {
        mail.iter()
            .find(|m| m.to == [who])
            .unwrap()
            .path_under("/password/reset/")
    };
    let (ann_link, ada_link) = (to(ANN), to(ADMIN));

    choose_password(&app, &ann_link, NEW_PASSWORD).await;
    let again = app.client().get(&ann_link).await;
    assert_eq!(again.status, 410, "used once");

    app.clock.advance(chrono::TimeDelta::minutes(61));
    let late = app.client().get(&ada_link).await;
    assert_eq!(late.status, 410);
    assert!(late.text().contains("expired"));
}

async fn a_newer_link_or_a_password_change_voids_the_older_link(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    forgot(&app, ANN).await;
    let first = sink.wait_for(1).await[0].path_under("/password/reset/");
    forgot(&app, ANN).await;
    let mail = sink.wait_for(2).await;
    let second = mail
        .iter()
        .map(|m| m.path_under("/password/reset/"))
        .find(|p| *p != first)
        .unwrap();

    assert_eq!(
        app.client().get(&first).await.status,
        410,
        "a newer link voids it"
    );
    assert_eq!(app.client().get(&second).await.status, 200);

    // Changing the password on My Profile voids the link still waiting.
    let ann = app.signed_in(ANN).await;
    let page = ann.get("/profile/password").await;
    let changed = ann
        .submit(
            &page,
            "main form",
            &[
                ("current_password", STRONG_PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text());
    assert_eq!(app.client().get(&second).await.status, 410);
}

async fn a_weak_new_password_is_refused_on_the_link_page(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    forgot(&app, ANN).await;
    let link = sink.wait_for(1).await[0].path_under("/password/reset/");
    let (_, refused) = choose_password(&app, &link, "short").await;

    assert_eq!(refused.status, 422);
    assert!(refused.text().contains("12 characters"));
    assert_eq!(app.client().get(&link).await.status, 200, "still usable");
    assert_eq!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
}

async fn a_blocked_user_gets_no_link(backend: Backend) {
    use diesel::prelude::*;
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    diesel::update(roster::db::schema::users::table.find(ann))
        .set(roster::db::schema::users::status.eq("blocked"))
        .execute(&mut app.conn())
        .unwrap();

    let answer = forgot(&app, ANN).await;

    assert_eq!(answer.status, 200);
    assert!(answer.texts("#forgot-sent")[0].contains(ANN));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(sink.received().is_empty(), "no link for a blocked user");
}

async fn a_user_who_must_change_a_given_password_can_reset_it_too(backend: Backend) {
    use diesel::prelude::*;
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    diesel::update(roster::db::schema::users::table.find(ann))
        .set(roster::db::schema::users::must_change_password.eq(true))
        .execute(&mut app.conn())
        .unwrap();
    forgot(&app, ANN).await;
    let link = sink.wait_for(1).await[0].path_under("/password/reset/");
    let (visitor, done) = choose_password(&app, &link, NEW_PASSWORD).await;

    assert_is_redirect_to(&done, "/profile");
    assert_eq!(
        visitor.get("/profile").await.status,
        200,
        "no password change asked again"
    );
}

async fn forgot_password_is_limited_per_address(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    for _ in 0..5 {
        assert_eq!(forgot(&app, "someone@acme.test").await.status, 200);
    }

    let refused = forgot(&app, "SOMEONE@acme.test").await;

    assert_eq!(refused.status, 429, "the same address, whatever its case");
    assert_eq!(forgot(&app, "another@acme.test").await.status, 200);
}
