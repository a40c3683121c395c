//! The Monday letter to Configurators about users without access to a required custom field:
//! sent on Mondays only, once per account and ISO week even with two servers, not to those
//! who turned email subscriptions off.

use crate::helpers::SmtpSink;
use crate::helpers::{
    Backend, TestApp, add_item, arrange_member, arrange_membership, arrange_user, first_company,
};
use crate::on_both_backends;
use chrono::Datelike;
use diesel::prelude::*;
use roster::config::MailUrl;
use roster::db::schema::{users, weekly_letters};
use roster::domain::users::UserStatus;
use std::time::Duration;

on_both_backends!(the_monday_letter_goes_once_a_week);

async fn spawn(backend: &Backend, sink: &SmtpSink, days: i64) -> TestApp {
    let port = sink.port;
    let app = TestApp::spawn_with(backend, move |c| {
        c.mail = MailUrl::Smtp {
            host: "127.0.0.1".into(),
            port,
        }
    })
    .await;
    app.clock.advance(chrono::Duration::days(days));
    app
}

async fn the_monday_letter_goes_once_a_week(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    // Start on a Tuesday, so nothing is due until Monday.
    let today = chrono::Utc::now().weekday().num_days_from_monday() as i64;
    let to_tuesday = (8 - today) % 7;
    let app = spawn(&backend, &sink, 0).await;
    app.first_admin("ada@example.test").await;
    app.clock.advance(chrono::Duration::days(to_tuesday));
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    add_item(
        &mut conn,
        company,
        roster::domain::catalog::ItemKind::Field,
        None,
        ("Department", "DEPT"),
        true,
    );
    arrange_member(&mut conn, "bob@example.test", &["Viewer"]);
    arrange_member(&mut conn, "dan@example.test", &["Admin"]);
    let (erin, _) = arrange_member(&mut conn, "erin@example.test", &["Admin"]);
    // Behind the server's back: no page turns a user's emails off yet.
    diesel::update(users::table.find(erin))
        .set(users::email_subscriptions.eq(false))
        .execute(&mut conn)
        .unwrap();
    // Only accepted users receive other emails: an Admin still invited gets no letter.
    let ivy = arrange_user(&mut conn, "ivy@example.test", UserStatus::Invited, None);
    arrange_membership(&mut conn, ivy, company, &["Admin"]);

    // Fay configures only an archived company: the policy gives her nothing there, so she
    // is no Configurator (the pages would refuse her too).
    let old = crate::helpers::add_company(&mut conn, "Old", "OLD");
    let fay = crate::helpers::arrange_user(
        &mut conn,
        "fay@example.test",
        roster::domain::users::UserStatus::Active,
        None,
    );
    crate::helpers::arrange_membership(&mut conn, fay, old, &["Admin"]);
    diesel::update(roster::db::schema::companies::table.find(old))
        .set(roster::db::schema::companies::archived_at.eq(Some(app.clock.now_naive())))
        .execute(&mut conn)
        .unwrap();

    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert!(sink.received().is_empty(), "nothing on a Tuesday");

    app.clock.advance(chrono::Duration::days(6));
    let got = sink.wait_for(2).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    // Ada is an account administrator, Dan holds config.manage; Erin opted out; Bob only
    // views; Ivy has not accepted her invitation; Fay's company is archived.
    assert_eq!(to, vec!["ada@example.test", "dan@example.test"]);
    let letter = got[0].text();
    assert!(letter.contains("bob@example.test"), "{letter}");
    assert!(letter.contains("/users?missing_required=1"));

    // A second server on the same database, and more rounds: still one letter a week.
    let second = spawn(&backend, &sink, 0).await;
    second.clock.advance(app.clock.now() - chrono::Utc::now());
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(sink.received().len(), 2);
    let weeks: i64 = weekly_letters::table.count().get_result(&mut conn).unwrap();
    assert_eq!(weeks, 1);

    // The next Monday brings the next letter.
    app.clock.advance(chrono::Duration::days(7));
    assert_eq!(sink.wait_for(4).await.len(), 4);

    // Turned off in Basic Settings: no letter the Monday after.
    let admin = app.signed_in("ada@example.test").await;
    let settings = admin.get("/config/settings").await;
    let saved = admin
        .submit_changes(
            &settings,
            "form[action='/config/settings']",
            &[],
            &[("weekly_letter", "on")],
            &[],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    app.clock.advance(chrono::Duration::days(7));
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(sink.received().len(), 4);
}
