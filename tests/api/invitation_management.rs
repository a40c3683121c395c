//! Managing invitations that wait: a 550 that fails one and Resend, a new link voiding the
//! old, expiry, Revoke, editing the email, and a worker that dies mid-way.

use crate::helpers::SmtpSink;
use crate::helpers::{
    Backend, STRONG_PASSWORD, TestApp, assert_is_redirect_to, claim_one, match_count, wait_status,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{invitations, outbox, users};
use roster::domain::outbox::workers::{self as heartbeat, WorkerId};
use std::time::Duration;

on_both_backends!(
    a_rejected_address_fails_then_resend_delivers,
    resend_voids_the_old_link_and_links_expire,
    a_dead_workers_emails_are_sent_once,
    the_email_of_a_pending_invitation_can_be_corrected,
);

async fn a_rejected_address_fails_then_resend_delivers(backend: Backend) {
    let sink = SmtpSink::start(&["bounce@example.test"]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    app.invite(&admin, "bounce@example.test").await;
    let mut conn = backend.conn();
    wait_status(&mut conn, "bounce@example.test", "failed").await;
    let reason: Option<String> = invitations::table
        .select(invitations::failure_reason)
        .first(&mut conn)
        .unwrap();
    assert!(reason.unwrap_or_default().contains("550"));

    let list = admin.get("/users").await;
    let cards = list.texts(".infocards a");
    assert!(
        cards.contains(&"1 Undelivered Invitations".to_owned()),
        "{cards:?}"
    );
    let failed = admin.get("/users?invitation=failed").await;
    assert_eq!(failed.texts("td.email"), vec!["bounce@example.test"]);

    sink.accept_again("bounce@example.test");
    let resent = admin
        .submit(&failed, "form[action$='/invitation/resend']", &[])
        .await;
    assert_eq!(resent.status, 303);
    assert!(resent.location().starts_with("/users?invitation=failed"));
    wait_status(&mut conn, "bounce@example.test", "sent").await;
    assert_eq!(sink.wait_for(1).await.len(), 1);
    let list = admin.get("/users").await;
    assert!(
        list.texts(".infocards a")
            .contains(&"0 Undelivered Invitations".to_owned())
    );
}

async fn resend_voids_the_old_link_and_links_expire(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    app.invite(&admin, "late@example.test").await;
    let first = sink.wait_for(1).await.remove(0);
    let invited = admin.get("/users?status=invited").await;
    let resent = admin
        .submit(&invited, "form[action$='/invitation/resend']", &[])
        .await;
    assert_eq!(resent.status, 303);
    let after = admin.get(resent.location()).await;
    assert_eq!(
        after.flash(),
        vec!["Invitation sent again with a new link; the previous link no longer works."]
    );
    let second = sink.wait_for(2).await.remove(1);
    assert_ne!(first.link(), second.link());
    let old = app.client().get(&first.link_path()).await;
    assert_eq!(old.status, 410);
    assert!(old.text().contains("withdrawn or replaced"));
    assert_eq!(app.client().get(&second.link_path()).await.status, 200);

    // 24 hours by default: a day and a minute later the link has expired.
    app.clock
        .advance(chrono::Duration::hours(24) + chrono::Duration::minutes(1));
    let expired = app.client().get(&second.link_path()).await;
    assert_eq!(expired.status, 410);
    assert!(expired.text().contains("has expired"));

    // Revoke: the newest link stops working too.
    let admin = app.client();
    admin.sign_in("ada@example.test", STRONG_PASSWORD).await;
    let invited = admin.get("/users?status=invited").await;
    assert_eq!(invited.texts(".invitation-status"), vec!["Expired"]);
    // The filters and the infocard see it as the row shows it: Expired, no longer Sent.
    let expired = admin.get("/users?invitation=expired").await;
    assert_eq!(match_count(&expired), 1);
    assert_eq!(match_count(&admin.get("/users?invitation=sent").await), 0);
    let cards = admin.get("/users").await.texts(".infocards a");
    assert!(
        cards.contains(&"0 Pending invitations".to_owned()),
        "{cards:?}"
    );
    admin
        .submit(&invited, "form[action$='/invitation/resend']", &[])
        .await;
    let third = sink.wait_for(3).await.remove(2);
    let invited = admin.get("/users?status=invited").await;
    let confirm = admin
        .get(
            &invited
                .attr("a[href$='/invitation/revoke']", "href")
                .unwrap(),
        )
        .await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .text()
            .contains("Revoke the invitation of late@example.test?")
    );
    let revoked = admin
        .submit(&confirm, "form[action$='/invitation/revoke']", &[])
        .await;
    assert_eq!(revoked.status, 303);
    assert_eq!(app.client().get(&third.link_path()).await.status, 410);
    assert_eq!(
        app.client().get("/invitation/not-a-token").await.status,
        404
    );
}

/// Another instance's claim is left to it while its heartbeat is fresh; once the heartbeat
/// stops, the email is taken up and sent, once, and nothing delivered goes out again.
async fn a_dead_workers_emails_are_sent_once(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    // Invited without an email, so the test decides when the outbox fills.
    app.invite_without_email(&admin, "a@example.test, b@example.test")
        .await;
    let mut conn = backend.conn();
    let queued = |conn: &mut roster::db::DbConnection| -> Vec<(String, String)> {
        outbox::table
            .order(outbox::id)
            .select((outbox::to_address, outbox::status))
            .load(conn)
            .unwrap()
    };
    assert!(queued(&mut conn).is_empty());

    // Another instance, alive at this moment, queues and claims one email, then stops.
    let list = admin.get("/users?status=invited&sort=email").await;
    let other = WorkerId("another instance".into());
    let now = app.clock.now_naive();
    heartbeat::beat(&mut conn, &other, now).unwrap();
    let claimed = claim_one(&mut conn, &other, "Claimed by a worker that died", now);
    assert_eq!(claimed.emails.len(), 1);
    // The live worker leaves a claim alone while its owner's heartbeat is fresh...
    admin
        .submit(&list, "form[action$='/invitation/resend']", &[])
        .await;
    let first = sink.wait_for(1).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].to, vec!["a@example.test"]);
    assert!(!first[0].data.contains("Claimed by a worker that died"));
    // ...and takes it up once the heartbeat is older than STALE: sent once, not lost.
    app.clock
        .advance(heartbeat::STALE + chrono::Duration::seconds(1));
    let both = sink.wait_for(2).await;
    assert!(both[1].data.contains("Claimed by a worker that died"));
    // Nothing delivered goes out again, however long we wait.
    app.clock.advance(chrono::Duration::hours(1));
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(sink.received().len(), 2);
    assert_eq!(
        queued(&mut conn)
            .into_iter()
            .map(|(_, s)| s)
            .collect::<Vec<_>>(),
        vec!["sent", "sent"]
    );
}

async fn the_email_of_a_pending_invitation_can_be_corrected(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    app.invite(&admin, "grace@exmaple.test").await;
    let typo = sink.wait_for(1).await.remove(0);
    let list = admin.get("/users?status=invited").await;
    let href = list.attr("a.invitation-status", "href").unwrap();
    let page = admin.get(&href).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("#invitation-status"), vec!["Sent"]);
    let bad = admin
        .submit(&page, "#edit-email", &[("email", "grace at example")])
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.attr("#email", "value").as_deref(),
        Some("grace at example")
    );
    let taken = admin
        .submit(&bad, "#edit-email", &[("email", "ADA@example.test")])
        .await;
    assert_eq!(taken.status, 422);
    assert!(taken.text().contains("already belongs to a user"));
    let fixed = admin
        .submit(&taken, "#edit-email", &[("email", "grace@example.test")])
        .await;
    assert_is_redirect_to(&fixed, href.as_str());
    let resent = sink.wait_for(2).await.remove(1);
    assert_eq!(resent.to, vec!["grace@example.test"]);
    assert_eq!(app.client().get(&typo.link_path()).await.status, 410);
    assert_eq!(app.client().get(&resent.link_path()).await.status, 200);
    let mut conn = backend.conn();
    let stored: Vec<String> = users::table
        .filter(users::status.eq("invited"))
        .select(users::email)
        .load(&mut conn)
        .unwrap();
    assert_eq!(stored, vec!["grace@example.test"]);
}
