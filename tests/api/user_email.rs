//! Changing a user's email: asked for on User Info, confirmed from the new address; until
//! then the old one stays. Nobody changes their own.

use crate::helpers::{
    Backend, STRONG_PASSWORD, SmtpSink, TestApp, arrange_member, assert_is_redirect_to,
    events_about,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::users;

on_both_backends!(
    a_new_email_takes_effect_only_when_the_link_sent_to_it_is_confirmed,
    nobody_changes_their_own_email,
    an_address_already_in_use_is_refused_with_the_input_kept,
    a_used_link_says_so_and_changes_nothing,
);

const ADMIN: &str = "ada@acme.test";
const ANN: &str = "ann@acme.test";
const NEW: &str = "ann.new@acme.test";

fn email_of(app: &TestApp, id: roster::domain::UserId) -> String {
    users::table
        .find(id)
        .select(users::email)
        .first(&mut app.conn())
        .unwrap()
}

async fn a_new_email_takes_effect_only_when_the_link_sent_to_it_is_confirmed(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let info = admin.get(&format!("/users/{}", ann.0)).await;

    let asked = admin
        .submit(&info, "#change-email", &[("new_email", NEW)])
        .await;
    assert_is_redirect_to(&asked, &format!("/users/{}#email", ann.0));

    // Nothing changed yet: the old address still signs in, and the page says what waits.
    assert_eq!(email_of(&app, ann), ANN);
    let page = admin.get(&format!("/users/{}", ann.0)).await;
    assert!(
        page.texts("#email-waiting")[0].contains(NEW),
        "{}",
        page.text()
    );
    let mails = sink.wait_for(2).await;
    let to_new = mails
        .iter()
        .find(|m| m.to == [NEW])
        .expect("a link to the new address");
    let to_old = mails
        .iter()
        .find(|m| m.to == [ANN])
        .expect("a notice to the old address");
    assert!(
        to_old
            .text()
            .contains("Until it is confirmed, nothing changes")
    );
    assert_eq!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);

    let link = to_new.path_under("/email-change/");
    let confirm = app.client().get(&link).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert_eq!(email_of(&app, ann), ANN, "opening the link changes nothing");
    let visitor = app.client();
    let shown = visitor.get(&link).await;
    let done = visitor.submit(&shown, "#confirm-email", &[]).await;
    assert_is_redirect_to(&done, "/login");

    assert_eq!(email_of(&app, ann), NEW);
    assert_eq!(app.client().sign_in(NEW, STRONG_PASSWORD).await.status, 303);
    assert_ne!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
    let mut conn = app.conn();
    assert_eq!(
        events_about(&mut conn, "user.email_change_requested", NEW),
        1
    );
    assert_eq!(events_about(&mut conn, "user.email_changed", NEW), 1);
}

async fn nobody_changes_their_own_email(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let me = crate::helpers::user_id(&mut app.conn(), ADMIN);
    let page = admin.get(&format!("/users/{}", me.0)).await;

    assert_eq!(
        page.texts("#email-refused"),
        vec!["You cannot change your own email address.".to_owned()]
    );
    let token = page.attr("input[name=csrf_token]", "value").unwrap();
    let refused = admin
        .post(
            &format!("/users/{}/email", me.0),
            &[("csrf_token", &token), ("new_email", "other@acme.test")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(email_of(&app, me), ADMIN);
}

async fn an_address_already_in_use_is_refused_with_the_input_kept(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let info = admin.get(&format!("/users/{}", ann.0)).await;

    let refused = admin
        .submit(&info, "#change-email", &[("new_email", "ADA@acme.test")])
        .await;

    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.attr("#new_email", "value").as_deref(),
        Some("ADA@acme.test")
    );
    assert!(
        refused
            .text()
            .contains("This email already belongs to a user of the account."),
        "{}",
        refused.text()
    );
    assert_eq!(
        events_about(&mut app.conn(), "user.email_change_requested", ANN),
        0
    );
}

async fn a_used_link_says_so_and_changes_nothing(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let info = admin.get(&format!("/users/{}", ann.0)).await;
    admin
        .submit(&info, "#change-email", &[("new_email", NEW)])
        .await;
    // A second request replaces the first: its link no longer works.
    let info = admin.get(&format!("/users/{}", ann.0)).await;
    admin
        .submit(
            &info,
            "#change-email",
            &[("new_email", "ann.third@acme.test")],
        )
        .await;
    let mails = sink.wait_for(4).await;
    let first = mails.iter().find(|m| m.to == [NEW]).unwrap();

    let page = app.client().get(&first.path_under("/email-change/")).await;

    assert_eq!(page.status, 410);
    assert!(
        page.text()
            .contains("a newer change of address replaced it")
    );
    assert_eq!(email_of(&app, ann), ANN);
}
