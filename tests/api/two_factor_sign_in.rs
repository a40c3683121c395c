//! Two-factor authentication from the user's side: setting it up on My Profile, the code
//! step after the password, codes used once (one after the other and at the same moment),
//! one step of skew, recovery codes, wrong codes toward the lockout, the half-signed-in
//! session reaching no page, the account choice before the code, and turning it off.
//! Codes are computed by the test (helpers::totp), not by the server's library.

use crate::helpers::totp::{
    base32_decode, code_for_step, code_now, enrol, key_on, next_step, sign_in_with_code, steady,
    step_now,
};
use crate::helpers::{
    Backend, RESET_PASSWORD, STRONG_PASSWORD, SmtpSink, TestApp, arrange_member,
    assert_is_redirect_to, events_about, has_two_factor, other_account, subjects_to,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{recovery_codes, users};
use roster::web::router::{Need, route_table};

on_both_backends!(
    a_user_sets_up_two_factor_with_the_key_shown_and_gets_ten_recovery_codes,
    a_wrong_code_at_setup_keeps_it_off_and_shows_the_same_key,
    setting_it_up_asks_for_the_password,
    signing_in_asks_for_the_code_after_the_password_and_renews_the_session,
    a_code_signs_in_once_and_is_refused_the_second_time,
    two_sign_ins_with_the_same_code_at_the_same_moment_let_only_one_in,
    a_code_one_step_off_either_way_is_accepted_and_two_steps_old_is_refused,
    a_recovery_code_signs_in_once_and_the_user_is_told,
    new_recovery_codes_void_the_old_ones,
    wrong_codes_count_toward_the_lockout,
    a_half_signed_in_session_reaches_no_page,
    the_account_choice_comes_before_the_code_step,
    turning_it_off_needs_the_password_and_a_code,
    a_password_reset_link_does_not_skip_the_code,
    giving_the_password_again_does_not_forgive_wrong_codes,
    a_reset_link_does_not_lift_a_lock_made_by_wrong_codes,
    changing_the_second_factor_asks_for_the_password_and_counts_wrong_codes,
    a_recovery_code_turns_it_off_when_the_phone_is_lost,
    the_code_step_runs_out_and_dies_with_a_password_change,
);

const ADMIN: &str = "ada@acme.test";
const ANN: &str = "ann@acme.test";

/// Ann, a Viewer, signed in with her password and with two-factor authentication set up.
async fn ann_enrolled(app: &TestApp) -> (crate::helpers::Client, String, Vec<String>) {
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let ann = app.signed_in(ANN).await;
    let enrolled = enrol(app, &ann).await;
    (ann, enrolled.secret, enrolled.recovery_codes)
}

async fn a_user_sets_up_two_factor_with_the_key_shown_and_gets_ten_recovery_codes(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let ann = app.signed_in(ANN).await;

    let profile = ann.get("/profile").await;
    assert_eq!(
        profile.texts("#my-two-factor strong"),
        vec!["Off"],
        "My Profile says where she stands"
    );
    let setup = ann.get("/profile/two-factor").await;
    assert!(
        setup
            .html()
            .select(&scraper::Selector::parse(".qr svg").unwrap())
            .next()
            .is_some(),
        "the QR code is drawn by the server, in the page"
    );
    let enrolled = enrol(&app, &ann).await;

    let mut conn = app.conn();
    let stored: Option<String> = users::table
        .filter(users::email.eq(ANN))
        .select(users::totp_secret)
        .first(&mut conn)
        .unwrap();
    let stored = stored.expect("a secret is stored");
    let raw = hex::encode(base32_decode(&enrolled.secret));
    assert!(
        stored.starts_with("v1:") && !stored.contains(&enrolled.secret) && !stored.contains(&raw),
        "the secret is sealed at rest, neither as shown nor as its bytes: {stored}"
    );
    let codes: i64 = recovery_codes::table.count().get_result(&mut conn).unwrap();
    assert_eq!(codes, 10);
    for code in &enrolled.recovery_codes {
        assert_eq!(code.len(), 35, "128 bits as four groups of eight: {code}");
    }
    let hashes: Vec<String> = recovery_codes::table
        .select(recovery_codes::code_hash)
        .load(&mut conn)
        .unwrap();
    let mut expected: Vec<String> = enrolled
        .recovery_codes
        .iter()
        .map(|c| {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(c.replace('-', "").as_bytes()))
        })
        .collect();
    let mut hashes = hashes;
    expected.sort();
    hashes.sort();
    assert_eq!(hashes, expected, "stored as their SHA-256, nothing else");
    let again = ann.get("/profile/two-factor").await;
    assert!(again.texts("#totp-secret").is_empty(), "never shown again");
    assert_eq!(
        again.texts("#codes-left"),
        vec!["10 unused recovery codes left."]
    );
    assert_eq!(events_about(&mut conn, "auth.two_factor_on", ANN), 1);
    assert!(
        subjects_to(&mut conn, ANN)
            .iter()
            .any(|s| s.starts_with("Two-factor authentication for ") && s.ends_with(": turned on")),
        "{:?}",
        subjects_to(&mut conn, ANN)
    );
}

async fn a_wrong_code_at_setup_keeps_it_off_and_shows_the_same_key(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let ann = app.signed_in(ANN).await;

    let setup = ann.get("/profile/two-factor").await;
    let secret = key_on(&setup);
    let wrong = code_for_step(&secret, step_now(&app) - 5);
    let fields = [
        ("code", wrong.as_str()),
        ("current_password", STRONG_PASSWORD),
    ];
    let refused = ann.submit(&setup, "#enrol", &fields).await;

    assert_eq!(refused.status, 422);
    assert!(refused.texts("#code-error")[0].starts_with("That code is not right."));
    assert_eq!(
        key_on(&refused),
        secret,
        "the same key: the app already holds it"
    );
    assert!(!has_two_factor(&mut app.conn(), ANN));
}

async fn setting_it_up_asks_for_the_password(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    // Someone at Ann's unlocked computer, without her password.
    let ann = app.signed_in(ANN).await;
    let setup = ann.get("/profile/two-factor").await;
    let code = code_now(&app, &key_on(&setup));

    let missing = ann.submit(&setup, "#enrol", &[("code", &code)]).await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.texts("#current_password-error"),
        vec!["Enter your current password."]
    );
    let wrong = ann
        .submit(
            &setup,
            "#enrol",
            &[("code", &code), ("current_password", "a guess at hers")],
        )
        .await;
    assert_eq!(
        wrong.texts("#current_password-error"),
        vec!["That is not your current password."]
    );

    assert!(!has_two_factor(&mut app.conn(), ANN));
    assert_eq!(failures_and_lock(&app).0, 1, "the wrong password counts");
}

async fn signing_in_asks_for_the_code_after_the_password_and_renews_the_session(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (_, secret, _) = ann_enrolled(&app).await;

    let browser = app.client();
    let password_step = browser.sign_in(ANN, STRONG_PASSWORD).await;
    assert_is_redirect_to(&password_step, "/login/code");
    let half = password_step
        .session_cookie()
        .expect("a session for the code step");
    assert!(
        !browser.is_signed_in().await,
        "not signed in by the password alone"
    );
    let form = browser.get("/login/code").await;
    let signed_in = browser
        .submit(&form, "#code-step", &[("code", &code_now(&app, &secret))])
        .await;

    assert_is_redirect_to(&signed_in, "/profile");
    let renewed = signed_in.session_cookie().expect("a new session cookie");
    assert_ne!(
        renewed, half,
        "the session is renewed after the second step"
    );
    assert!(browser.is_signed_in().await);
    let stale = app.client_with_session_cookie(&half);
    assert!(
        !stale.is_signed_in().await,
        "the half-signed-in cookie does not become a sign-in"
    );
}

async fn a_code_signs_in_once_and_is_refused_the_second_time(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (_, secret, _) = ann_enrolled(&app).await;
    let code = code_now(&app, &secret);

    let first = app.client();
    assert_is_redirect_to(&sign_in_with_code(&first, ANN, &code).await, "/profile");
    let second = app.client();
    let replayed = sign_in_with_code(&second, ANN, &code).await;

    assert_eq!(replayed.status, 422);
    assert!(
        replayed.texts("#code-error")[0].starts_with("That code was already used."),
        "{}",
        replayed.text()
    );
    assert!(!second.is_signed_in().await);
    next_step(&app);
    let form = second.get("/login/code").await;
    let next = second
        .submit(&form, "#code-step", &[("code", &code_now(&app, &secret))])
        .await;
    assert_is_redirect_to(&next, "/profile");
}

async fn two_sign_ins_with_the_same_code_at_the_same_moment_let_only_one_in(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (_, secret, _) = ann_enrolled(&app).await;
    let (one, two) = (app.client(), app.client());
    for client in [&one, &two] {
        let step = client.sign_in(ANN, STRONG_PASSWORD).await;
        assert_is_redirect_to(&step, "/login/code");
    }
    let (form_one, form_two) = (one.get("/login/code").await, two.get("/login/code").await);
    let code = code_now(&app, &secret);

    let fields = [("code", code.as_str())];
    let (a, b) = tokio::join!(
        one.submit(&form_one, "#code-step", &fields),
        two.submit(&form_two, "#code-step", &fields),
    );

    let signed_in = [&a, &b].iter().filter(|p| p.status == 303).count();
    assert_eq!(signed_in, 1, "{} / {}", a.status, b.status);
    let refused = if a.status == 303 { &b } else { &a };
    assert!(refused.texts("#code-error")[0].starts_with("That code was already used."));
}

async fn a_code_one_step_off_either_way_is_accepted_and_two_steps_old_is_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (_, secret, _) = ann_enrolled(&app).await;
    // Several steps on, so that neither old step was used at setup.
    next_step(&app);
    next_step(&app);
    next_step(&app);
    steady(&app);

    let late = app.client();
    let too_old = code_for_step(&secret, step_now(&app) - 2);
    let refused = sign_in_with_code(&late, ANN, &too_old).await;
    assert_eq!(refused.status, 422);
    assert!(refused.texts("#code-error")[0].starts_with("That code is not right."));

    let one_old = code_for_step(&secret, step_now(&app) - 1);
    let form = late.get("/login/code").await;
    let accepted = late
        .submit(&form, "#code-step", &[("code", &one_old)])
        .await;
    assert_is_redirect_to(&accepted, "/profile");

    // A phone whose clock runs a little fast.
    let early = app.client();
    let one_ahead = code_for_step(&secret, step_now(&app) + 1);
    assert_is_redirect_to(
        &sign_in_with_code(&early, ANN, &one_ahead).await,
        "/profile",
    );
}

async fn a_recovery_code_signs_in_once_and_the_user_is_told(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (_, _, codes) = ann_enrolled(&app).await;

    let lost_phone = app.client();
    // Typed as people do: capitals and spaces instead of dashes.
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert_is_redirect_to(
        &sign_in_with_code(&lost_phone, ANN, &typed).await,
        "/profile",
    );
    let again = app.client();
    let refused = sign_in_with_code(&again, ANN, &codes[3]).await;

    assert_eq!(refused.status, 422, "a recovery code works once");
    let mut conn = app.conn();
    assert_eq!(events_about(&mut conn, "auth.recovery_code_used", ANN), 1);
    assert!(
        subjects_to(&mut conn, ANN)
            .iter()
            .any(|s| s.starts_with("Two-factor authentication for ")
                && s.ends_with(": recovery code used"))
    );
    let page = lost_phone.get("/profile/two-factor").await;
    assert_eq!(
        page.texts("#codes-left"),
        vec!["9 unused recovery codes left."]
    );
}

async fn new_recovery_codes_void_the_old_ones(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (ann, secret, old) = ann_enrolled(&app).await;

    let page = ann.get("/profile/two-factor").await;
    let renewed = ann
        .submit(
            &page,
            "#renew-codes",
            &[
                ("renew_password", STRONG_PASSWORD),
                ("renew_code", &code_now(&app, &secret)),
            ],
        )
        .await;
    assert_eq!(renewed.status, 200, "{}", renewed.text());
    let new = renewed.texts("#recovery-codes code");
    assert_eq!(new.len(), 10);

    let with_old = app.client();
    assert_eq!(sign_in_with_code(&with_old, ANN, &old[0]).await.status, 422);
    let with_new = app.client();
    assert_is_redirect_to(
        &sign_in_with_code(&with_new, ANN, &new[0]).await,
        "/profile",
    );
}

async fn wrong_codes_count_toward_the_lockout(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    ann_enrolled(&app).await;

    let guesser = app.client();
    let step = guesser.sign_in(ANN, STRONG_PASSWORD).await;
    assert_is_redirect_to(&step, "/login/code");
    let mut last = None;
    for guess in ["000000", "111111", "222222", "333333", "444444"] {
        let form = guesser.get("/login/code").await;
        last = Some(
            guesser
                .submit(&form, "#code-step", &[("code", guess)])
                .await,
        );
    }
    let last = last.unwrap();
    assert_is_redirect_to(&last, "/login");

    let mut conn = app.conn();
    let (failures, locked): (i32, Option<chrono::NaiveDateTime>) = users::table
        .filter(users::email.eq(ANN))
        .select((users::failed_logins, users::locked_at))
        .first(&mut conn)
        .unwrap();
    assert_eq!(failures, 5);
    assert!(locked.is_some(), "five wrong codes lock the account");
    assert_eq!(events_about(&mut conn, "auth.locked", ANN), 1);
    // The password and the right code do not open a locked account.
    let owner = app.client();
    let refused = owner.sign_in(ANN, STRONG_PASSWORD).await;
    assert_eq!(refused.status, 200, "refused at the password, as any lock");
    assert!(!owner.is_signed_in().await);
}

async fn a_half_signed_in_session_reaches_no_page(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    ann_enrolled(&app).await;
    let half = app.client();
    assert_is_redirect_to(&half.sign_in(ANN, STRONG_PASSWORD).await, "/login/code");
    let csrf = half
        .get("/login/code")
        .await
        .attr("input[name=csrf_token]", "value")
        .unwrap();

    let mut walked = 0;
    for route in route_table().into_iter().filter(|r| r.need != Need::Nobody) {
        let path = route
            .path
            .replace("{id}", "1")
            .replace("{item}", "1")
            .replace("{token}", "x")
            .replace("{company}", "1")
            .replace("{role}", "1")
            .replace("{field}", "1")
            .replace("{kind}", "locations");
        let answer = if route.method == actix_web::http::Method::GET {
            half.get(&path).await
        } else {
            half.post(&path, &[("csrf_token", &csrf)]).await
        };
        assert_eq!(
            (answer.status, answer.location()),
            (303, "/login/code"),
            "{} {}",
            route.method,
            route.path
        );
        walked += 1;
    }
    assert!(walked > 50, "every signed-in route: {walked}");
    assert_eq!(
        half.get("/login/code").await.status,
        200,
        "and the code step still waits"
    );
}

async fn the_account_choice_comes_before_the_code_step(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let beta = other_account(&mut app.conn());
    // The same person, with the same password, in Acme too.
    arrange_member(&mut app.conn(), "ops@beta.test", &["Viewer"]);
    let in_beta = app.client();
    let chooser = in_beta.sign_in("ops@beta.test", STRONG_PASSWORD).await;
    assert_is_redirect_to(&chooser, "/login/account");
    let choice = in_beta.get("/login/account").await;
    let beta_id = beta.admin.id.0.to_string();
    assert_is_redirect_to(
        &in_beta
            .submit(&choice, "#choose-account", &[("user", &beta_id)])
            .await,
        "/profile",
    );
    let enrolled = enrol(&app, &in_beta).await;

    let browser = app.client();
    browser.sign_in("ops@beta.test", STRONG_PASSWORD).await;
    let choice = browser.get("/login/account").await;
    let chosen = browser
        .submit(&choice, "#choose-account", &[("user", &beta_id)])
        .await;
    assert_is_redirect_to(&chosen, "/login/code");
    assert!(!browser.is_signed_in().await);
    let form = browser.get("/login/code").await;
    let done = browser
        .submit(
            &form,
            "#code-step",
            &[("code", &code_now(&app, &enrolled.secret))],
        )
        .await;
    assert_is_redirect_to(&done, "/profile");
    let profile = browser.get("/profile").await;
    assert_eq!(profile.texts(".who-account"), vec!["Beta Ltd"]);
}

async fn turning_it_off_needs_the_password_and_a_code(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (ann, secret, _) = ann_enrolled(&app).await;
    let page = ann.get("/profile/two-factor").await;

    let wrong_password = ann
        .submit(
            &page,
            "#disable-two-factor",
            &[
                ("current_password", "not my password at all"),
                ("code", &code_now(&app, &secret)),
            ],
        )
        .await;
    assert_eq!(wrong_password.status, 422);
    assert_eq!(
        wrong_password.texts("#current_password-error"),
        vec!["That is not your current password."]
    );
    assert_eq!(failures_and_lock(&app).0, 1, "a wrong password counts");
    let wrong_code = ann
        .submit(
            &page,
            "#disable-two-factor",
            &[("current_password", STRONG_PASSWORD), ("code", "123456")],
        )
        .await;
    assert_eq!(wrong_code.status, 422);
    assert!(wrong_code.texts("#code-error")[0].starts_with("That code is not right."));

    let off = ann
        .submit(
            &page,
            "#disable-two-factor",
            &[
                ("current_password", STRONG_PASSWORD),
                ("code", &code_now(&app, &secret)),
            ],
        )
        .await;
    assert_is_redirect_to(&off, "/profile/two-factor");
    let mut conn = app.conn();
    assert_eq!(events_about(&mut conn, "auth.two_factor_off", ANN), 1);
    assert!(
        subjects_to(&mut conn, ANN)
            .iter()
            .any(|s| s.starts_with("Two-factor authentication for ") && s.ends_with(": turned off"))
    );
    let plain = app.client();
    assert_is_redirect_to(&plain.sign_in(ANN, STRONG_PASSWORD).await, "/profile");
}

async fn a_password_reset_link_does_not_skip_the_code(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let (_, secret, _) = ann_enrolled(&app).await;
    sink.wait_for(1).await;
    let (visitor, done) = app.reset_password_by_link(&sink, ANN, 2).await;

    assert_is_redirect_to(&done, "/login/code");
    assert!(!visitor.is_signed_in().await);
    let form = visitor.get("/login/code").await;
    let signed_in = visitor
        .submit(&form, "#code-step", &[("code", &code_now(&app, &secret))])
        .await;
    assert_is_redirect_to(&signed_in, "/profile");
}

/// Answers the waiting code step with `guesses`, one after the other; returns the last answer.
async fn guess(client: &crate::helpers::Client, guesses: &[&str]) -> crate::helpers::Page {
    let mut last = None;
    for code in guesses {
        let form = client.get("/login/code").await;
        last = Some(client.submit(&form, "#code-step", &[("code", code)]).await);
    }
    last.expect("at least one guess")
}

fn failures_and_lock(app: &TestApp) -> (i32, Option<chrono::NaiveDateTime>) {
    users::table
        .filter(users::email.eq(ANN))
        .select((users::failed_logins, users::locked_at))
        .first(&mut app.conn())
        .unwrap()
}

async fn giving_the_password_again_does_not_forgive_wrong_codes(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    ann_enrolled(&app).await;
    let guesser = app.client();

    guesser.sign_in(ANN, STRONG_PASSWORD).await;
    assert_eq!(
        guess(&guesser, &["000000", "111111", "222222"])
            .await
            .status,
        422
    );
    // Starting again with the right password is no way to more guesses.
    assert_is_redirect_to(&guesser.sign_in(ANN, STRONG_PASSWORD).await, "/login/code");
    assert_eq!(failures_and_lock(&app).0, 3);
    let last = guess(&guesser, &["333333", "444444"]).await;

    assert_is_redirect_to(&last, "/login");
    assert!(
        failures_and_lock(&app).1.is_some(),
        "five wrong codes in all lock it"
    );
}

async fn a_reset_link_does_not_lift_a_lock_made_by_wrong_codes(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let (_, secret, _) = ann_enrolled(&app).await;
    sink.wait_for(1).await;
    let guesser = app.client();
    guesser.sign_in(ANN, STRONG_PASSWORD).await;
    let five = ["000000", "111111", "222222", "333333", "444444"];
    assert_is_redirect_to(&guess(&guesser, &five).await, "/login");

    let (visitor, done) = app.reset_password_by_link(&sink, ANN, 2).await;
    assert_is_redirect_to(&done, "/login/code");
    let form = visitor.get("/login/code").await;
    let refused = visitor
        .submit(&form, "#code-step", &[("code", &code_now(&app, &secret))])
        .await;

    assert_is_redirect_to(&refused, "/login");
    assert!(!visitor.is_signed_in().await);
    let (failures, locked) = failures_and_lock(&app);
    assert!(locked.is_some(), "still locked");
    assert_eq!(failures, 5);
}

async fn changing_the_second_factor_asks_for_the_password_and_counts_wrong_codes(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (ann, secret, _) = ann_enrolled(&app).await;
    let page = ann.get("/profile/two-factor").await;

    let no_password = ann
        .submit(
            &page,
            "#renew-codes",
            &[("renew_code", &code_now(&app, &secret))],
        )
        .await;
    assert_eq!(no_password.status, 422);
    assert_eq!(
        no_password.texts("#renew_password-error"),
        vec!["Enter your current password."]
    );
    let wrong_password = ann
        .submit(
            &page,
            "#renew-codes",
            &[
                ("renew_password", "somebody else's guess"),
                ("renew_code", &code_now(&app, &secret)),
            ],
        )
        .await;
    assert_eq!(
        wrong_password.texts("#renew_password-error"),
        vec!["That is not your current password."]
    );
    let wrong_code = ann
        .submit(
            &page,
            "#renew-codes",
            &[
                ("renew_password", STRONG_PASSWORD),
                ("renew_code", "000000"),
            ],
        )
        .await;
    assert!(wrong_code.texts("#renew_code-error")[0].starts_with("That code is not right."));

    assert_eq!(
        failures_and_lock(&app).0,
        2,
        "a wrong password and a wrong code count, as at sign-in"
    );
    let codes: i64 = recovery_codes::table
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(codes, 10, "the old codes still stand");
}

async fn a_recovery_code_turns_it_off_when_the_phone_is_lost(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (ann, _, codes) = ann_enrolled(&app).await;
    let page = ann.get("/profile/two-factor").await;

    let off = ann
        .submit(
            &page,
            "#disable-two-factor",
            &[("current_password", STRONG_PASSWORD), ("code", &codes[0])],
        )
        .await;

    assert_is_redirect_to(&off, "/profile/two-factor");
    assert!(!has_two_factor(&mut app.conn(), ANN));
}

async fn the_code_step_runs_out_and_dies_with_a_password_change(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (ann, secret, _) = ann_enrolled(&app).await;

    let slow = app.client();
    slow.sign_in(ANN, STRONG_PASSWORD).await;
    app.clock.advance(chrono::TimeDelta::minutes(6));
    let ran_out = slow.get("/login/code").await;
    assert_is_redirect_to(&ran_out, "/login");
    assert_eq!(
        slow.get("/login").await.flash(),
        vec!["That sign-in has run out. Sign in again."]
    );

    // Signed in elsewhere, Ann changes her password: the waiting code step is void.
    let waiting = app.client();
    waiting.sign_in(ANN, STRONG_PASSWORD).await;
    let form = waiting.get("/login/code").await;
    let change = ann.get("/profile/password").await;
    let new_password = RESET_PASSWORD;
    let changed = ann
        .submit(
            &change,
            "#change-password",
            &[
                ("current_password", STRONG_PASSWORD),
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await;
    assert_is_redirect_to(&changed, "/profile");
    let refused = waiting
        .submit(&form, "#code-step", &[("code", &code_now(&app, &secret))])
        .await;
    assert_is_redirect_to(&refused, "/login");
    assert!(!waiting.is_signed_in().await);
}
