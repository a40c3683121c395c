//! A user's page (/users/{id}) and its User Info tab: names link to it, an administrator
//! edits a user's names, user name and phone; bad input and a taken user name are refused
//! with the input kept; a save over someone else's change is refused with both shown; and
//! the policy decides who opens and who edits.

use crate::helpers::{
    Backend, TestApp, add_company, arrange_member, arrange_membership, arrange_user,
    assert_is_redirect_to, first_company,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{audit_events, users};
use roster::domain::users::UserStatus;

on_both_backends!(
    every_name_in_the_user_list_opens_that_users_page,
    an_administrator_renames_a_user_and_the_new_name_shows_in_the_list_and_the_log,
    user_info_with_bad_input_is_refused_with_the_input_kept,
    a_user_name_another_user_of_the_account_has_is_refused,
    a_save_over_someone_elses_change_is_refused_and_shows_both,
    a_manager_of_one_company_cannot_open_a_user_only_in_another,
    a_manager_sees_but_cannot_edit_a_user_who_also_works_where_they_lack_the_right,
);

const ADMIN: &str = "ada@acme.test";

async fn every_name_in_the_user_list_opens_that_users_page(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);

    let list = admin.get("/users").await;
    let href = list.attr_where_text("td a", "ann@acme.test", "href");
    assert_eq!(href, Some(format!("/users/{}", ann.0)));
    let page = admin.get(&format!("/users/{}", ann.0)).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.title(), "ann@acme.test");
    assert!(page.text().contains("Active"));
    assert_eq!(
        page.attr("nav.tabs a[aria-current=page]", "href"),
        Some(format!("/users/{}", ann.0))
    );
}

async fn an_administrator_renames_a_user_and_the_new_name_shows_in_the_list_and_the_log(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    let path = format!("/users/{}", ann.0);

    let page = admin.get(&path).await;
    let saved = admin
        .submit(
            &page,
            "#user-info",
            &[
                ("first_name", "Anna"),
                ("last_name", "Lee"),
                ("display_name", ""),
                ("username", "anna"),
                ("phone", "+48 12 345"),
            ],
        )
        .await;
    assert_is_redirect_to(&saved, &path);
    let page = admin.get(&path).await;
    assert_eq!(page.flash(), vec!["Anna Lee saved.".to_owned()]);
    assert_eq!(
        page.title(),
        "Anna Lee",
        "an empty displayed name is First Last"
    );
    assert_eq!(page.attr("#username", "value").as_deref(), Some("anna"));

    let list = admin.get("/users").await;
    assert!(list.texts("td a").contains(&"Anna Lee".to_owned()));
    let mut conn = app.conn();
    let detail: String = audit_events::table
        .filter(audit_events::action.eq("user.edited"))
        .filter(audit_events::target_user_id.eq(ann))
        .select(audit_events::detail)
        .first(&mut conn)
        .unwrap();
    assert!(detail.contains("First name: Test → Anna"), "{detail}");
    assert!(detail.contains("User name: (none) → anna"), "{detail}");
    // The new user name signs in.
    assert!(
        app.client()
            .sign_in("anna", crate::helpers::STRONG_PASSWORD)
            .await
            .status
            == 303
    );
}

async fn user_info_with_bad_input_is_refused_with_the_input_kept(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    let path = format!("/users/{}", ann.0);
    let long = "x".repeat(101);

    let page = admin.get(&path).await;
    let refused = admin
        .submit(
            &page,
            "#user-info",
            &[
                ("first_name", "Anna"),
                ("last_name", &long),
                ("username", "an na"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(!refused.texts("#last_name-error").is_empty());
    assert!(refused.texts("#username-error")[0].contains("no spaces or @"));
    assert_eq!(
        refused.attr("#first_name", "value").as_deref(),
        Some("Anna")
    );
    assert_eq!(refused.attr("#username", "value").as_deref(), Some("an na"));
    let first: String = users::table
        .find(ann)
        .select(users::first_name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(first, "Test", "nothing was stored");
}

async fn a_user_name_another_user_of_the_account_has_is_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    arrange_user(&mut conn, "bob@acme.test", UserStatus::Active, Some("Bob"));
    let (ann, _) = arrange_member(&mut conn, "ann@acme.test", &["Editor"]);

    let page = admin.get(&format!("/users/{}", ann.0)).await;
    let refused = admin
        .submit(&page, "#user-info", &[("username", "bob")])
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.texts("#username-error"),
        vec!["Another user of the account has this user name.".to_owned()]
    );
}

async fn a_save_over_someone_elses_change_is_refused_and_shows_both(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let (ann, _) = arrange_member(&mut app.conn(), "ann@acme.test", &["Editor"]);
    let path = format!("/users/{}", ann.0);
    let other = app
        .signed_in_as_role("Admin", first_company(&mut app.conn()))
        .await;

    let mine = admin.get(&path).await;
    let theirs = other.get(&path).await;
    let first = other
        .submit(&theirs, "#user-info", &[("phone", "111")])
        .await;
    assert_is_redirect_to(&first, &path);
    let refused = admin.submit(&mine, "#user-info", &[("phone", "222")]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.text().contains("changed by someone else"));
    assert!(refused.texts("#changed dd").contains(&"111".to_owned()));
    assert_eq!(refused.attr("#phone", "value").as_deref(), Some("222"));
    let phone: String = users::table
        .find(ann)
        .select(users::phone)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(phone, "111", "the other save stands");

    // Saved again from the refusal, it goes through: the form now carries the new version.
    let again = admin.submit(&refused, "#user-info", &[]).await;
    assert_is_redirect_to(&again, &path);
}

async fn a_manager_of_one_company_cannot_open_a_user_only_in_another(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "SOUTH");
    let sam = arrange_user(&mut conn, "sam@acme.test", UserStatus::Active, None);
    arrange_membership(&mut conn, sam, south, &["Editor"]);
    let manager = app.signed_in_as_role("Manager", north).await;

    let path = format!("/users/{}", sam.0);
    assert_eq!(manager.get(&path).await.status, 403);
    let page = manager.get("/profile").await;
    let token = page.attr("input[name=csrf_token]", "value").unwrap();
    let refused = manager
        .post(&path, &[("csrf_token", &token), ("first_name", "Hacked")])
        .await;
    assert_eq!(refused.status, 403);
    let first: String = users::table
        .find(sam)
        .select(users::first_name)
        .first(&mut conn)
        .unwrap();
    assert_eq!(first, "Test");
}

async fn a_manager_sees_but_cannot_edit_a_user_who_also_works_where_they_lack_the_right(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "SOUTH");
    let (ann, _) = arrange_member(&mut conn, "ann@acme.test", &["Editor"]);
    arrange_membership(&mut conn, ann, south, &["Editor"]);
    let manager = app.signed_in_as_role("Manager", north).await;

    let path = format!("/users/{}", ann.0);
    let page = manager.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.texts("#read-only")[0].contains("every company the user belongs to"));
    assert!(
        page.attr("#user-info", "action").is_none(),
        "no form to send"
    );
    // The sign-out form of the top bar carries the token a crafted post would use.
    let token = page.attr("input[name=csrf_token]", "value").unwrap();
    let refused = manager
        .post(&path, &[("csrf_token", &token), ("first_name", "Renamed")])
        .await;
    assert_eq!(refused.status, 403);

    // Only in North, the same manager may edit her.
    let (bea, _) = arrange_member(&mut conn, "bea@acme.test", &["Editor"]);
    let page = manager.get(&format!("/users/{}", bea.0)).await;
    let saved = manager
        .submit(&page, "#user-info", &[("first_name", "Beatrice")])
        .await;
    assert_is_redirect_to(&saved, &format!("/users/{}", bea.0));
}
