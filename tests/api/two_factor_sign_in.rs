//! Two-factor authentication from the user's side: setting it up on My Profile, the code
//! step after the password, codes used once (one after the other and at the same moment),
//! one step of skew, recovery codes, wrong codes toward the lockout, the half-signed-in
//! session reaching no page, the account choice before the code, and turning it off.
//! Codes are computed by the test (helpers::totp), not by the server's library.

use crate::helpers::totp::{
    code_for_step, code_now, enrol, next_step, sign_in_with_code, steady, step_now,
};
use crate::helpers::{
    Backend, STRONG_PASSWORD, SmtpSink, TestApp, arrange_member, assert_is_redirect_to,
    events_about, other_account, subjects_to,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{recovery_codes, users};
use roster::web::router::{Need, route_table};

on_both_backends!(
    a_user_sets_up_two_factor_with_the_key_shown_and_gets_ten_recovery_codes,
    a_wrong_code_at_setup_keeps_it_off_and_shows_the_same_key,
    signing_in_asks_for_the_code_after_the_password_and_renews_the_session,
    a_code_signs_in_once_and_is_refused_the_second_time,
    two_sign_ins_with_the_same_code_at_the_same_moment_let_only_one_in,
    a_code_one_step_old_is_accepted_and_two_steps_old_is_refused,
    a_recovery_code_signs_in_once_and_the_user_is_told,
    new_recovery_codes_void_the_old_ones,
    wrong_codes_count_toward_the_lockout,
    a_half_signed_in_session_reaches_no_page,
    the_account_choice_comes_before_the_code_step,
    turning_it_off_needs_the_password_and_a_code,
    a_password_reset_link_does_not_skip_the_code,
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
    assert!(
        !stored.contains(&enrolled.secret),
        "the secret is sealed at rest, not kept as shown"
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
    assert!(
        hashes
            .iter()
            .all(|h| enrolled.recovery_codes.iter().all(|c| !h.contains(&c[..8]))),
        "recovery codes are stored hashed"
    );
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
    let secret = setup.texts("#totp-secret").join("");
    let wrong = code_for_step(&secret, step_now(&app) - 5);
    let refused = ann.submit(&setup, "#enrol", &[("code", &wrong)]).await;

    assert_eq!(refused.status, 422);
    assert!(refused.texts("#code-error")[0].starts_with("That code is not right."));
    assert_eq!(
        refused.texts("#totp-secret").join(""),
        secret,
        "the same key: the app already holds it"
    );
    let stored: Option<String> = users::table
        .filter(users::email.eq(ANN))
        .select(users::totp_secret)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(stored, None);
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

async fn a_code_one_step_old_is_accepted_and_two_steps_old_is_refused(backend: Backend) {
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
            &[("renew_code", &code_now(&app, &secret))],
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
