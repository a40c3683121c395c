//! The Invite User wizard, the invitation email through a real SMTP server on loopback, the
//! accept page, and managing invitations (resend, revoke, a 550 that fails one).

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, arrange_member};
use crate::on_both_backends;
use crate::smtp_sink::SmtpSink;
use diesel::prelude::*;
use roster::config::MailUrl;
use roster::db::schema::{
    companies, invitations, membership_roles, memberships, outbox, roles, users,
};
use std::time::{Duration, Instant};

on_both_backends!(
    invite_one_person_who_accepts,
    several_addresses_and_the_ones_skipped,
    a_rejected_address_fails_then_resend_delivers,
    resend_voids_the_old_link_and_links_expire,
    multi_company_wizard_applies_to_all_companies,
    inviting_needs_the_right,
    a_dead_workers_emails_are_sent_once,
    edit_the_email_of_a_pending_invitation,
);

async fn spawn(backend: &Backend, sink: &SmtpSink) -> TestApp {
    let port = sink.port;
    TestApp::spawn_with(backend, move |c| {
        c.mail = MailUrl::Smtp {
            host: "127.0.0.1".into(),
            port,
        }
    })
    .await
}

fn invitation_status(conn: &mut roster::db::DbConnection, email: &str) -> String {
    invitations::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .order(invitations::id.desc())
        .select(invitations::status)
        .first(conn)
        .unwrap()
}

/// Waits for the worker to bring an invitation to `status`.
async fn wait_status(conn: &mut roster::db::DbConnection, email: &str, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while invitation_status(conn, email) != status {
        assert!(Instant::now() < deadline, "{email} never became {status}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Through the wizard of a single-company account, with what it proposes.
async fn invite_with_defaults(admin: &crate::helpers::Client, emails: &str) -> crate::client::Page {
    let step1 = admin.get("/users/invite").await;
    let info = admin
        .submit(
            &step1,
            "#invite-wizard",
            &[("emails", emails), ("go", "next")],
        )
        .await;
    let access = admin
        .submit(&info, "#invite-wizard", &[("go", "next")])
        .await;
    admin
        .submit(&access, "#invite-wizard", &[("go", "invite")])
        .await
}

fn role_id(conn: &mut roster::db::DbConnection, name: &str) -> i64 {
    roles::table
        .filter(roles::name.eq(name))
        .select(roles::id)
        .first::<i64>(conn)
        .unwrap()
}

async fn invite_one_person_who_accepts(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = spawn(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let viewer = role_id(&mut conn, "Viewer").to_string();

    let list = admin.get("/users").await;
    assert_eq!(
        list.attr("#invite-user", "href").as_deref(),
        Some("/users/invite")
    );
    let step1 = admin.get("/users/invite").await;
    assert_eq!(step1.status, 200);
    // A bad address is refused on the first step, with what was typed kept.
    let refused = admin
        .submit(
            &step1,
            "#invite-wizard",
            &[("emails", "grace at example"), ("go", "next")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text()
            .contains("These are not email addresses: grace")
    );
    assert_eq!(refused.texts("#emails"), vec!["grace at example"]);
    // One company: straight to the colleague's info.
    let info = admin
        .submit(
            &refused,
            "#invite-wizard",
            &[("emails", "Grace.Hopper@example.test"), ("go", "next")],
        )
        .await;
    assert_eq!(info.status, 200);
    assert!(
        info.html()
            .select(&scraper::Selector::parse("#first_name").unwrap())
            .next()
            .is_some()
    );
    let access = admin
        .submit(
            &info,
            "#invite-wizard",
            &[
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("display_name", ""),
                ("go", "next"),
            ],
        )
        .await;
    // Back keeps the info typed.
    let back = admin
        .submit(&access, "#invite-wizard", &[("go", "back")])
        .await;
    assert_eq!(back.attr("#first_name", "value").as_deref(), Some("Grace"));
    let access = admin
        .submit(&back, "#invite-wizard", &[("go", "next")])
        .await;
    assert!(
        access.attr("#send_email", "checked").is_some(),
        "send is on by default"
    );
    let company: i64 = companies::table
        .select(companies::id)
        .first(&mut conn)
        .unwrap();
    let done = admin
        .submit(
            &access,
            "#invite-wizard",
            &[
                (format!("role_{company}").as_str(), viewer.as_str()),
                (format!("all_locations_{company}").as_str(), "on"),
                ("go", "invite"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.texts("#invited li"), vec!["Grace.Hopper@example.test"]);

    // Stored: an invited user with the access chosen.
    let (status, display): (String, String) = users::table
        .filter(users::email.eq("Grace.Hopper@example.test"))
        .select((users::status, users::display_name))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (status.as_str(), display.as_str()),
        ("invited", "Grace.Hopper")
    );
    let (all_locations, held): (bool, i64) = memberships::table
        .inner_join(users::table)
        .inner_join(membership_roles::table)
        .filter(users::email.eq("Grace.Hopper@example.test"))
        .select((memberships::all_locations, membership_roles::role_id))
        .first(&mut conn)
        .unwrap();
    assert!(all_locations);
    assert_eq!(held.to_string(), viewer);

    // The email arrives, the invitation shows Sent, the body no longer holds the link.
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.to, vec!["grace.hopper@example.test"]);
    assert!(
        mail.text().contains("Ada Admin invited you to"),
        "{}",
        mail.text()
    );
    assert!(mail.data.contains("multipart/alternative"));
    wait_status(&mut conn, "Grace.Hopper@example.test", "sent").await;
    let bodies: Vec<String> = outbox::table
        .select(outbox::text_body)
        .load(&mut conn)
        .unwrap();
    assert_eq!(bodies, vec![String::new()]);
    let shown = admin.get("/users?invitation=sent").await;
    assert_eq!(shown.texts(".invitation-status"), vec!["sent"]);

    // Signed in as someone else, the link is refused.
    let taken = admin.get(&mail.link_path()).await;
    assert_eq!((taken.status, taken.location()), (303, "/profile"));

    let grace = app.client();
    let accept = grace.get(&mail.link_path()).await;
    assert_eq!(accept.status, 200);
    assert!(accept.text().contains("Grace.Hopper@example.test"));
    let weak = grace
        .submit(
            &accept,
            "form",
            &[
                ("password", "password1234"),
                ("password_confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert_eq!(weak.attr("#first_name", "value").as_deref(), Some("Grace"));
    assert!(!weak.texts("#password-error").is_empty() || weak.text().contains("12 characters"));
    let ok = grace
        .submit(
            &weak,
            "form",
            &[
                ("password", STRONG_PASSWORD),
                ("password_confirm", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_eq!((ok.status, ok.location()), (303, "/profile"));
    let profile = grace.get("/profile").await;
    assert_eq!(profile.status, 200);
    assert!(profile.text().contains("Grace"));
    assert_eq!(
        invitation_status(&mut conn, "Grace.Hopper@example.test"),
        "accepted"
    );

    // The link works once.
    let again = app.client().get(&mail.link_path()).await;
    assert_eq!(again.status, 410);
    assert!(again.text().contains("already been accepted"));
    // And she signs in with the password chosen.
    let later = app.client();
    assert_eq!(
        later
            .sign_in("grace.hopper@example.test", STRONG_PASSWORD)
            .await
            .status,
        303
    );
}

async fn several_addresses_and_the_ones_skipped(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = spawn(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    let step1 = admin.get("/users/invite").await;
    let info = admin
        .submit(
            &step1,
            "#invite-wizard",
            &[
                (
                    "emails",
                    "one@example.test, two@example.test\nADA@example.test; one@example.test",
                ),
                ("go", "next"),
            ],
        )
        .await;
    assert!(info.text().contains("You are inviting several people"));
    let access = admin
        .submit(&info, "#invite-wizard", &[("go", "next")])
        .await;
    let done = admin
        .submit(&access, "#invite-wizard", &[("go", "invite")])
        .await;
    assert_eq!(
        done.texts("#invited li"),
        vec!["one@example.test", "two@example.test"]
    );
    assert_eq!(
        done.texts("#skipped li"),
        vec!["ADA@example.test: already a user of this account"]
    );
    let got = sink.wait_for(2).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, vec!["one@example.test", "two@example.test"]);
    // Each has its own link.
    assert_ne!(got[0].link(), got[1].link());
}

async fn a_rejected_address_fails_then_resend_delivers(backend: Backend) {
    let sink = SmtpSink::start(&["bounce@example.test"]);
    let app = spawn(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    invite_with_defaults(&admin, "bounce@example.test").await;
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
    let app = spawn(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    invite_with_defaults(&admin, "late@example.test").await;
    let first = sink.wait_for(1).await.remove(0);
    let invited = admin.get("/users?status=invited").await;
    let resent = admin
        .submit(&invited, "form[action$='/invitation/resend']", &[])
        .await;
    assert_eq!(resent.status, 303);
    let after = admin.get(resent.location()).await;
    assert!(
        after.text().contains("Invitation sent again"),
        "{}",
        after.text()
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
    assert_eq!(invited.texts(".invitation-status"), vec!["expired"]);
    admin
        .submit(&invited, "form[action$='/invitation/resend']", &[])
        .await;
    let third = sink.wait_for(3).await.remove(2);
    let invited = admin.get("/users?status=invited").await;
    let revoked = admin
        .submit(&invited, "form[action$='/invitation/revoke']", &[])
        .await;
    assert_eq!(revoked.status, 303);
    assert_eq!(app.client().get(&third.link_path()).await.status, 410);
    assert_eq!(
        app.client().get("/invitation/not-a-token").await.status,
        404
    );
}

async fn multi_company_wizard_applies_to_all_companies(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = spawn(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let account: roster::domain::AccountId = roster::db::schema::accounts::table
        .select(roster::db::schema::accounts::id)
        .first(&mut conn)
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    let second =
        roster::domain::companies::create(&mut conn, account, "Second", "SEC", now).unwrap();
    let first: i64 = companies::table
        .filter(companies::code.ne("SEC"))
        .select(companies::id)
        .first(&mut conn)
        .unwrap();
    let editor = role_id(&mut conn, "Editor").to_string();

    let step1 = admin.get("/users/invite").await;
    let pick = admin
        .submit(
            &step1,
            "#invite-wizard",
            &[("emails", "multi@example.test"), ("go", "next")],
        )
        .await;
    assert_eq!(pick.texts("label[for^='company-']").len(), 2);
    let none = admin
        .submit(&pick, "#invite-wizard", &[("go", "next")])
        .await;
    assert_eq!(none.status, 422);
    assert!(none.text().contains("Choose at least one company"));
    let info = admin
        .submit(
            &none,
            "#invite-wizard",
            &[("select_all", "on"), ("go", "next")],
        )
        .await;
    let access = admin
        .submit(&info, "#invite-wizard", &[("go", "next")])
        .await;
    assert_eq!(access.texts("fieldset.company-access > legend").len(), 2);
    let applied = admin
        .submit(
            &access,
            "#invite-wizard",
            &[
                (format!("role_{first}").as_str(), editor.as_str()),
                (format!("all_product_groups_{first}").as_str(), "on"),
                ("go", "apply_all"),
            ],
        )
        .await;
    assert!(
        applied
            .attr(&format!("#role-{}-{editor}", second.id), "checked")
            .is_some(),
        "Apply to All Companies copies the roles"
    );
    assert!(
        applied
            .attr(&format!("#all_product_groups_{}", second.id), "checked")
            .is_some()
    );
    let done = admin
        .submit(
            &applied,
            "#invite-wizard",
            &[("send_email", ""), ("go", "invite")],
        )
        .await;
    assert_eq!(done.texts("#invited li"), vec!["multi@example.test"]);
    let held: Vec<(i64, i64, bool)> = memberships::table
        .inner_join(users::table)
        .inner_join(membership_roles::table)
        .filter(users::email.eq("multi@example.test"))
        .select((
            memberships::company_id,
            membership_roles::role_id,
            memberships::all_product_groups,
        ))
        .order(memberships::company_id)
        .load(&mut conn)
        .unwrap();
    let editor: i64 = editor.parse().unwrap();
    assert_eq!(
        held,
        vec![(first, editor, true), (second.id.0, editor, true)]
    );
    // "Send invitation email" unticked: nothing queued, the invitation waits as Pending.
    assert_eq!(
        invitation_status(&mut conn, "multi@example.test"),
        "pending"
    );
    let queued: i64 = outbox::table.count().get_result(&mut conn).unwrap();
    assert_eq!(queued, 0);
}

async fn inviting_needs_the_right(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = spawn(&backend, &sink).await;
    let _admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    arrange_member(&mut conn, "viewer@example.test", &["Viewer"]);
    let viewer = app.client();
    viewer.sign_in("viewer@example.test", STRONG_PASSWORD).await;
    assert_eq!(viewer.get("/users/invite").await.status, 403);
    let list = viewer.get("/users").await;
    assert!(list.attr("#invite-user", "href").is_none());
    // A forged post is refused too, and nothing is stored.
    let csrf = list
        .attr("input[name=csrf_token]", "value")
        .unwrap_or_default();
    let forged = viewer
        .post(
            "/users/invite",
            &[
                ("csrf_token", csrf.as_str()),
                ("step", "access"),
                ("emails", "x@example.test"),
                ("go", "invite"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let found: i64 = users::table
        .filter(users::email.eq("x@example.test"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(found, 0);
}

/// A worker that claimed emails and died: nothing is lost (the claim's lease runs out and
/// another worker sends them) and nothing delivered is sent again.
async fn a_dead_workers_emails_are_sent_once(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = spawn(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    // Invited without an email, so the test decides when the outbox fills.
    let step1 = admin.get("/users/invite").await;
    let info = admin
        .submit(
            &step1,
            "#invite-wizard",
            &[("emails", "a@example.test, b@example.test"), ("go", "next")],
        )
        .await;
    let access = admin
        .submit(&info, "#invite-wizard", &[("go", "next")])
        .await;
    admin
        .submit(
            &access,
            "#invite-wizard",
            &[("send_email", ""), ("go", "invite")],
        )
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

    // Queue one email the way Resend does, then take it as a worker that dies at once.
    let list = admin.get("/users?status=invited&sort=email").await;
    let now = app.clock.now_naive();
    let account_id = roster::db::schema::accounts::table
        .select(roster::db::schema::accounts::id)
        .first(&mut conn)
        .unwrap();
    roster::mail::outbox::enqueue(
        &mut conn,
        roster::mail::outbox::NewEmail {
            account_id,
            invitation_id: None,
            to: "a@example.test",
            subject: "Claimed by a worker that died",
            text: "text",
            html: "<p>html</p>",
        },
        now,
    )
    .unwrap();
    let claimed = roster::mail::outbox::claim(&mut conn, now, 10).unwrap();
    assert_eq!(claimed.len(), 1);
    // The live worker leaves a claimed row alone while the lease runs...
    admin
        .submit(&list, "form[action$='/invitation/resend']", &[])
        .await;
    let first = sink.wait_for(1).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].to, vec!["a@example.test"]);
    assert!(!first[0].data.contains("Claimed by a worker that died"));
    // ...and takes it up once the lease has run out: sent once, not lost.
    app.clock
        .advance(roster::mail::outbox::LEASE + chrono::Duration::seconds(1));
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

async fn edit_the_email_of_a_pending_invitation(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = spawn(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    invite_with_defaults(&admin, "grace@exmaple.test").await;
    let typo = sink.wait_for(1).await.remove(0);
    let list = admin.get("/users?status=invited").await;
    let href = list.attr("a.invitation-status", "href").unwrap();
    let page = admin.get(&href).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("#invitation-status"), vec!["sent"]);
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
    assert_eq!((fixed.status, fixed.location()), (303, href.as_str()));
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
