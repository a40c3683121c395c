//! A row's actions on the User Management list sit in one place (Open, and for an invited
//! user Resend and Revoke), and are shown only to who may do them.

use crate::helpers::{Backend, TestApp, first_company};
use crate::on_both_backends;

on_both_backends!(
    an_invited_rows_actions_are_open_resend_and_revoke_in_one_cell,
    who_may_not_invite_sees_the_invitation_status_but_no_invitation_actions,
);

const ADMIN: &str = "ada@acme.test";

async fn an_invited_rows_actions_are_open_resend_and_revoke_in_one_cell(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    app.invite_without_email(&admin, "ivy@acme.test").await;

    let list = admin.get("/users?q=ivy").await;
    assert_eq!(
        list.texts("td.actions a, td.actions button"),
        vec!["Open".to_owned(), "Resend".to_owned(), "Revoke".to_owned()]
    );
    let open = list.attr("td.actions a", "href").unwrap();
    assert_eq!(admin.get(&open).await.status, 200);
    let status = list
        .attr("td.invitation a.invitation-status", "href")
        .unwrap();
    assert_eq!(admin.get(&status).await.status, 200);
}

async fn who_may_not_invite_sees_the_invitation_status_but_no_invitation_actions(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    app.invite_without_email(&admin, "ivy@acme.test").await;
    let editor = app
        .signed_in_as_role("Editor", first_company(&mut app.conn()))
        .await;

    let list = editor.get("/users?q=ivy").await;
    assert_eq!(
        list.texts("td.invitation .invitation-status"),
        vec!["Pending".to_owned()]
    );
    assert!(
        list.attr("td.invitation a", "href").is_none(),
        "no link to a refusal"
    );
    assert_eq!(
        list.texts("td.actions a, td.actions button"),
        vec!["Open".to_owned()]
    );
    let open = list.attr("td.actions a", "href").unwrap();
    assert_eq!(editor.get(&open).await.status, 200);
}
