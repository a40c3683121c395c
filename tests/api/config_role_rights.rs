//! Giving rights to roles: a role gains only rights its editor holds in every company
//! (account administrators hold all), so managing roles cannot be turned into gaining more.
//! Rights out of reach are drawn disabled, and saving keeps them as the role has them.

use crate::helpers::Page;
use crate::helpers::{Backend, Client, TestApp, add_company, create_role, first_company, role_id};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::DbConnection;
use roster::db::schema::{role_rights, roles};
use roster::domain::CompanyId;

on_both_backends!(
    a_roles_manager_cannot_add_a_right_they_lack_to_their_own_role,
    a_roles_manager_cannot_create_a_role_with_a_right_they_lack,
    saving_a_role_keeps_a_right_the_editor_cannot_give,
    a_right_held_in_one_company_only_cannot_be_given,
    an_account_administrator_can_give_any_right,
);

const CONFIG: &str = "#right-config\\.manage";
const REFUSED: &str = "You cannot give Manage configuration: a role may only gain rights you \
                       hold in every company.";

/// The stored rights of a role, sorted.
fn rights_of(conn: &mut DbConnection, name: &str) -> Vec<String> {
    let id = roster::domain::RoleId(role_id(conn, name));
    role_rights::table
        .filter(role_rights::role_id.eq(id))
        .select(role_rights::right_code)
        .order(role_rights::right_code)
        .load(conn)
        .unwrap()
}

/// An administrator, a role Keeper (Manage roles and View users, not Manage configuration)
/// and Kim, who holds Keeper in every company given: both signed in.
async fn keeper(app: &TestApp, companies: &[CompanyId]) -> (Client, Client) {
    let admin = app.first_admin("ada@acme.test").await;
    create_role(&admin, "Keeper", &["roles.manage", "users.view"]).await;
    let roles: Vec<(CompanyId, &[&str])> =
        companies.iter().map(|c| (*c, &["Keeper"][..])).collect();
    let kim = app.signed_in_with_roles("kim@acme.test", &roles).await;
    (admin, kim)
}

fn form(id: i64) -> String {
    format!("form[action='/config/roles/{id}']")
}

async fn edit(client: &Client, id: i64) -> Page {
    let page = client.get(&format!("/config/roles/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

async fn a_roles_manager_cannot_add_a_right_they_lack_to_their_own_role(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let (_, kim) = keeper(&app, &[company]).await;
    let id = role_id(&mut conn, "Keeper");

    let page = edit(&kim, id).await;
    assert!(page.attr(CONFIG, "disabled").is_some(), "{}", page.body);
    assert_eq!(page.attr(CONFIG, "checked"), None);
    assert_eq!(
        page.texts(&format!("{CONFIG}-why")),
        vec![
            "You do not hold this right in every company, so you can neither give it nor take \
             it away."
        ]
    );
    // A forged post sends the box the page drew disabled.
    let refused = kim
        .submit(
            &page,
            &form(id),
            &[
                ("name", "Keeper plus"),
                ("rights", "roles.manage"),
                ("rights", "users.view"),
                ("rights", "config.manage"),
            ],
        )
        .await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.texts(".error"), vec![REFUSED]);
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some("Keeper plus")
    );
    assert_eq!(
        rights_of(&mut conn, "Keeper"),
        ["roles.manage", "users.view"]
    );
    assert_eq!(kim.get("/config/settings").await.status, 403);
}

async fn a_roles_manager_cannot_create_a_role_with_a_right_they_lack(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let (_, kim) = keeper(&app, &[company]).await;

    let new = kim.get("/config/roles/new").await;
    assert!(new.attr(CONFIG, "disabled").is_some(), "{}", new.body);
    let refused = kim
        .submit(
            &new,
            "form[action='/config/roles']",
            &[("name", "Configurer"), ("rights", "config.manage")],
        )
        .await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.texts(".error"), vec![REFUSED]);
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some("Configurer")
    );
    let stored: i64 = roles::table
        .filter(roles::name.eq("Configurer"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(stored, 0);
}

async fn saving_a_role_keeps_a_right_the_editor_cannot_give(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let (admin, kim) = keeper(&app, &[company]).await;
    create_role(&admin, "Configurer", &["config.manage", "users.view"]).await;
    let id = role_id(&mut conn, "Configurer");

    let page = edit(&kim, id).await;
    assert!(page.attr(CONFIG, "disabled").is_some(), "{}", page.body);
    assert_eq!(page.attr(CONFIG, "checked").as_deref(), Some(""));
    // As a browser sends it: without the disabled box, and View users unticked.
    let saved = kim
        .submit_changes(&page, &form(id), &[], &[("rights", "users.view")], &[])
        .await;

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(rights_of(&mut conn, "Configurer"), ["config.manage"]);
}

async fn a_right_held_in_one_company_only_cannot_be_given(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut conn = backend.conn();
    let acme = first_company(&mut conn);
    let branch = add_company(&mut conn, "Branch", "BR");
    let admin = app.first_admin("ada@acme.test").await;
    create_role(&admin, "Keeper", &["roles.manage", "users.view"]).await;
    create_role(&admin, "Configurer", &["config.manage"]).await;
    let kim = app
        .signed_in_with_roles(
            "kim@acme.test",
            &[(acme, &["Keeper", "Configurer"]), (branch, &["Keeper"])],
        )
        .await;
    let id = role_id(&mut conn, "Keeper");

    let page = edit(&kim, id).await;
    assert!(page.attr(CONFIG, "disabled").is_some(), "{}", page.body);
    let refused = kim
        .submit_changes(&page, &form(id), &[("rights", "config.manage")], &[], &[])
        .await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.texts(".error"), vec![REFUSED]);
    assert_eq!(
        rights_of(&mut conn, "Keeper"),
        ["roles.manage", "users.view"]
    );
}

async fn an_account_administrator_can_give_any_right(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut conn = backend.conn();
    let admin = app.first_admin("ada@acme.test").await;
    create_role(&admin, "Keeper", &["roles.manage"]).await;
    let id = role_id(&mut conn, "Keeper");

    let page = edit(&admin, id).await;
    assert!(page.texts(".not-grantable").is_empty(), "{}", page.body);
    let saved = admin
        .submit_changes(&page, &form(id), &[("rights", "config.manage")], &[], &[])
        .await;

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        rights_of(&mut conn, "Keeper"),
        ["config.manage", "roles.manage"]
    );
}
