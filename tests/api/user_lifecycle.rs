//! Deactivating a user per company with a Substitute User and reactivating them, blocking
//! and activating, ending a user's sessions; nobody does these to themselves, and the
//! account's last active administrator stays.

use crate::helpers::{
    Backend, STRONG_PASSWORD, SmtpSink, TestApp, access_rows, add_company, arrange_member,
    arrange_membership, assert_is_redirect_to, events_about, first_company, roles_of, user_id,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{accounts, users};

on_both_backends!(
    deactivating_in_every_company_signs_the_user_out_and_reactivate_restores_their_access,
    deactivating_in_one_company_leaves_the_others_and_names_the_substitute,
    a_substitute_must_be_another_active_user_with_access_there,
    blocking_signs_the_user_out_at_once_and_activate_lets_them_back,
    an_administrator_ends_every_session_of_a_user,
    nobody_deactivates_or_blocks_themselves,
    the_last_active_administrator_cannot_be_blocked,
    reactivating_over_the_full_seat_limit_is_refused,
    deleting_a_user_frees_their_email_and_keeps_their_name_on_past_activity,
    deleting_needs_users_delete,
    one_substitute_for_all_companies_must_be_active_in_each_of_them,
    a_deleted_users_invitation_link_no_longer_works,
    a_user_deactivated_everywhere_is_reactivated_before_joining_another_company,
);

const ADMIN: &str = "ada@acme.test";
const ANN: &str = "ann@acme.test";
const BOB: &str = "bob@acme.test";

fn status_of(app: &TestApp, email: &str) -> String {
    users::table
        .filter(users::email.eq(email))
        .select(users::status)
        .first(&mut app.conn())
        .unwrap()
}

async fn deactivating_in_every_company_signs_the_user_out_and_reactivate_restores_their_access(
    backend: Backend,
) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let company = first_company(&mut conn);
    let (ann, _) = arrange_member(&mut conn, ANN, &["Editor"]);
    let (bob, _) = arrange_member(&mut conn, BOB, &["Viewer"]);
    let ann_browser = app.signed_in(ANN).await;

    let form = admin.get(&format!("/users/{}/deactivate", ann.0)).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let done = admin
        .submit(
            &form,
            "#deactivate",
            &[(&format!("substitute_{company}"), &bob.0.to_string())],
        )
        .await;
    assert_is_redirect_to(&done, &format!("/users/{}/companies", ann.0));

    assert_eq!(status_of(&app, ANN), "deactivated");
    assert!(
        !ann_browser.is_signed_in().await,
        "signed out at the next request"
    );
    assert_ne!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![(company, "Editor".to_owned())]
    );
    let told = sink.wait_for(1).await;
    assert_eq!(told[0].to, vec![BOB]);
    assert!(told[0].text().contains("you are their substitute"));
    assert_eq!(events_about(&mut conn, "user.deactivated", ANN), 1);

    // Reactivate from the Deactivated tab's row.
    let tab = admin.get("/users?status=deactivated").await;
    let link = tab
        .attr_where_text("td.actions a", "Reactivate", "href")
        .unwrap_or_else(|| panic!("no Reactivate on {}", tab.text()));
    let form = admin.get(&link).await;
    let done = admin.submit(&form, "#reactivate", &[]).await;
    assert_is_redirect_to(&done, &format!("/users/{}/companies", ann.0));
    assert_eq!(status_of(&app, ANN), "active");
    assert_eq!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![(company, "Editor".to_owned())]
    );
    assert_eq!(events_about(&mut conn, "user.reactivated", ANN), 1);
}

async fn deactivating_in_one_company_leaves_the_others_and_names_the_substitute(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, ANN, &["Editor"]);
    arrange_membership(&mut conn, ann, south, &["Editor"]);
    let (bob, _) = arrange_member(&mut conn, BOB, &["Viewer"]);
    let form = admin.get(&format!("/users/{}/deactivate", ann.0)).await;

    let done = admin
        .submit_changes(
            &form,
            "#deactivate",
            &[],
            &[("company", &south.to_string())],
            &[(&format!("substitute_{north}"), &bob.0.to_string())],
        )
        .await;

    assert_is_redirect_to(&done, &format!("/users/{}/companies", ann.0));
    assert_eq!(status_of(&app, ANN), "active", "still active in South");
    assert_eq!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
    let companies = admin.get(&format!("/users/{}/companies", ann.0)).await;
    let text = companies.texts("#companies tbody tr").join(" | ");
    assert!(
        text.contains("Deactivated · substitute bob@acme.test"),
        "{text}"
    );
    let list = admin.get("/users?q=ann%40acme.test").await;
    assert_eq!(
        list.texts("td.status .substitute"),
        vec!["Substitute: bob@acme.test".to_owned()]
    );
}

async fn a_substitute_must_be_another_active_user_with_access_there(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let company = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, ANN, &["Editor"]);
    let (blocked, _) = arrange_member(&mut conn, BOB, &["Viewer"]);
    diesel::update(users::table.find(blocked))
        .set(users::status.eq("blocked"))
        .execute(&mut conn)
        .unwrap();
    let elsewhere = crate::helpers::arrange_user(
        &mut conn,
        "sam@acme.test",
        roster::domain::users::UserStatus::Active,
        None,
    );
    arrange_membership(&mut conn, elsewhere, south, &["Viewer"]);
    let form = admin.get(&format!("/users/{}/deactivate", ann.0)).await;
    let before = access_rows(&mut conn);

    for substitute in [ann, blocked, elsewhere] {
        let refused = admin
            .submit(
                &form,
                "#deactivate",
                &[(&format!("substitute_{company}"), &substitute.0.to_string())],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused.texts("#deactivate-error")[0]
                .contains("must be another active user with access there"),
            "{}",
            refused.text()
        );
    }
    assert_eq!(access_rows(&mut conn), before);
    assert_eq!(status_of(&app, ANN), "active");
}

async fn blocking_signs_the_user_out_at_once_and_activate_lets_them_back(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let ann_browser = app.signed_in(ANN).await;

    let confirm = admin.get(&format!("/users/{}/block", ann.0)).await;
    assert!(confirm.text().contains("signed out everywhere now"));
    let done = admin.submit(&confirm, "main form", &[]).await;
    assert_is_redirect_to(&done, &format!("/users/{}", ann.0));

    assert_eq!(status_of(&app, ANN), "blocked");
    assert!(!ann_browser.is_signed_in().await);
    assert_ne!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
    let page = admin.get(&format!("/users/{}", ann.0)).await;
    assert!(
        page.attr(&format!("a[href='/users/{}/activate']", ann.0), "href")
            .is_some()
    );

    let confirm = admin.get(&format!("/users/{}/activate", ann.0)).await;
    let done = admin.submit(&confirm, "main form", &[]).await;
    assert_is_redirect_to(&done, &format!("/users/{}", ann.0));
    assert_eq!(status_of(&app, ANN), "active");
    assert_eq!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
    assert_eq!(events_about(&mut app.conn(), "user.blocked", ANN), 1);
    assert_eq!(events_about(&mut app.conn(), "user.activated", ANN), 1);
}

async fn an_administrator_ends_every_session_of_a_user(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let laptop = app.signed_in(ANN).await;
    let phone = app.signed_in(ANN).await;

    let confirm = admin.get(&format!("/users/{}/sessions/end", ann.0)).await;
    let done = admin.submit(&confirm, "main form", &[]).await;

    assert_is_redirect_to(&done, &format!("/users/{}", ann.0));
    assert!(!laptop.is_signed_in().await);
    assert!(!phone.is_signed_in().await);
    assert_eq!(status_of(&app, ANN), "active", "they may sign in again");
    assert_eq!(app.client().sign_in(ANN, STRONG_PASSWORD).await.status, 303);
}

async fn nobody_deactivates_or_blocks_themselves(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let me = user_id(&mut app.conn(), ADMIN);
    let page = admin.get(&format!("/users/{}", me.0)).await;
    assert!(
        page.texts("p.person-actions a")
            .iter()
            .all(|a| !a.contains("Block") && !a.contains("Deactivate"))
    );
    let token = page.attr("input[name=csrf_token]", "value").unwrap();
    for path in ["block", "deactivate"] {
        let refused = admin
            .post(
                &format!("/users/{}/{path}", me.0),
                &[("csrf_token", &token)],
            )
            .await;
        assert_eq!(refused.status, 403, "{path}");
    }
    assert_eq!(status_of(&app, ADMIN), "active");
}

async fn the_last_active_administrator_cannot_be_blocked(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let _admin = app.first_admin(ADMIN).await;
    let company = first_company(&mut app.conn());
    let ada = user_id(&mut app.conn(), ADMIN);
    let manager = app.signed_in_as_role("Manager", company).await;

    let confirm = manager.get(&format!("/users/{}/block", ada.0)).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    let refused = manager.submit(&confirm, "main form", &[]).await;
    let page = manager.get(refused.location()).await;

    assert!(
        page.text()
            .contains("the account's last active administrator"),
        "{}",
        page.text()
    );
    assert_eq!(status_of(&app, ADMIN), "active");
}

async fn reactivating_over_the_full_seat_limit_is_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Editor"]);
    let form = admin.get(&format!("/users/{}/deactivate", ann.0)).await;
    admin.submit(&form, "#deactivate", &[]).await;
    assert_eq!(status_of(&app, ANN), "deactivated");
    // Ada's Admin role is the one full seat left.
    diesel::update(accounts::table)
        .set(accounts::full_seat_limit.eq(Some(1)))
        .execute(&mut app.conn())
        .unwrap();

    let form = admin.get(&format!("/users/{}/reactivate", ann.0)).await;
    let refused = admin.submit(&form, "#reactivate", &[]).await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.texts("#reactivate-error")[0].contains("Not enough full seats"));
    assert_eq!(status_of(&app, ANN), "deactivated");
}

async fn deleting_a_user_frees_their_email_and_keeps_their_name_on_past_activity(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let (ann, _) = arrange_member(&mut conn, ANN, &["Editor"]);
    diesel::update(users::table.find(ann))
        .set(users::display_name.eq("Ann Lee"))
        .execute(&mut conn)
        .unwrap();
    let ann_browser = app.signed_in(ANN).await;
    // Something Ada did to Ann, on Ada's activity.
    let confirm = admin.get(&format!("/users/{}/sessions/end", ann.0)).await;
    admin.submit(&confirm, "main form", &[]).await;

    let confirm = admin.get(&format!("/users/{}/delete", ann.0)).await;
    assert!(confirm.text().contains("This cannot be undone."));
    let done = admin.submit(&confirm, "main form", &[]).await;
    assert_is_redirect_to(&done, "/users");

    let left: i64 = users::table
        .filter(users::email.eq(ANN))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(left, 0);
    assert!(!ann_browser.is_signed_in().await);
    let ada = user_id(&mut conn, ADMIN);
    let activity = admin.get(&format!("/users/{}/activity", ada.0)).await;
    assert!(
        activity.text().contains("Ann Lee (deleted)"),
        "{}",
        activity.text()
    );
    let again = app.invite_without_email(&admin, ANN).await;
    assert_eq!(again.texts("#invited li"), vec![ANN]);
}

async fn deleting_needs_users_delete(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let _admin = app.first_admin(ADMIN).await;
    let company = first_company(&mut app.conn());
    let (ann, _) = arrange_member(&mut app.conn(), ANN, &["Viewer"]);
    let manager = app.signed_in_as_role("Manager", company).await;

    let page = manager.get(&format!("/users/{}", ann.0)).await;
    assert!(
        !page
            .texts("p.person-actions a")
            .iter()
            .any(|a| a.contains("Delete"))
    );
    let token = page.attr("input[name=csrf_token]", "value").unwrap();
    let refused = manager
        .post(
            &format!("/users/{}/delete", ann.0),
            &[("csrf_token", &token)],
        )
        .await;

    assert_eq!(refused.status, 403);
    assert_eq!(status_of(&app, ANN), "active");
}

async fn one_substitute_for_all_companies_must_be_active_in_each_of_them(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let south = add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, ANN, &["Editor"]);
    arrange_membership(&mut conn, ann, south, &["Editor"]);
    // Bob works in the first company only; Cleo in both.
    let (bob, _) = arrange_member(&mut conn, BOB, &["Viewer"]);
    let (cleo, _) = arrange_member(&mut conn, "cleo@acme.test", &["Viewer"]);
    arrange_membership(&mut conn, cleo, south, &["Viewer"]);
    let form = admin.get(&format!("/users/{}/deactivate", ann.0)).await;
    assert_eq!(
        form.texts("#substitute_all option"),
        vec![
            "As chosen per company".to_owned(),
            "cleo@acme.test (cleo@acme.test)".to_owned()
        ],
        "only who is active in every company is offered for all"
    );
    let before = access_rows(&mut conn);

    for refused_one in [bob, ann] {
        let refused = admin
            .submit(
                &form,
                "#deactivate",
                &[("substitute_all", &refused_one.0.to_string())],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
    }
    assert_eq!(access_rows(&mut conn), before);

    let done = admin
        .submit(
            &form,
            "#deactivate",
            &[("substitute_all", &cleo.0.to_string())],
        )
        .await;
    assert_is_redirect_to(&done, &format!("/users/{}/companies", ann.0));
    let page = admin.get(&format!("/users/{}/companies", ann.0)).await;
    let standing: Vec<String> = page
        .texts("#companies tbody td")
        .into_iter()
        .filter(|t| t.starts_with("Deactivated"))
        .collect();
    assert_eq!(standing.len(), 2);
    assert!(
        standing
            .iter()
            .all(|s| s == "Deactivated · substitute cleo@acme.test")
    );
}

async fn a_deleted_users_invitation_link_no_longer_works(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let app = TestApp::spawn_with_smtp(&backend, &sink).await;
    let admin = app.first_admin(ADMIN).await;
    app.invite(&admin, "new@acme.test").await;
    let link = sink.wait_for(1).await[0].link_path();
    assert_eq!(app.client().get(&link).await.status, 200);
    let new = user_id(&mut app.conn(), "new@acme.test");

    let confirm = admin.get(&format!("/users/{}/delete", new.0)).await;
    admin.submit(&confirm, "main form", &[]).await;

    assert_eq!(app.client().get(&link).await.status, 404);
}

async fn a_user_deactivated_everywhere_is_reactivated_before_joining_another_company(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let south = add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, ANN, &["Editor"]);
    let form = admin.get(&format!("/users/{}/deactivate", ann.0)).await;
    admin.submit(&form, "#deactivate", &[]).await;
    assert_eq!(status_of(&app, ANN), "deactivated");
    let before = access_rows(&mut conn);

    // On the Companies tab's Add to company…
    let chosen = admin
        .get(&format!("/users/{}/access/roles?add={south}", ann.0))
        .await;
    let viewer = crate::helpers::role_id(&mut conn, "Viewer").to_string();
    let name = format!("role_{south}");
    let refused = admin
        .submit_changes(
            &chosen,
            "#access-form",
            &[(&name, &viewer)],
            &[],
            &[("go", "save")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.texts("#access-error")[0].contains("reactivate them first"));
    // … and in the wizard.
    let done = app.invite_without_email(&admin, ANN).await;
    assert_eq!(
        done.texts("#skipped li"),
        vec![format!(
            "{ANN}: deactivated in every company: reactivate them first, then add companies"
        )]
    );
    assert_eq!(access_rows(&mut conn), before);
}
