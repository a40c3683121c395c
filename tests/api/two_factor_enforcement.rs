//! Two-factor authentication from the administrators' side: Enforce Two-Factor
//! Authentication on a user and Require two-factor authentication for everyone send a user
//! without it to set it up before any other page (at the next sign-in, right after
//! accepting an invitation, after a password reset, and the administrator who turned it
//! on); an administrator resets a user's two-factor authentication; the user list and Basic
//! Settings show who has it, who has not, and who must still set it up.

use crate::helpers::totp::{code_now, enrol, enrol_with, next_step};
use crate::helpers::{
    Backend, RESET_PASSWORD, STRONG_PASSWORD, SmtpSink, TestApp, add_company, arrange_member,
    arrange_membership, assert_is_redirect_to, events_about, first_company, match_count,
    subjects_to,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{accounts, recovery_codes, users};

on_both_backends!(
    an_enforced_user_sets_it_up_at_the_next_request_before_any_other_page,
    requiring_it_for_everyone_sends_the_administrator_to_set_it_up_and_counts_who_is_left,
    an_invited_user_sets_it_up_right_after_accepting_when_it_is_required,
    the_invite_wizard_enforces_two_factor_on_the_invited,
    after_a_password_reset_a_user_who_must_have_it_sets_it_up_first,
    an_administrator_resets_a_users_two_factor_after_confirming,
    resetting_needs_the_right_in_every_company_of_the_user,
    the_user_list_shows_and_filters_on_off_and_required,
);

const ADMIN: &str = "ada@acme.test";
const ANN: &str = "ann@acme.test";

fn require_for_everyone(app: &TestApp) {
    diesel::update(accounts::table)
        .set(accounts::require_2fa.eq(true))
        .execute(&mut app.conn())
        .unwrap();
}

fn has_secret(app: &TestApp, email: &str) -> bool {
    crate::helpers::has_two_factor(&mut app.conn(), email)
}

async fn an_enforced_user_sets_it_up_at_the_next_request_before_any_other_page(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann_id, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let ann = app.signed_in(ANN).await;
    let security = format!("/users/{}/security", ann_id.0);

    let page = admin.get(&security).await;
    let saved = admin
        .submit_changes(&page, "#security", &[("enforce_2fa", "on")], &[], &[])
        .await;
    assert_is_redirect_to(&saved, &security);

    // Already signed in: sent to set it up at the next request, whatever the page.
    for path in ["/profile", "/users", "/profile/password"] {
        assert_is_redirect_to(&ann.get(path).await, "/profile/two-factor");
    }
    let setup = ann.get("/profile/two-factor").await;
    assert_eq!(setup.status, 200);
    assert_eq!(setup.texts("#enrol-required").len(), 1);
    let enrolled = enrol(&app, &ann).await;
    assert_eq!(ann.get("/profile").await.status, 200);

    // Required of her: she cannot turn it off.
    let manage = ann.get("/profile/two-factor").await;
    assert_eq!(manage.texts("#cannot-disable").len(), 1);
    assert!(manage.texts("#disable-two-factor").is_empty());
    let csrf = manage.attr("input[name=csrf_token]", "value").unwrap();
    let refused = ann
        .post(
            "/profile/two-factor/disable",
            &[
                ("csrf_token", &csrf),
                ("current_password", STRONG_PASSWORD),
                ("code", &code_now(&app, &enrolled.secret)),
            ],
        )
        .await;
    assert_is_redirect_to(&refused, "/profile/two-factor");
    assert_eq!(
        ann.get("/profile/two-factor").await.flash(),
        vec!["Two-factor authentication is required for your account: it cannot be turned off."]
    );
    assert!(has_secret(&app, ANN));
}

async fn requiring_it_for_everyone_sends_the_administrator_to_set_it_up_and_counts_who_is_left(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);

    let page = admin.get("/config/settings").await;
    assert_eq!(
        page.texts("#still-to-enrol"),
        vec!["Everyone who must have two-factor authentication has set it up."]
    );
    let saved = admin
        .submit(
            &page,
            "form[action='/config/settings']",
            &[("require_2fa", "on")],
        )
        .await;
    assert_is_redirect_to(&saved, "/config/settings");
    // Not locked out: sent to set it up, and the page works.
    assert_is_redirect_to(&admin.get("/config/settings").await, "/profile/two-factor");
    enrol(&app, &admin).await;

    let after = admin.get("/config/settings").await;
    assert_eq!(after.status, 200);
    assert_eq!(after.attr("#require_2fa", "checked").as_deref(), Some(""));
    assert_eq!(
        after.texts("#still-to-enrol"),
        vec!["1 user must still set up two-factor authentication."]
    );
    let ann = app.signed_in(ANN).await;
    assert_is_redirect_to(&ann.get("/profile").await, "/profile/two-factor");
}

async fn an_invited_user_sets_it_up_right_after_accepting_when_it_is_required(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin(ADMIN).await;
    require_for_everyone(&app);
    enrol(&app, &admin).await;
    app.invite(&admin, "grace@acme.test").await;
    let mails = sink.wait_for(2).await;
    let invitation = mails
        .iter()
        .find(|m| m.text().contains("/invitation/"))
        .expect("an invitation email");
    let link = invitation.link_path();

    let grace = app.client();
    let accept = grace.get(&link).await;
    let accepted = grace
        .submit(
            &accept,
            "form",
            &[
                ("password", STRONG_PASSWORD),
                ("password_confirm", STRONG_PASSWORD),
            ],
        )
        .await;
    assert_is_redirect_to(&accepted, "/profile");
    assert_is_redirect_to(&grace.get("/profile").await, "/profile/two-factor");
    enrol(&app, &grace).await;
    assert_eq!(grace.get("/profile").await.status, 200);
}

async fn the_invite_wizard_enforces_two_factor_on_the_invited(backend: Backend) {
    use crate::helpers::wizard::{FORM, give_role};
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin(ADMIN).await;

    let emails = admin.get("/users/invite").await;
    let info = admin
        .submit(
            &emails,
            FORM,
            &[("emails", "grace@acme.test"), ("go", "next")],
        )
        .await;
    assert_eq!(
        info.attr("#enforce_2fa", "type").as_deref(),
        Some("checkbox")
    );
    let access = admin
        .submit(&info, FORM, &[("enforce_2fa", "on"), ("go", "next")])
        .await;
    let back = admin.submit(&access, FORM, &[("go", "back")]).await;
    assert_eq!(
        back.attr("#enforce_2fa", "checked").as_deref(),
        Some(""),
        "Back keeps the box ticked"
    );
    let access = admin.submit(&back, FORM, &[("go", "next")]).await;
    let access = give_role(&admin, &access, "Viewer").await;
    let done = admin.submit(&access, FORM, &[("go", "invite")]).await;
    assert_eq!(done.status, 200, "{}", done.text());
    let enforced: bool = users::table
        .filter(users::email.eq("grace@acme.test"))
        .select(users::enforce_2fa)
        .first(&mut app.conn())
        .unwrap();
    assert!(enforced, "the box carried through the wizard's steps");

    let link = sink.wait_for(1).await[0].link_path();
    let grace = app.client();
    let accept = grace.get(&link).await;
    let fields = [
        ("password", STRONG_PASSWORD),
        ("password_confirm", STRONG_PASSWORD),
    ];
    assert_is_redirect_to(&grace.submit(&accept, "form", &fields).await, "/profile");
    assert_is_redirect_to(&grace.get("/profile").await, "/profile/two-factor");
}

async fn after_a_password_reset_a_user_who_must_have_it_sets_it_up_first(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    require_for_everyone(&app);

    let (visitor, done) = app.reset_password_by_link(&sink, ANN, 1).await;

    assert_is_redirect_to(&done, "/profile");
    assert_is_redirect_to(&visitor.get("/profile").await, "/profile/two-factor");
    enrol_with(&app, &visitor, RESET_PASSWORD).await;
    assert_eq!(visitor.get("/profile").await.status, 200);
}

async fn an_administrator_resets_a_users_two_factor_after_confirming(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann_id, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let ann = app.signed_in(ANN).await;
    enrol(&app, &ann).await;

    let security = admin.get(&format!("/users/{}/security", ann_id.0)).await;
    assert_eq!(security.texts("#two-factor"), vec!["On"]);
    let confirm_path = security.attr("#reset-two-factor", "href").unwrap();
    let confirm = admin.get(&confirm_path).await;
    assert!(
        confirm.text().contains("signed out everywhere"),
        "the confirmation says what happens: {}",
        confirm.text()
    );
    assert!(
        has_secret(&app, ANN),
        "opening the confirmation changes nothing"
    );
    let done = admin.submit(&confirm, "main form", &[]).await;
    assert_is_redirect_to(&done, &format!("/users/{}/security", ann_id.0));

    assert!(!has_secret(&app, ANN));
    let mut conn = app.conn();
    let codes: i64 = recovery_codes::table.count().get_result(&mut conn).unwrap();
    assert_eq!(codes, 0, "her recovery codes are gone too");
    assert_eq!(events_about(&mut conn, "user.two_factor_reset", ANN), 1);
    assert!(
        subjects_to(&mut conn, ANN)
            .iter()
            .any(|s| s.starts_with("Two-factor authentication for ") && s.ends_with(": reset"))
    );
    assert!(!ann.is_signed_in().await, "her sessions ended");
    next_step(&app);
    let again = app.client();
    assert_is_redirect_to(&again.sign_in(ANN, STRONG_PASSWORD).await, "/profile");
}

async fn resetting_needs_the_right_in_every_company_of_the_user(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let north = first_company(&mut app.conn());
    let south = add_company(&mut app.conn(), "South", "S");
    let (ann_id, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    arrange_membership(&mut app.conn(), ann_id, south, &["Viewer"]);
    let ann = app.signed_in(ANN).await;
    enrol(&app, &ann).await;
    let manager = app
        .signed_in_with_roles("max@acme.test", &[(north, &["Manager"])])
        .await;

    let path = format!("/users/{}/two-factor/reset", ann_id.0);
    assert_eq!(manager.get(&path).await.status, 403);
    let csrf = manager
        .get("/profile")
        .await
        .attr("input[name=csrf_token]", "value")
        .unwrap();
    assert_eq!(
        manager.post(&path, &[("csrf_token", &csrf)]).await.status,
        403
    );
    assert!(has_secret(&app, ANN));
    let security = manager.get(&format!("/users/{}/security", ann_id.0)).await;
    assert!(
        security.texts("#reset-two-factor").is_empty(),
        "no button that fails"
    );
    // Nor on oneself: that is My Profile's.
    let me = crate::helpers::user_id(&mut app.conn(), ADMIN);
    let own = admin
        .get(&format!("/users/{}/two-factor/reset", me.0))
        .await;
    assert_eq!(own.status, 403);

    // With users.edit in both of her companies, a manager may; and since it is enforced on
    // her, Ann sets it up again at her next sign-in.
    diesel::update(users::table.filter(users::email.eq(ANN)))
        .set(users::enforce_2fa.eq(true))
        .execute(&mut app.conn())
        .unwrap();
    let both = app
        .signed_in_with_roles(
            "mia@acme.test",
            &[(north, &["Manager"]), (south, &["Manager"])],
        )
        .await;
    let confirm = both.get(&path).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .text()
            .contains("set it up again at their next sign-in")
    );
    assert_is_redirect_to(
        &both.submit(&confirm, "main form", &[]).await,
        &format!("/users/{}/security", ann_id.0),
    );
    assert!(!has_secret(&app, ANN));
    let again = app.signed_in(ANN).await;
    assert_is_redirect_to(&again.get("/profile").await, "/profile/two-factor");
}

async fn the_user_list_shows_and_filters_on_off_and_required(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    arrange_member(&mut app.conn(), "bob@acme.test", &["Viewer"]);
    let ann = app.signed_in(ANN).await;
    enrol(&app, &ann).await;
    diesel::update(users::table.filter(users::email.eq("bob@acme.test")))
        .set(users::enforce_2fa.eq(true))
        .execute(&mut app.conn())
        .unwrap();

    let list = admin.get("/users?sort=email").await;
    assert_eq!(
        list.texts("td.two-factor"),
        vec!["Off", "On", "Required but not enrolled"],
        "ada, ann, bob"
    );
    assert_eq!(match_count(&admin.get("/users?two_factor=on").await), 1);
    assert_eq!(match_count(&admin.get("/users?two_factor=off").await), 1);
    assert_eq!(
        match_count(&admin.get("/users?two_factor=required").await),
        1
    );
    let bad = admin.get("/users?two_factor=maybe").await;
    assert_eq!(bad.status, 400);

    // Required of everyone: nobody without it is merely Off.
    enrol(&app, &admin).await;
    require_for_everyone(&app);
    assert_eq!(match_count(&admin.get("/users?two_factor=off").await), 0);
    assert_eq!(
        match_count(&admin.get("/users?two_factor=required").await),
        1
    );
    let csv = admin.get("/users/export.csv?sort=email").await;
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].ends_with(",2FA"), "{}", lines[0]);
    assert!(
        lines[1].ends_with(",On") && lines[2].ends_with(",On"),
        "{csv:?}",
        csv = lines
    );
    assert!(
        lines[3].ends_with(",Required but not enrolled"),
        "{}",
        lines[3]
    );
}
