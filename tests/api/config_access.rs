//! Who may reach configuration at all: every configuration route needs its right, and
//! another account's objects are not found.

use crate::helpers::{
    Backend, TestApp, add_company, add_item, arrange_member, config_permit, create_role,
    first_company,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{catalog_items, roles, users};
use roster::domain::catalog::{self, ItemInput, ItemKind};

on_both_backends!(
    every_configuration_route_needs_its_right,
    another_accounts_objects_are_not_found,
    a_permit_to_configure_one_company_changes_nothing_in_another,
);

const ADMIN: &str = "ada@acme.test";

/// GET and POST routes of configuration, with ids that exist.
fn config_routes(
    company: i64,
    item: i64,
    field: i64,
    role: i64,
    admin: i64,
) -> (Vec<String>, Vec<String>) {
    let gets = vec![
        "/config".into(),
        "/config/companies".into(),
        format!("/config/companies/{company}/edit"),
        "/config/locations".into(),
        format!("/config/companies/{company}/locations"),
        format!("/config/companies/{company}/locations/{item}"),
        format!("/config/companies/{company}/locations/{item}/delete"),
        format!("/config/companies/{company}/fields/{field}"),
        "/config/roles".into(),
        "/config/roles/new".into(),
        format!("/config/roles/{role}"),
        format!("/config/roles/{role}/delete"),
        "/config/permissions".into(),
        "/config/admins".into(),
        format!("/config/admins/{admin}/remove"),
        "/config/settings".into(),
    ];
    let posts = vec![
        "/config/companies".into(),
        format!("/config/companies/{company}/edit"),
        format!("/config/companies/{company}/archive"),
        format!("/config/companies/{company}/restore"),
        format!("/config/companies/{company}/locations"),
        format!("/config/companies/{company}/locations/{item}"),
        format!("/config/companies/{company}/locations/{item}/archive"),
        format!("/config/companies/{company}/locations/{item}/delete"),
        format!("/config/companies/{company}/fields/{field}/options"),
        "/config/roles".into(),
        format!("/config/roles/{role}"),
        format!("/config/roles/{role}/delete"),
        "/config/admins".into(),
        format!("/config/admins/{admin}/remove"),
        "/config/settings".into(),
    ];
    (gets, posts)
}

/// A location Depot and a required field Project in `company`; their ids.
fn arrange_items(
    conn: &mut roster::db::DbConnection,
    company: roster::domain::CompanyId,
) -> (i64, i64) {
    let location = add_item(
        conn,
        company,
        ItemKind::Location,
        None,
        ("Depot", "DEP"),
        false,
    );
    let field = add_item(
        conn,
        company,
        ItemKind::Field,
        None,
        ("Project", "PRJ"),
        true,
    );
    (location.0, field.0)
}

fn snapshot(conn: &mut roster::db::DbConnection) -> (i64, i64, i64, String) {
    let items: i64 = catalog_items::table
        .filter(catalog_items::archived_at.is_null())
        .count()
        .get_result(conn)
        .unwrap();
    let roles: i64 = roles::table.count().get_result(conn).unwrap();
    let admins: i64 = users::table
        .filter(users::is_account_admin.eq(true))
        .count()
        .get_result(conn)
        .unwrap();
    let names: Vec<String> = catalog_items::table
        .order(catalog_items::id)
        .select(catalog_items::name)
        .load(conn)
        .unwrap();
    (items, roles, admins, names.join(","))
}

async fn every_configuration_route_needs_its_right(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let company = first_company(&mut conn);
    let (item, field) = arrange_items(&mut conn, company);
    let role: roster::domain::RoleId = roles::table
        .filter(roles::name.eq("Viewer"))
        .select(roles::id)
        .first(&mut conn)
        .unwrap();
    let admin: roster::domain::UserId = users::table
        .filter(users::email_lower.eq(ADMIN))
        .select(users::id)
        .first(&mut conn)
        .unwrap();
    let (gets, posts) = config_routes(company.0, item, field, role.0, admin.0);
    arrange_member(&mut conn, "viewer@acme.test", &["Viewer"]);
    arrange_member(&mut conn, "manager@acme.test", &["Manager", "Editor"]);
    let before = snapshot(&mut conn);

    for email in ["viewer@acme.test", "manager@acme.test"] {
        let client = app.signed_in(email).await;
        let profile = client.get("/profile").await;
        assert!(
            !profile.texts("nav a").contains(&"Configuration".to_owned()),
            "{email}: no Configuration in the menu"
        );
        let token = profile.attr("input[name=csrf_token]", "value").unwrap();
        for path in &gets {
            assert_eq!(client.get(path).await.status, 403, "{email} GET {path}");
        }
        for path in &posts {
            let fields = [
                ("csrf_token", token.as_str()),
                ("name", "Hacked"),
                ("code", "HACK"),
                ("email", email),
                ("lockout_threshold", "1"),
            ];
            assert_eq!(
                client.post(path, &fields).await.status,
                403,
                "{email} POST {path}"
            );
        }
    }
    assert_eq!(snapshot(&mut conn), before, "nothing changed");

    // config.manage in the company opens its lists, but not roles or admins.
    let new = app.signed_in(ADMIN).await;
    create_role(&new, "Configurator", &["config.manage"]).await;
    arrange_member(&mut conn, "conf@acme.test", &["Configurator"]);
    let conf = app.signed_in("conf@acme.test").await;
    assert_eq!(
        conf.get(&format!("/config/companies/{company}/locations"))
            .await
            .status,
        200
    );
    assert_eq!(
        conf.get("/config/settings").await.status,
        200,
        "config.manage in every company of a single-company account"
    );
    assert_eq!(conf.get("/config/roles").await.status, 403);
    assert_eq!(conf.get("/config/admins").await.status, 403);
    assert_eq!(conf.get("/config/companies").await.status, 403);
}

async fn another_accounts_objects_are_not_found(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let crate::helpers::OtherAccount {
        account: beta,
        admin: beta_admin,
        company: beta_company,
    } = crate::helpers::other_account(&mut conn);
    let (item, field) = arrange_items(&mut conn, beta_company);
    let beta_role = roster::domain::roles::find_by_name(&mut conn, beta.id, "Manager")
        .unwrap()
        .id;
    let (gets, posts) = config_routes(beta_company.0, item, field, beta_role.0, beta_admin.id.0);
    let before = snapshot(&mut conn);

    let token = admin
        .get("/profile")
        .await
        .attr("input[name=csrf_token]", "value")
        .unwrap();
    for path in gets
        .iter()
        .filter(|p| p.matches('/').count() > 2 && !p.ends_with("/new"))
    {
        assert_eq!(admin.get(path).await.status, 404, "GET {path}");
    }
    for path in posts.iter().filter(|p| p.matches('/').count() > 2) {
        let fields = [
            ("csrf_token", token.as_str()),
            ("name", "Hacked"),
            ("code", "HACK"),
        ];
        assert_eq!(admin.post(path, &fields).await.status, 404, "POST {path}");
    }
    assert_eq!(
        snapshot(&mut conn),
        before,
        "nothing of the other account changed"
    );

    // One's own company with the other's item id is not found either.
    let own = first_company(&mut conn);
    assert_eq!(
        admin
            .get(&format!("/config/companies/{}/locations/{item}", own.0))
            .await
            .status,
        404
    );
    let beta_client = app.signed_in("ops@beta.test").await;
    let beta_roles = beta_client.get("/config/roles").await;
    assert_eq!(beta_roles.status, 200);
    assert!(!beta_roles.text().contains("Hacked"));
}

/// Authority is the permit's, not the caller's: a domain operation given a permit for
/// North refuses to write in South, and records nothing.
async fn a_permit_to_configure_one_company_changes_nothing_in_another(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "SOUTH");
    let permit = config_permit(&mut conn, north);
    let input = ItemInput {
        name: "Depot".into(),
        code: "DEP".into(),
        required: false,
    };
    let refused = catalog::create(&mut conn, south, ItemKind::Location, None, &input, &permit);
    assert!(matches!(refused, Err(roster::domain::Error::Internal(_))));
    let in_south: i64 = catalog_items::table
        .filter(catalog_items::company_id.eq(south))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(in_south, 0);
    assert!(
        catalog::create(&mut conn, north, ItemKind::Location, None, &input, &permit).is_ok(),
        "the same permit works where it was granted"
    );
}
