//! Roles, the Admins group, basic settings, and who may reach configuration at all.

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, arrange_member, arrange_user};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{accounts, audit_events, roles, users};
use roster::domain::users::UserStatus;

on_both_backends!(
    roles_are_listed_with_their_rights_and_a_role_someone_holds_is_not_deleted,
    the_admins_group_keeps_at_least_one_and_warns_below_two,
    basic_settings_are_saved_and_used,
    names_and_codes_are_unique_beyond_ascii,
);

const ADMIN: &str = "ada@acme.test";

async fn roles_are_listed_with_their_rights_and_a_role_someone_holds_is_not_deleted(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let list = admin.get("/config/roles").await;
    assert_eq!(
        list.texts("a.role"),
        vec!["Admin", "Editor", "Manager", "Viewer"]
    );
    assert_eq!(
        list.attr("a.role[title^='No rights']", "title").as_deref(),
        Some("No rights: a role for the business only")
    );
    assert!(
        list.attr("a.role[title*='Manage roles']", "title")
            .is_some(),
        "Admin's rights on hover"
    );

    let new = admin.get("/config/roles/new").await;
    let created = admin
        .submit(
            &new,
            "form[action='/config/roles']",
            &[
                ("name", "Auditor"),
                ("description", "Reads the log"),
                ("seat_kind", "light"),
                ("rights", "audit.view"),
                ("rights", "users.view"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let list = admin.get("/config/roles").await;
    assert_eq!(
        list.attr_where_text("a.role", "Auditor", "title")
            .as_deref(),
        Some("View users, View activity")
    );

    let new = admin.get("/config/roles/new").await;
    let dup = admin
        .submit(
            &new,
            "form[action='/config/roles']",
            &[
                ("name", "auditor"),
                ("description", "kept"),
                ("seat_kind", "full"),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.text().contains("Another role already has this name"));
    assert_eq!(dup.texts("#description"), vec!["kept"]);
    let bad = admin
        .submit(
            &new,
            "form[action='/config/roles']",
            &[
                ("name", "Pilot"),
                ("seat_kind", "full"),
                ("rights", "users.fly"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("Choose rights from the list"));

    let auditor: roster::domain::RoleId = roles::table
        .filter(roles::name.eq("Auditor"))
        .select(roles::id)
        .first(&mut backend.conn())
        .unwrap();
    let edit = admin.get(&format!("/config/roles/{}", auditor.0)).await;
    assert_eq!(
        edit.attr("#right-audit\\.view", "checked").as_deref(),
        Some("")
    );
    let saved = admin
        .submit(
            &edit,
            &format!("form[action='/config/roles/{}']", auditor.0),
            &[("rights", "audit.view")],
        )
        .await;
    assert_eq!(saved.status, 303);

    // The permission table: one row per right, one column per role.
    let table = admin.get("/config/permissions").await;
    let header = table.texts("table.matrix thead th");
    assert_eq!(
        header,
        vec!["Right", "Admin", "Auditor", "Editor", "Manager", "Viewer"]
    );
    let html = table.html();
    let rows = scraper::Selector::parse("table.matrix tbody tr").unwrap();
    let cells = scraper::Selector::parse("td").unwrap();
    let row = |code: &str| -> Vec<String> {
        let tr = html
            .select(&rows)
            .find(|tr| tr.text().collect::<String>().contains(code))
            .unwrap();
        tr.select(&cells)
            .map(|td| td.text().collect::<String>().trim().to_owned())
            .collect()
    };
    assert_eq!(row("users.view"), vec!["Yes", "No", "Yes", "Yes", "No"]);
    assert_eq!(row("audit.view"), vec!["Yes", "Yes", "No", "Yes", "No"]);
    assert_eq!(row("roles.manage"), vec!["Yes", "No", "No", "No", "No"]);

    // A role someone holds is not deleted; the message says how many hold it.
    let admin_role: roster::domain::RoleId = roles::table
        .filter(roles::name.eq("Admin"))
        .select(roles::id)
        .first(&mut backend.conn())
        .unwrap();
    let confirm = admin
        .get(&format!("/config/roles/{}/delete", admin_role.0))
        .await;
    assert!(confirm.text().contains("1 user holds the role Admin"));
    let refused = admin.submit(&confirm, "form[action$='/delete']", &[]).await;
    assert_eq!(refused.status, 303);
    assert!(
        admin
            .get("/config/roles")
            .await
            .text()
            .contains("1 user holds the role Admin")
    );
    let confirm = admin
        .get(&format!("/config/roles/{}/delete", auditor.0))
        .await;
    assert_eq!(
        admin
            .submit(&confirm, "form[action$='/delete']", &[])
            .await
            .status,
        303
    );
    let names: Vec<String> = roles::table
        .order(roles::name)
        .select(roles::name)
        .load(&mut backend.conn())
        .unwrap();
    assert_eq!(names, vec!["Admin", "Editor", "Manager", "Viewer"]);
    let events: i64 = audit_events::table
        .filter(audit_events::action.like("role.%"))
        .count()
        .get_result(&mut backend.conn())
        .unwrap();
    assert_eq!(events, 3, "created, updated, deleted");
}

async fn the_admins_group_keeps_at_least_one_and_warns_below_two(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let warning = "only 1 administrator";
    assert!(
        admin.get("/profile").await.text().contains(warning),
        "the warning shows wherever an administrator works"
    );
    let page = admin.get("/config/admins").await;
    assert!(
        page.text()
            .contains("The last administrator cannot be removed")
    );

    let me: roster::domain::UserId = users::table
        .filter(users::email_lower.eq(ADMIN))
        .select(users::id)
        .first(&mut conn)
        .unwrap();
    let confirm = admin.get(&format!("/config/admins/{}/remove", me.0)).await;
    let refused = admin.submit(&confirm, "form[action$='/remove']", &[]).await;
    assert_eq!(refused.status, 303);
    assert!(
        admin
            .get("/config/admins")
            .await
            .text()
            .contains("must keep at least one administrator")
    );

    arrange_user(&mut conn, "ivy@acme.test", UserStatus::Invited, None);
    let (grace, _) = arrange_member(&mut conn, "grace@acme.test", &["Editor"]);
    for (email, message) in [
        (
            "ivy@acme.test",
            "Only active users who have accepted their invitation",
        ),
        ("nobody@acme.test", "No user of this account has this email"),
        (ADMIN, "already an administrator"),
    ] {
        let page = admin.get("/config/admins").await;
        let answer = admin
            .submit(&page, "form[action='/config/admins']", &[("email", email)])
            .await;
        assert_eq!(answer.status, 422, "{email}");
        assert!(answer.text().contains(message), "{email}");
        assert_eq!(answer.attr("#email", "value").as_deref(), Some(email));
    }
    let page = admin.get("/config/admins").await;
    let added = admin
        .submit(
            &page,
            "form[action='/config/admins']",
            &[("email", "Grace@acme.test")],
        )
        .await;
    assert_eq!(added.status, 303);
    assert!(
        !admin.get("/profile").await.text().contains(warning),
        "two administrators: no warning"
    );

    let grace_client = app.signed_in("grace@acme.test").await;
    let nav = grace_client.get("/profile").await.texts("nav a");
    assert!(nav.contains(&"Configuration".to_owned()), "{nav:?}");
    assert_eq!(grace_client.get("/config/admins").await.status, 200);

    let confirm = admin
        .get(&format!("/config/admins/{}/remove", grace.0))
        .await;
    assert_eq!(
        admin
            .submit(&confirm, "form[action$='/remove']", &[])
            .await
            .status,
        303
    );
    assert_eq!(
        grace_client.get("/config/admins").await.status,
        403,
        "no longer an administrator, at once"
    );
    let events: i64 = audit_events::table
        .filter(audit_events::action.like("admins.%"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(events, 2);
}

async fn basic_settings_are_saved_and_used(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let page = admin.get("/config/settings").await;
    for (field, value) in [
        ("invitation_valid_hours", "24"),
        ("lockout_threshold", "5"),
        ("lockout_minutes", "15"),
        ("session_idle_minutes", "30"),
        ("session_absolute_minutes", "720"),
        ("full_seat_limit", ""),
    ] {
        assert_eq!(
            page.attr(&format!("#{field}"), "value").as_deref(),
            Some(value),
            "{field}"
        );
    }
    assert_eq!(page.attr("#weekly_letter", "checked").as_deref(), Some(""));
    assert_eq!(page.attr("#require_2fa", "checked"), None);

    let form = "form[action='/config/settings']";
    let bad = admin
        .submit(
            &page,
            form,
            &[
                ("lockout_threshold", "abc"),
                ("session_idle_minutes", "2"),
                ("weekly_letter", "on"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.texts("#lockout_threshold-error")[0].contains("from 1 to 100"));
    assert!(bad.texts("#session_idle_minutes-error")[0].contains("from 5 to 1440"));
    assert_eq!(
        bad.attr("#lockout_threshold", "value").as_deref(),
        Some("abc"),
        "input kept"
    );

    // A browser leaves an unchecked box out: weekly_letter is not sent.
    let token = page.attr("input[name=csrf_token]", "value").unwrap();
    let saved = admin
        .post(
            "/config/settings",
            &[
                ("csrf_token", token.as_str()),
                ("invitation_valid_hours", "48"),
                ("lockout_threshold", "2"),
                ("lockout_minutes", "0"),
                ("session_idle_minutes", "30"),
                ("session_absolute_minutes", "720"),
                ("full_seat_limit", "50"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let mut conn = backend.conn();
    let stored: (i32, i32, Option<i32>, bool) = accounts::table
        .select((
            accounts::lockout_threshold,
            accounts::lockout_minutes,
            accounts::full_seat_limit,
            accounts::weekly_letter,
        ))
        .first(&mut conn)
        .unwrap();
    assert_eq!(stored, (2, 0, Some(50), false), "an unchecked box is off");

    // The new threshold and "until an administrator unlocks" take effect.
    let client = app.client();
    client.sign_in(ADMIN, "not the password at all").await;
    client.sign_in(ADMIN, "not the password at all").await;
    app.clock.advance(chrono::TimeDelta::days(2));
    assert_eq!(
        client.sign_in(ADMIN, STRONG_PASSWORD).await.status,
        200,
        "still locked two days later"
    );
}

/// SQLite's lower() folds only ASCII: the application lowers names itself, so "Équipe" and
/// "équipe" are the same role on both backends.
async fn names_and_codes_are_unique_beyond_ascii(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let new = admin.get("/config/roles/new").await;
    let first = admin
        .submit(
            &new,
            "form[action='/config/roles']",
            &[("name", "Équipe"), ("seat_kind", "full")],
        )
        .await;
    assert_eq!(first.status, 303);
    let new = admin.get("/config/roles/new").await;
    let again = admin
        .submit(
            &new,
            "form[action='/config/roles']",
            &[("name", "équipe"), ("seat_kind", "full")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.text().contains("Another role already has this name"));

    let page = admin.get("/config/companies").await;
    let add = admin
        .submit(
            &page,
            "form[action='/config/companies']",
            &[("name", "Ärzte Nord"), ("code", "ÄRZTE")],
        )
        .await;
    assert_eq!(add.status, 303);
    let page = admin.get("/config/companies").await;
    let dup = admin
        .submit(
            &page,
            "form[action='/config/companies']",
            &[("name", "Ärzte Süd"), ("code", "ärzte")],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.text().contains("already has this code"));
}
