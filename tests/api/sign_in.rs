use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, arrange_user, assert_is_redirect_to};
use crate::on_both_backends;
use chrono::TimeDelta;
use diesel::prelude::*;
use roster::db::schema::{audit_events, users};
use roster::domain::users::UserStatus;

on_both_backends!(
    a_sign_in_works_and_every_failure_looks_the_same,
    five_failures_lock_the_account_until_the_lock_runs_out,
    sign_in_returns_only_to_local_pages,
    a_user_signs_in_by_user_name,
    too_many_attempts_from_one_address_are_told_to_wait,
    a_failing_write_shows_an_opaque_page_and_changes_nothing,
    control_characters_in_a_form_get_a_clear_message,
);

const ADMIN: &str = "ada@acme.test";

async fn a_sign_in_works_and_every_failure_looks_the_same(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    arrange_user(&mut conn, "blocked@acme.test", UserStatus::Blocked, None);
    arrange_user(&mut conn, "gone@acme.test", UserStatus::Deactivated, None);
    arrange_user(&mut conn, "invited@acme.test", UserStatus::Invited, None);
    let locked = arrange_user(&mut conn, "locked@acme.test", UserStatus::Active, None);
    let expired = arrange_user(&mut conn, "expired@acme.test", UserStatus::Active, None);
    let now = chrono::Utc::now().naive_utc();
    let locked = roster::domain::users::find_any_account(&mut conn, locked)
        .unwrap()
        .unwrap();
    roster::domain::users::lock(&mut conn, &locked, now, None).unwrap();
    // Behind the server's back: no page sets an expiry yet.
    diesel::update(users::table.find(expired))
        .set(users::expires_at.eq(now - TimeDelta::days(1)))
        .execute(&mut conn)
        .unwrap();

    let attempts = [
        ("nobody@acme.test", STRONG_PASSWORD),
        (ADMIN, "the wrong password entirely"),
        ("blocked@acme.test", STRONG_PASSWORD),
        ("gone@acme.test", STRONG_PASSWORD),
        ("invited@acme.test", STRONG_PASSWORD),
        ("locked@acme.test", STRONG_PASSWORD),
        ("expired@acme.test", STRONG_PASSWORD),
    ];
    let mut answers = Vec::new();
    for (login, pw) in attempts {
        let client = app.client();
        let page = client.sign_in(login, pw).await;
        assert!(
            !client.is_signed_in().await,
            "{login} must not be signed in"
        );
        // The whole page body, not just the alert, must be the same for every failure.
        let main = page.texts("main");
        assert!(page.texts("[role=alert]")[0].starts_with("Sign-in failed"));
        answers.push((page.status, main.join(" ").replace(login, "LOGIN")));
        assert_eq!(
            page.attr("#login", "value").as_deref(),
            Some(login),
            "the login is kept"
        );
        assert_eq!(
            page.attr("#password", "value").as_deref(),
            Some(""),
            "the password is not"
        );
    }
    let first = answers[0].clone();
    assert_eq!(first.0, 200);
    let failure = roster::domain::signin::FAILURE
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(first.1.contains(&failure));
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(
            answer, &first,
            "attempt {:?} answered differently",
            attempts[i].0
        );
    }

    // The right password, case-insensitive email, surrounding spaces: in.
    let client = app.client();
    let page = client.sign_in("  ADA@acme.test ", STRONG_PASSWORD).await;
    assert_is_redirect_to(&page, "/profile");
    assert!(client.is_signed_in().await);

    // Refusals and failures are in the activity log, without passwords.
    let actions: Vec<(String, String)> = audit_events::table
        .select((audit_events::action, audit_events::detail))
        .load(&mut conn)
        .unwrap();
    for reason in [
        "blocked",
        "deactivated",
        "invitation not accepted",
        "locked",
        "expired",
    ] {
        assert!(
            actions.contains(&("auth.sign_in_refused".into(), reason.into())),
            "{reason}"
        );
    }
    assert!(actions.iter().any(|(a, _)| a == "auth.sign_in_failed"));
    assert!(actions.iter().all(|(_, d)| !d.contains(STRONG_PASSWORD)));
    // A failed attempt is not the victim's doing: no actor on those events.
    let actors: Vec<Option<roster::domain::UserId>> = audit_events::table
        .filter(audit_events::action.eq_any(["auth.sign_in_failed", "auth.sign_in_refused"]))
        .select(audit_events::actor_user_id)
        .load(&mut conn)
        .unwrap();
    assert!(!actors.is_empty() && actors.iter().all(Option::is_none));
}

async fn five_failures_lock_the_account_until_the_lock_runs_out(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let client = app.client();
    for _ in 0..5 {
        client.sign_in(ADMIN, "not my password at all").await;
    }
    let mut conn = backend.conn();
    let (failures, locked_at): (i32, Option<chrono::NaiveDateTime>) = users::table
        .filter(users::email_lower.eq(ADMIN))
        .select((users::failed_logins, users::locked_at))
        .first(&mut conn)
        .unwrap();
    assert_eq!(failures, 5);
    assert!(locked_at.is_some(), "locked after the fifth failure");

    let refused = client.sign_in(ADMIN, STRONG_PASSWORD).await;
    assert_eq!(refused.status, 200);
    assert!(
        refused.text().contains("Sign-in failed"),
        "locked: the right password does not help"
    );
    assert!(!client.is_signed_in().await);

    // The default lock lasts 15 minutes.
    app.clock.advance(TimeDelta::minutes(16));
    let page = client.sign_in(ADMIN, STRONG_PASSWORD).await;
    assert_eq!(page.status, 303);
    assert!(client.is_signed_in().await);
    let failures: i32 = users::table
        .filter(users::email_lower.eq(ADMIN))
        .select(users::failed_logins)
        .first(&mut conn)
        .unwrap();
    assert_eq!(failures, 0, "a successful sign-in clears the count");
    let locks: i64 = audit_events::table
        .filter(audit_events::action.eq("auth.locked"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(locks, 1);
}

async fn sign_in_returns_only_to_local_pages(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let client = app.client();
    let bounce = client.get("/profile").await;
    assert_is_redirect_to(&bounce, "/login?next=/profile");
    let form = client.get(bounce.location()).await;
    assert_eq!(
        form.attr("input[name=next]", "value").as_deref(),
        Some("/profile")
    );
    let page = client
        .submit(
            &form,
            "form[action='/login']",
            &[("login", ADMIN), ("password", STRONG_PASSWORD)],
        )
        .await;
    assert_eq!(page.location(), "/profile");

    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let client = app.client();
        let form = client.get("/login").await;
        let page = client
            .submit(
                &form,
                "form[action='/login']",
                &[
                    ("login", ADMIN),
                    ("password", STRONG_PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!((page.status, page.location()), (303, "/profile"), "{evil}");
    }
}

async fn a_user_signs_in_by_user_name(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    arrange_user(
        &mut backend.conn(),
        "grace@acme.test",
        UserStatus::Active,
        Some("Grace.H"),
    );
    let client = app.signed_in("grace.h").await;
    let profile = client.get("/profile").await;
    assert!(profile.text().contains("grace@acme.test"));
    assert!(profile.text().contains("Grace.H"));
    assert!(
        profile
            .text()
            .contains("You have no access to a company yet"),
        "empty state"
    );
}

async fn too_many_attempts_from_one_address_are_told_to_wait(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |c| c.login_attempts_per_minute = 3).await;
    let client = app.client();
    for _ in 0..3 {
        assert_eq!(
            client
                .sign_in("x@acme.test", "whatever it may be")
                .await
                .status,
            200
        );
    }
    let page = client.sign_in("x@acme.test", "whatever it may be").await;
    assert_eq!(page.status, 429);
    assert_eq!(page.header("retry-after"), Some("60"));
    assert!(page.text().contains("Wait a minute"));
}

async fn a_failing_write_shows_an_opaque_page_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    // The failure count is written first, then the audit event, which now fails.
    diesel::sql_query("ALTER TABLE audit_events RENAME TO audit_events_gone")
        .execute(&mut conn)
        .unwrap();
    let page = app
        .client()
        .sign_in(ADMIN, "the wrong password entirely")
        .await;
    assert_eq!(page.status, 500);
    assert_eq!(page.title(), "Something went wrong");
    let body = page.body.to_lowercase();
    for leak in ["audit", "table", "sql", "diesel", "relation"] {
        assert!(
            !body.contains(leak),
            "the page must not show the cause ({leak})"
        );
    }
    let failures: i32 = users::table
        .filter(users::email_lower.eq(ADMIN))
        .select(users::failed_logins)
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        failures, 0,
        "one transaction: the failure count was rolled back too"
    );
}

async fn control_characters_in_a_form_get_a_clear_message(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let client = app.client();
    let page = client.sign_in("ada\u{0}@acme.test", STRONG_PASSWORD).await;
    assert_eq!(
        page.status, 400,
        "PostgreSQL cannot store NUL: refused before any query"
    );
    assert!(page.text().contains("control characters"));
    let page = client.sign_in(ADMIN, STRONG_PASSWORD).await;
    assert_eq!(page.status, 303, "the next, clean attempt works");
}
