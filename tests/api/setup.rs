use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, arrange_user, assert_is_redirect_to};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{accounts, audit_events, companies, users};

on_both_backends!(
    setup_link_creates_the_first_admin_once,
    restart_replaces_the_setup_link,
    an_expired_setup_link_says_so,
    one_link_used_twice_at_once_makes_one_admin,
    a_refused_email_keeps_the_form_and_the_link,
);

async fn setup_link_creates_the_first_admin_once(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    assert_eq!(
        app.setup_links.len(),
        1,
        "an empty database prints one setup link"
    );
    let link = app.setup_links[0].clone();
    let client = app.client();

    let form = client.get(&link).await;
    assert_eq!(form.status, 200);
    assert_eq!(form.title(), "Create the first administrator");
    assert_eq!(
        form.attr("#account_name", "value").as_deref(),
        Some("Roster")
    );
    for label in [
        "Account name",
        "Company name",
        "Email",
        "First name",
        "Last name",
        "Password",
    ] {
        assert!(
            form.texts("label").iter().any(|l| l == label),
            "label {label}"
        );
    }

    // A weak password is refused with the reason; what was typed is kept, the password not.
    let weak = client
        .submit(
            &form,
            "form",
            &[
                ("account_name", "Acme Industries"),
                ("company_name", "Acme North"),
                ("email", "ada@acme.test"),
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.texts("#password-error")[0].contains("at least 12 characters"));
    assert_eq!(
        weak.attr("#email", "value").as_deref(),
        Some("ada@acme.test")
    );
    assert_eq!(
        weak.attr("#account_name", "value").as_deref(),
        Some("Acme Industries")
    );
    assert_eq!(weak.attr("#password", "value").as_deref(), Some(""));

    let mismatch = client
        .submit(
            &weak,
            "form",
            &[
                ("password", STRONG_PASSWORD),
                ("password_confirm", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.texts("#password_confirm-error")[0].contains("not the same"));

    let done = client
        .submit(
            &mismatch,
            "form",
            &[
                ("password", STRONG_PASSWORD),
                ("password_confirm", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_is_redirect_to(&done, "/profile");

    let profile = client.visit("/profile").await;
    assert_eq!(profile.status, 200);
    let text = profile.text();
    assert_eq!(
        profile.flash(),
        vec!["Welcome to Roster. You are the account's first administrator."]
    );
    assert!(text.contains("ada@acme.test"));
    assert!(text.contains("Account administrator"));
    assert!(
        text.contains("Acme Industries"),
        "account name in the header"
    );
    assert_eq!(profile.texts(".role"), vec!["Admin"]);

    // Stored: one active administrator, the account and company named as entered, an audit event.
    let mut conn = backend.conn();
    let (status, admin): (String, bool) = users::table
        .filter(users::email_lower.eq("ada@acme.test"))
        .select((users::status, users::is_account_admin))
        .first(&mut conn)
        .unwrap();
    assert_eq!((status.as_str(), admin), ("active", true));
    let account: String = accounts::table
        .select(accounts::name)
        .first(&mut conn)
        .unwrap();
    assert_eq!(account, "Acme Industries");
    let company: String = companies::table
        .select(companies::name)
        .first(&mut conn)
        .unwrap();
    assert_eq!(company, "Acme North");
    let events: i64 = audit_events::table
        .filter(audit_events::action.eq("setup.completed"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(events, 1);

    // The link works only once, for anyone.
    let stranger = app.client();
    let again = stranger.get(&link).await;
    assert_eq!(again.status, 410);
    assert!(again.text().contains("already been used"));
    // Even a complete form with a valid CSRF token cannot use it again.
    let token = stranger
        .get("/login")
        .await
        .attr("input[name=csrf_token]", "value")
        .unwrap();
    let path = link.replacen(&app.base, "", 1);
    let replay = stranger
        .post(
            &path,
            &[
                ("csrf_token", token.as_str()),
                ("account_name", "Evil"),
                ("company_name", "Evil"),
                ("email", "eve@evil.test"),
                ("first_name", "Eve"),
                ("last_name", "Intruder"),
                ("password", STRONG_PASSWORD),
                ("password_confirm", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_eq!(replay.status, 410);
    assert!(replay.text().contains("already been used"));
    let users_now: i64 = users::table.count().get_result(&mut conn).unwrap();
    assert_eq!(users_now, 1);

    let unknown = stranger.get("/setup/not-a-real-token").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("not valid"));

    // A restart on a database with an administrator prints no link.
    let restarted = TestApp::spawn(&backend).await;
    assert!(restarted.setup_links.is_empty());
}

async fn restart_replaces_the_setup_link(backend: Backend) {
    let first = TestApp::spawn(&backend).await;
    let old_link = first.setup_links[0].clone();
    let second = TestApp::spawn(&backend).await;
    assert_eq!(
        second.setup_links.len(),
        1,
        "still no administrator: a new link"
    );
    let old = second
        .client()
        .get(&old_link.replacen(&first.base, &second.base, 1))
        .await;
    assert_eq!(old.status, 410);
    assert!(old.text().contains("newer setup link replaced this one"));
    let accounts: i64 = accounts::table
        .count()
        .get_result(&mut backend.conn())
        .unwrap();
    assert_eq!(accounts, 1, "a restart does not create another account");
    second.first_admin("grace@acme.test").await;
}

async fn an_expired_setup_link_says_so(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.clock.advance(chrono::TimeDelta::hours(25));
    let page = app.client().get(&app.setup_links[0]).await;
    assert_eq!(page.status, 410);
    assert!(page.text().contains("expired"));
}

async fn one_link_used_twice_at_once_makes_one_admin(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let link = app.setup_links[0].clone();
    let (first, second) = (app.client(), app.client());
    let (form_a, form_b) = (first.get(&link).await, second.get(&link).await);
    let fields = |email: &'static str| {
        [
            ("email", email),
            ("first_name", "Ada"),
            ("last_name", "Admin"),
            ("password", STRONG_PASSWORD),
            ("password_confirm", STRONG_PASSWORD),
        ]
    };
    let (a, b) = futures_util::future::join(
        first.submit(&form_a, "form", &fields("ada@acme.test")),
        second.submit(&form_b, "form", &fields("eve@acme.test")),
    )
    .await;
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [303, 410],
        "one wins, the other is told the link was used"
    );
    let admins: i64 = users::table
        .count()
        .get_result(&mut backend.conn())
        .unwrap();
    assert_eq!(admins, 1);
}

async fn a_refused_email_keeps_the_form_and_the_link(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    arrange_user(
        &mut backend.conn(),
        "taken@acme.test",
        roster::domain::users::UserStatus::Invited,
        None,
    );
    let client = app.client();
    let form = client.get(&app.setup_links[0]).await;
    let fields = [
        ("account_name", "Acme Industries"),
        ("email", "taken@acme.test"),
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("password", STRONG_PASSWORD),
        ("password_confirm", STRONG_PASSWORD),
    ];
    let refused = client.submit(&form, "form", &fields).await;
    assert_eq!(
        refused.status, 422,
        "a field error from the domain is a form error, not a 400 page"
    );
    assert!(refused.texts("#email-error")[0].contains("already exists"));
    assert_eq!(
        refused.attr("#account_name", "value").as_deref(),
        Some("Acme Industries")
    );
    assert_eq!(
        refused.attr("#email", "value").as_deref(),
        Some("taken@acme.test")
    );
    assert_eq!(refused.attr("#password", "value").as_deref(), Some(""));
    // Nothing was kept of the refused attempt: the link still works.
    let done = client
        .submit(
            &refused,
            "form",
            &[
                ("email", "ada@acme.test"),
                ("password", STRONG_PASSWORD),
                ("password_confirm", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
}
