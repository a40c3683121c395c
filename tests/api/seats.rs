//! The account's full seat limit, wherever a full seat would be taken: inviting with a
//! full-seat role, changing a role from light to full; light seats are never counted; two
//! administrators racing for the last seat get exactly one.

use crate::helpers::wizard::{FORM, give_role, to_access_without_roles};
use crate::helpers::{
    Backend, TestApp, access_rows, arrange_member, first_company, role_id, roles_of,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::accounts;

on_both_backends!(
    an_invitation_past_the_full_seat_limit_is_refused_naming_the_limit,
    a_light_seat_role_is_given_past_the_limit,
    changing_a_role_from_light_to_full_past_the_limit_is_refused,
    two_administrators_racing_for_the_last_full_seat_get_exactly_one,
);

const ADMIN: &str = "ada@acme.test";

/// The account's full seat limit, as Settings would save it. The first administrator holds
/// Admin (a full seat).
fn limit_full_seats(app: &TestApp, limit: i32) {
    diesel::update(accounts::table)
        .set(accounts::full_seat_limit.eq(Some(limit)))
        .execute(&mut app.conn())
        .unwrap();
}

async fn an_invitation_past_the_full_seat_limit_is_refused_naming_the_limit(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    limit_full_seats(&app, 1);
    let access = to_access_without_roles(&admin, "new@acme.test").await;
    let access = give_role(&admin, &access, "Editor").await;
    let before = access_rows(&mut app.conn());

    let refused = admin.submit(&access, FORM, &[("go", "invite")]).await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.texts("#wizard-error"),
        vec![
            "Not enough full seats: this needs 1 full seat, and the account's limit is 1 with 1 \
             in use (none is free). Choose a light-seat role, free a seat, or raise the limit \
             in Settings."
                .to_owned()
        ]
    );
    assert_eq!(access_rows(&mut app.conn()), before, "nothing stored");
}

async fn a_light_seat_role_is_given_past_the_limit(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    limit_full_seats(&app, 1);

    let done = app.invite_without_email(&admin, "light@acme.test").await;

    assert_eq!(done.texts("#invited li"), vec!["light@acme.test"]);
    let company = first_company(&mut app.conn());
    assert_eq!(
        roles_of(&mut app.conn(), "light@acme.test"),
        vec![(company, "Viewer".to_owned())]
    );
}

async fn changing_a_role_from_light_to_full_past_the_limit_is_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let (ann, _) = arrange_member(&mut conn, "ann@acme.test", &["Viewer"]);
    limit_full_seats(&app, 1);
    let company = first_company(&mut conn);
    let editor = role_id(&mut conn, "Editor").to_string();
    let page = admin.get(&format!("/users/{}/access/roles", ann.0)).await;

    let name = format!("role_{company}");
    let refused = admin
        .submit_changes(
            &page,
            "#access-form",
            &[(&name, &editor)],
            &[],
            &[("go", "save")],
        )
        .await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    let said = refused.texts("#access-error").join(" ");
    assert!(
        said.contains("the account's limit is 1 with 1 in use"),
        "{said}"
    );
    assert_eq!(
        roles_of(&mut conn, "ann@acme.test"),
        vec![(company, "Viewer".to_owned())]
    );
}

async fn two_administrators_racing_for_the_last_full_seat_get_exactly_one(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    limit_full_seats(&app, 2);
    let first = to_access_without_roles(&admin, "first@acme.test").await;
    let first = give_role(&admin, &first, "Editor").await;
    let second = to_access_without_roles(&admin, "second@acme.test").await;
    let second = give_role(&admin, &second, "Editor").await;

    let (a, b) = tokio::join!(
        admin.submit(&first, FORM, &[("send_email", ""), ("go", "invite")]),
        admin.submit(&second, FORM, &[("send_email", ""), ("go", "invite")]),
    );

    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 422], "exactly one took the seat");
    let invited = [&a, &b]
        .iter()
        .filter(|p| p.status == 200)
        .flat_map(|p| p.texts("#invited li"))
        .count();
    assert_eq!(invited, 1);
    let mut conn = app.conn();
    let account = accounts::table
        .select(accounts::id)
        .first(&mut conn)
        .unwrap();
    let full = roster::domain::seats::full_in_use(&mut conn, account).unwrap();
    assert_eq!(full, 2);
}
