//! The Invite User wizard, the invitation email through a real SMTP server on loopback, the
//! accept page, and managing invitations (resend, revoke, a 550 that fails one).

use crate::helpers::SmtpSink;
use crate::helpers::wizard::give_role;
use crate::helpers::{
    Backend, STRONG_PASSWORD, TestApp, add_company, assert_is_redirect_to, first_company,
    invitation_status, role_id, wait_status,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{companies, membership_roles, memberships, outbox, users};

on_both_backends!(
    one_person_is_invited_and_accepts,
    several_addresses_are_invited_and_the_skipped_ones_are_named,
    the_multi_company_wizard_applies_to_all_companies,
    inviting_needs_the_right,
);

async fn one_person_is_invited_and_accepts(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
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

    // Stored: an invited user with the access chosen; no displayed name given, so it is
    // "First Last".
    let (status, display): (String, String) = users::table
        .filter(users::email.eq("Grace.Hopper@example.test"))
        .select((users::status, users::display_name))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (status.as_str(), display.as_str()),
        ("invited", "Grace Hopper")
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
    assert_eq!(shown.texts(".invitation-status"), vec!["Sent"]);

    // Signed in as someone else, the link is refused.
    let taken = admin.get(&mail.link_path()).await;
    assert_is_redirect_to(&taken, "/profile");

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
    assert_is_redirect_to(&ok, "/profile");
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
    app.signed_in("grace.hopper@example.test").await;
}

async fn several_addresses_are_invited_and_the_skipped_ones_are_named(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    // A name with a line break (stored by some other way in) is no reason to refuse an
    // email: the subject takes it as a space.
    diesel::update(users::table.filter(users::email.eq("ada@example.test")))
        .set(users::first_name.eq("Ada\nLovelace"))
        .execute(&mut backend.conn())
        .unwrap();
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
    let access = give_role(&admin, &access, "Viewer").await;
    let done = admin
        .submit(&access, "#invite-wizard", &[("go", "invite")])
        .await;
    assert_eq!(
        done.texts("#invited li"),
        vec!["one@example.test", "two@example.test"]
    );
    assert_eq!(
        done.texts("#skipped li"),
        vec!["ADA@example.test: already a user of this account, in every chosen company"]
    );
    let got = sink.wait_for(2).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, vec!["one@example.test", "two@example.test"]);
    // Each has its own link.
    assert_ne!(got[0].link(), got[1].link());
    let headers = got[0].data.replace("\r\n ", " ");
    assert!(
        headers.contains("Subject: Ada Lovelace Admin invited you"),
        "{headers}"
    );
}

async fn the_multi_company_wizard_applies_to_all_companies(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let first = first_company(&mut conn).0;
    let second = add_company(&mut conn, "Second", "SEC");
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
    // One company at a time; the chosen ones are listed as Available Companies.
    assert_eq!(access.texts("fieldset.company-access > legend").len(), 1);
    assert_eq!(access.texts(".available-companies button").len(), 2);
    let applied = admin
        .submit(
            &access,
            "#invite-wizard",
            &[
                (format!("role_{first}").as_str(), editor.as_str()),
                (format!("all_product_groups_{first}").as_str(), "on"),
                ("at", first.to_string().as_str()),
                ("go", "apply_all"),
            ],
        )
        .await;
    let second_roles = admin
        .submit(
            &applied,
            "#invite-wizard",
            &[("tab", "roles"), ("go", &format!("company:{}", second))],
        )
        .await;
    assert!(
        second_roles
            .attr(&format!("#role-{}-{editor}", second), "checked")
            .is_some(),
        "Apply to All Companies copies the roles"
    );
    let second_groups = admin
        .submit(
            &second_roles,
            "#invite-wizard",
            &[("go", "tab:product_groups")],
        )
        .await;
    assert!(
        second_groups
            .attr(&format!("#all_product_groups_{}", second), "checked")
            .is_some()
    );
    let applied = second_groups;
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
    assert_eq!(held, vec![(first, editor, true), (second.0, editor, true)]);
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
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let _admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let viewer = app
        .signed_in_as_role("Viewer", first_company(&mut conn))
        .await;
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
