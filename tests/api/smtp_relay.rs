//! SMTP servers that ask for a password or for TLS (ROSTER_MAIL_URL with a user and
//! password, or `?tls=required`), against the loopback SMTP server of the tests.

use crate::helpers::SmtpSink;
use crate::helpers::{Backend, TestApp, wait_status};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::config::MailUrl;
use roster::db::schema::{invitations, outbox};
use std::time::{Duration, Instant};

on_both_backends!(
    mail_signs_in_to_a_server_that_asks,
    a_refused_password_fails_the_invitation_with_the_reason,
    tls_required_never_falls_back_to_plain_text,
);

async fn spawn_with_url(backend: &Backend, url: &str) -> TestApp {
    let mail = MailUrl::parse(url).expect("a valid SMTP URL");
    TestApp::spawn_with(backend, move |c| c.mail = mail).await
}

async fn mail_signs_in_to_a_server_that_asks(backend: Backend) {
    let sink = SmtpSink::start_with_login("mailer@example.test", "s3cret pass:word");
    // A user name and password with reserved characters, percent-encoded as URLs want.
    let url = format!(
        "smtp://mailer%40example.test:s3cret%20pass%3Aword@127.0.0.1:{}",
        sink.port
    );
    assert!(!format!("{:?}", MailUrl::parse(&url).unwrap()).contains("s3cret"));
    let app = spawn_with_url(&backend, &url).await;
    let admin = app.first_admin("ada@example.test").await;
    app.invite(&admin, "sam@example.test").await;
    let got = sink.wait_for(1).await;
    assert_eq!(got[0].to, vec!["sam@example.test"]);
    let signed_in = sink.signed_in();
    assert!(!signed_in.is_empty());
    assert!(signed_in.iter().all(|u| u == "mailer@example.test"));
    let mut conn = backend.conn();
    wait_status(&mut conn, "sam@example.test", "sent").await;
}

async fn a_refused_password_fails_the_invitation_with_the_reason(backend: Backend) {
    let sink = SmtpSink::start_with_login("mailer@example.test", "right");
    let url = format!("smtp://mailer%40example.test:wrong@127.0.0.1:{}", sink.port);
    let app = spawn_with_url(&backend, &url).await;
    let admin = app.first_admin("ada@example.test").await;
    app.invite(&admin, "sam@example.test").await;
    let mut conn = backend.conn();
    wait_status(&mut conn, "sam@example.test", "failed").await;
    let reason: Option<String> = invitations::table
        .select(invitations::failure_reason)
        .first(&mut conn)
        .unwrap();
    let reason = reason.unwrap_or_default();
    assert!(reason.contains("credentials invalid"), "{reason}");
    assert!(sink.received().is_empty());
}

async fn tls_required_never_falls_back_to_plain_text(backend: Backend) {
    // The test server offers no STARTTLS: the email must wait, not go out unencrypted.
    let sink = SmtpSink::start(&[]);
    let url = format!("smtp://127.0.0.1:{}?tls=required", sink.port);
    let app = spawn_with_url(&backend, &url).await;
    let admin = app.first_admin("ada@example.test").await;
    app.invite(&admin, "sam@example.test").await;
    let mut conn = backend.conn();
    let deadline = Instant::now() + Duration::from_secs(15);
    let (attempts, error, status) = loop {
        let row: (i32, Option<String>, String) = outbox::table
            .select((outbox::attempts, outbox::last_error, outbox::status))
            .first(&mut conn)
            .unwrap();
        // Claimed (attempts counted) before the outcome is recorded.
        if row.0 > 0 && row.2 != "sending" {
            break row;
        }
        assert!(Instant::now() < deadline, "no delivery attempt recorded");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(attempts, 1);
    assert!(error.is_some_and(|e| !e.is_empty()));
    // A temporary failure: tried again later, the invitation not marked Failed.
    assert_ne!(status, "sent");
    let invitation: String = invitations::table
        .select(invitations::status)
        .first(&mut conn)
        .unwrap();
    assert_eq!(invitation, "pending");
    assert!(sink.received().is_empty());
}
