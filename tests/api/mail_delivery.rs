//! Email delivery that survives a crash: each outcome is recorded as soon as it is known, a
//! stopped worker's claims are taken up as soon as its heartbeat is old, Resend and Revoke
//! cancel the email a worker holds, and every email has a Message-ID of its own.

use crate::helpers::SmtpSink;
use crate::helpers::{Backend, TestApp, claim_one, queue};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::config::MailUrl;
use roster::db::DbConnection;
use roster::db::schema::{invitations, mail_workers, outbox};
use roster::domain::outbox::workers::{self as heartbeat, WorkerId};
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

on_both_backends!(
    a_worker_killed_mid_batch_sends_nothing_twice,
    a_restarted_server_takes_up_dead_workers_claims_at_once,
    a_long_silent_workers_row_is_removed,
    revoke_cancels_the_email_a_worker_holds,
    resend_cancels_the_old_email_a_worker_holds,
    two_servers_on_one_database_send_each_email_once,
    two_installations_give_their_first_emails_different_message_ids,
    an_email_keeps_its_message_id_across_attempts,
);

fn statuses(conn: &mut DbConnection) -> BTreeMap<String, usize> {
    let all: Vec<String> = outbox::table.select(outbox::status).load(conn).unwrap();
    let mut counted = BTreeMap::new();
    for status in all {
        *counted.entry(status).or_default() += 1;
    }
    counted
}

fn status_of(conn: &mut DbConnection, id: i64) -> String {
    outbox::table
        .find(id)
        .select(outbox::status)
        .first(conn)
        .unwrap()
}

/// How many messages each address got.
fn per_address(sink: &SmtpSink) -> BTreeMap<String, usize> {
    let mut counted = BTreeMap::new();
    for message in sink.received() {
        for to in message.to {
            *counted.entry(to).or_default() += 1;
        }
    }
    counted
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

const KEY: &str = "test-key-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789";

/// `roster serve` as its own process, so the test can kill it as a crash would.
fn serve_in_a_process(backend: &Backend, sink: &SmtpSink) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("ROSTER_")) {
        command.env_remove(name);
    }
    command
        .arg("serve")
        .env("ROSTER_DATABASE_URL", backend.env_url())
        .env("ROSTER_BIND", "127.0.0.1:0")
        .env("ROSTER_SECRET_KEY", KEY)
        .env("ROSTER_COOKIE_SECURE", "false")
        .env("ROSTER_MAIL_URL", format!("smtp://127.0.0.1:{}", sink.port))
        .env("ROSTER_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(backend.dir().join("serve.log")).expect("a log file"));
    command.spawn().expect("start roster serve")
}

/// Killed while its senders wait on the SMTP server: what the server had accepted is
/// recorded as sent at once, and after a restart only the rest goes out.
async fn a_worker_killed_mid_batch_sends_nothing_twice(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    // The SMTP server accepts five, then stalls: the other seven wait on the wire.
    sink.hold_after(5);
    // Migrated first, so the test's queries never race the server's migrations.
    drop(roster::db::connect_and_migrate(&backend.database_url(), 1).unwrap());
    let mut server = serve_in_a_process(&backend, &sink);
    let mut conn = backend.conn();
    // Its worker has beaten once when its row is there.
    let deadline = Instant::now() + Duration::from_secs(30);
    while mail_workers::table
        .count()
        .get_result::<i64>(&mut conn)
        .unwrap()
        == 0
    {
        let log = || std::fs::read_to_string(backend.dir().join("serve.log")).unwrap_or_default();
        assert!(
            server.try_wait().unwrap().is_none(),
            "roster serve stopped: {}",
            log()
        );
        assert!(
            Instant::now() < deadline,
            "roster serve never started: {}",
            log()
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let addresses: Vec<String> = (1..=12).map(|i| format!("p{i:02}@example.test")).collect();
    let to: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let now = chrono::Utc::now().naive_utc();
    queue(&mut conn, &to, "One of twelve", now).unwrap();
    sink.wait_for(5).await;
    sink.wait_held(7).await;
    // Recorded long before the batch could end (the held sends would time out after 15 s).
    let deadline = Instant::now() + Duration::from_secs(5);
    while statuses(&mut conn).get("sent") != Some(&5) {
        assert!(
            Instant::now() < deadline,
            "the accepted emails were not recorded as sent: {:?}",
            statuses(&mut conn)
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(
        statuses(&mut conn),
        BTreeMap::from([("sending".into(), 7), ("sent".into(), 5)])
    );
    // The stalled messages die with the connection: never delivered.
    sink.wait_held(0).await;
    sink.release();
    assert_eq!(sink.received().len(), 5);

    // Restarted (the dead worker's heartbeat is past STALE): the seven go out, once each.
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    app.clock
        .advance(heartbeat::STALE + chrono::Duration::seconds(1));
    sink.wait_for(12).await;
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    let counted = per_address(&sink);
    assert_eq!(counted.len(), 12, "{counted:?}");
    assert!(counted.values().all(|n| *n == 1), "{counted:?}");
    assert_eq!(statuses(&mut conn), BTreeMap::from([("sent".into(), 12)]));
}

/// A freshly started server delivers what a dead worker held within seconds, not after a
/// lease: whether its heartbeat is old or its row is gone.
async fn a_restarted_server_takes_up_dead_workers_claims_at_once(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let pool = roster::db::connect_and_migrate(&backend.database_url(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let now = chrono::Utc::now().naive_utc();
    roster::domain::setup::bootstrap(&mut conn, now).unwrap();
    let crashed = WorkerId("crashed a minute ago".into());
    heartbeat::beat(&mut conn, &crashed, now - chrono::Duration::minutes(1)).unwrap();
    assert_eq!(
        claim_one(&mut conn, &crashed, "Held by a crashed worker", now)
            .emails
            .len(),
        1
    );
    // Claimed while the crashed worker was still beating, so it does not take this up.
    heartbeat::beat(&mut conn, &crashed, now).unwrap();
    let unknown = WorkerId("no row".into());
    assert_eq!(
        claim_one(&mut conn, &unknown, "Held by a forgotten worker", now)
            .emails
            .len(),
        1
    );
    heartbeat::beat(&mut conn, &crashed, now - chrono::Duration::minutes(1)).unwrap();
    drop(conn);

    let _app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let got = sink.wait_for(2).await;
    let text: Vec<String> = got.iter().map(|m| m.text()).collect();
    assert!(text.iter().any(|t| t.contains("Held by a crashed worker")));
    assert!(
        text.iter()
            .any(|t| t.contains("Held by a forgotten worker"))
    );
    let mut conn = backend.conn();
    until("both recorded as sent", || {
        statuses(&mut conn) == BTreeMap::from([("sent".into(), 2)])
    })
    .await;
}

async fn a_long_silent_workers_row_is_removed(backend: Backend) {
    let pool = roster::db::connect_and_migrate(&backend.database_url(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let long_ago =
        chrono::Utc::now().naive_utc() - heartbeat::FORGET - chrono::Duration::minutes(1);
    heartbeat::beat(&mut conn, &WorkerId("gone".into()), long_ago).unwrap();
    let recent = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(5);
    heartbeat::beat(&mut conn, &WorkerId("stopped lately".into()), recent).unwrap();
    drop(conn);
    let _app = TestApp::spawn(&backend).await;
    let mut conn = backend.conn();
    let ids = |conn: &mut DbConnection| -> Vec<String> {
        mail_workers::table
            .select(mail_workers::id)
            .load(conn)
            .unwrap()
    };
    until("the long silent worker's row is removed", || {
        !ids(&mut conn).contains(&"gone".to_owned())
    })
    .await;
    // The server's own row and a recently stopped worker's stay.
    let left = ids(&mut conn);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.contains(&"stopped lately".to_owned()));
}

/// Nine invitations in one batch while the SMTP server stalls: eight senders wait on the
/// wire, the ninth email is claimed but not sent yet. Returns the ninth's outbox id, its
/// address and its person's id.
async fn hold_the_ninth(
    backend: &Backend,
    sink: &SmtpSink,
) -> (TestApp, crate::helpers::Client, i64, String, i64) {
    sink.hold_after(0);
    let app = TestApp::spawn_with_smtp(backend, sink).await;
    let admin = app.first_admin("ada@example.test").await;
    let addresses: Vec<String> = (1..=9).map(|i| format!("p{i}@example.test")).collect();
    app.invite(&admin, &addresses.join(", ")).await;
    sink.wait_held(8).await;
    let mut conn = backend.conn();
    let (id, to, invitation): (i64, String, Option<i64>) = outbox::table
        .order(outbox::id.desc())
        .select((outbox::id, outbox::to_address, outbox::invitation_id))
        .first(&mut conn)
        .unwrap();
    assert_eq!(status_of(&mut conn, id), "sending");
    let user: i64 = invitations::table
        .find(invitation.unwrap())
        .select(invitations::user_id)
        .first(&mut conn)
        .unwrap();
    (app, admin, id, to, user)
}

async fn revoke_cancels_the_email_a_worker_holds(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let (_app, admin, ninth, address, user) = hold_the_ninth(&backend, &sink).await;
    let confirm = admin.get(&format!("/users/{user}/invitation/revoke")).await;
    let revoked = admin
        .submit(&confirm, "form[action$='/invitation/revoke']", &[])
        .await;
    assert_eq!(revoked.status, 303);
    let mut conn = backend.conn();
    assert_eq!(status_of(&mut conn, ninth), "cancelled");
    // The worker goes on with the batch, and leaves the ninth unsent.
    sink.release();
    sink.wait_for(8).await;
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    let counted = per_address(&sink);
    assert_eq!(counted.len(), 8, "{counted:?}");
    assert!(!counted.contains_key(&address));
    assert_eq!(status_of(&mut conn, ninth), "cancelled");
}

async fn resend_cancels_the_old_email_a_worker_holds(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let (app, admin, ninth, address, user) = hold_the_ninth(&backend, &sink).await;
    let page = admin.get(&format!("/users/{user}/invitation")).await;
    let resent = admin
        .submit(&page, "form[action$='/invitation/resend']", &[])
        .await;
    assert_eq!(resent.status, 303);
    let mut conn = backend.conn();
    assert_eq!(status_of(&mut conn, ninth), "cancelled");
    sink.release();
    sink.wait_for(9).await;
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    // One email for the ninth person: the new one, whose link works.
    let theirs: Vec<_> = sink
        .received()
        .into_iter()
        .filter(|m| m.to == vec![address.clone()])
        .collect();
    assert_eq!(theirs.len(), 1);
    assert_eq!(app.client().get(&theirs[0].link_path()).await.status, 200);
    assert_eq!(sink.received().len(), 9);
    assert_eq!(status_of(&mut conn, ninth), "cancelled");
}

/// Live workers leave each other's claims alone: 150 emails, two servers, each sent once.
async fn two_servers_on_one_database_send_each_email_once(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let _first = TestApp::spawn_with_smtp(&backend, &sink).await;
    let _second = TestApp::spawn_with_smtp(&backend, &sink).await;
    let mut conn = backend.conn();
    assert_eq!(
        mail_workers::table
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap(),
        2
    );
    let addresses: Vec<String> = (1..=150).map(|i| format!("p{i}@example.test")).collect();
    let to: Vec<&str> = addresses.iter().map(String::as_str).collect();
    queue(
        &mut conn,
        &to,
        "One of many",
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    sink.wait_for(150).await;
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    let counted = per_address(&sink);
    assert_eq!(counted.len(), 150);
    assert!(counted.values().all(|n| *n == 1), "{counted:?}");
}

async fn spawn_sending_from(backend: &Backend, sink: &SmtpSink, from: &str) -> TestApp {
    let (port, from) = (sink.port, from.to_owned());
    TestApp::spawn_with(backend, move |c| {
        c.mail = MailUrl::Smtp {
            host: "127.0.0.1".into(),
            port,
        };
        c.mail_from = from;
    })
    .await
}

async fn two_installations_give_their_first_emails_different_message_ids(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let other = backend.another();
    let mut ids = Vec::new();
    for (n, installation) in [&backend, &other].into_iter().enumerate() {
        let app =
            spawn_sending_from(installation, &sink, "Roster <roster@mail.example.test>").await;
        let admin = app.first_admin("ada@example.test").await;
        app.invite(&admin, "sam@example.test").await;
        ids.push(sink.wait_for(n + 1).await[n].message_id());
        let first: i64 = outbox::table
            .select(outbox::id)
            .first(&mut installation.conn())
            .unwrap();
        assert_eq!(first, 1, "the first email of the installation");
    }
    assert_ne!(ids[0], ids[1]);
    for id in &ids {
        assert!(
            id.starts_with('<') && id.ends_with("@mail.example.test>"),
            "{id}"
        );
    }
}

async fn an_email_keeps_its_message_id_across_attempts(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    sink.defer("later@example.test");
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    app.invite(&admin, "later@example.test").await;
    let mut conn = backend.conn();
    let tried = |conn: &mut DbConnection| -> (String, i32) {
        outbox::table
            .select((outbox::status, outbox::attempts))
            .first(conn)
            .unwrap()
    };
    until("the first attempt was refused and recorded", || {
        tried(&mut conn) == ("queued".into(), 1)
    })
    .await;
    assert_eq!(sink.deferred().len(), 1);
    sink.stop_deferring();
    // Tried again after the wait that follows a first temporary failure (60 s).
    app.clock.advance(chrono::Duration::seconds(61));
    let delivered = sink.wait_for(1).await.remove(0);
    assert_eq!(delivered.message_id(), sink.deferred()[0].message_id());
    until("the second attempt was recorded", || {
        tried(&mut conn) == ("sent".into(), 2)
    })
    .await;
}
